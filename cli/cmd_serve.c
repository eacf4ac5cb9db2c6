/*
 * cmd_serve.c — `healthqa serve [--port N] [--bind ADDR] [--threads N]
 * [--search-threads N] [--cache-mb N] [--quiet] [--tokens FILE]`: parses
 * the options and runs the portal (server/).
 */
#include "cli.h"
#include "../server/server.h"

#include <getopt.h>
#include <stdlib.h>

const char CMD_SERVE_USAGE[] =
    "usage: healthqa [--data DIR] serve [--port N] [--bind ADDR] [--threads N]\n"
    "                                   [--search-threads N] [--cache-mb N] [--quiet]\n"
    "                                   [--tokens FILE]\n"
    "\n"
    "Runs the portal: the web pages (/, /search, /articles/ID) and the JSON API\n"
    "(/api/search, /api/suggest, /api/articles/ID, /healthz, /metrics; see docs/API.md)\n"
    "over the data folder, until SIGINT (Ctrl-C) or SIGTERM, which let requests in\n"
    "flight finish.  One access-log line per request on stdout: method, path, status,\n"
    "microseconds.\n"
    "\n"
    "Options:\n"
    "  --port N        TCP port (default 8080; 0 picks a free one, printed at start)\n"
    "  --bind ADDR     address to listen on (default 127.0.0.1; 0.0.0.0 for all)\n"
    "  --threads N     event loops (default: the number of cores, at most 64)\n"
    "  --search-threads N  threads running searches and pages apart from the loops\n"
    "                  (default: the number of cores, at most 64; 0: on the loops)\n"
    "  --cache-mb N    bound of the /api/search result cache in MiB (default 32;\n"
    "                  0: no cache); emptied whenever the index changes\n"
    "  --quiet         no access log\n"
    "  --tokens FILE   turn on the write API (POST, PUT, DELETE /api/articles) for the\n"
    "                  bearer tokens hashed in FILE (see healthqa token new)\n"
    "Exit status: 0 after a signal, 2 usage, 4 the server could not start.\n";

static int number(const char *what, const char *s, long min, long max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < min || v > max)
        return cli_usage_error("serve", "%s wants a number from %ld to %ld, not '%s'", what,
                               min, max, s);
    *out = (int)v;
    return 0;
}

int cmd_serve(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
                                         {"bind", required_argument, NULL, 'b'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"search-threads", required_argument, NULL, 's'},
                                         {"cache-mb", required_argument, NULL, 'c'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"tokens", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    hs_options o = {.data_dir = ctx->data_dir, .bind = "127.0.0.1", .port = 8080};
    int c, cache_mb = HS_CACHE_MB, search_threads = -1; /* -1: not given */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'p' && number("--port", optarg, 0, 65535, &o.port) != 0)
            return HQ_EXIT_USAGE;
        else if (c == 't' && number("--threads", optarg, 1, 64, &o.threads) != 0)
            return HQ_EXIT_USAGE;
        else if (c == 's' && number("--search-threads", optarg, 0, 64, &search_threads) != 0)
            return HQ_EXIT_USAGE;
        else if (c == 'c' && number("--cache-mb", optarg, 0, 65536, &cache_mb) != 0)
            return HQ_EXIT_USAGE;
        else if (c == 'b')
            o.bind = optarg;
        else if (c == 'q')
            o.quiet = true;
        else if (c == 'k')
            o.tokens = optarg;
        else if (c != 'p' && c != 't' && c != 's' && c != 'c')
            return cli_usage_error("serve", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    /* hs_options: 0 is the default, -1 none */
    o.search_threads = search_threads < 0 ? 0 : search_threads == 0 ? -1 : search_threads;
    o.cache_mb = cache_mb == 0 ? -1 : cache_mb;
    return hs_serve(&o);
}
