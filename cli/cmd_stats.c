/*
 * cmd_stats.c — `healthqa stats [--json]`: what the store holds.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char CMD_STATS_USAGE[] =
    "usage: healthqa [--data DIR] stats [--json]\n"
    "\n"
    "Counts of articles and sections in the store: in all, per source (with its trust\n"
    "level), per format, per trust level and per question type, and of links.\n"
    "\n"
    "Options:\n"
    "  --json   print one JSON object (see docs/CLI.md)\n";

static void print_group(const json_t *stats, const char *key, const char *heading)
{
    const json_t *g = json_object_get(stats, key);
    const char *k;
    const json_t *v;
    printf("\n%s:\n", heading);
    json_object_foreach((json_t *)g, k, v)
    {
        if (json_is_integer(v)) {
            printf("  %-42s %8lld sections\n", k, (long long)json_integer_value(v));
            continue;
        }
        const json_t *trust = json_object_get(v, "trust");
        printf("  %-42s %8lld articles %8lld sections%s%s\n", k,
               (long long)json_integer_value(json_object_get(v, "articles")),
               (long long)json_integer_value(json_object_get(v, "sections")),
               trust ? "  trust " : "", trust ? json_string_value(trust) : "");
    }
}

static void print_text(const json_t *s)
{
    printf("articles %lld, sections %lld (%lld without body text), sources %lld\n",
           (long long)json_integer_value(json_object_get(s, "articles")),
           (long long)json_integer_value(json_object_get(s, "sections")),
           (long long)json_integer_value(json_object_get(s, "sections_without_body")),
           (long long)json_integer_value(json_object_get(s, "sources")));
    print_group(s, "by_source", "by source");
    print_group(s, "by_format", "by format");
    print_group(s, "by_trust", "by trust level");
    print_group(s, "by_question_type", "by question type");
    const char *k;
    const json_t *v;
    printf("\nlinks:\n");
    json_object_foreach(json_object_get(s, "links"), k, v)
    {
        printf("  %-10s %6lld (%lld resolved to an article)\n", k,
               (long long)json_integer_value(json_object_get(v, "links")),
               (long long)json_integer_value(json_object_get(v, "resolved")));
    }
}

static hq_status read_stats(hq_engine *e, const void *unused, json_t **out, hq_error *err)
{
    (void)unused;
    return hq_stats(e, out, err);
}

int cmd_stats(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error("stats", "unknown option '%s'", argv[optind - 1]);
        json = 1;
    }
    if (optind < argc)
        return cli_usage_error("stats", "unexpected argument '%s'", argv[optind]);
    return cli_read(ctx, "stats", read_stats, NULL, json ? NULL : print_text);
}
