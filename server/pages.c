/*
 * pages.c — the HTML pages, rendered on the server and usable without
 * JavaScript: home (search box, topic entry points), search results
 * (snippets with <mark> highlights, source, trust badge, paging), the
 * article page (sections, source link, trust badge, previous/next,
 * related articles) and the error pages.  Every value from the engine is ingested text, so it
 * goes through html.c's escaping; a URL becomes a link only when it is
 * http(s).  Landmarks: header, main, footer; one h1 per page, h2 below.
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 10

static const char *const TOPICS[] = {"back pain", "pregnancy", "IUD", "miscarriage",
                                     "diabetes",  "high blood pressure"};

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The search form; value is the current query (or NULL). */
static void search_form(struct evbuffer *b, const char *value)
{
    evbuffer_add_printf(b, "<form class=\"search\" role=\"search\" action=\"/search\" "
                           "method=\"get\">\n<label for=\"q\">Ask a health question</label>\n"
                           "<input type=\"search\" id=\"q\" name=\"q\" maxlength=\"1024\" "
                           "required value=\"");
    hs_html_escape(b, value);
    evbuffer_add_printf(b, "\">\n<button type=\"submit\">Search</button>\n</form>\n");
}

static void page_begin(struct evbuffer *b, const char *title)
{
    evbuffer_add_printf(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta name=\"viewport\" content=\"width=device-width, "
                           "initial-scale=1\">\n<title>");
    hs_html_escape(b, title);
    evbuffer_add_printf(b, " · healthqa</title>\n<link rel=\"stylesheet\" "
                           "href=\"/static/style.css\">\n</head>\n<body>\n"
                           "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
                           "<header class=\"site\"><div class=\"wrap\"><a class=\"brand\" "
                           "href=\"/\">healthqa</a><span>consumer health answers</span></div>"
                           "</header>\n<main id=\"main\" class=\"wrap\">\n");
}

static void page_end(hs_req *r, struct evbuffer *b, int status)
{
    evbuffer_add_printf(b, "</main>\n<footer class=\"site\"><div class=\"wrap\">"
                           "<p>Health information for learning, not a diagnosis. In an "
                           "emergency call your local emergency number.</p>"
                           "<p>Sources are rated by trust; \"unverified source\" means we do "
                           "not know who wrote the page.</p></div></footer>\n</body>\n</html>\n");
    hs_reply(r, status, "text/html; charset=utf-8", b);
}

/* The trust badge of a level (anything unexpected counts as unknown). */
static void trust_badge(struct evbuffer *b, const char *trust)
{
    static const char *const LEVELS[][2] = {
        {"high", "high trust"}, {"medium", "medium trust"}, {"low", "low trust"}};
    const char *level = "unknown", *label = "unverified source";
    for (size_t i = 0; i < 3; i++)
        if (trust && strcmp(trust, LEVELS[i][0]) == 0) {
            level = LEVELS[i][0];
            label = LEVELS[i][1];
        }
    evbuffer_add_printf(b, "<span class=\"badge trust-%s\">%s</span>", level, label);
}

/* Opens a link to another site (url checked by hs_url_is_http): no
 * opener, no referrer; cls NULL for none.  The caller closes it. */
static void open_external(struct evbuffer *b, const char *cls, const char *url)
{
    evbuffer_add_printf(b, "<a%s%s%s rel=\"noopener noreferrer\" href=\"", cls ? " class=\"" : "",
                        cls ? cls : "", cls ? "\"" : "");
    hs_html_escape(b, url);
    evbuffer_add_printf(b, "\">");
}

/* " <span>source</span> badge" of a hit, passage citation or link. */
static void source_and_badge(struct evbuffer *b, const json_t *o)
{
    evbuffer_add_printf(b, " <span>");
    hs_html_escape(b, str(o, "source"));
    evbuffer_add_printf(b, "</span> ");
    trust_badge(b, str(o, "trust"));
}

/* href="/articles/<id>" (the attribute, quoted). */
static void article_href(struct evbuffer *b, const char *id, const char *section)
{
    evbuffer_add_printf(b, "href=\"/articles/");
    hs_url_encode(b, id);
    if (section) {
        evbuffer_add_printf(b, "#s-");
        hs_url_encode(b, section);
    }
    evbuffer_add_printf(b, "\"");
}

void hs_page_error(hs_req *r, int status, const char *title, const char *message)
{
    struct evbuffer *b = evbuffer_new();
    page_begin(b, title);
    evbuffer_add_printf(b, "<h1>");
    hs_html_escape(b, title);
    evbuffer_add_printf(b, "</h1>\n<p>");
    hs_html_escape(b, message);
    evbuffer_add_printf(b, "</p>\n<p><a href=\"/\">Go to the home page</a> or search:</p>\n");
    search_form(b, NULL);
    page_end(r, b, status);
    evbuffer_free(b);
}

void hs_page_home(hs_req *r, const char *unused)
{
    struct evbuffer *b = evbuffer_new();
    page_begin(b, "Health questions answered");
    evbuffer_add_printf(b, "<h1>Health questions, answered from trusted sources</h1>\n");
    search_form(b, NULL);
    evbuffer_add_printf(b, "<h2 id=\"topics\">Popular topics</h2>\n"
                           "<ul class=\"topics\" aria-labelledby=\"topics\">\n");
    for (size_t i = 0; i < sizeof TOPICS / sizeof *TOPICS; i++) {
        evbuffer_add_printf(b, "<li><a href=\"/search?q=");
        hs_url_encode(b, TOPICS[i]);
        evbuffer_add_printf(b, "\">%s</a></li>\n", TOPICS[i]);
    }
    evbuffer_add_printf(b, "</ul>\n");
    page_end(r, b, 200);
    evbuffer_free(b);
}

/* ---- the red-flag banner and the answer card (hq_ask) ---------------------- */

/* The banner of a triage level other than none: role="alert", the level
 * in words no one can miss, the message, the guidance it follows. */
static void render_banner(struct evbuffer *b, const json_t *t)
{
    static const char *const LEVELS[][2] = {
        {"emergency", "Emergency: call your local emergency number or go to the emergency "
                      "department now."},
        {"urgent", "Urgent: get medical care today."},
        {"soon", "Book an appointment with a doctor."}};
    const char *level = str(t, "level");
    for (size_t i = 0; level && i < 3; i++) {
        if (strcmp(level, LEVELS[i][0]) != 0)
            continue;
        evbuffer_add_printf(b, "<div class=\"banner banner-%s\" role=\"alert\">\n"
                               "<p class=\"banner-level\"><strong>%s</strong></p>\n<p>",
                            LEVELS[i][0], LEVELS[i][1]);
        hs_html_escape(b, str(t, "message"));
        evbuffer_add_printf(b, "</p>\n");
        const json_t *g = json_object_get(t, "guidance");
        if (json_is_object(g) && hs_url_is_http(str(g, "url"))) {
            evbuffer_add_printf(b, "<p class=\"guidance\">Following ");
            open_external(b, NULL, str(g, "url"));
            hs_html_escape(b, str(g, "source"));
            evbuffer_add_printf(b, ": ");
            hs_html_escape(b, str(g, "title"));
            evbuffer_add_printf(b, "</a></p>\n");
        }
        evbuffer_add_printf(b, "</div>\n");
    }
}

/* One source of a passage: its article here, the original, its badge. */
static void render_citation(struct evbuffer *b, const json_t *c)
{
    evbuffer_add_printf(b, "<li><a ");
    article_href(b, str(c, "article_id"), str(c, "section_id"));
    evbuffer_add_printf(b, ">");
    hs_html_escape(b, str(c, "title"));
    evbuffer_add_printf(b, "</a>");
    source_and_badge(b, c);
    if (hs_url_is_http(str(c, "url"))) {
        evbuffer_add_printf(b, " ");
        open_external(b, "source", str(c, "url"));
        evbuffer_add_printf(b, "original</a>");
    }
    evbuffer_add_printf(b, "</li>\n");
}

static void render_aspect(struct evbuffer *b, const json_t *a)
{
    evbuffer_add_printf(b, "<h3>");
    hs_html_escape(b, str(a, "heading"));
    evbuffer_add_printf(b, "</h3>\n");
    size_t i, k;
    const json_t *p, *c;
    json_array_foreach(json_object_get(a, "passages"), i, p) {
        evbuffer_add_printf(b, "<figure class=\"passage\"><blockquote><p>");
        hs_html_highlight(b, str(p, "text"), json_object_get(p, "highlights"));
        evbuffer_add_printf(b, "</p></blockquote>\n<figcaption><ul class=\"cites\">\n");
        json_array_foreach(json_object_get(p, "citations"), k, c) render_citation(b, c);
        evbuffer_add_printf(b, "</ul></figcaption></figure>\n");
    }
}

static void render_links(struct evbuffer *b, const json_t *links)
{
    if (json_array_size(links) == 0)
        return;
    evbuffer_add_printf(b, "<h3>Read at the source</h3>\n<ul class=\"at-source\">\n");
    size_t i;
    const json_t *l;
    json_array_foreach(links, i, l) {
        evbuffer_add_printf(b, "<li>");
        if (hs_url_is_http(str(l, "url"))) {
            open_external(b, NULL, str(l, "url"));
            hs_html_escape(b, str(l, "title"));
            evbuffer_add_printf(b, "</a>");
        } else {
            hs_html_escape(b, str(l, "title"));
        }
        source_and_badge(b, l);
        evbuffer_add_printf(b, "</li>\n");
    }
    evbuffer_add_printf(b, "</ul>\n");
}

static void render_card(struct evbuffer *b, const json_t *card)
{
    const json_t *aspects = json_object_get(card, "aspects");
    const json_t *links = json_object_get(card, "read_at_source");
    if (json_array_size(aspects) == 0 && json_array_size(links) == 0)
        return;
    const json_t *q = json_object_get(card, "question"), *f = json_object_get(q, "focus");
    evbuffer_add_printf(b, "<section class=\"card\" aria-labelledby=\"card-h\">\n"
                           "<h2 id=\"card-h\">");
    if (json_is_object(f)) {
        evbuffer_add_printf(b, "About ");
        hs_html_escape(b, str(f, "name"));
    } else {
        evbuffer_add_printf(b, "The short answer");
    }
    evbuffer_add_printf(b, "</h2>\n");
    size_t i;
    const json_t *a;
    json_array_foreach(aspects, i, a) render_aspect(b, a);
    render_links(b, links);
    evbuffer_add_printf(b, "<p class=\"notice\">");
    hs_html_escape(b, str(card, "notice"));
    evbuffer_add_printf(b, "</p>\n</section>\n");
}

/* The card of question q, or NULL when it cannot be made (the results
 * below still show; a question the search rejects is reported there). */
static json_t *answer_card(hs_req *r, const char *q)
{
    json_t *card = NULL;
    hq_error err = {0};
    return hq_ask(r->engine, q, &card, &err) == HQ_OK ? card : NULL;
}

static void render_hit(struct evbuffer *b, const json_t *h)
{
    const char *title = str(h, "title") ? str(h, "title") : str(h, "article_title");
    evbuffer_add_printf(b, "<li>\n<h2><a ");
    article_href(b, str(h, "article_id"), str(h, "section_id"));
    evbuffer_add_printf(b, ">");
    hs_html_escape(b, title ? title : "(untitled)");
    evbuffer_add_printf(b, "</a></h2>\n<p class=\"snippet\">");
    const json_t *sn = json_object_get(h, "snippet");
    const char *text = str(sn, "text");
    if (text && *text)
        hs_html_highlight(b, text, json_object_get(sn, "highlights"));
    else
        evbuffer_add_printf(b, "No text stored for this answer; the article page links to "
                               "its source.");
    evbuffer_add_printf(b, "</p>\n<p class=\"meta\"><span>");
    hs_html_escape(b, str(h, "source"));
    evbuffer_add_printf(b, "</span>");
    trust_badge(b, str(h, "trust"));
    const char *article = str(h, "article_title");
    if (article && title && strcmp(title, article) != 0) {
        evbuffer_add_printf(b, "<span>in ");
        hs_html_escape(b, article);
        evbuffer_add_printf(b, "</span>");
    }
    evbuffer_add_printf(b, "</p>\n</li>\n");
}

static void pager_link(struct evbuffer *b, const char *q, size_t offset, const char *rel,
                       const char *label)
{
    evbuffer_add_printf(b, "<a rel=\"%s\" href=\"/search?q=", rel);
    hs_url_encode(b, q);
    if (offset > 0)
        evbuffer_add_printf(b, "&amp;offset=%zu", offset);
    evbuffer_add_printf(b, "\">%s</a>", label);
}

static void render_results(struct evbuffer *b, const char *q, const json_t *res)
{
    const json_t *hits = json_object_get(res, "hits"), *total = json_object_get(res, "total");
    size_t offset = (size_t)json_integer_value(json_object_get(res, "offset"));
    size_t n_total = (size_t)json_integer_value(json_object_get(total, "value"));
    const char *rel = str(total, "relation");
    if (json_array_size(hits) == 0) {
        evbuffer_add_printf(b, "<p class=\"notice\">No answers found. Try other words, or "
                               "fewer of them.</p>\n");
        return;
    }
    evbuffer_add_printf(b, "<p class=\"meta\">Results %zu–%zu of %s%zu</p>\n"
                           "<ol class=\"results\" start=\"%zu\">\n",
                        offset + 1, offset + json_array_size(hits),
                        rel && strcmp(rel, "eq") ? "at least " : "", n_total, offset + 1);
    size_t i;
    const json_t *h;
    json_array_foreach(hits, i, h) render_hit(b, h);
    evbuffer_add_printf(b, "</ol>\n<nav class=\"pager\" aria-label=\"Result pages\">");
    if (offset > 0)
        pager_link(b, q, offset > PAGE_SIZE ? offset - PAGE_SIZE : 0, "prev", "← Previous");
    if (offset + PAGE_SIZE < n_total && offset + 2 * PAGE_SIZE <= 10000)
        pager_link(b, q, offset + PAGE_SIZE, "next", "Next →");
    evbuffer_add_printf(b, "</nav>\n");
}

void hs_page_search(hs_req *r, const char *unused)
{
    const char *q = hs_param(&r->params, "q");
    size_t offset = 0;
    const char *off = hs_param(&r->params, "offset");
    if (q == NULL || *q == '\0') {
        hs_page_home(r, NULL);
        return;
    }
    if (strlen(q) > HS_MAX_QUERY || (off && hs_parse_size(off, 0, 10000 - PAGE_SIZE, &offset))) {
        hs_page_error(r, 400, "Bad request",
                      "The question is too long (at most 1024 bytes) or the page number is "
                      "not valid.");
        return;
    }
    hq_search_options o = {.limit = PAGE_SIZE, .offset = offset, .snippets = true};
    json_t *res = NULL;
    hq_error err = {0};
    hq_status rc = hq_search(r->engine, q, &o, &res, &err);
    if (rc != HQ_OK) {
        bool bad = rc == HQ_EINVAL || rc == HQ_ELIMIT || rc == HQ_EUTF8;
        hs_page_error(r, bad ? 400 : 500, bad ? "This search cannot be run" : "Server error",
                      err.message[0] ? err.message : hq_strerror(rc));
        return;
    }
    json_t *card = offset == 0 ? answer_card(r, q) : NULL;
    struct evbuffer *b = evbuffer_new();
    page_begin(b, q);
    if (card)
        render_banner(b, json_object_get(card, "triage"));
    evbuffer_add_printf(b, "<h1>Answers for “");
    hs_html_escape(b, q);
    evbuffer_add_printf(b, "”</h1>\n");
    search_form(b, q);
    if (card)
        render_card(b, card);
    render_results(b, q, res);
    json_decref(card);
    json_decref(res);
    page_end(r, b, 200);
    evbuffer_free(b);
}

/* ---- the article page ------------------------------------------------------ */

/* Paragraphs of body: blank lines separate them, single newlines break. */
static void render_body(struct evbuffer *b, const char *body)
{
    const char *p = body;
    while (*p) {
        while (*p == '\n' || *p == '\r')
            p++;
        if (*p == '\0')
            break;
        const char *end = strstr(p, "\n\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        evbuffer_add_printf(b, "<p>");
        for (size_t i = 0, at = 0; i <= len; i++)
            if (i == len || p[i] == '\n') {
                if (at > 0)
                    evbuffer_add_printf(b, "<br>");
                hs_html_escape_len(b, p + at, i - at);
                at = i + 1;
            }
        evbuffer_add_printf(b, "</p>\n");
        p += len;
    }
}

static void render_sections(struct evbuffer *b, const json_t *a)
{
    const json_t *secs = json_object_get(a, "sections");
    size_t i;
    const json_t *s;
    json_array_foreach(secs, i, s)
    {
        evbuffer_add_printf(b, "<section class=\"body\" id=\"s-");
        hs_html_escape(b, str(s, "id"));
        evbuffer_add_printf(b, "\">\n");
        const char *title = str(s, "title");
        if (title && !(i == 0 && str(a, "title") && strcmp(title, str(a, "title")) == 0)) {
            evbuffer_add_printf(b, "<h2>");
            hs_html_escape(b, title);
            evbuffer_add_printf(b, "</h2>\n");
        }
        const char *body = str(s, "body");
        if (body)
            render_body(b, body);
        else
            evbuffer_add_printf(b, "<p class=\"notice\">This answer is not stored here; read "
                                   "it at the source.</p>\n");
        evbuffer_add_printf(b, "</section>\n");
    }
}

/* A previous/next/related link: linked when it names an article, plain
 * text otherwise. */
static void render_link(struct evbuffer *b, const char *title, const char *id, const char *rel)
{
    if (id && !strchr(id, '/')) {
        evbuffer_add_printf(b, "<a rel=\"%s\" ", rel);
        article_href(b, id, NULL);
        evbuffer_add_printf(b, ">");
        hs_html_escape(b, title ? title : "(untitled)");
        evbuffer_add_printf(b, "</a>");
    } else {
        hs_html_escape(b, title);
    }
}

/* Previous or next: the page's own link, or the neighbour on the same
 * topic (hq_show's "via": "topic"), said as such. */
static void render_nav_link(struct evbuffer *b, const json_t *l, const char *rel,
                            const char *label)
{
    const char *via = str(l, "via");
    bool topic = via && strcmp(via, "topic") == 0;
    evbuffer_add_printf(b, "<span class=\"label\">%s%s:</span> ", label,
                        topic ? " on this topic" : "");
    render_link(b, str(l, "title"), str(l, "id"), rel);
}

static void render_source(struct evbuffer *b, const json_t *a)
{
    evbuffer_add_printf(b, "<p class=\"meta\"><span>Source: ");
    hs_html_escape(b, str(a, "source"));
    evbuffer_add_printf(b, "</span>");
    trust_badge(b, str(a, "trust"));
    const char *url = str(a, "url");
    if (hs_url_is_http(url)) {
        evbuffer_add_printf(b, "<a href=\"");
        hs_html_escape(b, url);
        evbuffer_add_printf(b, "\" rel=\"noopener noreferrer nofollow\">Read it at the "
                               "source</a>");
    } else if (url && *url) {
        evbuffer_add_printf(b, "<span>Source address (not linked): ");
        hs_html_escape(b, url);
        evbuffer_add_printf(b, "</span>");
    }
    evbuffer_add_printf(b, "</p>\n");
}

/* The related articles of hq_related (rel may be NULL: none shown), each
 * with its source, trust badge, the reasons it is related and links to
 * the same article elsewhere (its duplicates, named by source). */
static void render_related(struct evbuffer *b, const json_t *rel)
{
    const json_t *list = json_object_get(rel, "related");
    if (json_array_size(list) == 0)
        return;
    evbuffer_add_printf(b, "<section class=\"related\" aria-labelledby=\"rel\">\n"
                           "<h2 id=\"rel\">Related articles</h2>\n<ul>\n");
    size_t i, j;
    const json_t *e, *why;
    json_array_foreach(list, i, e)
    {
        evbuffer_add_printf(b, "<li>");
        render_link(b, str(e, "title"), str(e, "article_id"), "related");
        evbuffer_add_printf(b, "\n<p class=\"meta\"><span>");
        hs_html_escape(b, str(e, "source"));
        evbuffer_add_printf(b, "</span>");
        trust_badge(b, str(e, "trust"));
        evbuffer_add_printf(b, "<span class=\"why\">");
        json_array_foreach(json_object_get(e, "why"), j, why)
        {
            evbuffer_add_printf(b, "%s", j ? "; " : "");
            hs_html_escape(b, json_string_value(why));
        }
        evbuffer_add_printf(b, "</span></p>");
        const json_t *dups = json_object_get(e, "duplicates"), *d;
        if (json_array_size(dups) > 0) {
            evbuffer_add_printf(b, "<p class=\"meta\">Also: ");
            json_array_foreach(dups, j, d)
            {
                evbuffer_add_printf(b, "%s", j ? ", " : "");
                render_link(b, str(d, "source"), str(d, "article_id"), "related");
            }
            evbuffer_add_printf(b, "</p>");
        }
        evbuffer_add_printf(b, "</li>\n");
    }
    evbuffer_add_printf(b, "</ul>\n</section>\n");
}

static void render_article(struct evbuffer *b, const json_t *a, const json_t *rel)
{
    evbuffer_add_printf(b, "<article>\n<h1>");
    hs_html_escape(b, str(a, "title") ? str(a, "title") : "(untitled)");
    evbuffer_add_printf(b, "</h1>\n");
    render_source(b, a);
    render_sections(b, a);
    evbuffer_add_printf(b, "</article>\n");
    const json_t *prev = json_object_get(a, "previous"), *next = json_object_get(a, "next");
    if (json_is_object(prev) || json_is_object(next)) {
        evbuffer_add_printf(b, "<nav class=\"prevnext\" aria-label=\"Previous and next "
                               "articles\"><div>");
        if (json_is_object(prev))
            render_nav_link(b, prev, "prev", "← Previous");
        evbuffer_add_printf(b, "</div><div>");
        if (json_is_object(next))
            render_nav_link(b, next, "next", "Next");
        evbuffer_add_printf(b, "</div></nav>\n");
    }
    /* the page's own Recommend list is not shown: it holds unrelated
     * pages ("iPhone sales"); hq_related's list is chosen by content */
    render_related(b, rel);
}

void hs_page_article(hs_req *r, const char *id)
{
    json_t *a = NULL;
    hq_error err = {0};
    hq_status rc = strchr(id, '/') ? HQ_ENOTFOUND : hq_show(r->engine, id, &a, &err);
    const char *kind = str(a, "kind");
    if (rc == HQ_OK && kind && strcmp(kind, "section") == 0) {
        /* a section id: its place in its article */
        struct evbuffer *loc = evbuffer_new();
        evbuffer_add_printf(loc, "/articles/");
        hs_url_encode(loc, str(json_object_get(a, "article"), "id"));
        evbuffer_add_printf(loc, "#s-");
        hs_url_encode(loc, id);
        evbuffer_add(loc, "", 1);
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location",
                          (const char *)evbuffer_pullup(loc, -1));
        evbuffer_free(loc);
        json_decref(a);
        hs_reply(r, 302, "text/plain; charset=utf-8", NULL);
        return;
    }
    if (rc != HQ_OK || kind == NULL || strcmp(kind, "article") != 0) {
        json_decref(a);
        if (rc == HQ_OK || rc == HQ_ENOTFOUND)
            hs_page_error(r, 404, "Article not found", "There is no article with this id.");
        else
            hs_page_error(r, 500, "Server error", hq_strerror(rc));
        return;
    }
    json_t *rel = NULL;
    hq_error rel_err = {0};
    if (hq_related(r->engine, str(a, "id"), 8, &rel, &rel_err) != HQ_OK)
        rel = NULL; /* the article is worth showing without its related list */
    struct evbuffer *b = evbuffer_new();
    page_begin(b, str(a, "title") ? str(a, "title") : "Article");
    render_article(b, a, rel);
    json_decref(rel);
    json_decref(a);
    page_end(r, b, 200);
    evbuffer_free(b);
}
