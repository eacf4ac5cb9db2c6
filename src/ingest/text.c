/*
 * text.c — plain text (HQ_FORMAT_TEXT) and Markdown (HQ_FORMAT_MARKDOWN).
 *
 * Called by hq_parse_file() (parse.c) after it checked UTF-8; the limits
 * on what is made are checked there afterwards.  Lines are split and
 * trimmed by hq_lines_split(); everything made lives in doc->arena.
 *
 * Plain text: the title comes from hq_title_pick() (page.c), the rule
 * portal pages use; the body is the other non-blank lines, one paragraph
 * each, joined with "\n\n" (captured articles put one paragraph on a
 * line).  One article "text:<slug>", one section "<id>:s1".
 *
 * Markdown: ATX headings only ("#" to "######", a space or the end of
 * the line after the hashes; a closing run of '#' after a space is
 * dropped).  Lines inside ``` or ~~~ fences are never headings.
 *   - Title: the first heading when it is the first non-blank line; it
 *     is then left out of the bodies, except a "##" heading, which also
 *     opens the first section.  Otherwise hq_title_pick() over the lines
 *     before the first heading.
 *   - Sections: the text before the first "#" or "##" heading is section
 *     1, titled like the article, when it is not empty; then one section
 *     per "#" or "##" heading, titled by the heading, its body NULL when
 *     empty.  "###" and deeper stay in the body as written.
 *   - Bodies keep the Markdown: lines of one paragraph joined with "\n",
 *     paragraphs (blank-line separated) with "\n\n".
 *   - A file with no section gets one "<id>:s1" with a NULL body.
 * One article "md:<slug>", sections "<id>:s<N>" numbered from 1.
 */
#include "ingest.h"

#include <string.h>

/* ---- Plain text ---------------------------------------------------- */

static hq_article *new_article(hq_doc *doc, const char *prefix, const char *format,
                               const char *title)
{
    const char *slug = hq_doc_slug(doc, doc->path);
    hq_article *a = hq_doc_add_article(doc, hq_arena_printf(&doc->arena, "%s:%s", prefix, slug),
                                       format);
    a->title = title;
    return a;
}

static hq_status no_text(hq_doc *doc, hq_error *err)
{
    return hq_fail(err, HQ_EEMPTY, doc->path, 0, -1,
                   "every line is blank: a text needs a title line");
}

static hq_status parse_plain(const hq_lines *lines, hq_doc *doc, hq_error *err)
{
    size_t from;
    const char *title = hq_title_pick(doc, lines->items, lines->n, &from);
    if (title == NULL)
        return no_text(doc, err);
    hq_buf b;
    hq_body_init(&b);
    hq_status rc = HQ_OK;
    for (size_t i = from; rc == HQ_OK && i < lines->n; i++)
        if (lines->items[i].len > 0)
            rc = hq_body_add(&b, &lines->items[i], "\n\n", doc->path, err);
    if (rc != HQ_OK) {
        hq_buf_free(&b);
        return rc;
    }
    hq_article *a = new_article(doc, "text", "text", title);
    hq_section *s = hq_article_add_section(doc, a);
    s->id = hq_arena_printf(&doc->arena, "%s:s1", a->id);
    s->title = title;
    s->body = hq_body_take(doc, &b);
    return HQ_OK;
}

/* ---- Markdown lines ------------------------------------------------ */

/* If l is an ATX heading, returns its level (1..6) and sets *text and *len
 * to its text (trimmed, closing hashes removed); else returns 0. */
static int heading_level(const hq_line *l, const char **text, size_t *len)
{
    int level = 0;
    while ((size_t)level < l->len && l->s[level] == '#')
        level++;
    if (level == 0 || level > 6)
        return 0;
    size_t rest = l->len - (size_t)level;
    const char *t = l->s + level;
    if (rest > 0 && t[0] != ' ' && t[0] != '\t')
        return 0; /* "#hashtag" is text */
    t = hq_utf8_trim(t, &rest);
    size_t k = rest;
    while (k > 0 && t[k - 1] == '#')
        k--;
    if (k == 0)
        rest = 0; /* only hashes: an empty heading */
    else if (k < rest && (t[k - 1] == ' ' || t[k - 1] == '\t'))
        rest = k; /* a closing sequence */
    *text = hq_utf8_trim(t, &rest);
    *len = rest;
    return level;
}

/* Tracks ``` and ~~~ fences: returns true when l is inside a fenced
 * block or is one of its fence lines. */
static bool in_fence(const hq_line *l, char *fence)
{
    bool opens = l->len >= 3 && (memcmp(l->s, "```", 3) == 0 || memcmp(l->s, "~~~", 3) == 0);
    if (*fence != '\0') {
        if (opens && l->s[0] == *fence)
            *fence = '\0';
        return true;
    }
    if (opens)
        *fence = l->s[0];
    return opens;
}

/* ---- Markdown sections --------------------------------------------- */

typedef struct md_parser {
    hq_doc *doc;
    hq_error *err;
    hq_article *a;
    const char *sec_title; /* the section being read; NULL for section 1 */
    long sec_line;         /* its heading's line number */
    hq_buf body;
    bool gap; /* a blank line since the last body line */
} md_parser;

/* Ends the section being read: stored when it has a heading or a body. */
static hq_status md_flush(md_parser *m)
{
    if (m->sec_title == NULL && m->body.len == 0)
        return HQ_OK;
    hq_section *s = hq_article_add_section(m->doc, m->a);
    if (s == NULL)
        return hq_fail(m->err, HQ_ELIMIT, m->doc->path, m->sec_line, -1,
                       "more than %d sections in one article", HQ_MAX_SECTIONS);
    s->id = hq_arena_printf(&m->doc->arena, "%s:s%zu", m->a->id, m->a->n_sections);
    s->title = m->sec_title ? m->sec_title : m->a->title;
    s->body = hq_body_take(m->doc, &m->body);
    hq_body_init(&m->body);
    m->gap = false;
    return HQ_OK;
}

static hq_status md_line(md_parser *m, const hq_line *l, bool fenced)
{
    const char *text;
    size_t len;
    int level = fenced ? 0 : heading_level(l, &text, &len);
    if (level == 1 || level == 2) {
        hq_status rc = md_flush(m);
        m->sec_title = len ? hq_utf8_squeeze(&m->doc->arena, text, len) : m->a->title;
        m->sec_line = l->lineno;
        return rc;
    }
    if (l->len == 0) {
        m->gap = true;
        return HQ_OK;
    }
    hq_status rc = hq_body_add(&m->body, l, m->gap ? "\n\n" : "\n", m->doc->path, m->err);
    m->gap = false;
    return rc;
}

/* The title: the first heading when it comes first (*from = the line
 * after it, or the heading itself for "##"), else hq_title_pick() over
 * the lines before the first heading. */
static const char *md_title(hq_doc *doc, const hq_lines *lines, size_t *from)
{
    size_t first = 0;
    while (first < lines->n && lines->items[first].len == 0)
        first++;
    if (first == lines->n)
        return NULL;
    const char *text;
    size_t len;
    int level = heading_level(&lines->items[first], &text, &len);
    if (level > 0 && len > 0) {
        *from = level == 2 ? first : first + 1;
        return hq_utf8_squeeze(&doc->arena, text, len);
    }
    size_t end = first;
    char fence = '\0';
    for (; end < lines->n; end++) {
        bool fenced = in_fence(&lines->items[end], &fence);
        if (!fenced && heading_level(&lines->items[end], &text, &len) > 0)
            break;
    }
    if (end == first)
        end = first + 1; /* an empty heading: take it as a line */
    return hq_title_pick(doc, lines->items, end, from);
}

static hq_status parse_markdown(const hq_lines *lines, hq_doc *doc, hq_error *err)
{
    size_t from;
    const char *title = md_title(doc, lines, &from);
    if (title == NULL)
        return no_text(doc, err);
    md_parser m = {.doc = doc, .err = err};
    m.a = new_article(doc, "md", "markdown", title);
    hq_body_init(&m.body);
    hq_status rc = HQ_OK;
    char fence = '\0';
    for (size_t i = from; rc == HQ_OK && i < lines->n; i++) {
        bool fenced = in_fence(&lines->items[i], &fence);
        rc = md_line(&m, &lines->items[i], fenced);
    }
    if (rc == HQ_OK)
        rc = md_flush(&m);
    if (rc == HQ_OK && m.a->n_sections == 0) {
        m.sec_title = title;
        rc = md_flush(&m);
    }
    hq_buf_free(&m.body);
    return rc;
}

hq_status hq_parse_text(const char *data, size_t len, bool markdown, hq_doc *doc, hq_error *err)
{
    hq_lines lines;
    hq_status rc = hq_lines_split(data, len, doc->path, &lines, err);
    if (rc != HQ_OK)
        return rc;
    rc = markdown ? parse_markdown(&lines, doc, err) : parse_plain(&lines, doc, err);
    hq_lines_free(&lines);
    return rc;
}
