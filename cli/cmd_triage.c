/*
 * cmd_triage.c — `healthqa triage [--json] TEXT...`: the red-flag level
 * of a reader's text, its message and the guidance it follows.  Needs no
 * data folder: the rules come from data/triage.rules (or
 * $HEALTHQA_TRIAGE_RULES).
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <string.h>

const char CMD_TRIAGE_USAGE[] =
    "usage: healthqa triage [--json] TEXT...\n"
    "\n"
    "Checks a reader's own words for red flags (back pain, pregnancy, after a\n"
    "miscarriage, abortion or IUD insertion, urinary symptoms with fever, wounds after\n"
    "surgery) and says how urgently to seek care: emergency, urgent (today), soon (book\n"
    "an appointment) or none.  Negated symptoms (\"no fever\") do not count; a question\n"
    "about symptoms (\"what are the signs of ...\") is capped at soon.  This is advice\n"
    "on where to seek care, never a diagnosis.  The words of TEXT are joined by spaces;\n"
    "'-' reads the text from standard input.\n"
    "\n"
    "Options:\n"
    "  --json   print one JSON object (see docs/TRIAGE.md)\n"
    "Environment: HEALTHQA_TRIAGE_RULES overrides the rules file.\n"
    "Exit status: 0 triaged (whatever the level), 2 bad command line, 4 bad rules file\n"
    "or bad text.\n";

#define MAX_TEXT (64u << 10)

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_text(const json_t *o)
{
    const char *level = str(o, "level");
    for (const char *c = level; *c; c++)
        putchar(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    printf(": %s\n", str(o, "message"));
    const json_t *g = json_object_get(o, "guidance");
    if (json_is_object(g))
        printf("guidance: %s, %s <%s>\n", str(g, "source"), str(g, "title"), str(g, "url"));
    if (json_is_true(json_object_get(o, "informational")))
        printf("read as a question, not a report%s%s%s\n",
               *str(o, "uncapped_level") ? " (a report would be " : "", str(o, "uncapped_level"),
               *str(o, "uncapped_level") ? ")" : "");
    if (*str(o, "rule"))
        printf("rule: %s\n", str(o, "rule"));
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(o, "matched"), i, m)
        printf("matched: \"%s\" as \"%s\" (bytes %lld-%lld)\n", str(m, "text"), str(m, "phrase"),
               (long long)json_integer_value(json_object_get(m, "start")),
               (long long)json_integer_value(json_object_get(m, "end")));
    json_array_foreach(json_object_get(o, "negated"), i, m)
        printf("negated: \"%s\"\n", str(m, "text"));
    puts("This is advice on where to seek care, not a diagnosis.");
}

/* A text being gathered: at most MAX_TEXT bytes and a NUL. */
typedef struct text_buf {
    char data[MAX_TEXT + 1];
    size_t len;
} text_buf;

static bool append(text_buf *b, const char *s, size_t n)
{
    if (n > MAX_TEXT - b->len)
        return false;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

/* Joins argv[from..argc) with spaces, or reads stdin for "-", into b. */
static int gather(int argc, char **argv, int from, text_buf *b)
{
    b->len = 0;
    b->data[0] = '\0';
    if (argc - from == 1 && strcmp(argv[from], "-") == 0) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
            if (!append(b, chunk, n))
                return cli_usage_error("triage", "the text is over %u bytes", MAX_TEXT);
        return HQ_EXIT_OK;
    }
    for (int i = from; i < argc; i++)
        if ((i > from && !append(b, " ", 1)) || !append(b, argv[i], strlen(argv[i])))
            return cli_usage_error("triage", "the text is over %u bytes", MAX_TEXT);
    return HQ_EXIT_OK;
}

int cmd_triage(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error("triage", "unknown option '%s'", argv[optind - 1]);
        json = 1;
    }
    if (optind >= argc)
        return cli_usage_error("triage", "expected the TEXT to triage");
    static text_buf text; /* 64 KiB: not on the stack */
    int rc = gather(argc, argv, optind, &text);
    if (rc != HQ_EXIT_OK)
        return rc;
    json_t *o = NULL;
    hq_error err;
    memset(&err, 0, sizeof err);
    hq_status st = hq_triage(text.data, &o, &err);
    if (st != HQ_OK) {
        cli_error("triage", &err);
        return HQ_EXIT_FAILURE;
    }
    if (json)
        cli_print_json(o);
    else
        print_text(o);
    json_decref(o);
    return HQ_EXIT_OK;
}
