/*
 * main.c — the healthqa program: global options, then one command.
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: healthqa [--data DIR] COMMAND [ARGS...]\n"
    "\n"
    "healthqa is a consumer-health question-answering engine.\n"
    "\n"
    "Commands:\n"
    "  index PATH...    ingest files and folders (MedQuAD XML, JSON Lines, portal pages,\n"
    "                   plain text, Markdown) into the store and update the search index\n"
    "  add FILE...      add or replace articles given as JSON Lines records (durable, searchable)\n"
    "  rm ID...         delete articles by id\n"
    "  search QUERY     search the index (BM25F), with snippets\n"
    "  ask QUESTION     the answer card: red flags first, then passages by aspect, cited\n"
    "  analyze TEXT     what healthqa understands of a question: focus, type, context\n"
    "  explain QUERY ID how a section scores for a query, feature by feature\n"
    "  stats            counts of articles and sections per source, format, type, trust\n"
    "  show ID|PATH     an article, a section, or the article(s) of an ingested file\n"
    "  related ID|PATH  the articles related to an article, with the reasons\n"
    "  check            verify every checksum and invariant of the store and the index\n"
    "  dump [TERM]      a term's postings, or a summary of each segment (debugging)\n"
    "  eval             quality (eval.py's metrics) and latency over a question set\n"
    "  dups             clusters of near-duplicate sections (the same text on several sites)\n"
    "  triage TEXT      red flags in a reader's words: how urgently to seek care\n"
    "  serve            the web portal and JSON API (HTTP, see docs/API.md)\n"
    "  token new        a bearer token for the write API (its hash goes to a token file)\n"
    "  help [COMMAND]   this text, or a command's\n"
    "\n"
    "Options:\n"
    "  --data DIR       data folder (default: $HEALTHQA_DATA, else ./healthqa-data)\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  some inputs were rejected (each is named on stderr); the others were stored\n"
    "  2  bad command line\n"
    "  3  no such article, section or file\n"
    "  4  the command could not run (store, input/output, corrupt data)\n"
    "\n"
    "Run 'healthqa COMMAND --help' for a command's options.\n";

static const struct command {
    const char *name;
    int (*run)(const cli_ctx *, int, char **);
    const char *usage;
    bool long_running; /* not a short-lived process (hq_memory_short_lived) */
} COMMANDS[] = {
    {"index", cmd_index, CMD_INDEX_USAGE, false},
    {"stats", cmd_stats, CMD_STATS_USAGE, false},
    {"show", cmd_show, CMD_SHOW_USAGE, false},
    {"related", cmd_related, CMD_RELATED_USAGE, false},
    {"add", cmd_add, CMD_ADD_USAGE, false},
    {"rm", cmd_rm, CMD_RM_USAGE, false},
    {"search", cmd_search, CMD_SEARCH_USAGE, false},
    {"ask", cmd_ask, CMD_ASK_USAGE, false},
    {"check", cmd_check, CMD_CHECK_USAGE, false},
    {"dump", cmd_dump, CMD_DUMP_USAGE, false},
    {"eval", cmd_eval, CMD_EVAL_USAGE, false},
    {"analyze", cmd_analyze, CMD_ANALYZE_USAGE, false},
    {"explain", cmd_explain, CMD_EXPLAIN_USAGE, false},
    {"dups", cmd_dups, CMD_DUPS_USAGE, false},
    {"triage", cmd_triage, CMD_TRIAGE_USAGE, false},
    {"serve", cmd_serve, CMD_SERVE_USAGE, true},
    {"token", cmd_token, CMD_TOKEN_USAGE, false},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0)
            return &COMMANDS[i];
    return NULL;
}

static int help(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stdout);
        return HQ_EXIT_OK;
    }
    const struct command *c = find_command(argv[1]);
    if (c == NULL)
        return cli_usage_error(NULL, "no command named '%s'", argv[1]);
    fputs(c->usage, stdout);
    return HQ_EXIT_OK;
}

int main(int argc, char **argv)
{
    /* A file size limit (RLIMIT_FSIZE) is a full disk to us: let write()
     * fail with EFBIG and report it, instead of being killed by SIGXFSZ. */
    signal(SIGXFSZ, SIG_IGN);
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    cli_ctx ctx = {.data_dir = getenv("HEALTHQA_DATA")};
    if (ctx.data_dir == NULL || *ctx.data_dir == '\0')
        ctx.data_dir = "healthqa-data";
    opterr = 0;
    int c;
    /* '+' stops at the command name: what follows is the command's */
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            ctx.data_dir = optarg;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return HQ_EXIT_OK;
        case 'V':
            printf("healthqa %s\n", HQ_VERSION);
            return HQ_EXIT_OK;
        default:
            return cli_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) {
        fputs(USAGE, stderr);
        return HQ_EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0)
        return help(argc - optind, argv + optind);
    const struct command *cmd = find_command(name);
    if (cmd == NULL)
        return cli_usage_error(NULL, "unknown command '%s'", name);
    if (cli_wants_help(argc - optind, argv + optind)) {
        fputs(cmd->usage, stdout);
        return HQ_EXIT_OK;
    }
    if (!cmd->long_running)
        hq_memory_short_lived();
    /* each command parses its own argv (argv[0] = its name); optind = 0
     * makes getopt start afresh, in the command's own ordering mode */
    int at = optind;
    optind = 0;
    return cmd->run(&ctx, argc - at, argv + at);
}
