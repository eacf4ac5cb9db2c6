/*
 * buf.c — growable, capped, NUL-terminated byte buffers.
 * Invariant: data == NULL or data[len] == '\0'; len <= limit.
 */
#include "base.h"

#include <string.h>

void hq_buf_init(hq_buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit ? limit : SIZE_MAX - 1;
}

void hq_buf_free(hq_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void hq_buf_reset(hq_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static hq_status reserve(hq_buf *b, size_t extra)
{
    if (extra > b->limit - b->len)
        return HQ_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need > b->cap) {
        size_t n = b->cap ? b->cap : 64;
        while (n < need)
            n = n > SIZE_MAX / 2 ? need : n * 2;
        b->data = hq_xrealloc(b->data, n);
        b->cap = n;
    }
    return HQ_OK;
}

hq_status hq_buf_append(hq_buf *b, const void *data, size_t len)
{
    if (reserve(b, len) != HQ_OK)
        return HQ_ELIMIT;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return HQ_OK;
}

hq_status hq_buf_puts(hq_buf *b, const char *s)
{
    return hq_buf_append(b, s, strlen(s));
}

hq_status hq_buf_printf(hq_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return HQ_EINVAL;
    if (reserve(b, (size_t)n) != HQ_OK)
        return HQ_ELIMIT;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return HQ_OK;
}

const char *hq_buf_str(const hq_buf *b)
{
    return b->data ? b->data : "";
}
