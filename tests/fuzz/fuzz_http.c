/*
 * fuzz_http.c — the portal's request handling without sockets: the
 * router's whole decision (server/router.c hs_route_resolve: limits,
 * percent-decoding of the path and of the {id}, query-string parameters,
 * the route table) on any request target, then what handlers do with
 * the parameters (hs_parse_size for numbers, HTML escaping and URL
 * encoding of echoed values, hs_url_is_http for links), and the write
 * API's check of an Authorization header (hs_tokens_check, against a
 * token file made at start).  The handlers themselves need a live evhttp
 * request; the e2e and browser tests drive them (a write's body goes
 * through the JSON Lines reader: fuzz_jsonl.c).
 *
 * Input: byte 0 picks the method, byte 1 the body length (0, the limit,
 * one past it); then the request target up to a NUL (evhttp hands the
 * router a C string); after the NUL, the Authorization header's value.
 * Seeds: tests/fuzz/http/.
 */
#include "fuzz.h"

#include "../../server/server.h"

#include <unistd.h>

static const enum evhttp_cmd_type METHODS[] = {EVHTTP_REQ_GET, EVHTTP_REQ_HEAD, EVHTTP_REQ_POST,
                                               EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
                                               EVHTTP_REQ_OPTIONS};

static hs_tokens *tokens;
static char token[128]; /* the one valid token */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[] = "/tmp/hq-fuzz-tokens-XXXXXX", why[256];
    int fd = mkstemp(path);
    if (fd < 0 || close(fd) != 0 || unlink(path) != 0 ||
        hs_token_new(path, 0, "fuzz", token, sizeof token, why, sizeof why) != 0 ||
        (tokens = hs_tokens_load(path, why, sizeof why)) == NULL || unlink(path) != 0) {
        fprintf(stderr, "fuzz_http: cannot make a token file: %s\n", why);
        abort();
    }
    char header[160];
    snprintf(header, sizeof header, "Bearer %s", token);
    if (hs_tokens_check(tokens, header, 0) != HS_AUTH_OK)
        abort();
    return 0;
}

/* The check of an Authorization header: only the valid token passes. */
static void check_auth(const char *header)
{
    hs_auth a = hs_tokens_check(tokens, header, 1700000000);
    FUZZ_ASSERT(a == HS_AUTH_OK || a == HS_AUTH_MISSING || a == HS_AUTH_WRONG);
    if (a == HS_AUTH_OK) {
        const char *t = strstr(header, token);
        FUZZ_ASSERT(t != NULL && strcmp(t, token) == 0);
    }
    FUZZ_ASSERT(hs_tokens_check(NULL, header, 0) != HS_AUTH_OK);
}

/* Escaped HTML holds no raw markup character but the <mark> tags of
 * highlights; empties b. */
static void check_escaped(struct evbuffer *b)
{
    size_t n = evbuffer_get_length(b);
    const char *s = (const char *)evbuffer_pullup(b, -1);
    for (size_t i = 0; i < n; i++) {
        if (n - i >= 6 && memcmp(s + i, "<mark>", 6) == 0) {
            i += 5;
            continue;
        }
        if (n - i >= 7 && memcmp(s + i, "</mark>", 7) == 0) {
            i += 6;
            continue;
        }
        FUZZ_ASSERT(s[i] != '<' && s[i] != '>' && s[i] != '"' && s[i] != '\'');
    }
    evbuffer_drain(b, n);
}

/* What handlers do with a parameter's value. */
static void use_value(const char *v, struct evbuffer *b)
{
    size_t n;
    (void)hs_parse_size(v, 0, 10000, &n);
    hs_html_escape(b, v);
    check_escaped(b);
    hs_url_encode(b, v);
    size_t len = evbuffer_get_length(b);
    const char *enc = (const char *)evbuffer_pullup(b, -1);
    for (size_t i = 0; i < len; i++) /* nothing a URL would misread */
        FUZZ_ASSERT(enc[i] > 0x20 && enc[i] < 0x7F && enc[i] != '&' && enc[i] != '"');
    evbuffer_drain(b, len);
    (void)hs_url_is_http(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    enum evhttp_cmd_type method = METHODS[data[0] % (sizeof METHODS / sizeof *METHODS)];
    size_t body = data[1] % 3 == 0 ? 0 : data[1] % 3 == 1 ? HS_MAX_BODY : HS_MAX_BODY + 1;
    char *uri = fuzz_text(data + 2, size - 2);
    size_t uri_len = strlen(uri);
    if (uri_len + 2 < size) /* after the target's NUL: an Authorization header */
        check_auth(uri + uri_len + 1);
    hs_req r = {0};
    hs_target t;
    hs_route_resolve(&r, method, uri, body, &t);
    FUZZ_ASSERT((t.handler != NULL) != (t.status != 0));
    if (t.handler == NULL) {
        FUZZ_ASSERT(t.status >= 400 && t.status < 500 && t.code && t.why);
        FUZZ_ASSERT(!t.html || t.title);
        FUZZ_ASSERT(t.id == NULL);
    } else {
        FUZZ_ASSERT(method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD);
        FUZZ_ASSERT(body <= HS_MAX_BODY && strlen(uri) <= HS_MAX_URL);
        FUZZ_ASSERT(r.path != NULL && hs_text_ok(r.path, strlen(r.path)));
        FUZZ_ASSERT(t.id == NULL || hs_text_ok(t.id, strlen(t.id)));
        FUZZ_ASSERT(r.params.n <= HS_MAX_PARAMS);
        struct evbuffer *b = evbuffer_new();
        for (size_t i = 0; i < r.params.n; i++) {
            FUZZ_ASSERT(hs_text_ok(r.params.name[i], strlen(r.params.name[i])));
            FUZZ_ASSERT(hs_text_ok(r.params.value[i], strlen(r.params.value[i])));
            use_value(r.params.value[i], b);
        }
        use_value(r.path, b);
        if (t.id)
            use_value(t.id, b);
        /* highlight spans as a search reply gives them, from the input */
        const char *text = r.params.n ? r.params.value[0] : r.path;
        json_t *spans = json_array();
        for (size_t i = 2; i + 1 < size && i < 18; i += 2)
            json_array_append_new(spans, json_pack("[ii]", (json_int_t)data[i] % 40 - 4,
                                                   (json_int_t)data[i + 1] % 40 - 4));
        hs_html_highlight(b, text, spans);
        json_decref(spans);
        check_escaped(b);
        evbuffer_free(b);
    }
    free(t.id);
    hs_params_free(&r.params);
    free((char *)r.raw_path);
    free(uri);
    return 0;
}
