/*
 * error.c — the status table and error records.
 *
 * Every status has its description defined once, here, in an X-macro
 * table; hq_strerror() and the docs read from it.  hq_fail() keeps the
 * first error (later failures caused by the first one would only blur
 * the message).
 */
#include "base.h"

#include <string.h>

#define HQ_STATUS_TABLE(X)                                              \
    X(HQ_OK, "success")                                                 \
    X(HQ_EINVAL, "invalid argument")                                    \
    X(HQ_EIO, "input/output error")                                     \
    X(HQ_ENOTFOUND, "not found")                                        \
    X(HQ_EFORMAT, "malformed input")                                    \
    X(HQ_EUTF8, "invalid UTF-8")                                        \
    X(HQ_ELIMIT, "size limit exceeded")                                 \
    X(HQ_EEMPTY, "nothing to ingest")                                   \
    X(HQ_ESTORE, "store error")                                         \
    X(HQ_ECORRUPT, "corrupt data")                                      \
    X(HQ_EPARTIAL, "some inputs failed")

const char *hq_strerror(hq_status code)
{
    switch (code) {
#define HQ_STATUS_CASE(name, text) \
    case name:                     \
        return text;
        HQ_STATUS_TABLE(HQ_STATUS_CASE)
#undef HQ_STATUS_CASE
    }
    return "unknown status";
}

void hq_error_clear(hq_error *err)
{
    if (err == NULL)
        return;
    err->code = HQ_OK;
    err->where[0] = '\0';
    err->line = 0;
    err->offset = -1;
    err->message[0] = '\0';
}

/* Shortens s (a NUL-terminated buffer that vsnprintf may have cut) so it
 * does not end inside a UTF-8 sequence. */
static void cut_at_char_boundary(char *s, size_t size)
{
    size_t len = strnlen(s, size);
    if (len + 1 < size)
        return; /* not cut */
    size_t k = len;
    while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
        k--; /* k - 1 is the lead byte of the last sequence, or ASCII */
    if (k > 0 && (unsigned char)s[k - 1] >= 0xC0) {
        unsigned char lead = (unsigned char)s[k - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (len - (k - 1) < need)
            s[k - 1] = '\0';
    }
}

hq_status hq_vfail(hq_error *err, hq_status code, const char *where, long line, long offset,
                   const char *fmt, va_list ap)
{
    if (err == NULL || err->code != HQ_OK)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    cut_at_char_boundary(err->where, sizeof err->where);
    err->line = line;
    err->offset = offset;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    cut_at_char_boundary(err->message, sizeof err->message);
    return code;
}

hq_status hq_fail(hq_error *err, hq_status code, const char *where, long line, long offset,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hq_status rc = hq_vfail(err, code, where, line, offset, fmt, ap);
    va_end(ap);
    return rc;
}

const char *hq_error_format(const hq_error *err, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    size_t n = 0;
    int w;
    buf[0] = '\0';
#define HQ_APPEND(...)                                                     \
    do {                                                                   \
        w = snprintf(buf + n, size - n, __VA_ARGS__);                      \
        if (w < 0 || (size_t)w >= size - n)                                \
            return buf;                                                    \
        n += (size_t)w;                                                    \
    } while (0)
    if (err->where[0] != '\0') {
        HQ_APPEND("%s", err->where);
        if (err->line > 0)
            HQ_APPEND(":%ld", err->line);
        else if (err->offset >= 0)
            HQ_APPEND(": byte %ld", err->offset);
        HQ_APPEND(": ");
    }
    HQ_APPEND("%s", err->message[0] ? err->message : hq_strerror(err->code));
#undef HQ_APPEND
    return buf;
}
