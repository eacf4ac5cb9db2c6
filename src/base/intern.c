/*
 * intern.c — distinct byte strings numbered 0, 1, 2, ... in order of
 * first sight.  The analyzer numbers its terms with one, so that the
 * index builder adds postings by id instead of hashing every token; the
 * memindex numbers a segment's terms with another.  Not thread-safe.
 *
 * Layout: the strings (NUL-terminated) in an arena; an array id →
 * {string, length, hash}; an open-addressing table of ids (linear
 * probing, at most half full).  Both grow by doubling, so an id costs
 * about 24 bytes and its string.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    const char *s;
    uint32_t len;
    uint32_t hash; /* the high half of the string's hash */
} entry;

struct hq_intern {
    hq_arena strings;
    entry *entries; /* by id */
    size_t n, cap;
    uint32_t *slots; /* id + 1; 0: empty */
    size_t mask;     /* slots - 1 */
};

hq_intern *hq_intern_new(void)
{
    hq_intern *t = hq_xcalloc(1, sizeof *t);
    hq_arena_init(&t->strings);
    t->mask = 1023;
    t->slots = hq_xcalloc_eager(t->mask + 1, sizeof *t->slots);
    return t;
}

void hq_intern_free(hq_intern *t)
{
    if (t == NULL)
        return;
    hq_arena_free(&t->strings);
    free(t->entries);
    free(t->slots);
    free(t);
}

void hq_intern_clear(hq_intern *t)
{
    hq_arena_free(&t->strings);
    t->n = 0;
    memset(t->slots, 0, (t->mask + 1) * sizeof *t->slots);
}

size_t hq_intern_size(const hq_intern *t)
{
    return t->n;
}

size_t hq_intern_bytes(const hq_intern *t)
{
    return t->strings.used + t->cap * sizeof *t->entries + (t->mask + 1) * sizeof *t->slots;
}

const char *hq_intern_str(const hq_intern *t, uint32_t id, size_t *len)
{
    *len = t->entries[id].len;
    return t->entries[id].s;
}

/* The slot holding s, or the empty one where it would go. */
static size_t find_slot(const hq_intern *t, const char *s, size_t len, uint64_t h)
{
    size_t i = h & t->mask;
    for (uint32_t id; (id = t->slots[i]) != 0; i = (i + 1) & t->mask) {
        const entry *e = &t->entries[id - 1];
        if (e->hash == (uint32_t)(h >> 32) && e->len == len && memcmp(e->s, s, len) == 0)
            break;
    }
    return i;
}

static void grow_slots(hq_intern *t)
{
    size_t n = (t->mask + 1) * 2;
    free(t->slots);
    t->slots = hq_xcalloc_eager(n, sizeof *t->slots);
    t->mask = n - 1;
    for (size_t id = 0; id < t->n; id++) {
        const entry *e = &t->entries[id];
        size_t i = hq_hash_bytes(e->s, e->len) & t->mask;
        while (t->slots[i] != 0)
            i = (i + 1) & t->mask;
        t->slots[i] = (uint32_t)id + 1;
    }
}

uint32_t hq_intern_find(const hq_intern *t, const char *s, size_t len)
{
    size_t i = find_slot(t, s, len, hq_hash_bytes(s, len));
    return t->slots[i] ? t->slots[i] - 1 : HQ_NO_ID;
}

uint32_t hq_intern_id(hq_intern *t, const char *s, size_t len, bool *added)
{
    uint64_t h = hq_hash_bytes(s, len);
    size_t i = find_slot(t, s, len, h);
    if (added)
        *added = t->slots[i] == 0;
    if (t->slots[i] != 0)
        return t->slots[i] - 1;
    if (t->n >= HQ_NO_ID - 1)
        abort(); /* 4 billion distinct strings: memory ran out long before */
    hq_grow((void **)&t->entries, &t->cap, t->n + 1, sizeof *t->entries);
    uint32_t id = (uint32_t)t->n++;
    t->entries[id] = (entry){hq_arena_strndup(&t->strings, s, len), (uint32_t)len,
                             (uint32_t)(h >> 32)};
    t->slots[i] = id + 1;
    if (2 * t->n > t->mask + 1)
        grow_slots(t);
    return id;
}
