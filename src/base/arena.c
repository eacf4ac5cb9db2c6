/*
 * arena.c — bump allocation in chained blocks.  Everything allocated
 * from an arena is released at once by hq_arena_free(); nothing is freed
 * singly.  Large requests get a block of their own.
 */
#include "base.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384

struct hq_arena_block {
    hq_arena_block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

void hq_arena_init(hq_arena *a)
{
    a->head = NULL;
    a->used = 0;
}

void hq_arena_free(hq_arena *a)
{
    hq_arena_block *b = a->head;
    while (b) {
        hq_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

void *hq_arena_alloc(hq_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    hq_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < size) {
        size_t bsize = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
        hq_arena_block *nb = hq_xmalloc(sizeof *nb + bsize);
        nb->size = bsize;
        nb->used = 0;
        if (b != NULL && bsize != ARENA_BLOCK) {
            /* keep the partly used block at the head for small requests */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    a->used += size;
    return p;
}

char *hq_arena_strndup(hq_arena *a, const char *s, size_t len)
{
    char *d = hq_arena_alloc(a, len + 1);
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *hq_arena_strdup(hq_arena *a, const char *s)
{
    return hq_arena_strndup(a, s, strlen(s));
}

char *hq_arena_printf(hq_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *d = hq_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}
