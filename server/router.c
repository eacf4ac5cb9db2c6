/*
 * router.c — which handler answers a request.  First the limits every
 * request must meet (method GET or HEAD: 405; target at most HS_MAX_URL
 * bytes: 414; body at most HS_MAX_BODY: 413; well-formed %-escapes and
 * parameters: 400), then the route table: exact paths and /prefix/{id}
 * paths, API and pages alike.  Unknown /api/ paths get a JSON 404,
 * other unknown paths the HTML 404 page.  server.c calls hs_route for
 * every request; the decision itself (hs_route_resolve) reads only the
 * method, the target and the body's length, so tests/fuzz/fuzz_http.c
 * runs it on any bytes without a connection.
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

typedef struct route {
    const char *path;   /* exact path, or the prefix before {id} */
    const char *suffix; /* after {id} ("" for none); NULL: an exact route */
    hs_route_id id;
    hs_handler handler;
    bool html;          /* errors of this route are HTML pages, not JSON */
    bool pooled;        /* the handler runs on the search pool (CPU-bound or slow) */
} route;

/* Pooled: whatever may take more than a few tens of microseconds, so
 * that it never holds up the other connections of a loop.  /api/search
 * answers cache hits on the loop and defers the rest itself (api.c). */
static const route ROUTES[] = {
    {"/", NULL, HS_R_HOME, hs_page_home, true, false},
    {"/search", NULL, HS_R_SEARCH_PAGE, hs_page_search, true, true},
    {"/articles/", "", HS_R_ARTICLE_PAGE, hs_page_article, true, true},
    {"/static/style.css", NULL, HS_R_STATIC, hs_static_style, false, false},
    {"/api/search", NULL, HS_R_API_SEARCH, hs_api_search, false, false},
    {"/api/suggest", NULL, HS_R_API_SUGGEST, hs_api_suggest, false, false},
    {"/api/articles/", "", HS_R_API_ARTICLE, hs_api_article, false, true},
    {"/api/ask", NULL, HS_R_API_ASK, hs_api_ask, false, true},
    {"/api/articles/", "/related", HS_R_API_RELATED, hs_api_related, false, true},
    {"/healthz", NULL, HS_R_HEALTHZ, hs_api_healthz, false, false},
    {"/metrics", NULL, HS_R_METRICS, hs_api_metrics, false, true},
};
#define N_ROUTES (sizeof ROUTES / sizeof *ROUTES)

/* Whether raw (the path as sent) is rt's; for an {id} route, the raw id
 * (its bytes up to the suffix) is returned in *id_raw / *id_len. */
static bool matches(const route *rt, const char *raw, const char **id_raw, size_t *id_len)
{
    if (rt->suffix == NULL)
        return strcmp(raw, rt->path) == 0;
    size_t n = strlen(rt->path);
    if (strncmp(raw, rt->path, n) != 0)
        return false;
    const char *id = raw + n, *slash = strchr(id, '/');
    size_t len = slash ? (size_t)(slash - id) : strlen(id);
    if (len == 0 || strcmp(id + len, rt->suffix) != 0)
        return false;
    *id_raw = id;
    *id_len = len;
    return true;
}

#define HS_STR_(x) #x
#define HS_STR(x) HS_STR_(x)

/* An error answer for t: status, JSON code, HTML title, message. */
static void refuse(hs_target *t, int status, const char *code, const char *title,
                   const char *why, bool html)
{
    t->status = status;
    t->code = code;
    t->title = title;
    t->why = why;
    t->html = html;
}

static void bad_request(hs_target *t, bool html, const char *why)
{
    refuse(t, 400, "bad_parameter", "Bad request", why, html);
}

static void not_found(hs_req *r, hs_target *t)
{
    r->route = HS_R_OTHER;
    if (strncmp(r->path, "/api/", 5) == 0)
        refuse(t, 404, "not_found", NULL, "no such endpoint (see docs/API.md)", false);
    else
        refuse(t, 404, "not_found", "Page not found", "There is no page at this address.",
               true);
}

/* rt's handler with the decoded id in t, or a 400. */
static void dispatch(hs_req *r, hs_target *t, const route *rt, const char *id_raw,
                     size_t id_len)
{
    r->route = rt->id;
    t->handler = rt->handler;
    t->pooled = rt->pooled;
    if (rt->suffix == NULL)
        return;
    char *id = malloc(id_len + 1);
    if (id == NULL)
        abort();
    long n = hs_percent_decode(id_raw, id_len, id, false);
    if (n < 0 || !hs_text_ok(id, (size_t)n)) {
        free(id);
        t->handler = NULL;
        bad_request(t, rt->html, "the id has a bad %-escape or is not UTF-8 text");
    } else {
        t->id = id;
    }
}

void hs_route_resolve(hs_req *r, enum evhttp_cmd_type method, const char *uri, size_t body_len,
                      hs_target *t)
{
    memset(t, 0, sizeof *t);
    if (strlen(uri) > HS_MAX_URL)
        refuse(t, 414, "uri_too_long", NULL,
               "the request target exceeds " HS_STR(HS_MAX_URL) " bytes", false);
    else if (body_len > HS_MAX_BODY)
        refuse(t, 413, "payload_too_large", NULL,
               "request bodies are limited to " HS_STR(HS_MAX_BODY) " bytes", false);
    else if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD)
        refuse(t, 405, "method_not_allowed", NULL, "only GET and HEAD are served", false);
    else if (uri[0] != '/')
        refuse(t, 400, "bad_request", NULL, "the request target must be a path", false);
    if (t->status != 0)
        return;
    size_t path_len = strcspn(uri, "?#");
    char *raw = malloc(2 * path_len + 2);
    if (raw == NULL)
        abort();
    memcpy(raw, uri, path_len);
    raw[path_len] = '\0';
    r->raw_path = raw;
    r->path = raw + path_len + 1;
    long n = hs_percent_decode(raw, path_len, r->path, false);
    const char *why = NULL;
    const char *query = uri[path_len] == '?' ? uri + path_len + 1 : NULL;
    if (n < 0 || !hs_text_ok(r->path, (size_t)n)) {
        r->path[0] = '\0';
        why = "the path has a bad %-escape or is not UTF-8 text";
    } else if (hs_params_parse(query, &r->params, &why) != 0) {
        /* why is set */
    }
    for (size_t i = 0; i < N_ROUTES; i++) {
        const char *id_raw = NULL;
        size_t id_len = 0;
        if (!matches(&ROUTES[i], raw, &id_raw, &id_len))
            continue;
        r->route = ROUTES[i].id;
        if (why != NULL)
            bad_request(t, ROUTES[i].html, why);
        else
            dispatch(r, t, &ROUTES[i], id_raw, id_len);
        return;
    }
    if (why != NULL)
        bad_request(t, strncmp(raw, "/api/", 5) != 0, why);
    else
        not_found(r, t);
}

/* hs_route of a POST, PUT or DELETE, on the search pool: a write (the
 * store and the index synced before the reply) or the error resolve
 * gives. */
static void route_write(hs_req *r, const char *unused)
{
    const char *uri = evhttp_request_get_uri(r->req);
    /* writes have their own limits and checks, after the URL's (414) */
    if (strlen(uri) <= HS_MAX_URL && hs_write_route(r))
        return;
    hs_target t;
    hs_route_resolve(r, evhttp_request_get_command(r->req), uri,
                     evbuffer_get_length(evhttp_request_get_input_buffer(r->req)), &t);
    if (t.html)
        hs_page_error(r, t.status, t.title, t.why);
    else
        hs_reply_error(r, t.status, t.code, "%s", t.why);
    free(t.id);
}

void hs_route(hs_req *r)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    if (m == EVHTTP_REQ_POST || m == EVHTTP_REQ_PUT || m == EVHTTP_REQ_DELETE) {
        hs_defer(r, route_write, NULL); /* writes sync to disk: never on a loop */
        return;
    }
    const char *uri = evhttp_request_get_uri(r->req);
    hs_target t;
    hs_route_resolve(r, m, uri, evbuffer_get_length(evhttp_request_get_input_buffer(r->req)),
                     &t);
    if (t.handler != NULL && t.pooled)
        hs_defer(r, t.handler, t.id); /* copies the id */
    else if (t.handler != NULL)
        t.handler(r, t.id);
    else if (t.html)
        hs_page_error(r, t.status, t.title, t.why);
    else
        hs_reply_error(r, t.status, t.code, "%s", t.why);
    free(t.id);
}
