/*
 * cache.c — the query-result cache of /api/search: the serialized reply
 * of a request, kept under its normalised request (api.c builds the key
 * from the query with its filters, limit and offset) and the index
 * generation it was computed on.  As Lucene's query cache or
 * Elasticsearch's request cache, it turns a repeated question into a
 * hash lookup and a copy.
 *
 * Memory: one region of max_bytes, mapped at creation, cut into CHUNK
 * byte chunks (as memcached's slabs); an entry is a chain of chunks (the
 * first holds its header and key, the reply follows across the chain),
 * and the hash tables are taken from the same budget.  Nothing is
 * malloc'd after creation, so the cache can neither exceed its bound nor
 * fragment the heap: the process's memory stops growing once every chunk
 * has been used (a churned malloc'd cache kept growing the heap for
 * minutes, bench/load.sh --rss-minutes).  An insert evicts least
 * recently used entries until its chunks are free; a reply needing more
 * than an eighth of a shard's chunks, or a key longer than KEY_MAX, is
 * not kept.
 *
 * Freshness: an entry is served only for the generation it was stored
 * under.  When a request brings a newer generation (the index changed),
 * its shard drops every entry at once; a reply computed on an older
 * generation is not stored.
 *
 * Threads: SHARDS shards chosen by key hash, each with its own mutex,
 * chunks, LRU list and hash table; any thread may call any function at
 * once (the loops look up, the search pool stores).
 */
#include "server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SHARDS 16
#define CHUNK 2048
#define MIN_CHUNKS 16 /* per shard: below that, no cache */

/* A chunk: the next one of its entry (or of the free list), then data. */
typedef struct chunk {
    struct chunk *next;
    char data[CHUNK - sizeof(struct chunk *)];
} chunk;
#define DATA (sizeof ((chunk *)0)->data)

/* The header at the start of an entry's first chunk's data. */
typedef struct entry {
    struct entry *chain;       /* next in the bucket */
    struct entry *prev, *next; /* LRU list: head most recent */
    uint64_t hash;
    size_t key_len, len;
    size_t n_chunks;
} entry;

typedef struct shard {
    pthread_mutex_t lock;
    entry **buckets;
    size_t mask; /* buckets - 1 */
    chunk *free;         /* chunks used once and freed since */
    chunk *fresh;        /* the shard's chunks; the last n_fresh never used yet */
    size_t n_chunks, n_free, n_fresh, n_entries;
    entry *head, *tail;
    uint64_t gen;
    uint64_t hits, misses, inserts, evictions, invalidations;
} shard;

struct hs_cache {
    void *region;
    size_t region_bytes, max_bytes;
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

/* The longest key kept: it must fit in the first chunk with the header,
 * so that lookups compare it in place (api.c's keys are a 1 KiB query
 * and filters; longer ones are simply not cached). */
#define KEY_MAX (DATA - sizeof(entry))

static size_t chunks_for(size_t key_len, size_t len)
{
    return (sizeof(entry) + key_len + len + DATA - 1) / DATA;
}

hs_cache *hs_cache_new(size_t max_bytes)
{
    /* per shard: n chunks and a bucket per chunk (at most one entry each) */
    size_t per_shard = max_bytes / SHARDS;
    size_t n = per_shard / (CHUNK + sizeof(entry *));
    size_t buckets = 1;
    while (buckets * 2 <= n)
        buckets *= 2;
    if (n < MIN_CHUNKS)
        return NULL; /* too small to hold anything: no cache */
    size_t shard_bytes = n * CHUNK + buckets * sizeof(entry *);
    size_t region_bytes = SHARDS * shard_bytes;
    void *region = mmap(NULL, region_bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    hs_cache *c = calloc(1, sizeof *c);
    if (region == MAP_FAILED || c == NULL)
        abort(); /* the project's policy: out of memory ends the process */
    c->region = region;
    c->region_bytes = region_bytes;
    c->max_bytes = max_bytes;
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &c->shards[i];
        char *base = (char *)region + (size_t)i * shard_bytes;
        pthread_mutex_init(&s->lock, NULL);
        s->n_chunks = s->n_free = s->n_fresh = n;
        s->fresh = (chunk *)base; /* the chunks, then the buckets; pages are
                                     touched when first used, not now */
        s->buckets = (entry **)(base + n * CHUNK); /* zero: mmap'd */
        s->mask = buckets - 1;
    }
    return c;
}

void hs_cache_free(hs_cache *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_destroy(&c->shards[i].lock);
    munmap(c->region, c->region_bytes);
    free(c);
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

static chunk *first_chunk(entry *e)
{
    return (chunk *)((char *)e - offsetof(chunk, data));
}

static const char *entry_key(const entry *e)
{
    return (const char *)(e + 1);
}

static entry **find_slot(shard *s, uint64_t hash, const char *key, size_t key_len)
{
    entry **slot = &s->buckets[hash & s->mask];
    while (*slot && ((*slot)->hash != hash || (*slot)->key_len != key_len ||
                     memcmp(entry_key(*slot), key, key_len) != 0))
        slot = &(*slot)->chain;
    return slot;
}

/* Unlinks e from its bucket and the LRU list; its chunks go back to the
 * free list. */
static void drop(shard *s, entry *e)
{
    entry **slot = &s->buckets[e->hash & s->mask];
    while (*slot != e)
        slot = &(*slot)->chain;
    *slot = e->chain;
    lru_unlink(s, e);
    chunk *last = first_chunk(e);
    for (size_t k = 1; k < e->n_chunks; k++)
        last = last->next;
    last->next = s->free;
    s->free = first_chunk(e);
    s->n_free += e->n_chunks;
    s->n_entries--;
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

/* Takes n chunks (n <= s->n_free), chained and ending in NULL: freed
 * ones first, then never used ones. */
static chunk *take_chunks(shard *s, size_t n)
{
    chunk *first = NULL, **tail = &first;
    for (size_t k = 0; k < n; k++) {
        chunk *ch;
        if (s->free) {
            ch = s->free;
            s->free = ch->next;
        } else {
            ch = &s->fresh[s->n_chunks - s->n_fresh--];
        }
        *tail = ch;
        tail = &ch->next;
    }
    *tail = NULL;
    s->n_free -= n;
    return first;
}

/* Copies src[0..n) into the chain from *ch at offset *at. */
static void chain_write(chunk **ch, size_t *at, const char *src, size_t n)
{
    while (n > 0) {
        if (*at == DATA) {
            *ch = (*ch)->next;
            *at = 0;
        }
        size_t k = DATA - *at < n ? DATA - *at : n;
        memcpy((*ch)->data + *at, src, k);
        *at += k;
        src += k;
        n -= k;
    }
}

/* Appends the reply of e to out, chunk by chunk. */
static void chain_read(const entry *e, struct evbuffer *out)
{
    const chunk *ch = first_chunk((entry *)e);
    size_t at = sizeof *e + e->key_len, left = e->len; /* at <= DATA: KEY_MAX */
    while (left > 0) {
        if (at == DATA) {
            ch = ch->next;
            at = 0;
        }
        size_t k = DATA - at < left ? DATA - at : left;
        evbuffer_add(out, ch->data + at, k);
        left -= k;
        at += k;
    }
}

/* ---- the interface -------------------------------------------------------- */

static shard *shard_of(hs_cache *c, uint64_t hash)
{
    return &c->shards[(hash >> 56) % SHARDS];
}

bool hs_cache_get(hs_cache *c, uint64_t gen, const char *key, size_t key_len,
                  struct evbuffer *out)
{
    if (c == NULL || key_len > KEY_MAX)
        return false;
    uint64_t hash = key_hash(key, key_len);
    shard *s = shard_of(c, hash);
    pthread_mutex_lock(&s->lock);
    entry *e = at_generation(s, gen) ? *find_slot(s, hash, key, key_len) : NULL;
    if (e) {
        lru_unlink(s, e);
        lru_push_front(s, e);
        chain_read(e, out);
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
    if (c == NULL || key_len > KEY_MAX)
        return;
    uint64_t hash = key_hash(key, key_len);
    shard *s = shard_of(c, hash);
    size_t need = chunks_for(key_len, len);
    if (need > s->n_chunks / 8)
        return; /* one reply may not push out a large part of the cache */
    pthread_mutex_lock(&s->lock);
    if (!at_generation(s, gen)) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    entry *old = *find_slot(s, hash, key, key_len);
    if (old)
        drop(s, old); /* two threads computed the same reply: keep the newer */
    while (s->n_free < need) {
        drop(s, s->tail);
        s->evictions++;
    }
    chunk *first = take_chunks(s, need);
    entry *e = (entry *)first->data;
    *e = (entry){.hash = hash, .key_len = key_len, .len = len, .n_chunks = need};
    chunk *ch = first;
    size_t at = sizeof *e;
    chain_write(&ch, &at, key, key_len);
    chain_write(&ch, &at, reply, len);
    entry **slot = &s->buckets[hash & s->mask];
    e->chain = *slot;
    *slot = e;
    lru_push_front(s, e);
    s->n_entries++;
    s->inserts++;
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
        out->bytes += (s->n_chunks - s->n_free) * CHUNK + (s->mask + 1) * sizeof(entry *);
        pthread_mutex_unlock(&s->lock);
    }
}
