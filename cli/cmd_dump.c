/*
 * cmd_dump.c — `healthqa dump [--raw] [--max N] [TERM]`: a term's
 * postings in every segment, or a summary of each segment (JSON).
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char CMD_DUMP_USAGE[] =
    "usage: healthqa [--data DIR] dump [--raw] [--max N] [TERM]\n"
    "\n"
    "For debugging.  With TERM: the term (analysed like the text: 'Running' -> 'run')\n"
    "and its postings in every segment: document frequency, blocks, bytes, and per\n"
    "document the section id, frequencies and first positions per field (title,\n"
    "focus, body).  Without TERM: each segment's documents, deletions, terms and\n"
    "average field lengths.  Output is JSON.\n"
    "\n"
    "Options:\n"
    "  --raw     look TERM up as written, without analysis\n"
    "  --max N   at most N documents per segment (default 20)\n";

typedef struct dump_args {
    const char *term;
    bool raw;
    size_t max;
} dump_args;

static hq_status read_dump(hq_engine *e, const void *arg, json_t **out, hq_error *err)
{
    const dump_args *a = arg;
    return hq_dump(e, a->term, a->raw, a->max, out, err);
}

int cmd_dump(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"raw", no_argument, NULL, 'r'},
                                         {"max", required_argument, NULL, 'm'},
                                         {NULL, 0, NULL, 0}};
    bool raw = false;
    size_t max = 20;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) { /* options anywhere */
        if (c == 'r') {
            raw = true;
        } else if (c == 'm') {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 1000000)
                return cli_usage_error("dump", "--max wants a number from 0 to 1000000");
            max = (size_t)v;
        } else {
            return cli_usage_error("dump", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("dump", "expected at most one TERM");
    dump_args a = {optind < argc ? argv[optind] : NULL, raw, max};
    return cli_read(ctx, "dump", read_dump, &a, NULL);
}
