/*
 * write.c — the write API (docs/API.md, "Writing"): POST /api/articles
 * (JSON Lines records, or one JSON object), PUT /api/articles/{id} (one
 * record; its id is the URL's), DELETE /api/articles/{id}.
 *
 * Only with a token file (serve --tokens FILE): otherwise 403.  Every
 * write needs "Authorization: Bearer <token>" (401 when missing, wrong or
 * expired, with WWW-Authenticate).  Bodies are at most HQ_WRITE_MAX_BYTES
 * (413).  A write answers once the store has synced it and the index
 * shows it (hq_put_records, hq_remove); merging the small segments
 * writes make is left to the background (merger.c).  Writes run on the
 * search pool (router.c defers every POST, PUT and DELETE), one at a
 * time in the process (the store has one writer).
 */
#include "server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t one_writer = PTHREAD_MUTEX_INITIALIZER;

#define ARTICLES "/api/articles"

static bool authorised(hs_req *r)
{
    if (r->tokens == NULL) {
        hs_reply_error(r, 403, "writes_disabled",
                       "the write API is off: the server was started without --tokens FILE");
        return false;
    }
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Authorization");
    hs_auth a = hs_tokens_check(r->tokens, h, (long long)time(NULL));
    if (a == HS_AUTH_OK)
        return true;
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "WWW-Authenticate",
                      a == HS_AUTH_MISSING ? "Bearer realm=\"healthqa\""
                                           : "Bearer realm=\"healthqa\", error=\"invalid_token\"");
    hs_reply_error(r, 401, a == HS_AUTH_EXPIRED ? "token_expired" : "unauthorized",
                   a == HS_AUTH_MISSING ? "send Authorization: Bearer <token> (see healthqa token new)"
                   : a == HS_AUTH_EXPIRED ? "this token has expired: ask for a new one"
                                          : "this token is not valid");
    return false;
}

/* The request body, NUL-terminated (malloc'd), or NULL after a 4xx. */
static char *body_of(hs_req *r, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
    *len = evbuffer_get_length(in);
    if (*len > HQ_WRITE_MAX_BYTES) {
        hs_reply_error(r, 413, "payload_too_large", "write bodies are limited to %u bytes",
                       HQ_WRITE_MAX_BYTES);
        return NULL;
    }
    if (*len == 0) {
        hs_reply_error(r, 400, "bad_body", "the body is empty: send a JSON record");
        return NULL;
    }
    char *data = malloc(*len + 1);
    if (data == NULL)
        abort();
    evbuffer_remove(in, data, *len);
    data[*len] = '\0';
    return data;
}

static void reply_write_error(hs_req *r, hq_status rc, const hq_error *err)
{
    const char *what = err->message[0] ? err->message : hq_strerror(rc);
    if (rc == HQ_EFORMAT || rc == HQ_EUTF8 || rc == HQ_ELIMIT || rc == HQ_EINVAL) {
        if (err->line > 0)
            hs_reply_error(r, 400, "bad_body", "record on line %ld: %s", err->line, what);
        else
            hs_reply_error(r, 400, "bad_body", "%s", what);
    } else {
        hs_reply_error(r, 500, "internal", "%s", what);
    }
}

static hq_status put(hs_req *r, const char *data, size_t len, hq_write_summary *s, hq_error *err)
{
    pthread_mutex_lock(&one_writer);
    hq_status rc = hq_put_records(r->engine, data, len, s, err);
    pthread_mutex_unlock(&one_writer);
    hs_merger_poke();
    return rc;
}

/* POST /api/articles: JSON Lines records (one JSON object is one line). */
static void post_articles(hs_req *r)
{
    size_t len;
    char *data = body_of(r, &len);
    if (data == NULL)
        return;
    hq_write_summary s;
    hq_error err = {0};
    hq_status rc = put(r, data, len, &s, &err);
    free(data);
    if (rc != HQ_OK) {
        reply_write_error(r, rc, &err);
        return;
    }
    hs_reply_json(r, 201, json_pack("{s:I, s:I}", "records", (json_int_t)s.n_records, "changed",
                                    (json_int_t)s.n_changed));
}

/* PUT /api/articles/{id}: one JSON object, its id the URL's. */
static void put_article(hs_req *r, const char *id)
{
    size_t len;
    char *data = body_of(r, &len);
    if (data == NULL)
        return;
    json_error_t jerr;
    json_t *rec = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    free(data);
    if (!json_is_object(rec)) {
        hs_reply_error(r, 400, "bad_body", "the body must be one JSON object: %s",
                       rec ? "it is not an object" : jerr.text);
        json_decref(rec);
        return;
    }
    const char *given = json_string_value(json_object_get(rec, "id"));
    if (json_object_get(rec, "id") && (given == NULL || strcmp(given, id) != 0)) {
        hs_reply_error(r, 400, "bad_body", "the record's id differs from the URL's");
        json_decref(rec);
        return;
    }
    json_object_set_new(rec, "id", json_string(id));
    char *line = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    hq_write_summary s;
    hq_error err = {0};
    hq_status rc = put(r, line, strlen(line), &s, &err);
    free(line);
    if (rc != HQ_OK)
        reply_write_error(r, rc, &err);
    else
        hs_reply_json(r, 200, json_pack("{s:s, s:b}", "id", id, "changed", s.n_changed > 0));
}

static void delete_article(hs_req *r, const char *id)
{
    hq_write_summary s;
    hq_error err = {0};
    pthread_mutex_lock(&one_writer);
    hq_status rc = hq_remove(r->engine, &id, 1, &s, &err);
    pthread_mutex_unlock(&one_writer);
    hs_merger_poke();
    if (rc != HQ_OK)
        reply_write_error(r, rc, &err);
    else if (s.n_removed == 0)
        hs_reply_error(r, 404, "not_found", "no article with this id");
    else
        hs_reply_json(r, 200, json_pack("{s:s, s:b}", "id", id, "removed", 1));
}

/* The decoded {id} of /api/articles/{id} (malloc'd), or NULL after a 400;
 * *none when the path has no id. */
static char *id_of(hs_req *r, const char *raw, bool *none)
{
    const char *rest = raw + strlen(ARTICLES);
    *none = *rest == '\0';
    if (*none)
        return NULL;
    size_t len = strlen(rest + 1);
    char *id = malloc(len + 1);
    if (id == NULL)
        abort();
    long n = hs_percent_decode(rest + 1, len, id, false);
    if (n <= 0 || !hs_text_ok(id, (size_t)n) || strchr(id, '/')) {
        hs_reply_error(r, 400, "bad_parameter", "the id is empty, has a bad %%-escape or a '/'");
        free(id);
        return NULL;
    }
    return id;
}

bool hs_write_route(hs_req *r)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    if (m != EVHTTP_REQ_POST && m != EVHTTP_REQ_PUT && m != EVHTTP_REQ_DELETE)
        return false;
    const char *uri = evhttp_request_get_uri(r->req);
    size_t path_len = strcspn(uri, "?#"), n = strlen(ARTICLES);
    if (path_len < n || strncmp(uri, ARTICLES, n) != 0 || (path_len > n && uri[n] != '/') ||
        (path_len > n && memchr(uri + n + 1, '/', path_len - n - 1)))
        return false;
    char *raw = malloc(path_len + 1);
    if (raw == NULL)
        abort();
    memcpy(raw, uri, path_len);
    raw[path_len] = '\0';
    r->route = HS_R_API_WRITE;
    bool none;
    char *id = NULL;
    bool by_id = m != EVHTTP_REQ_POST;
    if (by_id != (path_len > n)) {
        hs_reply_error(r, 405, "method_not_allowed",
                       by_id ? "PUT and DELETE need /api/articles/{id}"
                             : "POST goes to /api/articles, without an id");
    } else if (authorised(r) && (!by_id || (id = id_of(r, raw, &none)) != NULL)) {
        if (m == EVHTTP_REQ_POST)
            post_articles(r);
        else if (m == EVHTTP_REQ_PUT)
            put_article(r, id);
        else
            delete_article(r, id);
    }
    free(id);
    free(raw);
    return true;
}
