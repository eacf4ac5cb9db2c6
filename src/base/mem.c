/*
 * mem.c — allocation wrappers with the project's out-of-memory policy:
 * print what failed and abort.  Callers never check for NULL.
 *
 * A short-lived process may also ask for its heap to be made resident in
 * bulk as it grows (hq_memory_short_lived): the wrappers then check, after
 * each allocation, whether the C library's heap has grown past what was
 * made resident, and make the growth resident in one madvise call.
 */
#include "base.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__) && defined(__GLIBC__) && __GLIBC_PREREQ(2, 33) /* mallinfo2 */
#include <malloc.h>
#include <sys/mman.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels refuse it (EINVAL) */
#endif
#define RESIDENT_HEAP 1
#endif

/* The end of the heap made resident, a page boundary; 0: not asked for,
 * or not possible here.  Only ever raised (by compare-and-swap), so each
 * growth is made resident by one thread. */
static uintptr_t heap_resident;
static uintptr_t page_mask;

/* Makes the heap's growth since the last call resident, if any. */
static void make_growth_resident(void)
{
#ifdef RESIDENT_HEAP
    uintptr_t from = __atomic_load_n(&heap_resident, __ATOMIC_RELAXED);
    if (from == 0)
        return;
    uintptr_t to = (uintptr_t)sbrk(0) & ~page_mask; /* no system call: the C library's brk */
    if (to <= from ||
        !__atomic_compare_exchange_n(&heap_resident, &from, to, false, __ATOMIC_RELAXED,
                                     __ATOMIC_RELAXED))
        return;
    int saved = errno; /* the caller's, untouched by an allocation */
    if (madvise((void *)from, to - from, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
        __atomic_store_n(&heap_resident, 0, __ATOMIC_RELAXED); /* a kernel before 5.14 */
    errno = saved;
#endif
}

void hq_memory_short_lived(void)
{
#ifdef RESIDENT_HEAP
    mallopt(M_ARENA_MAX, 1);                /* every thread's blocks in the one heap */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);    /* blocks up to 32 MiB too (glibc's maximum) */
    mallopt(M_TRIM_THRESHOLD, INT32_MAX);   /* what is freed is kept, for reuse */
    long page = sysconf(_SC_PAGESIZE);
    page_mask = (uintptr_t)(page > 0 ? page : 4096) - 1;
    uintptr_t top = (uintptr_t)sbrk(0);
    size_t unused = mallinfo2().keepcost; /* the heap's free top, never touched */
    if (top == (uintptr_t)-1 || unused > top)
        return;
    __atomic_store_n(&heap_resident, (top - unused) & ~page_mask, __ATOMIC_RELAXED);
    make_growth_resident();
#endif
}

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
    make_growth_resident();
    return p;
}

void *hq_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory(n * size);
    make_growth_resident();
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
    make_growth_resident();
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
