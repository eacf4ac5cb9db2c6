/*
 * page.c — portal pages (HQ_FORMAT_PAGE), plus the title rule and body
 * assembly that plain text and Markdown share (text.c).
 *
 * Called by hq_parse_file() (parse.c), which has checked that the input
 * is UTF-8 without NUL bytes; the article-level limits are checked there
 * afterwards.  Everything made here lives in doc->arena.
 *
 * A portal page, line by line (LF or CR LF; blank lines anywhere; every
 * line trimmed of Unicode white space):
 *
 *   <title>
 *   <title again>           optional: dropped when equal to the title
 *                           after collapsing white space
 *   <paragraph> ...         the body, one paragraph per line
 *   <<: <previous title>    one HQ_LINK_PREV (a NO-BREAK SPACE often
 *                           follows the colon); no link when empty
 *   >>: <next title>        one HQ_LINK_NEXT
 *   Recommend               exactly that, or "Recommend:"; starts the
 *                           Recommend block, which runs to the end
 *   <title>                 one HQ_LINK_RECOMMEND per entry, whose
 *   <first words...>        snippet is the next non-blank line when that
 *                           line ends in "..." or U+2026 (truncated)
 *
 * Inside the Recommend block any line in title position is a title (even
 * one ending in an ellipsis: portals shorten long titles too).  A title
 * whose next line does not end in an ellipsis gets no snippet, and that
 * next line is the next entry's title.  Navigation lines count wherever
 * they appear, and every other line outside the Recommend block is
 * article text: the title rule (hq_title_pick) runs over those lines and
 * the rest is the body, so a sentence containing "recommended" is body.
 *
 * The page becomes one article "page:<slug>" with one section
 * "<article id>:s1" titled like the article.
 */
#include "ingest.h"

#include <string.h>

/* ---- The title rule ------------------------------------------------ */

static bool is_terminator(int32_t cp)
{
    return cp == '.' || cp == '?' || cp == '!' || cp == 0x2026 /* … */ ||
           cp == 0x3002 /* 。 */ || cp == 0xFF01 /* ！ */ || cp == 0xFF1F /* ？ */;
}

/* Closing quotes and brackets that may follow a sentence's last mark. */
static bool is_closer(int32_t cp)
{
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x2019 /* ’ */ ||
           cp == 0x201D /* ” */ || cp == 0xBB /* » */;
}

/* Start of the code point that ends at s[end] (exclusive), end > 0. */
static size_t prev_start(const char *s, size_t end)
{
    size_t k = end - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* The last code point of s[0..len) that is not a closer, or 0. */
static int32_t last_mark(const char *s, size_t len)
{
    while (len > 0) {
        size_t k = prev_start(s, len);
        int32_t cp;
        hq_utf8_decode(s + k, len - k, &cp);
        if (!is_closer(cp))
            return cp;
        len = k;
    }
    return 0;
}

static bool ends_in_full_stop(const char *s, size_t len)
{
    int32_t cp = last_mark(s, len);
    return cp == '.' || cp == 0x2026 || cp == 0x3002;
}

/* True when the terminators before s[j] end a sentence: at the end of the
 * text, or before white space and a word that does not start with a
 * lower-case ASCII letter (so "e.g. this" is one sentence). */
static bool ends_sentence(const char *s, size_t len, size_t j)
{
    if (j == len)
        return true;
    int32_t cp;
    int k = hq_utf8_decode(s + j, len - j, &cp);
    if (!hq_unicode_is_space(cp))
        return false;
    size_t rest = len - j - (size_t)k;
    const char *t = hq_utf8_trim(s + j + (size_t)k, &rest);
    return rest == 0 || !(t[0] >= 'a' && t[0] <= 'z');
}

/* Counts the sentences of s[0..len): runs of terminators (with closers)
 * that end a sentence, plus one for text after the last of them.  When
 * first_end is not NULL it receives the byte offset just past the first
 * sentence (len when there is no sentence end). */
static size_t count_sentences(const char *s, size_t len, size_t *first_end)
{
    size_t n = 0, i = 0, first = len;
    bool open = false; /* text seen since the last sentence end */
    while (i < len) {
        int32_t cp;
        size_t k = (size_t)hq_utf8_decode(s + i, len - i, &cp);
        if (!is_terminator(cp)) {
            if (!hq_unicode_is_space(cp))
                open = true;
            i += k;
            continue;
        }
        size_t j = i + k;
        while (j < len) {
            int32_t c2;
            int k2 = hq_utf8_decode(s + j, len - j, &c2);
            if (!is_terminator(c2) && !is_closer(c2))
                break;
            j += (size_t)k2;
        }
        if (ends_sentence(s, len, j)) {
            if (n == 0)
                first = j;
            n++;
            open = false;
        } else {
            open = true;
        }
        i = j;
    }
    if (first_end)
        *first_end = first;
    return n + (open ? 1 : 0);
}

/* A line reads as a title when it is short and at most two sentences,
 * not two that end in a full stop (that is prose). */
static bool reads_as_title(const hq_line *l)
{
    if (l->len == 0 || l->len > HQ_TITLE_SHORT_BYTES)
        return false;
    size_t n = count_sentences(l->s, l->len, NULL);
    return n <= 1 || (n == 2 && !ends_in_full_stop(l->s, l->len));
}

static bool starts_with_question_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "what", "why",   "how",    "will",  "can",  "could", "would", "is",   "are",
        "was",  "were",  "does",   "do",    "did",  "should", "when", "where", "which",
        "who",  "whom",  "whose"};
    char word[8];
    size_t n = 0;
    while (n < len && n < sizeof word - 1) {
        unsigned char c = (unsigned char)s[n];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c < 'a' || c > 'z')
            break;
        word[n++] = (char)c;
    }
    if (n == 0 || (n < len && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))))
        return false; /* no word, or a word longer than any question word */
    word[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(word, words[i]) == 0)
            return true;
    return false;
}

static bool is_question_heading(const hq_line *l)
{
    if (!reads_as_title(l) || ends_in_full_stop(l->s, l->len))
        return false;
    int32_t cp = last_mark(l->s, l->len);
    return cp == '?' || cp == 0xFF1F || starts_with_question_word(l->s, l->len);
}

/* True when s[0..len), its white space collapsed, equals squeezed (a
 * string made by hq_utf8_squeeze). */
static bool equals_squeezed(const char *squeezed, const char *s, size_t len)
{
    s = hq_utf8_trim(s, &len);
    size_t w = 0, i = 0;
    bool space = false;
    while (i < len) {
        int32_t cp;
        size_t k = (size_t)hq_utf8_decode(s + i, len - i, &cp);
        if (hq_unicode_is_space(cp)) {
            space = true;
            i += k;
            continue;
        }
        if (space && squeezed[w++] != ' ')
            return false;
        space = false;
        for (size_t m = 0; m < k; m++, w++)
            if (squeezed[w] == '\0' || squeezed[w] != s[i + m])
                return false;
        i += k;
    }
    return squeezed[w] == '\0';
}

/* The first sentence of l, cut at a word boundary to at most
 * HQ_TITLE_SHORT_BYTES bytes (at a code point boundary when one word is
 * longer than that). */
static const char *first_sentence(hq_doc *doc, const hq_line *l)
{
    size_t end;
    count_sentences(l->s, l->len, &end);
    if (end > HQ_TITLE_SHORT_BYTES) {
        size_t i = 0, cut = 0, last_space = 0;
        while (i < end) {
            int32_t cp;
            size_t k = (size_t)hq_utf8_decode(l->s + i, end - i, &cp);
            if (i + k > HQ_TITLE_SHORT_BYTES)
                break;
            if (hq_unicode_is_space(cp))
                last_space = i;
            i += k;
            cut = i;
        }
        end = last_space > 0 ? last_space : cut;
    }
    return hq_utf8_squeeze(&doc->arena, l->s, end);
}

static size_t next_nonblank(const hq_line *lines, size_t n, size_t i)
{
    while (i < n && lines[i].len == 0)
        i++;
    return i;
}

const char *hq_title_pick(hq_doc *doc, const hq_line *lines, size_t n, size_t *body_from)
{
    size_t first = next_nonblank(lines, n, 0);
    *body_from = n;
    if (first == n)
        return NULL;
    const hq_line *l = &lines[first];
    if (reads_as_title(l)) {
        const char *title = hq_utf8_squeeze(&doc->arena, l->s, l->len);
        size_t next = next_nonblank(lines, n, first + 1);
        bool repeat = next < n && equals_squeezed(title, lines[next].s, lines[next].len);
        *body_from = repeat ? next + 1 : first + 1;
        return title;
    }
    *body_from = 0;
    for (size_t i = first + 1; i < n; i++)
        if (is_question_heading(&lines[i]))
            return hq_utf8_squeeze(&doc->arena, lines[i].s, lines[i].len);
    return first_sentence(doc, l);
}

/* ---- Bodies -------------------------------------------------------- */

void hq_body_init(hq_buf *body)
{
    hq_buf_init(body, HQ_MAX_FIELD_BYTES);
}

hq_status hq_body_add(hq_buf *body, const hq_line *line, const char *sep, const char *path,
                      hq_error *err)
{
    size_t old = body->len;
    hq_status rc = HQ_OK;
    if (body->len > 0)
        rc = hq_buf_puts(body, sep);
    if (rc == HQ_OK)
        rc = hq_buf_append(body, line->s, line->len);
    if (rc == HQ_OK)
        return HQ_OK;
    body->len = old;
    if (body->data)
        body->data[old] = '\0';
    return hq_fail(err, HQ_ELIMIT, path, line->lineno, -1,
                   "body reaches the limit of %u bytes at this line", HQ_MAX_FIELD_BYTES);
}

const char *hq_body_take(hq_doc *doc, hq_buf *body)
{
    const char *s = body->len ? hq_arena_strndup(&doc->arena, body->data, body->len) : NULL;
    hq_buf_free(body);
    return s;
}

/* ---- Portal pages -------------------------------------------------- */

typedef enum line_kind { LINE_BLANK, LINE_TEXT, LINE_PREV, LINE_NEXT, LINE_RECOMMEND } line_kind;

static bool has_prefix(const hq_line *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l->len >= n && memcmp(l->s, prefix, n) == 0;
}

static bool is_exactly(const hq_line *l, const char *word)
{
    return l->len == strlen(word) && memcmp(l->s, word, l->len) == 0;
}

static line_kind classify(const hq_line *l)
{
    if (l->len == 0)
        return LINE_BLANK;
    if (has_prefix(l, "<<:"))
        return LINE_PREV;
    if (has_prefix(l, ">>:"))
        return LINE_NEXT;
    if (is_exactly(l, "Recommend") || is_exactly(l, "Recommend:"))
        return LINE_RECOMMEND;
    return LINE_TEXT;
}

/* Length of the ellipsis ("..." or more dots, or U+2026) ending s, or 0. */
static size_t ellipsis_len(const char *s, size_t len)
{
    if (len >= 3 && memcmp(s + len - 3, "\xE2\x80\xA6", 3) == 0)
        return 3;
    size_t dots = 0;
    while (dots < len && s[len - 1 - dots] == '.')
        dots++;
    return dots >= 3 ? dots : 0;
}

typedef struct page_parser {
    hq_doc *doc;
    hq_error *err;
    const hq_lines *lines;
    hq_lines text; /* the article's lines: not navigation, not Recommend */
    long first_mark; /* line number of the first structural line, or 0 */
} page_parser;

/* Splits the page's lines into article text (p->text) and structure. */
static void collect_text(page_parser *p)
{
    bool in_recommend = false;
    for (size_t i = 0; i < p->lines->n; i++) {
        const hq_line *l = &p->lines->items[i];
        line_kind kind = classify(l);
        if (kind == LINE_RECOMMEND)
            in_recommend = true;
        if ((kind != LINE_TEXT && kind != LINE_BLANK) && p->first_mark == 0)
            p->first_mark = l->lineno;
        if (kind != LINE_TEXT || in_recommend)
            continue;
        hq_grow((void **)&p->text.items, &p->text.cap, p->text.n + 1, sizeof *p->text.items);
        p->text.items[p->text.n++] = *l;
    }
}

static hq_link *new_link(page_parser *p, hq_article *a, hq_link_kind kind, long lineno)
{
    hq_link *link = hq_article_add_link(p->doc, a, kind);
    if (link == NULL)
        hq_fail(p->err, HQ_ELIMIT, p->doc->path, lineno, -1,
                "more than %d links in one page", HQ_MAX_LINKS);
    return link;
}

/* "<<:" or ">>:" and a title: a link, or nothing when the title is empty. */
static hq_status add_nav_link(page_parser *p, hq_article *a, const hq_line *l, hq_link_kind kind)
{
    const char *title = hq_utf8_squeeze(&p->doc->arena, l->s + 3, l->len - 3);
    if (title[0] == '\0')
        return HQ_OK;
    hq_link *link = new_link(p, a, kind, l->lineno);
    if (link == NULL)
        return HQ_ELIMIT;
    link->title = title;
    return HQ_OK;
}

/* Adds the Recommend entry whose title is line i; returns the index of
 * the last line it used (i, or the index of its snippet line). */
static size_t add_recommend(page_parser *p, hq_article *a, size_t i, hq_status *rc)
{
    const hq_lines *ls = p->lines;
    const hq_line *l = &ls->items[i];
    hq_link *link = new_link(p, a, HQ_LINK_RECOMMEND, l->lineno);
    if (link == NULL) {
        *rc = HQ_ELIMIT;
        return i;
    }
    link->title = hq_utf8_squeeze(&p->doc->arena, l->s, l->len);
    size_t j = next_nonblank(ls->items, ls->n, i + 1);
    if (j == ls->n || classify(&ls->items[j]) != LINE_TEXT)
        return i;
    const hq_line *s = &ls->items[j];
    size_t cut = ellipsis_len(s->s, s->len);
    if (cut == 0)
        return i; /* no snippet: line j is the next entry's title */
    const char *snippet = hq_utf8_squeeze(&p->doc->arena, s->s, s->len - cut);
    if (snippet[0] != '\0') {
        link->snippet = snippet;
        link->truncated = true;
    }
    return j;
}

/* Adds the navigation and Recommend links in the order of the page. */
static hq_status add_links(page_parser *p, hq_article *a)
{
    bool in_recommend = false;
    hq_status rc = HQ_OK;
    for (size_t i = 0; rc == HQ_OK && i < p->lines->n; i++) {
        const hq_line *l = &p->lines->items[i];
        switch (classify(l)) {
        case LINE_PREV:
            rc = add_nav_link(p, a, l, HQ_LINK_PREV);
            break;
        case LINE_NEXT:
            rc = add_nav_link(p, a, l, HQ_LINK_NEXT);
            break;
        case LINE_RECOMMEND:
            in_recommend = true;
            break;
        case LINE_TEXT:
            if (in_recommend)
                i = add_recommend(p, a, i, &rc);
            break;
        case LINE_BLANK:
            break;
        }
    }
    return rc;
}

/* The body: the article's lines from `from`, one paragraph each. */
static hq_status make_body(page_parser *p, size_t from, const char **body)
{
    hq_buf b;
    hq_body_init(&b);
    hq_status rc = HQ_OK;
    for (size_t i = from; rc == HQ_OK && i < p->text.n; i++)
        rc = hq_body_add(&b, &p->text.items[i], "\n\n", p->doc->path, p->err);
    *body = rc == HQ_OK ? hq_body_take(p->doc, &b) : NULL;
    hq_buf_free(&b);
    return rc;
}

static hq_status build_article(page_parser *p)
{
    size_t from;
    const char *title = hq_title_pick(p->doc, p->text.items, p->text.n, &from);
    if (title == NULL)
        return hq_fail(p->err, HQ_EFORMAT, p->doc->path, p->first_mark, -1,
                       "page has no title and no body: a portal page starts with its title "
                       "line, before any '<<:', '>>:' or 'Recommend' line");
    const char *body;
    hq_status rc = make_body(p, from, &body);
    if (rc != HQ_OK)
        return rc;
    const char *slug = hq_doc_slug(p->doc, p->doc->path);
    hq_article *a = hq_doc_add_article(p->doc, hq_arena_printf(&p->doc->arena, "page:%s", slug),
                                       "page");
    a->title = title;
    hq_section *s = hq_article_add_section(p->doc, a);
    s->id = hq_arena_printf(&p->doc->arena, "%s:s1", a->id);
    s->title = title;
    s->body = body;
    return add_links(p, a);
}

hq_status hq_parse_page(const char *data, size_t len, hq_doc *doc, hq_error *err)
{
    hq_lines lines;
    hq_status rc = hq_lines_split(data, len, doc->path, &lines, err);
    if (rc != HQ_OK)
        return rc;
    page_parser p = {.doc = doc, .err = err, .lines = &lines};
    collect_text(&p);
    rc = build_article(&p);
    hq_lines_free(&p.text);
    hq_lines_free(&lines);
    return rc;
}
