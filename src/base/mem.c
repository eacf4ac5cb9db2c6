/*
 * mem.c — allocation wrappers with the project's out-of-memory policy:
 * print what failed and abort.  Callers never check for NULL.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t size)
{
    fprintf(stderr, "healthqa: out of memory allocating %zu bytes\n", size);
    abort();
}

void *hq_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory(size);
    return p;
}

void *hq_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory(n * size);
    return p;
}

void *hq_xcalloc_eager(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        out_of_memory(SIZE_MAX);
    void *p = hq_xmalloc(n * size);
    memset(p, 0, n * size); /* written: each page faulted in writable at once */
    return p;
}

void *hq_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (q == NULL)
        out_of_memory(size);
    return q;
}

char *hq_xstrndup(const char *s, size_t len)
{
    char *d = hq_xmalloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *hq_xstrdup(const char *s)
{
    return hq_xstrndup(s, strlen(s));
}

void hq_grow(void **items, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem)
        out_of_memory(SIZE_MAX);
    *items = hq_xrealloc(*items, n * elem);
    *cap = n;
}
