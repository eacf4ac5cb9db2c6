/*
 * cmd_dups.c — `healthqa dups [--json] [--min-size N] [--limit N]`:
 * clusters of near-duplicate sections (the same text on several sites),
 * largest first.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char CMD_DUPS_USAGE[] =
    "usage: healthqa [--data DIR] dups [--json] [--min-size N] [--limit N]\n"
    "                                  [--refresh] [--exhaustive]\n"
    "\n"
    "Clusters of near-duplicate sections, largest first: sections whose texts share\n"
    "at least 70% of their 3-word phrases (an estimated Jaccard similarity of >= 0.70,\n"
    "MinHash over analysed words).  Texts under 12 content words are never\n"
    "duplicates.  Fingerprints are stored in the data folder the first time.\n"
    "\n"
    "Options:\n"
    "  --json          print one JSON object (see docs/CLI.md)\n"
    "  --min-size N    list clusters of at least N sections (default 2)\n"
    "  --limit N       list at most N clusters (default: all)\n"
    "  --refresh       recompute every fingerprint instead of reading stored ones\n"
    "  --exhaustive    compare every pair of sections instead of LSH candidates\n"
    "                  (the reference; slow on a large corpus)\n"
    "Exit status: 0 (also with no cluster), 2 usage, 4 store error.\n";

static int number(const char *what, const char *s, size_t *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || errno || v < 0 || v > 100000000)
        return cli_usage_error("dups", "%s wants a number from 0 to 100000000, not '%s'", what,
                               s);
    *out = (size_t)v;
    return 0;
}

static long long get_int(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static void print_text(const json_t *r)
{
    printf("%lld sections, %lld with enough text to compare; %lld clusters of "
           "near-duplicates (similarity >= %.2f) holding %lld sections\n",
           get_int(r, "n_sections"), get_int(r, "n_fingerprinted"), get_int(r, "n_clusters"),
           json_real_value(json_object_get(r, "threshold")), get_int(r, "n_in_clusters"));
    size_t i, j;
    const json_t *cl, *s;
    json_array_foreach(json_object_get(r, "clusters"), i, cl)
    {
        printf("\ncluster %zu: %lld sections\n", i + 1, get_int(cl, "size"));
        json_array_foreach(json_object_get(cl, "sections"), j, s)
        {
            const char *title = json_string_value(json_object_get(s, "title"));
            printf("  %-32s %-14s %-8s %s\n",
                   json_string_value(json_object_get(s, "section_id")),
                   json_string_value(json_object_get(s, "source")),
                   json_string_value(json_object_get(s, "trust")), title ? title : "");
        }
    }
}

static hq_status read_dups(hq_engine *e, const void *arg, json_t **out, hq_error *err)
{
    return hq_dups(e, arg, out, err);
}

int cmd_dups(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},        {"min-size", required_argument, NULL, 'm'},
        {"limit", required_argument, NULL, 'l'}, {"refresh", no_argument, NULL, 'r'},
        {"exhaustive", no_argument, NULL, 'x'},  {NULL, 0, NULL, 0},
    };
    hq_dups_options o = {0};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'm':
            if (number("--min-size", optarg, &o.min_size))
                return HQ_EXIT_USAGE;
            break;
        case 'l':
            if (number("--limit", optarg, &o.limit))
                return HQ_EXIT_USAGE;
            break;
        case 'r':
            o.refresh = true;
            break;
        case 'x':
            o.exhaustive = true;
            break;
        case ':':
            return cli_usage_error("dups", "option '%s' wants a value", argv[optind - 1]);
        default:
            return cli_usage_error("dups", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("dups", "unexpected argument '%s'", argv[optind]);
    return cli_read(ctx, "dups", read_dups, &o, json ? NULL : print_text);
}
