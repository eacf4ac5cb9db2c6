/*
 * cmd_token.c — `healthqa token new --tokens FILE [--days N] [--note
 * TEXT]`: makes a write token for the portal's write API, appends its
 * hash to FILE and prints the token (shown once, never stored).
 */
#include "cli.h"
#include "../server/server.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char CMD_TOKEN_USAGE[] =
    "usage: healthqa token new --tokens FILE [--days N] [--note TEXT]\n"
    "\n"
    "Makes a new random bearer token for the write API of `healthqa serve --tokens FILE`\n"
    "(POST/PUT/DELETE /api/articles), appends its SHA-256 hash to FILE (created with\n"
    "mode 0600) and prints the token.  Only the hash is kept: note the token now.\n"
    "\n"
    "Options:\n"
    "  --tokens FILE   the token file (one hashed token per line)\n"
    "  --days N        the token expires after N days (default: never)\n"
    "  --note TEXT     a note kept beside the hash (who it is for)\n";

int cmd_token(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    static const struct option opts[] = {{"tokens", required_argument, NULL, 't'},
                                         {"days", required_argument, NULL, 'd'},
                                         {"note", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *file = NULL, *note = "";
    long long days = 0;
    int c;
    opterr = 0;
    if (argc < 2 || strcmp(argv[1], "new") != 0)
        return cli_usage_error("token", "expected 'new'");
    optind = 2;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        char *end = NULL;
        if (c == 't') {
            file = optarg;
        } else if (c == 'n') {
            note = optarg;
        } else if (c == 'd') {
            days = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || days < 1 || days > 36500)
                return cli_usage_error("token", "--days must be a number from 1 to 36500");
        } else {
            return cli_usage_error("token", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (file == NULL || optind != argc)
        return cli_usage_error("token", "expected --tokens FILE and nothing else");
    if (strpbrk(note, "\t\n\r"))
        return cli_usage_error("token", "--note must be one line without tabs");
    char token[80], why[512];
    if (hs_token_new(file, days, note, token, sizeof token, why, sizeof why) != 0) {
        fprintf(stderr, "healthqa: token: %s\n", why);
        return HQ_EXIT_FAILURE;
    }
    printf("%s\n", token);
    return HQ_EXIT_OK;
}
