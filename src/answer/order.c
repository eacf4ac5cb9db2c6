/*
 * order.c — the topic order of articles that previous/next fall back on
 * when a page has no links of its own (see answer.h).  Built once from
 * (id, title, tree) triples by the engine (src/engine/neighbours.c),
 * then only read.
 *
 * Sort key, compared in this order:
 *   1. articles with a tree number before those without;
 *   2. the smallest of the article's tree numbers, as bytes (MeSH tree
 *      numbers have fixed-width levels, so byte order is tree order and
 *      a branch comes just before the branches under it);
 *   3. the title's key (hq_utf8_key: case, accents and punctuation
 *      ignored), then the id — a total order, so the ring does not depend
 *      on the order the store lists articles in.
 * Lookups by id are a binary search over a second array sorted by id.
 */
#include "answer.h"

#include <stdlib.h>
#include <string.h>

typedef struct item {
    hq_order_entry e;  /* strings in the arena */
    const char *tree;  /* the smallest tree number (NUL-terminated copy) or NULL */
    const char *key;   /* hq_utf8_key of the title */
} item;

typedef struct id_slot {
    const char *id;
    uint32_t at; /* index into items */
} id_slot;

struct hq_order {
    hq_arena arena;
    item *items;    /* in topic order */
    id_slot *by_id; /* sorted by id */
    size_t n;
};

/* The smallest of the ';'-separated tree numbers of trees, copied. */
static const char *smallest_tree(hq_arena *a, const char *trees)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *t = trees ? trees : ""; *t;) {
        size_t len = strcspn(t, ";");
        if (len > 0) {
            int c = best ? memcmp(t, best, len < best_len ? len : best_len) : -1;
            if (best == NULL || c < 0 || (c == 0 && len < best_len)) {
                best = t;
                best_len = len;
            }
        }
        t += len + (t[len] == ';');
    }
    return best ? hq_arena_strndup(a, best, best_len) : NULL;
}

static int by_topic(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    if ((a->tree == NULL) != (b->tree == NULL))
        return a->tree ? -1 : 1;
    int c = a->tree ? strcmp(a->tree, b->tree) : 0;
    if (c == 0)
        c = strcmp(a->key, b->key);
    return c ? c : strcmp(a->e.id, b->e.id);
}

static int by_id(const void *pa, const void *pb)
{
    return strcmp(((const id_slot *)pa)->id, ((const id_slot *)pb)->id);
}

hq_order *hq_order_build(const hq_order_entry *entries, size_t n)
{
    hq_order *o = hq_xcalloc(1, sizeof *o);
    hq_arena_init(&o->arena);
    o->items = hq_xcalloc(n + 1, sizeof *o->items);
    o->by_id = hq_xcalloc(n + 1, sizeof *o->by_id);
    hq_buf key;
    hq_buf_init(&key, 0);
    for (size_t i = 0; i < n; i++) {
        const hq_order_entry *e = &entries[i];
        hq_buf_reset(&key);
        hq_utf8_key(e->title ? e->title : "", &key);
        o->items[i] = (item){{hq_arena_strdup(&o->arena, e->id),
                              e->title ? hq_arena_strdup(&o->arena, e->title) : NULL,
                              e->tree ? hq_arena_strdup(&o->arena, e->tree) : NULL},
                             smallest_tree(&o->arena, e->tree),
                             hq_arena_strdup(&o->arena, hq_buf_str(&key))};
    }
    hq_buf_free(&key);
    qsort(o->items, n, sizeof *o->items, by_topic);
    for (size_t i = 0; i < n; i++)
        o->by_id[i] = (id_slot){o->items[i].e.id, (uint32_t)i};
    qsort(o->by_id, n, sizeof *o->by_id, by_id);
    o->n = n;
    return o;
}

void hq_order_free(hq_order *o)
{
    if (o == NULL)
        return;
    free(o->items);
    free(o->by_id);
    hq_arena_free(&o->arena);
    free(o);
}

size_t hq_order_size(const hq_order *o)
{
    return o->n;
}

bool hq_order_neighbours(const hq_order *o, const char *id, const hq_order_entry **prev,
                         const hq_order_entry **next)
{
    *prev = *next = NULL;
    size_t lo = 0, hi = o->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(o->by_id[mid].id, id);
        if (c == 0) {
            size_t at = o->by_id[mid].at;
            if (o->n > 1) {
                *prev = &o->items[(at + o->n - 1) % o->n].e;
                *next = &o->items[(at + 1) % o->n].e;
            }
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}
