/*
 * intern.c — distinct byte strings numbered 0, 1, 2, ... in order of
 * first sight.  The analyzer numbers its terms with one, so that the
 * index builder adds postings by id instead of hashing every token; the
 * memindex numbers a segment's terms with another.
 *
 * Layout: the strings (NUL-terminated) in an arena; the entries id →
 * {string, length}, in chunks of CHUNK found through a directory; an
 * open-addressing table (linear probing, at most two thirds full: half
 * cost the index builder's dictionaries 0.5 MiB more) of slots
 * {id + 1, tag}, the tag being the high half of the
 * string's hash, which also places the slot.  A probe compares tags in
 * the table and reads an entry and its string only when they agree, so
 * a new string costs no read outside the table (those dependent misses
 * were most of the analyzer's numbering of new terms), and growing the
 * table reads no string.  The table grows by doubling, so an id costs
 * about 32 bytes and its string.
 *
 * Threads: one thread looks up and adds; others may name the ids it
 * gave (hq_intern_str) and read the size while it adds more (the index
 * builder's merger names the terms of an analyzer's runs).  Strings and
 * entries never move once written, a directory that grows is copied,
 * published with a release store, and the one it replaces kept until a
 * clear (they add up to less than the last, a pointer per CHUNK ids),
 * and the size is stored with release after the entry: an id handed to
 * another thread, by whatever makes the handing over safe (a mutex, a
 * queue), or below the size it read, carries its entry with it.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    const char *s;
    uint32_t len;
} entry;

#define CHUNK_SHIFT 10
#define CHUNK ((size_t)1 << CHUNK_SHIFT) /* entries */

/* The chunks of entries, by id / CHUNK; replaced by a copy twice as
 * large when full. */
typedef struct directory {
    size_t cap;
    struct directory *older; /* the one it replaced, kept for readers */
    entry *chunk[];
} directory;

typedef struct islot {
    uint32_t id1; /* id + 1; 0: empty */
    uint32_t tag; /* the high half of the string's hash; its low bits place the slot */
} islot;

struct hq_intern {
    hq_arena strings;
    directory *dir; /* atomic: loaded with acquire, stored with release */
    size_t n;       /* stored with release, after its entry */
    islot *slots;
    size_t mask;     /* slots - 1 */
};

static directory *new_directory(size_t cap)
{
    directory *d = hq_xcalloc(1, sizeof *d + cap * sizeof *d->chunk);
    d->cap = cap;
    return d;
}

/* Frees the directories d replaced. */
static void free_older(directory *d)
{
    for (directory *x = d->older, *next; x != NULL; x = next) {
        next = x->older;
        free(x);
    }
}

static inline entry *entry_of(const directory *d, uint32_t id)
{
    return &d->chunk[id >> CHUNK_SHIFT][id & (CHUNK - 1)];
}

/* Where entry id goes, its chunk made first: the directory, when full,
 * is replaced by a larger copy, published after its chunks. */
static entry *room_for(hq_intern *t, uint32_t id)
{
    size_t c = id >> CHUNK_SHIFT;
    directory *d = t->dir;
    if (c >= d->cap) {
        directory *x = new_directory(d->cap * 2);
        memcpy(x->chunk, d->chunk, d->cap * sizeof *d->chunk);
        x->older = d;
        __atomic_store_n(&t->dir, x, __ATOMIC_RELEASE);
        d = x;
    }
    if (d->chunk[c] == NULL)
        d->chunk[c] = hq_xmalloc(CHUNK * sizeof(entry));
    return entry_of(d, id);
}

hq_intern *hq_intern_new(void)
{
    hq_intern *t = hq_xcalloc(1, sizeof *t);
    hq_arena_init(&t->strings);
    t->dir = new_directory(16);
    t->mask = 1023;
    t->slots = hq_xcalloc_eager(t->mask + 1, sizeof *t->slots);
    return t;
}

void hq_intern_free(hq_intern *t)
{
    if (t == NULL)
        return;
    hq_arena_free(&t->strings);
    free_older(t->dir);
    for (size_t c = 0; c < t->dir->cap && t->dir->chunk[c] != NULL; c++)
        free(t->dir->chunk[c]);
    free(t->dir);
    free(t->slots);
    free(t);
}

void hq_intern_clear(hq_intern *t)
{
    hq_arena_free(&t->strings);
    free_older(t->dir);
    t->dir->older = NULL;
    __atomic_store_n(&t->n, 0, __ATOMIC_RELEASE); /* the chunks stay, for the ids to come */
    memset(t->slots, 0, (t->mask + 1) * sizeof *t->slots);
}

size_t hq_intern_size(const hq_intern *t)
{
    return __atomic_load_n(&t->n, __ATOMIC_ACQUIRE);
}

size_t hq_intern_bytes(const hq_intern *t)
{
    size_t chunks = (t->n + CHUNK - 1) / CHUNK;
    return t->strings.used + chunks * CHUNK * sizeof(entry) +
           t->dir->cap * sizeof *t->dir->chunk + (t->mask + 1) * sizeof *t->slots;
}

const char *hq_intern_str(const hq_intern *t, uint32_t id, size_t *len)
{
    const entry *e = entry_of(__atomic_load_n(&t->dir, __ATOMIC_ACQUIRE), id);
    *len = e->len;
    return e->s;
}

/* The slot holding s (whose tag is tag), or the empty one where it
 * would go. */
static size_t find_slot(const hq_intern *t, const char *s, size_t len, uint32_t tag)
{
    size_t i = tag & t->mask;
    for (; t->slots[i].id1 != 0; i = (i + 1) & t->mask) {
        if (t->slots[i].tag != tag)
            continue;
        const entry *e = entry_of(t->dir, t->slots[i].id1 - 1);
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

uint32_t hq_intern_tag(const char *s, size_t len)
{
    return (uint32_t)(hq_hash_bytes(s, len) >> 32);
}

/* The first slot from tag's on whose tag is tag, or NULL when an empty
 * slot comes first. */
static const islot *first_tagged(const hq_intern *t, uint32_t tag)
{
    for (size_t i = tag & t->mask; t->slots[i].id1 != 0; i = (i + 1) & t->mask)
        if (t->slots[i].tag == tag)
            return &t->slots[i];
    return NULL;
}

void hq_intern_prefetch(const hq_intern *t, uint32_t tag, int stage)
{
    if (stage == HQ_INTERN_SLOT) {
        __builtin_prefetch(&t->slots[tag & t->mask]);
        return;
    }
    const islot *slot = first_tagged(t, tag);
    if (slot == NULL)
        return; /* a new string: nothing more to read */
    const entry *e = entry_of(t->dir, slot->id1 - 1);
    __builtin_prefetch(stage == HQ_INTERN_ENTRY ? (const void *)e : (const void *)e->s);
}

uint32_t hq_intern_find(const hq_intern *t, const char *s, size_t len)
{
    size_t i = find_slot(t, s, len, hq_intern_tag(s, len));
    return t->slots[i].id1 ? t->slots[i].id1 - 1 : HQ_NO_ID;
}

uint32_t hq_intern_id(hq_intern *t, const char *s, size_t len, bool *added)
{
    return hq_intern_id_tagged(t, s, len, hq_intern_tag(s, len), added);
}

uint32_t hq_intern_id_tagged(hq_intern *t, const char *s, size_t len, uint32_t tag,
                             bool *added)
{
    size_t i = find_slot(t, s, len, tag);
    if (added)
        *added = t->slots[i].id1 == 0;
    if (t->slots[i].id1 != 0)
        return t->slots[i].id1 - 1;
    if (t->n >= HQ_NO_ID - 1)
        abort(); /* 4 billion distinct strings: memory ran out long before */
    uint32_t id = (uint32_t)t->n;
    *room_for(t, id) = (entry){hq_arena_strndup(&t->strings, s, len), (uint32_t)len};
    __atomic_store_n(&t->n, t->n + 1, __ATOMIC_RELEASE);
    t->slots[i] = (islot){id + 1, tag};
    if (3 * t->n > 2 * (t->mask + 1))
        grow_slots(t);
    return id;
}
