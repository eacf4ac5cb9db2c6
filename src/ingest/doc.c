/*
 * doc.c — the in-memory form of a parsed file (see ingest.h).
 * All strings and arrays live in the doc's arena.
 */
#include "ingest.h"

#include <string.h>

void hq_doc_init(hq_doc *doc, const char *path)
{
    memset(doc, 0, sizeof *doc);
    hq_arena_init(&doc->arena);
    doc->path = path ? hq_arena_strdup(&doc->arena, path) : "";
}

void hq_doc_free(hq_doc *doc)
{
    for (size_t i = 0; i < doc->n_articles; i++) {
        free(doc->articles[i].sections);
        free(doc->articles[i].links);
    }
    free(doc->articles);
    hq_arena_free(&doc->arena);
    memset(doc, 0, sizeof *doc);
}

hq_article *hq_doc_add_article(hq_doc *doc, const char *id, const char *format)
{
    hq_grow((void **)&doc->articles, &doc->cap_articles, doc->n_articles + 1,
            sizeof *doc->articles);
    hq_article *a = &doc->articles[doc->n_articles++];
    memset(a, 0, sizeof *a);
    a->id = id;
    a->format = format;
    a->title = "";
    return a;
}

hq_section *hq_article_add_section(hq_doc *doc, hq_article *a)
{
    (void)doc;
    if (a->n_sections >= HQ_MAX_SECTIONS)
        return NULL;
    hq_grow((void **)&a->sections, &a->cap_sections, a->n_sections + 1, sizeof *a->sections);
    hq_section *s = &a->sections[a->n_sections++];
    memset(s, 0, sizeof *s);
    s->title = "";
    return s;
}

hq_link *hq_article_add_link(hq_doc *doc, hq_article *a, hq_link_kind kind)
{
    (void)doc;
    if (a->n_links >= HQ_MAX_LINKS)
        return NULL;
    hq_grow((void **)&a->links, &a->cap_links, a->n_links + 1, sizeof *a->links);
    hq_link *l = &a->links[a->n_links++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->title = "";
    return l;
}

void hq_strv_push(hq_doc *doc, hq_strv *v, const char *s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        const char **items = hq_arena_alloc(&doc->arena, cap * sizeof *items);
        if (v->n)
            memcpy(items, v->items, v->n * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = s;
}

char *hq_doc_slug(hq_doc *doc, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *slug = hq_arena_strndup(&doc->arena, base, len);
    for (char *p = slug; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
        if (!keep)
            *p = '_';
    }
    return slug;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    /* a 0xFF separator keeps ("ab","c") and ("a","bc") apart; NULL hashes
     * differently from "" */
    static const unsigned char null_mark = 0xFE, sep = 0xFF;
    if (s == NULL)
        return hq_hash64(&null_mark, 1, h);
    h = hq_hash64(s, strlen(s), h);
    return hq_hash64(&sep, 1, h);
}

static uint64_t mix_strv(uint64_t h, const hq_strv *v)
{
    for (size_t i = 0; i < v->n; i++)
        h = mix_str(h, v->items[i]);
    return mix_str(h, NULL);
}

uint64_t hq_article_hash(const hq_article *a)
{
    uint64_t h = HQ_HASH_SEED;
    const char *fields[] = {a->id,       a->format,   a->source,   a->url,
                            a->title,    a->focus,    a->category, a->language,
                            a->semgroup, a->meta_json};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        h = mix_str(h, fields[i]);
    h = mix_strv(h, &a->synonyms);
    h = mix_strv(h, &a->cuis);
    h = mix_strv(h, &a->semtypes);
    for (size_t i = 0; i < a->n_sections; i++) {
        const hq_section *s = &a->sections[i];
        h = mix_str(mix_str(mix_str(mix_str(h, s->id), s->title), s->qtype), s->body);
    }
    for (size_t i = 0; i < a->n_links; i++) {
        const hq_link *l = &a->links[i];
        h = mix_str(h, hq_link_kind_name(l->kind));
        h = mix_str(mix_str(h, l->title), l->snippet);
        h = mix_str(h, l->truncated ? "1" : "0");
    }
    return h;
}

const char *hq_link_kind_name(hq_link_kind kind)
{
    switch (kind) {
    case HQ_LINK_PREV:
        return "previous";
    case HQ_LINK_NEXT:
        return "next";
    case HQ_LINK_RECOMMEND:
        return "recommend";
    }
    return "unknown";
}
