/*
 * cmd_eval.c — `healthqa eval --queries Q.tsv [--qrels QRELS] [--run OUT]
 * [--limit N]`: quality and speed over a question set.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char CMD_EVAL_USAGE[] =
    "usage: healthqa [--data DIR] eval --queries Q.tsv [--qrels QRELS] [--run OUT]\n"
    "                                  [--limit N] [--per-query] [--no-warmup] [--plain]\n"
    "\n"
    "Searches every question of Q.tsv (\"qid<TAB>text\" lines) in one process and\n"
    "prints one \"metric<TAB>value\" line per metric: with --qrels, the metrics of\n"
    "../shared/eval/eval.py with the same names and values (map@100, ndcg@10, p@5,\n"
    "p@10, mrr@10, judged@10, avg_score, ...); then num_queries, latency_p50_ms,\n"
    "latency_p99_ms, latency_mean_ms and qps of the searches alone (parsing, ranking;\n"
    "no snippets), after one untimed warm-up pass.\n"
    "\n"
    "Options:\n"
    "  --queries FILE  the questions (required)\n"
    "  --qrels FILE    the judgments (\"qid 0 docid grade\"); without it, timing only\n"
    "  --run FILE      write the TREC run (\"qid Q0 docid rank score healthqa\")\n"
    "  --limit N       results per question (default 100)\n"
    "  --per-query     also print each judged question's metrics\n"
    "  --no-warmup     time the first pass\n"
    "  --plain         plain BM25F on the words as typed (no question analysis,\n"
    "                  no re-ranking): the baseline of docs/QUESTIONS.md\n"
    "Example:\n"
    "  healthqa eval --queries ../shared/eval/liveqa-med/queries.original.tsv \\\n"
    "                --qrels ../shared/eval/liveqa-med/qrels.txt --run run.txt\n";

int cmd_eval(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"queries", required_argument, NULL, 'q'},
                                         {"qrels", required_argument, NULL, 'r'},
                                         {"run", required_argument, NULL, 'o'},
                                         {"limit", required_argument, NULL, 'l'},
                                         {"per-query", no_argument, NULL, 'p'},
                                         {"no-warmup", no_argument, NULL, 'w'},
                                         {"plain", no_argument, NULL, 'P'},
                                         {NULL, 0, NULL, 0}};
    hq_eval_options o = {.limit = 100, .warmup = true};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        long v;
        switch (c) {
        case 'q': o.queries = optarg; break;
        case 'r': o.qrels = optarg; break;
        case 'o': o.run_out = optarg; break;
        case 'p': o.per_query = true; break;
        case 'w': o.warmup = false; break;
        case 'P': o.plain = true; break;
        case 'l':
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || v < 1 || v > 1000)
                return cli_usage_error("eval", "--limit wants a number from 1 to 1000");
            o.limit = (size_t)v;
            break;
        default:
            return cli_usage_error("eval", "unknown option or missing value '%s'",
                                   argv[optind - 1]);
        }
    }
    if (o.queries == NULL)
        return cli_usage_error("eval", "--queries FILE is required");
    if (optind < argc)
        return cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
    hq_engine *e = NULL;
    hq_status rc = cli_open(ctx, &e);
    if (rc != HQ_OK)
        return cli_exit_code(rc);
    hq_error err;
    memset(&err, 0, sizeof err);
    rc = hq_evaluate(e, &o, stdout, &err);
    if (rc != HQ_OK)
        cli_error("eval", &err);
    hq_close(e);
    return cli_exit_code(rc);
}
