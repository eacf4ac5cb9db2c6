/*
 * cli.h — shared pieces of the healthqa command-line program: exit
 * codes, error printing, opening the data folder.  Each command lives in
 * its own cmd_<name>.c and uses only the public header healthqa.h.
 */
#ifndef HQ_CLI_H
#define HQ_CLI_H

#include "healthqa.h"

#include <stdio.h>

/* Exit codes (documented in `healthqa --help` and docs/CLI.md). */
enum {
    HQ_EXIT_OK = 0,       /* everything succeeded */
    HQ_EXIT_PARTIAL = 1,  /* some inputs were rejected; the others were stored */
    HQ_EXIT_USAGE = 2,    /* bad command line */
    HQ_EXIT_NOTFOUND = 3, /* no such article, section or file */
    HQ_EXIT_FAILURE = 4   /* the command could not run (store, I/O, corrupt data) */
};

typedef struct cli_ctx {
    const char *data_dir; /* --data, $HEALTHQA_DATA or ./healthqa-data */
} cli_ctx;

/* Prints "healthqa: <what>: <error>" on stderr. */
void cli_error(const char *what, const hq_error *err);
/* Prints a usage error and a hint to use --help; returns HQ_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Maps a status to the exit code. */
int cli_exit_code(hq_status status);
/* Opens the engine on ctx->data_dir, printing the error on failure. */
hq_status cli_open(const cli_ctx *ctx, hq_engine **engine);
/* Prints value as indented JSON on stdout, with a final newline. */
void cli_print_json(const json_t *value);
/* A read of the engine that yields JSON, and a way to print it as text. */
typedef hq_status (*cli_read_fn)(hq_engine *e, const void *arg, json_t **out, hq_error *err);
typedef void (*cli_print_fn)(const json_t *value);
/* Opens the engine, runs read(arg), prints the result (as JSON when
 * text is NULL) or the error under the name what, closes the engine;
 * returns the exit code. */
int cli_read(const cli_ctx *ctx, const char *what, cli_read_fn read, const void *arg,
             cli_print_fn text);
/* True when argv has -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

int cmd_index(const cli_ctx *ctx, int argc, char **argv);
int cmd_stats(const cli_ctx *ctx, int argc, char **argv);
int cmd_show(const cli_ctx *ctx, int argc, char **argv);
int cmd_search(const cli_ctx *ctx, int argc, char **argv);
int cmd_add(const cli_ctx *ctx, int argc, char **argv);
int cmd_rm(const cli_ctx *ctx, int argc, char **argv);
int cmd_ask(const cli_ctx *ctx, int argc, char **argv);
int cmd_check(const cli_ctx *ctx, int argc, char **argv);
int cmd_dump(const cli_ctx *ctx, int argc, char **argv);
int cmd_eval(const cli_ctx *ctx, int argc, char **argv);
int cmd_analyze(const cli_ctx *ctx, int argc, char **argv);
int cmd_explain(const cli_ctx *ctx, int argc, char **argv);
int cmd_dups(const cli_ctx *ctx, int argc, char **argv);
int cmd_related(const cli_ctx *ctx, int argc, char **argv);
int cmd_triage(const cli_ctx *ctx, int argc, char **argv);
int cmd_serve(const cli_ctx *ctx, int argc, char **argv);
int cmd_token(const cli_ctx *ctx, int argc, char **argv);

/* Usage texts, printed by --help and `healthqa help COMMAND`. */
extern const char CMD_INDEX_USAGE[];
extern const char CMD_STATS_USAGE[];
extern const char CMD_SHOW_USAGE[];
extern const char CMD_SEARCH_USAGE[];
extern const char CMD_ADD_USAGE[];
extern const char CMD_RM_USAGE[];
extern const char CMD_ASK_USAGE[];
extern const char CMD_ANALYZE_USAGE[];
extern const char CMD_EXPLAIN_USAGE[];
extern const char CMD_CHECK_USAGE[];
extern const char CMD_DUMP_USAGE[];
extern const char CMD_EVAL_USAGE[];
extern const char CMD_DUPS_USAGE[];
extern const char CMD_RELATED_USAGE[];
extern const char CMD_TRIAGE_USAGE[];
extern const char CMD_SERVE_USAGE[];
extern const char CMD_TOKEN_USAGE[];

#endif
