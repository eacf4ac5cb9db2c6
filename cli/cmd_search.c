/*
 * cmd_search.c — `healthqa search [--json] [--limit N] [--offset N] QUERY`.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char CMD_SEARCH_USAGE[] =
    "usage: healthqa [--data DIR] search [--json] [--plain] [--limit N] [--offset N] QUERY...\n"
    "\n"
    "Searches the index and prints the best sections with a snippet of each (matched\n"
    "words highlighted).  The question is analysed first (focus, type, context; see\n"
    "'healthqa analyze' and docs/QUESTIONS.md): its words are weighted by role, OR-ed\n"
    "and ranked by BM25F over the question/title, focus (with synonyms) and body\n"
    "fields, then the best are re-ranked by focus, question type and source trust.\n"
    "Syntax:\n"
    "  \"exact phrase\"     the phrase must occur (stop words may differ)\n"
    "  -word, -\"phrase\"   must not occur\n"
    "  source:NAME        only this source (e.g. source:GARD); -source:NAME excludes\n"
    "  type:TYPE          only this question type (e.g. type:treatment, type:\"exams and tests\")\n"
    "  trust:LEVEL        only this trust level (high, medium, low, unknown)\n"
    "Filters of one kind are alternatives; different kinds must all hold.\n"
    "\n"
    "Options:\n"
    "  --json          print the hits as JSON (see docs/CLI.md)\n"
    "  --limit N       number of hits (default 10, at most 1000)\n"
    "  --offset N      skip the first N hits (paging)\n"
    "  --plain         plain BM25F on the words as typed: no question analysis\n"
    "Exit status: 0 (also with no hit), 2 bad query or usage, 4 store or index error.\n";

static int number(const char *what, const char *s, size_t *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < 0 || v > 10000)
        return cli_usage_error("search", "%s wants a number from 0 to 10000, not '%s'", what, s);
    *out = (size_t)v;
    return 0;
}

/* Prints text with the highlight spans marked: bold on a terminal,
 * [brackets] otherwise. */
static void print_highlighted(const char *text, const json_t *spans, int tty)
{
    size_t at = 0, i;
    const json_t *sp;
    json_array_foreach(spans, i, sp)
    {
        size_t s = (size_t)json_integer_value(json_array_get(sp, 0));
        size_t e = (size_t)json_integer_value(json_array_get(sp, 1));
        if (s < at || e < s || e > strlen(text))
            continue;
        printf("%.*s%s%.*s%s", (int)(s - at), text + at, tty ? "\033[1m" : "[", (int)(e - s),
               text + s, tty ? "\033[0m" : "]");
        at = e;
    }
    printf("%s\n", text + at);
}

static void print_text(const json_t *r)
{
    const json_t *hits = json_object_get(r, "hits");
    const json_t *total = json_object_get(r, "total");
    int tty = isatty(1);
    printf("%zu hits shown of %s%lld matching, in %.2f ms\n", json_array_size(hits),
           strcmp(json_string_value(json_object_get(total, "relation")), "eq") ? "at least " : "",
           (long long)json_integer_value(json_object_get(total, "value")),
           json_real_value(json_object_get(r, "took_ms")));
    size_t i;
    const json_t *h;
    size_t offset = (size_t)json_integer_value(json_object_get(r, "offset"));
    json_array_foreach(hits, i, h)
    {
        const char *title = json_string_value(json_object_get(h, "title"));
        printf("\n%zu. %s\n   %s  [%s, trust: %s]  score %.3f\n   ", offset + i + 1,
               title ? title : "(untitled)", json_string_value(json_object_get(h, "section_id")),
               json_string_value(json_object_get(h, "source")),
               json_string_value(json_object_get(h, "trust")),
               json_real_value(json_object_get(h, "score")));
        const json_t *sn = json_object_get(h, "snippet");
        const char *text = json_string_value(json_object_get(sn, "text"));
        if (text && *text)
            print_highlighted(text, json_object_get(sn, "highlights"), tty);
        else
            printf("(no text stored: read it at %s)\n",
                   json_string_value(json_object_get(h, "url")) ?: "the source");
    }
}

int cmd_search(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"limit", required_argument, NULL, 'l'},
                                         {"offset", required_argument, NULL, 'o'},
                                         {"plain", no_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    hq_search_options o = {.limit = 10, .snippets = true};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'p')
            o.plain = true;
        else if (c == 'l' && number("--limit", optarg, &o.limit) != 0)
            return HQ_EXIT_USAGE;
        else if (c == 'o' && number("--offset", optarg, &o.offset) != 0)
            return HQ_EXIT_USAGE;
        else if (c != 'l' && c != 'o')
            return cli_usage_error("search", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind >= argc)
        return cli_usage_error("search", "no query given");
    /* the words of the query may come as several arguments */
    size_t len = 0;
    for (int i = optind; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *query = malloc(len + 1);
    if (query == NULL)
        return HQ_EXIT_FAILURE;
    size_t at = 0;
    for (int i = optind; i < argc; i++) {
        size_t n = strlen(argv[i]);
        memcpy(query + at, argv[i], n);
        at += n;
        if (i + 1 < argc)
            query[at++] = ' ';
    }
    query[at] = '\0';
    hq_engine *e = NULL;
    hq_status rc = cli_open(ctx, &e);
    if (rc == HQ_OK) {
        json_t *r = NULL;
        hq_error err;
        memset(&err, 0, sizeof err);
        rc = hq_search(e, query, &o, &r, &err);
        if (rc != HQ_OK)
            cli_error("search", &err);
        else if (json)
            cli_print_json(r);
        else
            print_text(r);
        json_decref(r);
        hq_close(e);
    }
    free(query);
    return cli_exit_code(rc);
}
