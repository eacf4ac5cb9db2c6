/*
 * phrases.c — a dictionary of phrases over analysed terms, matched
 * longest-first: the machinery under the concept vocabulary (vocab.c)
 * and the question-type cues (question.c).
 *
 * A phrase is a sequence of terms, each known by its 64-bit hash.  The
 * phrases form a trie whose edges live in one open-addressing table
 * keyed by (parent node, term hash); node 0 is the root.  Each node that
 * ends a phrase has a chain of payloads (value, flags).  A lookup costs
 * one probe per term; matching a question of n terms costs at most n
 * walks, each as long as the longest phrase found.
 *
 * Terms are compared by hash only: two distinct terms share a 64-bit
 * hash with probability about 2^-64 per pair, which we accept.
 */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#define NO_PAYLOAD UINT32_MAX

typedef struct edge {
    uint64_t term;   /* the term's hash */
    uint32_t parent; /* node the edge leaves */
    uint32_t child;  /* node it reaches; 0 marks an empty slot (the root is never a child) */
} edge;

typedef struct payload {
    hq_phrase_payload p;
    uint32_t next; /* next payload of the same node, or NO_PAYLOAD */
} payload;

struct hq_phrasemap {
    edge *edges;        /* power-of-two table, at most half full */
    size_t cap_edges, n_edges;
    uint32_t *first;    /* per node: its first payload, or NO_PAYLOAD */
    size_t n_nodes, cap_nodes;
    payload *payloads;
    size_t n_payloads, cap_payloads;
    size_t n_phrases;
};

static size_t slot_of(uint64_t term, uint32_t parent, size_t cap)
{
    uint64_t h = term ^ ((uint64_t)parent * 0x9E3779B97F4A7C15ULL);
    h ^= h >> 29;
    return (size_t)(h & (cap - 1));
}

static uint32_t child_of(const hq_phrasemap *m, uint32_t parent, uint64_t term)
{
    for (size_t i = slot_of(term, parent, m->cap_edges);; i = (i + 1) & (m->cap_edges - 1)) {
        const edge *e = &m->edges[i];
        if (e->child == 0)
            return 0;
        if (e->term == term && e->parent == parent)
            return e->child;
    }
}

static void insert_edge(edge *table, size_t cap, edge e)
{
    size_t i = slot_of(e.term, e.parent, cap);
    while (table[i].child != 0)
        i = (i + 1) & (cap - 1);
    table[i] = e;
}

static void grow_edges(hq_phrasemap *m)
{
    size_t cap = m->cap_edges * 2;
    edge *table = hq_xcalloc(cap, sizeof *table);
    for (size_t i = 0; i < m->cap_edges; i++)
        if (m->edges[i].child != 0)
            insert_edge(table, cap, m->edges[i]);
    free(m->edges);
    m->edges = table;
    m->cap_edges = cap;
}

static uint32_t new_node(hq_phrasemap *m)
{
    hq_grow((void **)&m->first, &m->cap_nodes, m->n_nodes + 1, sizeof *m->first);
    m->first[m->n_nodes] = NO_PAYLOAD;
    return (uint32_t)m->n_nodes++;
}

hq_phrasemap *hq_phrasemap_new(void)
{
    hq_phrasemap *m = hq_xcalloc(1, sizeof *m);
    m->cap_edges = 1024;
    m->edges = hq_xcalloc(m->cap_edges, sizeof *m->edges);
    new_node(m); /* the root */
    return m;
}

void hq_phrasemap_free(hq_phrasemap *m)
{
    if (m == NULL)
        return;
    free(m->edges);
    free(m->first);
    free(m->payloads);
    free(m);
}

bool hq_phrasemap_add(hq_phrasemap *m, const uint64_t *terms, size_t n, uint32_t value,
                      uint32_t flags)
{
    if (n == 0)
        return false;
    uint32_t node = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t next = child_of(m, node, terms[i]);
        if (next == 0) {
            if (2 * (m->n_edges + 1) > m->cap_edges)
                grow_edges(m);
            next = new_node(m);
            insert_edge(m->edges, m->cap_edges, (edge){terms[i], node, next});
            m->n_edges++;
        }
        node = next;
    }
    for (uint32_t p = m->first[node]; p != NO_PAYLOAD; p = m->payloads[p].next)
        if (m->payloads[p].p.value == value) {
            m->payloads[p].p.flags &= flags; /* a plain entry outweighs a restricted one */
            return true;
        }
    if (m->first[node] == NO_PAYLOAD)
        m->n_phrases++;
    hq_grow((void **)&m->payloads, &m->cap_payloads, m->n_payloads + 1, sizeof *m->payloads);
    /* Preferred payloads go after the preferred ones already there, the
     * others at the chain's end: within each kind, the order of adding. */
    uint32_t id = (uint32_t)m->n_payloads++;
    m->payloads[id] = (payload){{value, flags}, NO_PAYLOAD};
    uint32_t *link = &m->first[node];
    while (*link != NO_PAYLOAD &&
           (!(flags & HQ_PHRASE_PREFERRED) || (m->payloads[*link].p.flags & HQ_PHRASE_PREFERRED)))
        link = &m->payloads[*link].next;
    m->payloads[id].next = *link;
    *link = id;
    return true;
}

size_t hq_phrasemap_longest(const hq_phrasemap *m, const uint64_t *terms, size_t n,
                            uint32_t *node_out)
{
    uint32_t node = 0;
    size_t best = 0;
    *node_out = 0;
    for (size_t i = 0; i < n; i++) {
        node = child_of(m, node, terms[i]);
        if (node == 0)
            break;
        if (m->first[node] != NO_PAYLOAD) {
            best = i + 1;
            *node_out = node;
        }
    }
    return best;
}

size_t hq_phrasemap_payloads(const hq_phrasemap *m, uint32_t node, hq_phrase_payload *out,
                             size_t max)
{
    size_t n = 0;
    if (node == 0 || node >= m->n_nodes)
        return 0;
    for (uint32_t p = m->first[node]; p != NO_PAYLOAD; p = m->payloads[p].next) {
        if (n < max)
            out[n] = m->payloads[p].p;
        n++;
    }
    return n;
}

size_t hq_phrasemap_get(const hq_phrasemap *m, const uint64_t *terms, size_t n,
                        hq_phrase_payload *out, size_t max)
{
    uint32_t node = 0;
    for (size_t i = 0; i < n && (i == 0 || node != 0); i++)
        node = child_of(m, node, terms[i]);
    return n == 0 ? 0 : hq_phrasemap_payloads(m, node, out, max);
}

size_t hq_phrasemap_prefixes(const hq_phrasemap *m, const uint64_t *terms, size_t n,
                             uint32_t *nodes, size_t max)
{
    uint32_t node = 0;
    size_t found = 0;
    for (size_t i = 0; i < n && found < max; i++) {
        node = child_of(m, node, terms[i]);
        if (node == 0)
            break;
        nodes[i] = m->first[node] != NO_PAYLOAD ? node : 0;
        found = i + 1;
    }
    return found;
}

size_t hq_phrasemap_size(const hq_phrasemap *m)
{
    return m->n_phrases;
}

size_t hq_phrase_terms(const hq_tokens *toks, uint64_t *hashes, uint32_t *index, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < toks->n && n < max; i++) {
        /* A compound comes just before its first part, at the same
         * position: phrases are made of the parts. */
        if (i + 1 < toks->n && toks->items[i + 1].pos == toks->items[i].pos)
            continue;
        hashes[n] = hq_hash_bytes(toks->items[i].term, toks->items[i].len);
        if (index)
            index[n] = (uint32_t)i;
        n++;
    }
    return n;
}
