/*
 * cmd_related.c — `healthqa related [--json] [--limit N] ID|PATH`: the
 * articles a reader of one article would want next, with the reasons.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char CMD_RELATED_USAGE[] =
    "usage: healthqa [--data DIR] related [--json] [--limit N] ID|PATH\n"
    "       healthqa [--data DIR] related --ids FILE [--limit N]\n"
    "\n"
    "Lists the articles related to an article (an article id such as\n"
    "medquad:GARD_0000004 or page:<file name>, a section id such as\n"
    "ADAM_0003147_Sec2.txt for its article, or the path of an ingested file),\n"
    "best first, from their content: the same focus, a concept the article names,\n"
    "a shared MeSH branch, similar text.  Candidates under a relevance floor are\n"
    "left out, so the list may be short or empty; articles with the same title or\n"
    "text are grouped under the most trusted, most related one.\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object (see docs/CLI.md)\n"
    "  --limit N   list at most N articles, 1 to 50 (default 10)\n"
    "  --ids FILE  one id per line (blank lines skipped): print one compact JSON\n"
    "              object per line, {\"id\", \"result\"} or {\"id\", \"error\"}, from\n"
    "              one engine (bench/related.py uses it)\n"
    "Exit status: 0 (also with none related), 2 usage, 3 not found, 4 store error;\n"
    "with --ids, 0 unless FILE cannot be read or the store fails.\n";

typedef struct related_args {
    const char *id;
    size_t limit;
} related_args;

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_text(const json_t *r)
{
    const json_t *a = json_object_get(r, "article"), *focus = json_object_get(a, "focus");
    printf("%s\n%s  (source: %s, trust: %s)\n", str(a, "title"), str(a, "id"), str(a, "source"),
           str(a, "trust"));
    if (json_is_object(focus))
        printf("focus: %s%s%s%s\n", str(focus, "name"), *str(focus, "mesh_tree") ? " [" : "",
               str(focus, "mesh_tree"), *str(focus, "mesh_tree") ? "]" : "");
    const json_t *list = json_object_get(r, "related");
    if (json_array_size(list) == 0) {
        printf("\nno related article passes the relevance floor\n");
        return;
    }
    size_t i, j;
    const json_t *e, *x;
    json_array_foreach(list, i, e)
    {
        printf("\n%2zu. %s\n    %s  (source: %s, trust: %s, score %.3f)\n", i + 1,
               str(e, "title"), str(e, "article_id"), str(e, "source"), str(e, "trust"),
               json_real_value(json_object_get(e, "score")));
        printf("    why: ");
        json_array_foreach(json_object_get(e, "why"), j, x)
            printf("%s%s", j ? "; " : "", json_string_value(x));
        putchar('\n');
        json_array_foreach(json_object_get(e, "duplicates"), j, x)
            printf("    also (%s): %s  [%s, %s]\n", str(x, "reason"), str(x, "article_id"),
                   str(x, "source"), str(x, "trust"));
    }
}

/* One line of --ids: the result or the error, as one JSON line.  Only
 * a store or index failure stops the run. */
static hq_status related_line(hq_engine *e, const char *id, size_t limit)
{
    json_t *res = NULL;
    hq_error err;
    memset(&err, 0, sizeof err);
    hq_status rc = hq_related(e, id, limit, &res, &err);
    json_t *line = json_pack("{s:s}", "id", id);
    if (rc == HQ_OK) {
        json_object_set_new(line, "result", res);
    } else {
        char buf[2048];
        json_object_set_new(line, "error", json_string(hq_error_format(&err, buf, sizeof buf)));
    }
    json_dumpf(line, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(line);
    if (rc == HQ_ENOTFOUND || rc == HQ_EINVAL)
        return HQ_OK;
    if (rc != HQ_OK)
        cli_error("related", &err);
    return rc;
}

static int related_ids(const cli_ctx *ctx, const char *path, size_t limit)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "healthqa: related: cannot read %s: %s\n", path, strerror(errno));
        return HQ_EXIT_FAILURE;
    }
    hq_engine *e = NULL;
    hq_status rc = cli_open(ctx, &e);
    char line[4096];
    while (rc == HQ_OK && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0')
            rc = related_line(e, line, limit);
    }
    fclose(f);
    hq_close(e);
    return cli_exit_code(rc);
}

static hq_status read_related(hq_engine *e, const void *arg, json_t **out, hq_error *err)
{
    const related_args *a = arg;
    return hq_related(e, a->id, a->limit, out, err);
}

int cmd_related(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"limit", required_argument, NULL, 'l'},
        {"ids", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    related_args args = {NULL, 10};
    const char *ids = NULL;
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        char *end;
        long v;
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'l':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || errno || v < 1 || v > 50)
                return cli_usage_error("related", "--limit wants a number from 1 to 50, not '%s'",
                                       optarg);
            args.limit = (size_t)v;
            break;
        case 'i':
            ids = optarg;
            break;
        case ':':
            return cli_usage_error("related", "option '%s' wants a value", argv[optind - 1]);
        default:
            return cli_usage_error("related", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (ids && optind < argc)
        return cli_usage_error("related", "--ids reads the ids from a file: no ID argument");
    if (ids)
        return related_ids(ctx, ids, args.limit);
    if (optind + 1 != argc)
        return cli_usage_error("related", "expected exactly one ID or PATH");
    args.id = argv[optind];
    return cli_read(ctx, "related", read_related, &args, json ? NULL : print_text);
}
