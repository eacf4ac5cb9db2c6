/*
 * router.c — which handler answers a request.  First the limits every
 * request must meet (method GET or HEAD: 405; target at most HS_MAX_URL
 * bytes: 414; body at most HS_MAX_BODY: 413; well-formed %-escapes and
 * parameters: 400), then the route table: exact paths and /prefix/{id}
 * paths, API and pages alike.  Unknown /api/ paths get a JSON 404,
 * other unknown paths the HTML 404 page.  server.c calls hs_route for
 * every request.
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
} route;

static const route ROUTES[] = {
    {"/", NULL, HS_R_HOME, hs_page_home, true},
    {"/search", NULL, HS_R_SEARCH_PAGE, hs_page_search, true},
    {"/articles/", "", HS_R_ARTICLE_PAGE, hs_page_article, true},
    {"/static/style.css", NULL, HS_R_STATIC, hs_static_style, false},
    {"/api/search", NULL, HS_R_API_SEARCH, hs_api_search, false},
    {"/api/suggest", NULL, HS_R_API_SUGGEST, hs_api_suggest, false},
    {"/api/articles/", "", HS_R_API_ARTICLE, hs_api_article, false},
    {"/api/ask", NULL, HS_R_API_ASK, hs_api_ask, false},
    {"/api/articles/", "/related", HS_R_API_RELATED, hs_api_related, false},
    {"/healthz", NULL, HS_R_HEALTHZ, hs_api_healthz, false},
    {"/metrics", NULL, HS_R_METRICS, hs_api_metrics, false},
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

static void bad_request(hs_req *r, bool html, const char *why)
{
    if (html)
        hs_page_error(r, 400, "Bad request", why);
    else
        hs_reply_error(r, 400, "bad_parameter", "%s", why);
}

static void not_found(hs_req *r)
{
    r->route = HS_R_OTHER;
    if (strncmp(r->path, "/api/", 5) == 0)
        hs_reply_error(r, 404, "not_found", "no such endpoint (see docs/API.md)");
    else
        hs_page_error(r, 404, "Page not found", "There is no page at this address.");
}

/* Runs rt's handler with the decoded id, or answers 400 / 404. */
static void dispatch(hs_req *r, const route *rt, const char *id_raw, size_t id_len)
{
    r->route = rt->id;
    if (rt->suffix == NULL) {
        rt->handler(r, NULL);
        return;
    }
    char *id = malloc(id_len + 1);
    if (id == NULL)
        abort();
    long n = hs_percent_decode(id_raw, id_len, id, false);
    if (n < 0 || !hs_text_ok(id, (size_t)n))
        bad_request(r, rt->html, "the id has a bad %-escape or is not UTF-8 text");
    else
        rt->handler(r, id);
    free(id);
}

void hs_route(hs_req *r)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    const char *uri = evhttp_request_get_uri(r->req);
    if (strlen(uri) > HS_MAX_URL) {
        hs_reply_error(r, 414, "uri_too_long", "the request target exceeds %d bytes", HS_MAX_URL);
        return;
    }
    if (hs_write_route(r)) /* writes have their own limits and checks */
        return;
    if (evbuffer_get_length(evhttp_request_get_input_buffer(r->req)) > HS_MAX_BODY) {
        hs_reply_error(r, 413, "payload_too_large", "request bodies are limited to %d bytes",
                       HS_MAX_BODY);
        return;
    }
    if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
        hs_reply_error(r, 405, "method_not_allowed", "only GET and HEAD are served");
        return;
    }
    if (uri[0] != '/') {
        hs_reply_error(r, 400, "bad_request", "the request target must be a path");
        return;
    }
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
            bad_request(r, ROUTES[i].html, why);
        else
            dispatch(r, &ROUTES[i], id_raw, id_len);
        return;
    }
    if (why != NULL)
        bad_request(r, strncmp(raw, "/api/", 5) != 0, why);
    else
        not_found(r);
}
