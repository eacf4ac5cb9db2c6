/*
 * cmd_check.c — `healthqa check [--json]`: every checksum and invariant
 * of the store and the index.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char CMD_CHECK_USAGE[] =
    "usage: healthqa [--data DIR] check [--json]\n"
    "\n"
    "Verifies the store (SQLite integrity and foreign keys) and every index file\n"
    "(magic, version, checksums, full decoding of every postings list, manifest and\n"
    "tombstones).  Prints what was checked; on a fault, names the file and what is\n"
    "wrong and exits 4.  A damaged index is rebuilt with: healthqa index --rebuild\n"
    "\n"
    "Options:\n"
    "  --json   print the report as JSON\n";

int cmd_check(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
        json = 1;
    }
    if (optind < argc)
        return cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
    hq_engine *e = NULL;
    hq_status rc = cli_open(ctx, &e);
    if (rc != HQ_OK)
        return cli_exit_code(rc);
    json_t *r = NULL;
    hq_error err;
    memset(&err, 0, sizeof err);
    rc = hq_check(e, &r, &err);
    if (rc != HQ_OK)
        cli_error("check", &err);
    if (json) {
        if (rc != HQ_OK) {
            char buf[2048];
            json_object_set_new(r, "error", json_string(hq_error_format(&err, buf, sizeof buf)));
        }
        cli_print_json(r);
    } else if (rc == HQ_OK) {
        size_t i;
        json_t *s;
        printf("store: ok\n");
        json_array_foreach(json_object_get(r, "segments"), i, s)
            printf("segment %s: %lld documents, %lld terms: ok\n",
                   json_string_value(json_object_get(s, "file")),
                   (long long)json_integer_value(json_object_get(s, "documents")),
                   (long long)json_integer_value(json_object_get(s, "terms")));
        printf("index covers store change %lld of %lld%s\n",
               (long long)json_integer_value(json_object_get(r, "index_store_seq")),
               (long long)json_integer_value(json_object_get(r, "store_last_seq")),
               json_is_true(json_object_get(r, "index_up_to_date"))
                   ? ""
                   : " (behind: run healthqa index to catch up)");
    }
    json_decref(r);
    hq_close(e);
    return cli_exit_code(rc);
}
