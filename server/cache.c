/*
 * cache.c — the query-result cache of /api/search: the serialized reply
 * of a request, kept under its normalised request (api.c builds the key
 * from the query with its filters, limit and offset) and the index
 * generation it was computed on.  As Lucene's query cache or
 * Elasticsearch's request cache, it turns a repeated question into a
 * hash lookup and a copy.
 *
 * Bounds: every byte the cache allocates is counted against max_bytes
 * (each entry: its header, key and reply; each shard's bucket array); an
 * insert evicts least recently used entries until it fits, and a reply
 * larger than an eighth of a shard's share is not kept.  So the cache's
 * memory never exceeds max_bytes (plus malloc's own bookkeeping).
 *
 * Freshness: an entry is served only for the generation it was stored
 * under.  When a request brings a newer generation (the index changed),
 * its shard drops every entry at once; a reply computed on an older
 * generation is not stored.
 *
 * Threads: the entries are spread over SHARDS shards by key hash, each
 * with its own mutex, LRU list and hash table; any thread may call any
 * function at once (the loops look up, the search pool stores).
 */
#include "server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS 16
#define MIN_BUCKETS 64

typedef struct entry {
    struct entry *chain;       /* next in the bucket */
    struct entry *prev, *next; /* LRU list: head most recent */
    uint64_t hash;
    size_t key_len, len;
    char data[];               /* the key, then the reply */
} entry;

typedef struct shard {
    pthread_mutex_t lock;
    entry **buckets;
    size_t n_buckets, n_entries;
    entry *head, *tail;
    size_t bytes, max_bytes;
    uint64_t gen;
    uint64_t hits, misses, inserts, evictions, invalidations;
} shard;

struct hs_cache {
    size_t max_bytes;
    shard shards[SHARDS];
};

/* FNV-1a, then MurmurHash3's finaliser: the shard comes from the top
 * bits and the bucket from the low ones, so every bit must depend on
 * every byte (keys differ in their last bytes). */
static uint64_t key_hash(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL)
        abort(); /* the project's policy: out of memory ends the process */
    return p;
}

static size_t entry_bytes(const entry *e)
{
    return sizeof *e + e->key_len + e->len;
}

hs_cache *hs_cache_new(size_t max_bytes)
{
    if (max_bytes < SHARDS * 4 * MIN_BUCKETS * sizeof(entry *))
        return NULL; /* too small to hold anything: no cache */
    hs_cache *c = xcalloc(1, sizeof *c);
    c->max_bytes = max_bytes;
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &c->shards[i];
        pthread_mutex_init(&s->lock, NULL);
        s->max_bytes = max_bytes / SHARDS;
        s->n_buckets = MIN_BUCKETS;
        s->buckets = xcalloc(s->n_buckets, sizeof *s->buckets);
        s->bytes = s->n_buckets * sizeof *s->buckets;
    }
    return c;
}

/* ---- one shard (its lock held) ---------------------------------------- */

static void lru_unlink(shard *s, entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(shard *s, entry *e)
{
    e->prev = NULL;
    e->next = s->head;
    if (s->head)
        s->head->prev = e;
    s->head = e;
    if (s->tail == NULL)
        s->tail = e;
}

static entry **find_slot(shard *s, uint64_t hash, const char *key, size_t key_len)
{
    entry **slot = &s->buckets[hash & (s->n_buckets - 1)];
    while (*slot && ((*slot)->hash != hash || (*slot)->key_len != key_len ||
                     memcmp((*slot)->data, key, key_len) != 0))
        slot = &(*slot)->chain;
    return slot;
}

/* Unlinks e from its bucket and the LRU list and frees it. */
static void drop(shard *s, entry *e)
{
    entry **slot = find_slot(s, e->hash, e->data, e->key_len);
    *slot = e->chain;
    lru_unlink(s, e);
    s->bytes -= entry_bytes(e);
    s->n_entries--;
    free(e);
}

static void clear(shard *s)
{
    while (s->tail) {
        drop(s, s->tail);
        s->invalidations++;
    }
}

/* Brings the shard to generation gen (dropping every entry when gen is
 * newer); false when gen is older than the shard's. */
static bool at_generation(shard *s, uint64_t gen)
{
    if (gen < s->gen)
        return false;
    if (gen > s->gen) {
        clear(s);
        s->gen = gen;
    }
    return true;
}

/* Doubles the bucket array when entries outnumber buckets, while the
 * array stays within a quarter of the shard's budget and the budget has
 * room for it (else chains grow longer: a full cache holds few large
 * replies, so they stay short). */
static void maybe_grow(shard *s)
{
    size_t n = s->n_buckets * 2, extra = s->n_buckets * sizeof *s->buckets;
    if (s->n_entries <= s->n_buckets || n * sizeof *s->buckets > s->max_bytes / 4 ||
        s->bytes + extra > s->max_bytes)
        return;
    entry **b = xcalloc(n, sizeof *b);
    for (size_t i = 0; i < s->n_buckets; i++)
        for (entry *e = s->buckets[i], *next; e; e = next) {
            next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    free(s->buckets);
    s->buckets = b;
    s->n_buckets = n;
    s->bytes += extra;
}

/* ---- the interface -------------------------------------------------------- */

static shard *shard_of(hs_cache *c, uint64_t hash)
{
    return &c->shards[(hash >> 56) % SHARDS];
}

bool hs_cache_get(hs_cache *c, uint64_t gen, const char *key, size_t key_len,
                  struct evbuffer *out)
{
    if (c == NULL)
        return false;
    uint64_t hash = key_hash(key, key_len);
    shard *s = shard_of(c, hash);
    pthread_mutex_lock(&s->lock);
    entry *e = at_generation(s, gen) ? *find_slot(s, hash, key, key_len) : NULL;
    if (e) {
        lru_unlink(s, e);
        lru_push_front(s, e);
        evbuffer_add(out, e->data + e->key_len, e->len);
        s->hits++;
    } else {
        s->misses++;
    }
    pthread_mutex_unlock(&s->lock);
    return e != NULL;
}

void hs_cache_put(hs_cache *c, uint64_t gen, const char *key, size_t key_len, const void *reply,
                  size_t len)
{
    if (c == NULL)
        return;
    uint64_t hash = key_hash(key, key_len);
    shard *s = shard_of(c, hash);
    size_t need = sizeof(entry) + key_len + len;
    if (need > s->max_bytes / 8)
        return; /* one reply may not push out a large part of the cache */
    entry *e = malloc(need);
    if (e == NULL)
        abort();
    *e = (entry){.hash = hash, .key_len = key_len, .len = len};
    memcpy(e->data, key, key_len);
    memcpy(e->data + key_len, reply, len);
    pthread_mutex_lock(&s->lock);
    if (!at_generation(s, gen)) {
        pthread_mutex_unlock(&s->lock);
        free(e);
        return;
    }
    entry *old = *find_slot(s, hash, key, key_len);
    if (old)
        drop(s, old); /* two threads computed the same reply: keep the newer */
    while (s->tail && s->bytes + need > s->max_bytes) {
        drop(s, s->tail);
        s->evictions++;
    }
    entry **slot = &s->buckets[hash & (s->n_buckets - 1)];
    e->chain = *slot;
    *slot = e;
    lru_push_front(s, e);
    s->bytes += need;
    s->n_entries++;
    s->inserts++;
    maybe_grow(s);
    pthread_mutex_unlock(&s->lock);
}

void hs_cache_stats_get(hs_cache *c, hs_cache_stats *out)
{
    memset(out, 0, sizeof *out);
    if (c == NULL)
        return;
    out->max_bytes = c->max_bytes;
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &c->shards[i];
        pthread_mutex_lock(&s->lock);
        out->hits += s->hits;
        out->misses += s->misses;
        out->inserts += s->inserts;
        out->evictions += s->evictions;
        out->invalidations += s->invalidations;
        out->entries += s->n_entries;
        out->bytes += s->bytes;
        pthread_mutex_unlock(&s->lock);
    }
}

void hs_cache_free(hs_cache *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &c->shards[i];
        while (s->tail)
            drop(s, s->tail);
        free(s->buckets);
        pthread_mutex_destroy(&s->lock);
    }
    free(c);
}
