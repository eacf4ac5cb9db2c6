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
 * Adding or removing one article moves the arrays' tails: O(n), about
 * 0.1 ms for 12,000 articles, far less than building anew (a store
 * write changes a few articles).
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
    size_t n, cap;
    size_t n_dropped; /* entries removed since built (their strings stay in the arena) */
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

/* The item of entry e, its strings copied into o's arena. */
static item make_item(hq_order *o, const hq_order_entry *e)
{
    hq_buf key;
    hq_buf_init(&key, 0);
    hq_utf8_key(e->title ? e->title : "", &key);
    item it = {{hq_arena_strdup(&o->arena, e->id),
                e->title ? hq_arena_strdup(&o->arena, e->title) : NULL,
                e->tree ? hq_arena_strdup(&o->arena, e->tree) : NULL},
               smallest_tree(&o->arena, e->tree),
               hq_arena_strdup(&o->arena, hq_buf_str(&key))};
    hq_buf_free(&key);
    return it;
}

hq_order *hq_order_build(const hq_order_entry *entries, size_t n)
{
    hq_order *o = hq_xcalloc(1, sizeof *o);
    hq_arena_init(&o->arena);
    o->cap = n + 1;
    o->items = hq_xcalloc(o->cap, sizeof *o->items);
    o->by_id = hq_xcalloc(o->cap, sizeof *o->by_id);
    for (size_t i = 0; i < n; i++)
        o->items[i] = make_item(o, &entries[i]);
    qsort(o->items, n, sizeof *o->items, by_topic);
    for (size_t i = 0; i < n; i++)
        o->by_id[i] = (id_slot){o->items[i].e.id, (uint32_t)i};
    qsort(o->by_id, n, sizeof *o->by_id, by_id);
    o->n = n;
    return o;
}

/* The position in by_id of id, or where it would go (*found false). */
static size_t find_id(const hq_order *o, const char *id, bool *found)
{
    size_t lo = 0, hi = o->n;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(o->by_id[mid].id, id);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Moves every by_id index at or after `from` in items by delta (+1 or -1). */
static void shift_ids(hq_order *o, size_t from, int delta)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->by_id[i].at >= from)
            o->by_id[i].at = (uint32_t)((int64_t)o->by_id[i].at + delta);
}

void hq_order_remove(hq_order *o, const char *id)
{
    bool found;
    size_t k = find_id(o, id, &found);
    if (!found)
        return;
    size_t at = o->by_id[k].at;
    memmove(&o->by_id[k], &o->by_id[k + 1], (o->n - k - 1) * sizeof *o->by_id);
    memmove(&o->items[at], &o->items[at + 1], (o->n - at - 1) * sizeof *o->items);
    o->n--;
    o->n_dropped++;
    shift_ids(o, at + 1, -1);
}

void hq_order_add(hq_order *o, const hq_order_entry *e)
{
    hq_order_remove(o, e->id);
    if (o->n + 1 >= o->cap) {
        o->cap = 2 * o->cap + 1;
        o->items = hq_xrealloc(o->items, o->cap * sizeof *o->items);
        o->by_id = hq_xrealloc(o->by_id, o->cap * sizeof *o->by_id);
    }
    item it = make_item(o, e);
    size_t lo = 0, hi = o->n; /* the first item after it in topic order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_topic(&o->items[mid], &it) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&o->items[lo + 1], &o->items[lo], (o->n - lo) * sizeof *o->items);
    o->items[lo] = it;
    shift_ids(o, lo, +1);
    bool found;
    size_t k = find_id(o, it.e.id, &found);
    memmove(&o->by_id[k + 1], &o->by_id[k], (o->n - k) * sizeof *o->by_id);
    o->by_id[k] = (id_slot){it.e.id, (uint32_t)lo};
    o->n++;
}

size_t hq_order_dropped(const hq_order *o)
{
    return o->n_dropped;
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
    bool found;
    size_t k = find_id(o, id, &found);
    if (!found)
        return false;
    size_t at = o->by_id[k].at;
    if (o->n > 1) {
        *prev = &o->items[(at + o->n - 1) % o->n].e;
        *next = &o->items[(at + 1) % o->n].e;
    }
    return true;
}
