/*
 * reply.c — sending a reply: the headers every reply carries (content
 * type, Content-Security-Policy, nosniff, Referrer-Policy), JSON bodies,
 * and the JSON error shape {"error": {"code", "message"}} with the status
 * that fits.  The handlers of api.c, pages.c and static.c call these;
 * server.c logs and counts what was sent (hs_req.status).  A handler
 * running on the search pool (pool.c) makes its reply here all the same;
 * only the sending waits for its loop.
 */
#include "server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No script at all, styles and images from this origin only. */
static const char CSP[] = "default-src 'self'; script-src 'none'; object-src 'none'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void hs_reply(hs_req *r, int status, const char *content_type, struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "Content-Type", content_type);
    evhttp_add_header(h, "Content-Security-Policy", CSP);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    if (status == 405)
        evhttp_add_header(h, "Allow", "GET, HEAD");
    const char *reason = NULL; /* evhttp knows the common ones, not 413/414/501 */
    switch (status) {
    case 413: reason = "Payload Too Large"; break;
    case 414: reason = "URI Too Long"; break;
    case 501: reason = "Not Implemented"; break;
    default: break;
    }
    if (body != NULL && evhttp_request_get_command(r->req) == EVHTTP_REQ_HEAD) {
        /* evhttp 2.1 would send the body of a HEAD reply, without its
         * length: say the length, send no body */
        char len[32];
        snprintf(len, sizeof len, "%zu", evbuffer_get_length(body));
        evhttp_add_header(h, "Content-Length", len);
        evbuffer_drain(body, evbuffer_get_length(body));
    }
    r->status = status;
    if (r->on_pool) { /* the loop sends it (server.c) */
        r->reply_status = status;
        r->reply_reason = reason;
        if (r->reply_body) /* a handler that replied twice: the last reply wins */
            evbuffer_free(r->reply_body);
        r->reply_body = evbuffer_new();
        if (r->reply_body == NULL)
            abort();
        if (body != NULL)
            evbuffer_add_buffer(r->reply_body, body);
        return;
    }
    evhttp_send_reply(r->req, status, reason, body);
}

struct evbuffer *hs_json_buffer(json_t *value)
{
    struct evbuffer *b = evbuffer_new();
    if (b == NULL)
        abort();
    if (hs_json_write(b, value) == 0)
        evbuffer_add(b, "\n", 1);
    json_decref(value);
    return b;
}

void hs_reply_json(hs_req *r, int status, json_t *value)
{
    struct evbuffer *b = hs_json_buffer(value);
    if (evbuffer_get_length(b) == 0)
        status = 500; /* a value jansson could not encode: a bug, not input */
    hs_reply(r, status, "application/json", b);
    evbuffer_free(b);
}

void hs_reply_error(hs_req *r, int status, const char *code, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_t *msg = json_string(message);
    if (msg == NULL) /* never echo bytes that are not UTF-8 */
        msg = json_string("the request is not valid");
    hs_reply_json(r, status, json_pack("{s:{s:s, s:o}}", "error", "code", code, "message", msg));
}

void hs_reply_hq_error(hs_req *r, hq_status rc, const hq_error *err)
{
    const char *what = err->message[0] ? err->message : hq_strerror(rc);
    switch (rc) {
    case HQ_EINVAL:
    case HQ_ELIMIT:
    case HQ_EUTF8:
        if (err->offset >= 0)
            hs_reply_error(r, 400, "bad_parameter", "byte %ld: %s", err->offset, what);
        else
            hs_reply_error(r, 400, "bad_parameter", "%s", what);
        break;
    case HQ_ENOTFOUND:
        hs_reply_error(r, 404, "not_found", "no article or section with this id");
        break;
    default:
        hs_reply_error(r, 500, "internal", "%s", what);
        break;
    }
}
