/*
 * intern.c — distinct byte strings numbered 0, 1, 2, ... in order of
 * first sight.  The analyzer numbers its terms with one, so that the
 * index builder adds postings by id instead of hashing every token; the
 * memindex numbers a segment's terms with another.  Not thread-safe.
 *
 * Layout: the strings (NUL-terminated) in an arena; an array id →
 * {string, length}; an open-addressing table (linear probing, at most
 * half full) of slots {id + 1, tag}, the tag being the high half of the
 * string's hash, which also places the slot.  A probe compares tags in
 * the table and reads an entry and its string only when they agree, so
 * a new string costs no read outside the table (those dependent misses
 * were most of the analyzer's numbering of new terms), and growing the
 * table reads no string.  Both grow by doubling, so an id costs about
 * 32 bytes and its string.
 *
 * A shared one (hq_intern_new_shared) takes its lock in every public
 * call, so that the index builder's analyzers, one per thread, number
 * their terms in one dictionary.  Its strings never move, so a string
 * handed out stays valid after the lock is released, until a clear.
 */
#include "base.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    const char *s;
    uint32_t len;
} entry;

typedef struct islot {
    uint32_t id1; /* id + 1; 0: empty */
    uint32_t tag; /* the high half of the string's hash; its low bits place the slot */
} islot;

struct hq_intern {
    hq_arena strings;
    entry *entries; /* by id */
    size_t n, cap;
    islot *slots;
    size_t mask;     /* slots - 1 */
    bool shared;     /* every public call holds mu */
    pthread_mutex_t mu;
};

static void lock(const hq_intern *t)
{
    if (t->shared)
        pthread_mutex_lock((pthread_mutex_t *)&t->mu);
}

static void unlock(const hq_intern *t)
{
    if (t->shared)
        pthread_mutex_unlock((pthread_mutex_t *)&t->mu);
}

hq_intern *hq_intern_new(void)
{
    hq_intern *t = hq_xcalloc(1, sizeof *t);
    hq_arena_init(&t->strings);
    t->mask = 1023;
    t->slots = hq_xcalloc_eager(t->mask + 1, sizeof *t->slots);
    return t;
}

/* The lock is held for a probe and at most an insertion (now and then a
 * doubling of the table): a brief lock (lock.c). */
hq_intern *hq_intern_new_shared(void)
{
    hq_intern *t = hq_intern_new();
    t->shared = true;
    hq_mutex_init_brief(&t->mu);
    return t;
}

void hq_intern_free(hq_intern *t)
{
    if (t == NULL)
        return;
    hq_arena_free(&t->strings);
    free(t->entries);
    free(t->slots);
    if (t->shared)
        pthread_mutex_destroy(&t->mu);
    free(t);
}

void hq_intern_clear(hq_intern *t)
{
    lock(t);
    hq_arena_free(&t->strings);
    t->n = 0;
    memset(t->slots, 0, (t->mask + 1) * sizeof *t->slots);
    unlock(t);
}

size_t hq_intern_size(const hq_intern *t)
{
    lock(t);
    size_t n = t->n;
    unlock(t);
    return n;
}

size_t hq_intern_bytes(const hq_intern *t)
{
    lock(t);
    size_t n = t->strings.used + t->cap * sizeof *t->entries + (t->mask + 1) * sizeof *t->slots;
    unlock(t);
    return n;
}

const char *hq_intern_str(const hq_intern *t, uint32_t id, size_t *len)
{
    lock(t);
    *len = t->entries[id].len;
    const char *s = t->entries[id].s;
    unlock(t);
    return s;
}

/* The slot holding s (whose tag is tag), or the empty one where it
 * would go. */
static size_t find_slot(const hq_intern *t, const char *s, size_t len, uint32_t tag)
{
    size_t i = tag & t->mask;
    for (; t->slots[i].id1 != 0; i = (i + 1) & t->mask) {
        if (t->slots[i].tag != tag)
            continue;
        const entry *e = &t->entries[t->slots[i].id1 - 1];
        if (e->len == len && memcmp(e->s, s, len) == 0)
            break;
    }
    return i;
}

static void grow_slots(hq_intern *t)
{
    size_t n = (t->mask + 1) * 2;
    islot *slots = hq_xcalloc_eager(n, sizeof *slots);
    for (size_t k = 0; k <= t->mask; k++) {
        if (t->slots[k].id1 == 0)
            continue;
        size_t i = t->slots[k].tag & (n - 1);
        while (slots[i].id1 != 0)
            i = (i + 1) & (n - 1);
        slots[i] = t->slots[k];
    }
    free(t->slots);
    t->slots = slots;
    t->mask = n - 1;
}

static uint32_t tag_of(const char *s, size_t len)
{
    return (uint32_t)(hq_hash_bytes(s, len) >> 32);
}

uint32_t hq_intern_find(const hq_intern *t, const char *s, size_t len)
{
    uint32_t tag = tag_of(s, len);
    lock(t);
    size_t i = find_slot(t, s, len, tag);
    uint32_t id = t->slots[i].id1 ? t->slots[i].id1 - 1 : HQ_NO_ID;
    unlock(t);
    return id;
}

/* hq_intern_id with the lock held (if any). */
static uint32_t intern_locked(hq_intern *t, const char *s, size_t len, uint32_t tag, bool *added)
{
    size_t i = find_slot(t, s, len, tag);
    if (added)
        *added = t->slots[i].id1 == 0;
    if (t->slots[i].id1 != 0)
        return t->slots[i].id1 - 1;
    if (t->n >= HQ_NO_ID - 1)
        abort(); /* 4 billion distinct strings: memory ran out long before */
    hq_grow((void **)&t->entries, &t->cap, t->n + 1, sizeof *t->entries);
    uint32_t id = (uint32_t)t->n++;
    t->entries[id] = (entry){hq_arena_strndup(&t->strings, s, len), (uint32_t)len};
    t->slots[i] = (islot){id + 1, tag};
    if (2 * t->n > t->mask + 1)
        grow_slots(t);
    return id;
}

uint32_t hq_intern_id(hq_intern *t, const char *s, size_t len, bool *added)
{
    uint32_t tag = tag_of(s, len); /* hashed outside the lock */
    lock(t);
    uint32_t id = intern_locked(t, s, len, tag, added);
    unlock(t);
    return id;
}
