/*
 * neighbours.c — previous and next for hq_show(): every article shown
 * gets both.  The portal's own `<<:` / `>>:` links when they resolve to
 * a stored article ("via": "portal"); otherwise the article's neighbours
 * in the topic order of src/answer/order.c ("via": "topic"), with the
 * portal's unresolved title kept as "portal_title".
 *
 * The order is built on the first article shown (it needs the concept
 * table, built then if no search did it before) from every article's
 * id, title and MeSH tree (hq_about_tree): about 0.1 s for the full
 * corpus beside the concept table's second.  When the concept table
 * cannot be built, the order is by title alone.  Invariant: e->order holds
 * exactly the articles of the store as of change e->order_seq; a call
 * that finds the store's change log moved on first brings it up to date
 * (the articles changed since, from the change log, are taken out and put
 * back: a write through the API costs a fraction of a millisecond here;
 * over 1,000 changes, it is built anew), so a shown article is always in
 * it.  A lookup is a binary search under e->order_lock: microseconds.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#define MAX_UPDATES 1000 /* changed articles updated in place; more: built anew */

typedef struct order_ctx {
    const hq_vocab *v; /* NULL: no concept table, titles only */
    hq_analyzer *a;
    hq_tokens toks;
    hq_arena strings;
    hq_order_entry *entries;
    size_t n, cap;
} order_ctx;

static hq_status take_article(void *vctx, const hq_topic *t)
{
    order_ctx *c = vctx;
    hq_grow((void **)&c->entries, &c->cap, c->n + 1, sizeof *c->entries);
    c->entries[c->n++] = (hq_order_entry){
        hq_arena_strdup(&c->strings, t->article_id),
        t->title ? hq_arena_strdup(&c->strings, t->title) : NULL,
        c->v ? hq_about_tree(c->v, c->a, &c->toks, t->article_id, t->title) : NULL};
    return HQ_OK;
}

/* Builds e->order from the store as of change seq (under order_lock),
 * with the concept table v (may be NULL). */
static hq_status build_order(hq_engine *e, const hq_vocab *v, uint64_t seq, hq_error *err)
{
    order_ctx c = {.v = v, .a = hq_engine_take_analyzer(e)};
    hq_arena_init(&c.strings);
    hq_status rc = hq_store_each_topic(e->store, take_article, &c, err);
    if (rc == HQ_OK) {
        hq_order_free(e->order);
        e->order = hq_order_build(c.entries, c.n);
        e->order_seq = seq;
    }
    hq_engine_release_analyzer(e, c.a);
    hq_tokens_free(&c.toks);
    free(c.entries);
    hq_arena_free(&c.strings);
    return rc;
}

/* Brings e->order from change e->order_seq to seq (under order_lock):
 * each article changed since is taken out, and put back from the store
 * when it still exists (hq_store_show gives its title).  Many changes (a
 * re-index) or much dropped memory: built anew instead. */
static hq_status update_order(hq_engine *e, const hq_vocab *v, uint64_t seq, hq_error *err)
{
    char **ids = NULL;
    size_t n = 0;
    hq_status rc = hq_store_changed_since(e->store, e->order_seq, &ids, &n, err);
    bool rebuild = rc == HQ_OK && (n > MAX_UPDATES || hq_order_dropped(e->order) + n >
                                                           hq_order_size(e->order) / 2 + 64);
    hq_analyzer *a = rc == HQ_OK && !rebuild && v ? hq_engine_take_analyzer(e) : NULL;
    hq_tokens toks = {0};
    for (size_t i = 0; rc == HQ_OK && !rebuild && i < n; i++) {
        json_t *art = NULL;
        hq_order_remove(e->order, ids[i]);
        rc = hq_store_show(e->store, ids[i], &art, err);
        if (rc == HQ_ENOTFOUND) { /* deleted */
            hq_error_clear(err);
            rc = HQ_OK;
            continue;
        }
        const char *title = json_string_value(json_object_get(art, "title"));
        if (rc == HQ_OK)
            hq_order_add(e->order, &(hq_order_entry){
                                       ids[i], title,
                                       a ? hq_about_tree(v, a, &toks, ids[i], title) : NULL});
        json_decref(art);
    }
    if (a)
        hq_engine_release_analyzer(e, a);
    hq_tokens_free(&toks);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    if (rc == HQ_OK && rebuild)
        return build_order(e, v, seq, err);
    if (rc == HQ_OK)
        e->order_seq = seq;
    return rc;
}

/* Sets the link kind ("previous" or "next") of article a: the portal's
 * when it resolved, else n (a neighbour in the order; NULL: none). */
static void set_link(json_t *a, const char *kind, const hq_order_entry *n)
{
    json_t *l = json_object_get(a, kind);
    if (json_is_string(json_object_get(l, "id"))) {
        json_object_set_new(l, "via", json_string("portal"));
        return;
    }
    if (n == NULL)
        return;
    json_t *t = json_pack("{s:s?, s:s, s:s}", "title", n->title, "id", n->id, "via", "topic");
    const char *unresolved = json_string_value(json_object_get(l, "title"));
    if (unresolved)
        json_object_set_new(t, "portal_title", json_string(unresolved));
    json_object_set_new(a, kind, t);
}

hq_status hq_neighbours_fill(hq_engine *e, json_t *article, hq_error *err)
{
    const char *id = json_string_value(json_object_get(article, "id"));
    if (id == NULL)
        return HQ_OK;
    /* without the concept table (a vocabulary file that does not load:
     * search reports it) the order is by title alone: show still works */
    const hq_vocab *v = hq_engine_understanding(e, NULL) == HQ_OK ? e->vocab : NULL;
    uint64_t seq = 0;
    hq_status rc = hq_store_last_seq(e->store, &seq, err);
    if (rc != HQ_OK)
        return rc;
    pthread_mutex_lock(&e->order_lock);
    if (e->order == NULL)
        rc = build_order(e, v, seq, err);
    else if (e->order_seq != seq)
        rc = update_order(e, v, seq, err);
    const hq_order_entry *prev = NULL, *next = NULL;
    if (rc == HQ_OK && hq_order_neighbours(e->order, id, &prev, &next)) {
        set_link(article, "previous", prev);
        set_link(article, "next", next);
    }
    pthread_mutex_unlock(&e->order_lock);
    return rc;
}
