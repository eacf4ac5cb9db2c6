/*
 * cmd_rm.c — `healthqa rm [--json] ID...`: deletes articles by id, synced
 * and gone from searches when the command returns.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char CMD_RM_USAGE[] =
    "usage: healthqa [--data DIR] rm [--json] ARTICLE_ID...\n"
    "\n"
    "Deletes the articles with these ids (as `show` and search hits name them, e.g.\n"
    "page:000_467e91df3828f596) with their sections and links, in one transaction\n"
    "synced to disk, then updates the index: when the command returns they are gone\n"
    "from searches.  Ids that are not stored are reported.\n"
    "\n"
    "Options:\n"
    "  --json   print {\"removed\", \"not_found\": [...]} \n"
    "Exit status: 0 all removed, 3 some ids were not stored, 2 bad command line,\n"
    "4 nothing could be done.\n";

int cmd_rm(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error("rm", "unknown option '%s'", argv[optind - 1]);
        json = 1;
    }
    if (optind >= argc)
        return cli_usage_error("rm", "expected at least one ARTICLE_ID");
    hq_engine *e;
    if (cli_open(ctx, &e) != HQ_OK)
        return HQ_EXIT_FAILURE;
    json_t *missing = json_array();
    for (int i = optind; i < argc; i++) {
        json_t *shown = NULL;
        hq_error ignored;
        memset(&ignored, 0, sizeof ignored);
        if (hq_show(e, argv[i], &shown, &ignored) != HQ_OK ||
            strcmp(json_string_value(json_object_get(shown, "kind")), "article") != 0)
            json_array_append_new(missing, json_string(argv[i]));
        json_decref(shown);
    }
    hq_write_summary s;
    hq_error err;
    memset(&err, 0, sizeof err);
    hq_status rc = hq_remove(e, (const char *const *)argv + optind, (size_t)(argc - optind), &s,
                             &err);
    if (rc == HQ_OK)
        rc = hq_index_merge(e, NULL, &err);
    hq_close(e);
    if (rc != HQ_OK) {
        cli_error("rm", &err);
        json_decref(missing);
        return cli_exit_code(rc);
    }
    if (json) {
        json_t *o = json_pack("{s:I, s:O}", "removed", (json_int_t)s.n_removed, "not_found",
                              missing);
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("removed %zu article%s\n", s.n_removed, s.n_removed == 1 ? "" : "s");
        size_t i;
        json_t *id;
        json_array_foreach(missing, i, id)
            fprintf(stderr, "healthqa: rm: %s: no such article\n", json_string_value(id));
    }
    int code = json_array_size(missing) ? HQ_EXIT_NOTFOUND : HQ_EXIT_OK;
    json_decref(missing);
    return code;
}
