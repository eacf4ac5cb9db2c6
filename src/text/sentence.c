/*
 * sentence.c — sentence boundaries, for the passages of the answer card.
 *
 * A rule-based splitter in the spirit of Punkt (Kiss & Strunk 2006),
 * with the abbreviation knowledge written down instead of learnt, tuned
 * for health text (NIH pages, MedlinePlus, portal pages):
 *
 *   - '.', '!', '?', '…' (then any closing quotes or brackets) end a
 *     sentence when white space and then the start of a sentence follow:
 *     an upper-case letter, a digit, an opening quote or bracket, a list
 *     marker, or a letter without case (CJK).  A lower-case word after
 *     the period means the period was not an end ("approx. three").
 *   - '.' after a title or Latin abbreviation never ends one ("Dr. Lee",
 *     "e.g. Aspirin", "the U.S. Food and Drug Administration"); after a
 *     word that may end a sentence as well ("etc.", "a.m.", "Inc.") it
 *     does when an upper-case word follows.  A number alone before '.'
 *     at the start of a sentence is a list number ("1. Rest").
 *   - '。', '！', '？' end a sentence without white space after them.
 *   - A blank line ends one (paragraphs, headings without punctuation);
 *     so does a line break before a list item ("- ", "* ", "• ", "2. ")
 *     or after a line that ends in ':' or terminal punctuation.
 *
 * Known limits: an initial before a name ("J. Smith") ends a sentence
 * (health text writes "vitamin D. Some" far more often); text that is
 * hard-wrapped before a capitalised word splits there.
 */
#include "text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Abbreviations whose period never ends a sentence (compared without
 * case, without their final period). */
static const char *const never_final[] = {
    "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "vs", "e.g", "i.e", "cf",
    "fig", "approx", "u.s", "u.k", "no", "nos", "vol", "dept", "gen", "lt", "col",
};
/* Abbreviations that may also end a sentence: they do before an
 * upper-case word. */
static const char *const maybe_final[] = {
    "etc", "a.m", "p.m", "inc", "ltd", "co", "al", "jan", "feb", "aug", "sept", "oct",
    "nov", "dec",
};

static bool in_list(const char *const *list, size_t n, const char *w, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && strncasecmp(list[i], w, len) == 0)
            return true;
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* True when text[i..) starts a list item: "- ", "* ", "• " or digits then
 * ". " or ") ". */
static bool list_marker_at(const char *t, size_t len, size_t i)
{
    if (i + 1 < len && (t[i] == '-' || t[i] == '*') && t[i + 1] == ' ')
        return true;
    if (i + 3 < len && memcmp(t + i, "\xe2\x80\xa2", 3) == 0) /* • */
        return true;
    size_t j = i;
    while (j < len && j - i < 3 && isdigit((unsigned char)t[j]))
        j++;
    return j > i && j + 1 < len && (t[j] == '.' || t[j] == ')') && t[j + 1] == ' ';
}

/* True when text[i..) can start a sentence. */
static bool sentence_start_at(const char *t, size_t len, size_t i)
{
    if (i >= len)
        return true;
    unsigned char c = (unsigned char)t[i];
    if (isupper(c) || isdigit(c) || c == '"' || c == '\'' || c == '(' || c == '[')
        return true;
    if (c >= 0x80) /* non-ASCII: upper-case Latin, CJK, curly quotes; rarely lower-case */
        return true;
    return list_marker_at(t, len, i);
}

static size_t skip_spaces(const char *t, size_t len, size_t i)
{
    while (i < len && is_space((unsigned char)t[i]))
        i++;
    return i;
}

/* The word that ends at the period at text[dot]: its start. */
static size_t word_before(const char *t, size_t from, size_t dot)
{
    size_t w = dot;
    while (w > from && !is_space((unsigned char)t[w - 1]) && t[w - 1] != '(' && t[w - 1] != '"')
        w--;
    return w;
}

/* Whether the period at text[dot] ends the sentence that started at from,
 * given that the next sentence would start at next. */
static bool period_ends(const char *t, size_t len, size_t from, size_t dot, size_t next)
{
    size_t w = word_before(t, from, dot);
    size_t wl = dot - w;
    bool upper_next = next < len && isupper((unsigned char)t[next]);
    if (wl > 0 && in_list(never_final, COUNT(never_final), t + w, wl))
        return false;
    if (wl > 0 && in_list(maybe_final, COUNT(maybe_final), t + w, wl))
        return upper_next;
    if (w == from && wl > 0 && wl <= 3) { /* "1." opening a list item */
        size_t k = w;
        while (k < dot && isdigit((unsigned char)t[k]))
            k++;
        if (k == dot)
            return false;
    }
    return true;
}

/* The sentence end after terminal punctuation at text[p] (of plen bytes):
 * the end of the sentence's text (after closing quotes), or 0 when it is
 * not an end. */
static size_t end_after_punct(const char *t, size_t len, size_t from, size_t p, size_t plen)
{
    size_t e = p + plen;
    while (e < len && (t[e] == '"' || t[e] == '\'' || t[e] == ')' || t[e] == ']'))
        e++;
    while (e + 3 <= len && (memcmp(t + e, "\xe2\x80\x9d", 3) == 0 ||   /* ” */
                            memcmp(t + e, "\xe2\x80\x99", 3) == 0))    /* ’ */
        e += 3;
    if (e < len && !is_space((unsigned char)t[e]))
        return 0;
    size_t next = skip_spaces(t, len, e);
    if (!sentence_start_at(t, len, next))
        return 0;
    if (plen == 1 && t[p] == '.' && !period_ends(t, len, from, p, next))
        return 0;
    return e;
}

/* CJK full-width terminals: 。！？ */
static size_t cjk_terminal(const char *t, size_t len, size_t i)
{
    if (i + 3 > len)
        return 0;
    if (memcmp(t + i, "\xe3\x80\x82", 3) == 0 || memcmp(t + i, "\xef\xbc\x81", 3) == 0 ||
        memcmp(t + i, "\xef\xbc\x9f", 3) == 0)
        return 3;
    return 0;
}

/* Whether the line break at text[i] ends the sentence that started at
 * from. */
static bool newline_ends(const char *t, size_t len, size_t from, size_t i)
{
    size_t j = i + 1;
    while (j < len && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r'))
        j++;
    if (j >= len || t[j] == '\n')
        return true; /* blank line */
    if (list_marker_at(t, len, j))
        return true;
    size_t k = i;
    while (k > from && is_space((unsigned char)t[k - 1]))
        k--;
    if (k == from)
        return false;
    char last = t[k - 1];
    return last == ':' || last == '.' || last == '!' || last == '?';
}

/* Appends [start, end) trimmed, when not empty. */
static void emit(const char *t, size_t start, size_t end, hq_span *out, size_t max, size_t *n)
{
    start = skip_spaces(t, end, start);
    while (end > start && is_space((unsigned char)t[end - 1]))
        end--;
    if (end > start) {
        if (*n < max)
            out[*n] = (hq_span){(uint32_t)start, (uint32_t)end};
        (*n)++;
    }
}

size_t hq_sentences(const char *text, size_t len, hq_span *out, size_t max)
{
    if (text == NULL || len == 0)
        return 0;
    if (len > HQ_TEXT_MAX_INPUT)
        len = HQ_TEXT_MAX_INPUT;
    size_t n = 0, from = skip_spaces(text, len, 0);
    for (size_t i = from; i < len; i++) {
        size_t end = 0;
        char c = text[i];
        if (c == '.' || c == '!' || c == '?')
            end = end_after_punct(text, len, from, i, 1);
        else if ((unsigned char)c == 0xe2 && i + 3 <= len && memcmp(text + i, "\xe2\x80\xa6", 3) == 0)
            end = end_after_punct(text, len, from, i, 3); /* … */
        else if (cjk_terminal(text, len, i))
            end = i + cjk_terminal(text, len, i);
        else if (c == '\n' && newline_ends(text, len, from, i))
            end = i;
        if (end == 0 || end <= from)
            continue;
        emit(text, from, end, out, max, &n);
        from = skip_spaces(text, len, end);
        i = from > 0 ? from - 1 : 0;
    }
    emit(text, from, len, out, max, &n);
    return n;
}
