/*
 * cmd_explain.c — `healthqa explain [--json] QUERY SECTION_ID`: how a
 * section scores for a query, term by term and feature by feature.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char CMD_EXPLAIN_USAGE[] =
    "usage: healthqa [--data DIR] explain [--json] QUERY SECTION_ID\n"
    "\n"
    "Explains the rank of one section for a query: the BM25F contribution of each\n"
    "query term (after question analysis weighted it), then each re-ranking feature\n"
    "(bm25 relative to the best hit, focus match, question-type match, source trust)\n"
    "with its weight from data/rerank.conf, and the total the final order uses.\n"
    "\n"
    "Options:\n"
    "  --json   print one JSON object\n"
    "Example:\n"
    "  healthqa explain \"what causes low back pain\" ADAM_0002433_Sec2.txt\n";

static void print_text(const json_t *x)
{
    const json_t *rank = json_object_get(x, "rank");
    printf("%s for \"%s\": ", json_string_value(json_object_get(x, "section_id")),
           json_string_value(json_object_get(x, "query")));
    if (json_is_integer(rank))
        printf("rank %lld\n", (long long)json_integer_value(rank));
    else
        printf("not among the re-ranked hits\n");
    const json_t *fs = json_object_get(x, "first_stage");
    printf("first stage (BM25F) %.4f:\n", json_real_value(json_object_get(fs, "score")));
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(fs, "terms"), i, t)
        printf("  %-24s weight %5.2f  %8.4f\n", json_string_value(json_object_get(t, "term")),
               json_real_value(json_object_get(t, "weight")),
               json_real_value(json_object_get(t, "contribution")));
    printf("re-ranking:          value   weight   contribution\n");
    static const char *const names[] = {"bm25", "focus", "type", "trust"};
    for (size_t k = 0; k < 4; k++)
        printf("  %-16s %8.4f %8.3f %12.4f\n", names[k],
               json_real_value(json_object_get(json_object_get(x, "features"), names[k])),
               json_real_value(json_object_get(json_object_get(x, "weights"), names[k])),
               json_real_value(json_object_get(json_object_get(x, "contributions"), names[k])));
    printf("total %.4f\n", json_real_value(json_object_get(x, "total")));
}

typedef struct explain_args {
    const char *query, *section_id;
} explain_args;

static hq_status read_explanation(hq_engine *e, const void *arg, json_t **out, hq_error *err)
{
    const explain_args *x = arg;
    return hq_explain(e, x->query, x->section_id, out, err);
}

int cmd_explain(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error("explain", "unknown option '%s'", argv[optind - 1]);
        json = 1;
    }
    if (optind + 2 != argc)
        return cli_usage_error("explain", "expected QUERY and SECTION_ID, got %d arguments",
                               argc - optind);
    explain_args x = {argv[optind], argv[optind + 1]};
    return cli_read(ctx, "explain", read_explanation, &x, json ? NULL : print_text);
}
