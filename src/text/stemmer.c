/*
 * stemmer.c — Snowball "english" (libstemmer, UTF-8) and the rules of
 * when to use it.  The term cache (termcache.c) owns one hq_stemmer and
 * calls it once per distinct word; nobody else needs to.  Not
 * thread-safe: an sb_stemmer keeps its work buffer between calls.
 *
 * An hq_stem_memo is the one thread-safe part: folded word → stem and
 * stop flag, shared by the term caches of the index builder's threads,
 * so that each distinct folded word is stemmed once in all, not once per
 * thread and per spelling ("Fever" and "fever" fold alike).  Snowball
 * takes about 2,500 instructions a word, a memo lookup (a hash, one
 * probe, a mutex) about a tenth.  Layout: an open-addressing table
 * (linear probing, at most half full) of entries whose strings live in
 * the memo's arena; at most MEMO_MAX words, then words are stemmed each
 * time.
 */
#include "text.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MEMO_MAX HQ_TERM_CACHE_MAX

typedef struct memo_entry {
    const char *word, *stem; /* NULL word: empty; stem NUL-terminated */
    uint64_t hash;
    uint32_t len, stem_len;
    bool stop;
} memo_entry;

struct hq_stem_memo {
    pthread_mutex_t mu; /* guards everything below */
    memo_entry *slots;
    size_t mask, n;
    hq_arena arena;
};

struct hq_stemmer {
    struct sb_stemmer *sb;
};

hq_stemmer *hq_stemmer_new(void)
{
    hq_stemmer *st = hq_xmalloc(sizeof *st);
    st->sb = sb_stemmer_new("english", "UTF_8");
    if (st->sb == NULL) { /* only out of memory: "english" is always built in */
        fprintf(stderr, "healthqa: cannot create the Snowball english stemmer\n");
        abort();
    }
    return st;
}

void hq_stemmer_free(hq_stemmer *st)
{
    if (st == NULL)
        return;
    sb_stemmer_delete(st->sb);
    free(st);
}

static bool has_digit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return true;
    return false;
}

const char *hq_stem(hq_stemmer *st, const char *word, size_t len, size_t *stem_len)
{
    *stem_len = len;
    if (len == 0 || len > HQ_TEXT_MAX_STEM || has_digit(word, len))
        return word;
    const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
    if (s == NULL) { /* libstemmer's only failure */
        fprintf(stderr, "healthqa: out of memory in the stemmer\n");
        abort();
    }
    int n = sb_stemmer_length(st->sb);
    /* english only removes or shortens suffixes; bound it all the same */
    *stem_len = n <= 0 ? 0 : n > HQ_TEXT_MAX_STEM ? HQ_TEXT_MAX_STEM : (size_t)n;
    if (*stem_len == len && memcmp(s, word, len) == 0)
        return word;
    return (const char *)s;
}

hq_stem_memo *hq_stem_memo_new(void)
{
    hq_stem_memo *m = hq_xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    m->mask = 4095;
    m->slots = hq_xcalloc(m->mask + 1, sizeof *m->slots);
    hq_arena_init(&m->arena);
    return m;
}

void hq_stem_memo_free(hq_stem_memo *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m->slots);
    hq_arena_free(&m->arena);
    free(m);
}

/* The slot of word (m->mu held): its entry, or the empty slot where it
 * would go. */
static memo_entry *memo_slot(const hq_stem_memo *m, const char *word, size_t len, uint64_t h)
{
    size_t i = h & m->mask;
    for (; m->slots[i].word != NULL; i = (i + 1) & m->mask) {
        const memo_entry *e = &m->slots[i];
        if (e->hash == h && e->len == len && memcmp(e->word, word, len) == 0)
            break;
    }
    return &m->slots[i];
}

/* Doubles m's table (m->mu held). */
static void memo_grow(hq_stem_memo *m)
{
    size_t n_slots = (m->mask + 1) * 2;
    memo_entry *slots = hq_xcalloc(n_slots, sizeof *slots);
    for (size_t i = 0; i <= m->mask; i++) {
        if (m->slots[i].word == NULL)
            continue;
        size_t j = m->slots[i].hash & (n_slots - 1);
        while (slots[j].word != NULL)
            j = (j + 1) & (n_slots - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->mask = n_slots - 1;
}

size_t hq_stem_memo_get(hq_stem_memo *m, hq_stemmer *st, const char *word, size_t len,
                        char *stem, bool *stop)
{
    uint64_t h = hq_hash_bytes(word, len);
    pthread_mutex_lock(&m->mu);
    const memo_entry *e = memo_slot(m, word, len, h);
    if (e->word != NULL) {
        size_t n = e->stem_len;
        memcpy(stem, e->stem, n + 1);
        *stop = e->stop;
        pthread_mutex_unlock(&m->mu);
        return n;
    }
    pthread_mutex_unlock(&m->mu);
    /* Not known: stemmed outside the lock (another thread may stem the
     * same word meanwhile; the first to come back keeps it). */
    size_t n;
    const char *s = hq_stem(st, word, len, &n);
    memcpy(stem, s, n);
    stem[n] = '\0';
    *stop = hq_is_stopword(word, len);
    pthread_mutex_lock(&m->mu);
    if (m->n < MEMO_MAX) {
        if (2 * (m->n + 1) > m->mask + 1)
            memo_grow(m);
        memo_entry *slot = memo_slot(m, word, len, h);
        if (slot->word == NULL) {
            *slot = (memo_entry){.word = hq_arena_strndup(&m->arena, word, len),
                                 .stem = hq_arena_strndup(&m->arena, stem, n),
                                 .hash = h,
                                 .len = (uint32_t)len,
                                 .stem_len = (uint32_t)n,
                                 .stop = *stop};
            m->n++;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return n;
}
