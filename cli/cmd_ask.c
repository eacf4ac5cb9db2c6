/*
 * cmd_ask.c — `healthqa ask [--json] QUESTION...`: the answer card.  The
 * red-flag notice comes first, then what the question is about, then
 * passages by aspect with their sources, then links to read at the
 * source.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char CMD_ASK_USAGE[] =
    "usage: healthqa [--data DIR] ask [--json] QUESTION...\n"
    "\n"
    "Answers a reader's question with a card: first the red-flag notice (emergency,\n"
    "urgent, soon or none, with the public guidance it follows), then the question's\n"
    "focus, type and context, then 1-3 sentence passages grouped by aspect (what it\n"
    "is, why it happens, what you can do, when to see a doctor), each with its\n"
    "sources and their trust level; the same text on several sites appears once with\n"
    "every source.  Sections whose text is not stored are listed to read at the source.\n"
    "The words of QUESTION are joined by spaces.  It is information, never a diagnosis.\n"
    "\n"
    "Options:\n"
    "  --json   print one JSON object (see docs/ANSWERS.md)\n"
    "Example:\n"
    "  healthqa ask \"What should I do if I have back pain after a miscarriage?\"\n";

#define MAX_QUESTION 8192

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_triage(const json_t *t)
{
    const char *level = str(t, "level");
    if (strcmp(level, "none") == 0)
        return;
    for (const char *c = level; *c; c++)
        putchar(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    printf(": %s\n", str(t, "message"));
    const json_t *g = json_object_get(t, "guidance");
    if (json_is_object(g))
        printf("  following %s: %s <%s>\n", str(g, "source"), str(g, "title"), str(g, "url"));
    putchar('\n');
}

static void print_question(const json_t *q)
{
    const json_t *f = json_object_get(q, "focus");
    printf("About: %s", json_is_object(f) ? str(f, "name") : "(no known topic)");
    if (json_is_object(f) && *str(f, "as_written"))
        printf(" (written \"%s\")", str(f, "as_written"));
    printf("; asks for: %s", str(q, "type"));
    if (*str(q, "context"))
        printf("; context: %s", str(q, "context"));
    printf("\n");
}

static void print_citation(const json_t *c, const char *lead)
{
    printf("    %s %s: %s [trust: %s%s]%s%s\n", lead, str(c, "source"), str(c, "title"),
           str(c, "trust"), json_is_true(json_object_get(c, "untrusted")) ? ", unverified" : "",
           *str(c, "url") ? " " : "", str(c, "url"));
}

static void print_aspects(const json_t *aspects)
{
    size_t i, k, m;
    const json_t *a, *p, *c;
    json_array_foreach(aspects, i, a) {
        printf("\n%s%s\n", str(a, "heading"),
               json_is_true(json_object_get(a, "asked")) ? " (what you asked)" : "");
        json_array_foreach(json_object_get(a, "passages"), k, p) {
            printf("  \"%s\"\n", str(p, "text"));
            json_array_foreach(json_object_get(p, "citations"), m, c)
                print_citation(c, m == 0 ? "-" : "also");
        }
    }
}

static void print_links(const json_t *links)
{
    if (json_array_size(links) == 0)
        return;
    printf("\nRead at the source (text not stored here):\n");
    size_t i, k;
    const json_t *l, *s;
    json_array_foreach(links, i, l) {
        printf("  - %s: %s <%s>\n", str(l, "source"), str(l, "title"), str(l, "url"));
        json_array_foreach(json_object_get(l, "sections"), k, s)
            printf("      %s\n", str(s, "title"));
    }
}

static void print_text(const json_t *card)
{
    print_triage(json_object_get(card, "triage"));
    print_question(json_object_get(card, "question"));
    if (json_array_size(json_object_get(card, "aspects")) == 0)
        printf("\nNo passage of the stored sources answers this question.\n");
    print_aspects(json_object_get(card, "aspects"));
    print_links(json_object_get(card, "read_at_source"));
    printf("\n%s\n", str(card, "notice"));
}

static hq_status read_card(hq_engine *e, const void *arg, json_t **out, hq_error *err)
{
    return hq_ask(e, arg, out, err);
}

int cmd_ask(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error("ask", "unknown option '%s'", argv[optind - 1]);
        json = 1;
    }
    if (optind >= argc)
        return cli_usage_error("ask", "expected the QUESTION");
    static char question[MAX_QUESTION + 1];
    size_t len = 0;
    for (int i = optind; i < argc; i++) {
        size_t n = strlen(argv[i]) + (i > optind);
        if (n > MAX_QUESTION - len)
            return cli_usage_error("ask", "the question is over %d bytes", MAX_QUESTION);
        len += (size_t)snprintf(question + len, sizeof question - len, "%s%s",
                                i > optind ? " " : "", argv[i]);
    }
    return cli_read(ctx, "ask", read_card, question, json ? NULL : print_text);
}
