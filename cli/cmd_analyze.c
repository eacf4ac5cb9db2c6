/*
 * cmd_analyze.c — `healthqa analyze [--json] TEXT`: what healthqa
 * understands of a question (focus, type, context, ignored parts, key
 * terms), the first step of every search.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
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

static hq_status file_error(hq_error *err, hq_status code, const char *path, long line,
                            const char *message)
{
    if (err) {
        err->code = code;
        snprintf(err->where, sizeof err->where, "%s", (const char *)path);
        err->line = line;
        err->offset = -1;
        snprintf(err->message, sizeof err->message, "%s", message);
    }
    return code;
}

/* One JSON line per "qid<TAB>text" line of path. */
static hq_status read_file_analyses(hq_engine *e, const void *path, json_t **out,
                                    hq_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return file_error(err, HQ_EIO, path, 0, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    hq_status rc = HQ_OK;
    while (rc == HQ_OK && getline(&line, &cap, f) > 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] == '\0')
            continue;
        if (tab == NULL) {
            rc = file_error(err, HQ_EFORMAT, path, lineno, "expected \"qid<TAB>text\"");
            break;
        }
        *tab = '\0';
        json_t *a = NULL;
        rc = hq_analyze_question(e, tab + 1, &a, err);
        if (rc == HQ_OK) {
            json_object_set_new(a, "qid", json_string(line));
            json_dumpf(a, stdout, JSON_COMPACT);
            putchar('\n');
            json_decref(a);
        }
    }
    free(line);
    fclose(f);
    *out = rc == HQ_OK ? json_null() : NULL;
    return rc;
}

static void print_nothing(const json_t *unused)
{
    (void)unused;
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
        return cli_read(ctx, "analyze", read_file_analyses, queries, print_nothing);
    }
    if (optind + 1 != argc)
        return cli_usage_error("analyze", "expected one TEXT (quote it), got %d arguments",
                               argc - optind);
    return cli_read(ctx, "analyze", read_analysis, argv[optind], json ? NULL : print_text);
}
