/*
 * suggest.c — hq_suggest(): completions of article titles and topics
 * (focus) for a typed prefix, tolerant of one typing error.
 *
 * The first call on an engine reads every article's title and focus from
 * the store into an in-memory list (once, under its own mutex; later
 * calls only read it, so any number of threads may suggest at once).
 * Each distinct title has a key (case-folded, accents and punctuation
 * removed, words separated by one space: the rule of the store's
 * title_key), and the list holds one entry per word start of each key,
 * sorted, so "pain" completes "Back Pain" as well as "Pain relievers".
 *
 * A prefix is looked up by binary search; when it yields fewer than the
 * requested completions, every string at edit distance one (a byte
 * deleted, replaced, inserted or two swapped, over a-z, 0-9 and space)
 * is looked up too.  Ranking: exact before fuzzy, title starts before
 * word starts inside a title, then shorter titles, then by key.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LIMIT 20
#define MAX_PREFIX 1024  /* bytes of the query (longer: HQ_EINVAL) */
#define MAX_FUZZY 48     /* longer keys are only looked up exactly */
#define MIN_FUZZY 3      /* shorter keys are only looked up exactly */
#define MAX_SCAN 64      /* entries read per looked-up string */
#define MAX_CANDIDATES 512

typedef struct sg_title {
    char *text, *key, *article_id;
} sg_title;

typedef struct sg_entry {
    const char *word; /* points into the title's key */
    uint32_t title;
    uint32_t pos;     /* 0 when the entry is the start of the key */
} sg_entry;

struct hq_suggest_index {
    sg_title *titles;
    size_t n_titles, cap_titles;
    sg_entry *entries;
    size_t n_entries, cap_entries;
};

/* The comparison key of s (malloc'd; "" when s holds no letter or
 * digit): hq_utf8_key, the rule of the store's title keys. */
static char *key_of(const char *s)
{
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_utf8_key(s, &b);
    char *out = hq_xstrdup(hq_buf_str(&b));
    hq_buf_free(&b);
    return out;
}

static int compare_entry(const void *a, const void *b)
{
    const sg_entry *x = a, *y = b;
    int c = strcmp(x->word, y->word);
    return c ? c : (x->title > y->title) - (x->title < y->title);
}

static int compare_title_key(const void *a, const void *b)
{
    return strcmp(((const sg_title *)a)->key, ((const sg_title *)b)->key);
}

static void add_title(struct hq_suggest_index *ix, const char *text, const char *id)
{
    char *key = key_of(text);
    if (*key == '\0' || strlen(text) > 300) {
        free(key);
        return;
    }
    hq_grow((void **)&ix->titles, &ix->cap_titles, ix->n_titles + 1, sizeof *ix->titles);
    ix->titles[ix->n_titles++] = (sg_title){hq_xstrdup(text), key, hq_xstrdup(id)};
}

/* Keeps the first title of each key (titles arrive in article id order;
 * qsort is not stable, so ties are broken by article id). */
static int compare_title_key_id(const void *a, const void *b)
{
    int c = compare_title_key(a, b);
    return c ? c : strcmp(((const sg_title *)a)->article_id, ((const sg_title *)b)->article_id);
}

static void dedupe_titles(struct hq_suggest_index *ix)
{
    qsort(ix->titles, ix->n_titles, sizeof *ix->titles, compare_title_key_id);
    size_t kept = 0;
    for (size_t i = 0; i < ix->n_titles; i++) {
        sg_title *t = &ix->titles[i];
        if (kept > 0 && strcmp(ix->titles[kept - 1].key, t->key) == 0) {
            free(t->text);
            free(t->key);
            free(t->article_id);
            continue;
        }
        ix->titles[kept++] = *t;
    }
    ix->n_titles = kept;
}

static void add_entries(struct hq_suggest_index *ix)
{
    for (size_t i = 0; i < ix->n_titles; i++) {
        const char *key = ix->titles[i].key;
        for (const char *p = key; p != NULL; p = strchr(p, ' ')) {
            if (*p == ' ')
                p++;
            hq_grow((void **)&ix->entries, &ix->cap_entries, ix->n_entries + 1,
                    sizeof *ix->entries);
            ix->entries[ix->n_entries++] = (sg_entry){p, (uint32_t)i, (uint32_t)(p - key)};
        }
    }
    qsort(ix->entries, ix->n_entries, sizeof *ix->entries, compare_entry);
}

void hq_suggest_index_free(struct hq_suggest_index *ix)
{
    if (ix == NULL)
        return;
    for (size_t i = 0; i < ix->n_titles; i++) {
        free(ix->titles[i].text);
        free(ix->titles[i].key);
        free(ix->titles[i].article_id);
    }
    free(ix->titles);
    free(ix->entries);
    free(ix);
}

/* Reads the titles and topics of every article of the store. */
static hq_status build_index(hq_engine *e, struct hq_suggest_index **out, hq_error *err)
{
    sqlite3 *db = hq_store_db(e->store);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id, title, focus FROM articles ORDER BY id", -1, &s,
                           NULL) != SQLITE_OK)
        return hq_fail(err, HQ_ESTORE, hq_store_path(e->store), 0, -1,
                       "reading titles: %s", sqlite3_errmsg(db));
    struct hq_suggest_index *ix = hq_xcalloc(1, sizeof *ix);
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        const char *title = (const char *)sqlite3_column_text(s, 1);
        const char *focus = (const char *)sqlite3_column_text(s, 2);
        if (title)
            add_title(ix, title, id);
        if (focus && (title == NULL || strcmp(focus, title) != 0))
            add_title(ix, focus, id);
    }
    sqlite3_finalize(s);
    if (r != SQLITE_DONE) {
        hq_suggest_index_free(ix);
        return hq_fail(err, HQ_ESTORE, hq_store_path(e->store), 0, -1, "reading titles failed");
    }
    dedupe_titles(ix);
    add_entries(ix);
    *out = ix;
    return HQ_OK;
}

/* The engine's list, built on first use. */
static hq_status get_index(hq_engine *e, const struct hq_suggest_index **out, hq_error *err)
{
    pthread_mutex_lock(&e->suggest_lock);
    hq_status rc = HQ_OK;
    if (e->suggest == NULL)
        rc = build_index(e, &e->suggest, err);
    *out = e->suggest;
    pthread_mutex_unlock(&e->suggest_lock);
    return rc;
}

/* ---- lookup -------------------------------------------------------------- */

typedef struct sg_candidate {
    uint32_t title;
    uint32_t rank; /* fuzzy * 2 + (inside a title): lower is better */
} sg_candidate;

typedef struct sg_search {
    const struct hq_suggest_index *ix;
    sg_candidate items[MAX_CANDIDATES];
    size_t n;
} sg_search;

static void consider(sg_search *s, uint32_t title, uint32_t rank)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i].title == title) {
            if (rank < s->items[i].rank)
                s->items[i].rank = rank;
            return;
        }
    if (s->n < MAX_CANDIDATES)
        s->items[s->n++] = (sg_candidate){title, rank};
}

/* Adds the entries starting with p[0..len), at most MAX_SCAN. */
static void lookup(sg_search *s, const char *p, size_t len, bool fuzzy)
{
    const sg_entry *en = s->ix->entries;
    size_t lo = 0, hi = s->ix->n_entries;
    while (lo < hi) { /* first entry whose word is >= p[0..len) */
        size_t mid = lo + (hi - lo) / 2;
        if (strncmp(en[mid].word, p, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo, n = 0; i < s->ix->n_entries && n < MAX_SCAN; i++, n++) {
        if (strncmp(en[i].word, p, len) != 0)
            break;
        consider(s, en[i].title, (fuzzy ? 2u : 0u) + (en[i].pos ? 1u : 0u));
    }
}

/* Looks up every string at one edit from key[0..n). */
static void lookup_fuzzy(sg_search *s, const char *key, size_t n)
{
    static const char ALPHABET[] = "abcdefghijklmnopqrstuvwxyz0123456789 ";
    char v[MAX_FUZZY + 2];
    for (size_t i = 0; i < n; i++) { /* deletion */
        memcpy(v, key, i);
        memcpy(v + i, key + i + 1, n - i - 1);
        lookup(s, v, n - 1, true);
    }
    for (size_t i = 0; i + 1 < n; i++) { /* transposition */
        memcpy(v, key, n);
        v[i] = key[i + 1];
        v[i + 1] = key[i];
        lookup(s, v, n, true);
    }
    for (size_t i = 0; i <= n; i++)
        for (const char *c = ALPHABET; *c; c++) {
            if (i < n && *c != key[i]) { /* replacement */
                memcpy(v, key, n);
                v[i] = *c;
                lookup(s, v, n, true);
            }
            memcpy(v, key, i); /* insertion */
            v[i] = *c;
            memcpy(v + i + 1, key + i, n - i);
            lookup(s, v, n + 1, true);
        }
}

static int compare_candidate(const sg_title *titles, const sg_candidate *a,
                             const sg_candidate *b)
{
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    size_t la = strlen(titles[a->title].key), lb = strlen(titles[b->title].key);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(titles[a->title].key, titles[b->title].key);
}

/* Insertion sort: at most MAX_CANDIDATES items, and qsort has no context. */
static void rank_candidates(sg_search *s)
{
    for (size_t i = 1; i < s->n; i++) {
        sg_candidate c = s->items[i];
        size_t j = i;
        while (j > 0 && compare_candidate(s->ix->titles, &c, &s->items[j - 1]) < 0) {
            s->items[j] = s->items[j - 1];
            j--;
        }
        s->items[j] = c;
    }
}

hq_status hq_suggest(hq_engine *e, const char *prefix, size_t limit, json_t **out,
                     hq_error *err)
{
    *out = NULL;
    if (limit == 0)
        limit = 8;
    if (limit > MAX_LIMIT)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "limit must be 1..%d", MAX_LIMIT);
    if (prefix == NULL || strlen(prefix) > MAX_PREFIX)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "the prefix must be at most %d bytes",
                       MAX_PREFIX);
    long bad = hq_utf8_invalid_at(prefix, strlen(prefix));
    if (bad >= 0)
        return hq_fail(err, HQ_EINVAL, NULL, 0, bad, "the prefix is not valid UTF-8");
    const struct hq_suggest_index *ix = NULL;
    hq_status rc = get_index(e, &ix, err);
    if (rc != HQ_OK)
        return rc;
    char *key = key_of(prefix);
    size_t n = strlen(key);
    sg_search *s = hq_xmalloc(sizeof *s);
    s->ix = ix;
    s->n = 0;
    if (n > 0) {
        lookup(s, key, n, false);
        if (s->n < limit && n >= MIN_FUZZY && n <= MAX_FUZZY)
            lookup_fuzzy(s, key, n);
    }
    rank_candidates(s);
    json_t *list = json_array();
    for (size_t i = 0; i < s->n && i < limit; i++) {
        const sg_title *t = &ix->titles[s->items[i].title];
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "text", t->text, "article_id",
                                              t->article_id, "fuzzy", s->items[i].rank >= 2));
    }
    *out = json_pack("{s:s, s:o}", "query", prefix, "suggestions", list);
    free(s);
    free(key);
    return HQ_OK;
}
