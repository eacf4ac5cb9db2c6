/*
 * cmd_show.c — `healthqa show [--json] ID|PATH`: one article with its
 * sections and links, one section, or the articles of an ingested file.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char CMD_SHOW_USAGE[] =
    "usage: healthqa [--data DIR] show [--json] ID|PATH\n"
    "\n"
    "Shows an article (e.g. medquad:GARD_0000004, medlineplus:6308, page:<file name>)\n"
    "with its sections, its previous/next articles (the page's own links when they\n"
    "are stored, else its neighbours by topic) and recommended links, a section (e.g.\n"
    "ADAM_0003147_Sec2.txt), or the article(s) ingested from a file path.\n"
    "\n"
    "Options:\n"
    "  --json   print one JSON object (see docs/CLI.md)\n"
    "Exit status: 0 found, 3 not found, 4 store error.\n";

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_list(const char *label, const json_t *arr)
{
    if (json_array_size(arr) == 0)
        return;
    printf("%s: ", label);
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) printf("%s%s", i ? "; " : "", json_string_value(v));
    putchar('\n');
}

static void print_link(const char *label, const json_t *l)
{
    if (!json_is_object(l))
        return;
    const char *id = str(l, "id");
    printf("%s: %s%s%s%s", label, str(l, "title"), *id ? "  [" : "", id, *id ? "]" : "");
    if (strcmp(str(l, "via"), "topic") == 0)
        printf("  (by topic%s%s%s)", *str(l, "portal_title") ? "; the page names \"" : "",
               str(l, "portal_title"), *str(l, "portal_title") ? "\", not stored" : "");
    putchar('\n');
}

static void print_article(const json_t *a)
{
    printf("%s\n%s\n", str(a, "title"), str(a, "id"));
    printf("source: %s (trust: %s), format: %s\n", str(a, "source"), str(a, "trust"),
           str(a, "format"));
    if (*str(a, "url"))
        printf("url: %s\n", str(a, "url"));
    if (*str(a, "focus"))
        printf("focus: %s\n", str(a, "focus"));
    print_list("also called", json_object_get(a, "synonyms"));
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(a, "sections"), i, s)
    {
        printf("\n## %s  [%s%s%s]\n", str(s, "title"), str(s, "id"),
               *str(s, "question_type") ? ", " : "", str(s, "question_type"));
        const char *body = str(s, "body");
        printf("%s\n", *body ? body : "(no text stored: read it at the source)");
    }
    putchar('\n');
    print_link("previous", json_object_get(a, "previous"));
    print_link("next", json_object_get(a, "next"));
    json_array_foreach(json_object_get(a, "recommend"), i, s) print_link("recommended", s);
}

static void print_text(const json_t *o)
{
    const char *kind = str(o, "kind");
    if (strcmp(kind, "article") == 0) {
        print_article(o);
    } else if (strcmp(kind, "section") == 0) {
        const json_t *a = json_object_get(o, "article");
        printf("%s\n%s  (section %lld of %s: %s)\n", str(o, "title"), str(o, "id"),
               (long long)json_integer_value(json_object_get(o, "position")), str(a, "id"),
               str(a, "title"));
        printf("source: %s (trust: %s)\n\n%s\n", str(a, "source"), str(a, "trust"),
               *str(o, "body") ? str(o, "body") : "(no text stored: read it at the source)");
    } else {
        size_t i;
        const json_t *e;
        printf("%s holds %zu articles:\n", str(o, "path"),
               json_array_size(json_object_get(o, "articles")));
        json_array_foreach(json_object_get(o, "articles"), i, e)
            printf("  %-28s %s\n", str(e, "id"), str(e, "title"));
    }
}

static hq_status read_show(hq_engine *e, const void *id, json_t **out, hq_error *err)
{
    return hq_show(e, id, out, err);
}

int cmd_show(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error("show", "unknown option '%s'", argv[optind - 1]);
        json = 1;
    }
    if (optind + 1 != argc)
        return cli_usage_error("show", "expected exactly one ID or PATH");
    return cli_read(ctx, "show", read_show, argv[optind], json ? NULL : print_text);
}
