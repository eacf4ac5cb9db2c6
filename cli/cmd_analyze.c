/*
 * cmd_analyze.c — `healthqa analyze [--json] TEXT`: what healthqa
 * understands of a question (focus, type, context, ignored parts, key
 * terms), the first step of every search.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char CMD_ANALYZE_USAGE[] =
    "usage: healthqa [--data DIR] analyze [--json] TEXT\n"
    "       healthqa [--data DIR] analyze --queries Q.tsv\n"
    "\n"
    "Shows what healthqa understands of a consumer's question: its focus (the\n"
    "condition, drug, procedure or test asked about) with the concept's other names,\n"
    "the other concepts it names, the type of answer it wants (MedQuAD's question\n"
    "types; LiveQA's in brackets), its context (\"after IUD insertion\"), the parts\n"
    "left out (greetings, thanks) and the weighted key terms a search uses.\n"
    "The rules are in docs/QUESTIONS.md.\n"
    "\n"
    "Options:\n"
    "  --json          print one JSON object\n"
    "  --queries FILE  analyse every \"qid<TAB>text\" line of FILE, printing one JSON\n"
    "                  object per line with its \"qid\" (for measuring, see bench/)\n"
    "Example:\n"
    "  healthqa analyze \"hi, since my coil was put in my waist is so sore, is this normal??\"\n";

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_text(const json_t *a)
{
    const json_t *focus = json_object_get(a, "focus");
    if (json_is_object(focus)) {
        printf("focus:     %s", str(focus, "name"));
        if (*str(focus, "as_written"))
            printf("  (written \"%s\")", str(focus, "as_written"));
        printf("\n");
    } else {
        printf("focus:     (none found)\n");
    }
    printf("type:      %s [%s]%s\n", str(a, "type"), str(a, "liveqa_type"),
           json_is_true(json_object_get(a, "type_from_cue")) ? "" : " (no cue: the default)");
    if (*str(a, "context"))
        printf("context:   %s\n", str(a, "context"));
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(a, "concepts"), i, v)
        printf("%s \"%s\" → %s%s\n", i == 0 ? "concepts: " : "          ", str(v, "text"),
               str(v, "concept"), json_is_true(json_object_get(v, "ambiguous")) ? " (ambiguous)" : "");
    json_array_foreach(json_object_get(a, "ignored"), i, v)
        printf("%s \"%s\"\n", i == 0 ? "ignored:  " : "          ", json_string_value(v));
    printf("key terms:");
    json_array_foreach(json_object_get(a, "key_terms"), i, v)
        printf(" %s(%.2g %s)", str(v, "term"), json_real_value(json_object_get(v, "weight")),
               str(v, "role"));
    printf("\n");
}

static hq_status read_analysis(hq_engine *e, const void *text, json_t **out, hq_error *err)
{
    return hq_analyze_question(e, text, out, err);
}

static int analyze_file(const cli_ctx *ctx, const char *path)
{
    hq_engine *e = NULL;
    hq_status rc = cli_open(ctx, &e);
    if (rc != HQ_OK)
        return cli_exit_code(rc);
    hq_error err;
    memset(&err, 0, sizeof err);
    rc = hq_analyze_questions(e, path, stdout, &err);
    if (rc != HQ_OK)
        cli_error("analyze", &err);
    hq_close(e);
    return cli_exit_code(rc);
}

int cmd_analyze(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"queries", required_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, c;
    const char *queries = NULL;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'q')
            queries = optarg;
        else
            return cli_usage_error("analyze", "unknown option or missing value '%s'",
                                   argv[optind - 1]);
    }
    if (queries) {
        if (optind != argc)
            return cli_usage_error("analyze", "--queries takes no TEXT");
        return analyze_file(ctx, queries);
    }
    if (optind + 1 != argc)
        return cli_usage_error("analyze", "expected one TEXT (quote it), got %d arguments",
                               argc - optind);
    return cli_read(ctx, "analyze", read_analysis, argv[optind], json ? NULL : print_text);
}
