/*
 * snapshot.c — opening the index as one consistent, immutable view:
 * the segments and tombstones a manifest names, plus the collection
 * statistics (live documents, average field lengths) BM25F needs.
 */
#include "index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *hq_segment_file(const char *dir, uint32_t id)
{
    size_t n = strlen(dir) + 32;
    char *p = hq_xmalloc(n);
    snprintf(p, n, "%s/seg-%06u.hqs", dir, id);
    return p;
}

char *hq_tombstones_file(const char *dir, uint32_t id, uint32_t gen)
{
    size_t n = strlen(dir) + 48;
    char *p = hq_xmalloc(n);
    snprintf(p, n, "%s/seg-%06u-%u.del", dir, id, gen);
    return p;
}

/* A file the manifest names must exist: its absence is damage to the
 * index (HQ_ECORRUPT), not an I/O failure. */
static hq_status require_file(const char *path, hq_error *err)
{
    if (access(path, F_OK) == 0 || errno != ENOENT)
        return HQ_OK;
    return hq_fail(err, HQ_ECORRUPT, path, 0, -1, "the manifest names this file, but it is missing");
}

/* Deleted documents of a bitmap of n_docs bits. */
static uint32_t count_deleted(const uint8_t *bits, uint32_t n_docs)
{
    uint32_t n = 0;
    for (size_t i = 0; i < ((size_t)n_docs + 7) / 8; i++)
        n += (uint32_t)__builtin_popcount(bits[i]);
    return n;
}

/* The segment of reuse mapped from path, with a new reference, or NULL. */
static hq_segment *reusable(const hq_snapshot *reuse, const char *path)
{
    for (uint32_t i = 0; reuse != NULL && i < reuse->n_segs; i++) {
        hq_segment *s = reuse->segs[i];
        if (s != NULL && strcmp(hq_segment_path(s), path) == 0 && hq_segment_is_file(s, path)) {
            hq_segment_ref(s);
            return s;
        }
    }
    return NULL;
}

/* hq_segment_open_entry, sharing the segment of reuse when it is the
 * same file. */
static hq_status open_entry(const char *dir, const hq_manifest_seg *ms, const hq_snapshot *reuse,
                            hq_segment **out, hq_error *err)
{
    *out = NULL;
    char *path = hq_segment_file(dir, ms->id);
    hq_status rc = HQ_OK;
    if ((*out = reusable(reuse, path)) == NULL) {
        rc = require_file(path, err);
        if (rc == HQ_OK)
            rc = hq_segment_open(path, out, err);
    }
    free(path);
    if (rc == HQ_OK && hq_segment_n_docs(*out) != ms->n_docs)
        rc = hq_fail(err, HQ_ECORRUPT, hq_segment_path(*out), 0, -1,
                     "segment holds %u documents, the manifest says %u",
                     hq_segment_n_docs(*out), ms->n_docs);
    if (rc != HQ_OK) {
        hq_segment_unref(*out);
        *out = NULL;
    }
    return rc;
}

hq_status hq_segment_open_entry(const char *dir, const hq_manifest_seg *ms, hq_segment **out,
                                hq_error *err)
{
    return open_entry(dir, ms, NULL, out, err);
}

hq_status hq_tombstones_read_entry(const char *dir, const hq_manifest_seg *ms, uint8_t **bits,
                                   hq_error *err)
{
    *bits = NULL;
    if (ms->del_gen == 0)
        return ms->n_deleted == 0
                   ? HQ_OK
                   : hq_fail(err, HQ_ECORRUPT, dir, 0, -1,
                             "the manifest counts %u deleted documents in segment %u but "
                             "names no tombstones",
                             ms->n_deleted, ms->id);
    char *del = hq_tombstones_file(dir, ms->id, ms->del_gen);
    hq_status rc = require_file(del, err);
    if (rc == HQ_OK)
        rc = hq_tombstones_read(del, ms->n_docs, bits, err);
    if (rc == HQ_OK && count_deleted(*bits, ms->n_docs) != ms->n_deleted)
        rc = hq_fail(err, HQ_ECORRUPT, del, 0, -1, "marks %u documents deleted, the manifest says %u",
                     count_deleted(*bits, ms->n_docs), ms->n_deleted);
    if (rc != HQ_OK) {
        free(*bits);
        *bits = NULL;
    }
    free(del);
    return rc;
}

static hq_status open_segment(hq_snapshot *s, const char *dir, const hq_manifest_seg *ms,
                              const hq_snapshot *reuse, uint32_t i, hq_error *err)
{
    hq_status rc = open_entry(dir, ms, reuse, &s->segs[i], err);
    if (rc == HQ_OK)
        rc = hq_tombstones_read_entry(dir, ms, &s->deleted[i], err);
    return rc;
}

hq_status hq_snapshot_open(const char *dir, const hq_snapshot *reuse, hq_snapshot **out,
                           hq_error *err)
{
    *out = NULL;
    hq_manifest m;
    bool exists;
    hq_status rc = hq_manifest_read(dir, &m, &exists, err);
    if (rc != HQ_OK)
        return rc;
    hq_snapshot *s = hq_xcalloc(1, sizeof *s);
    s->refs = 1;
    s->generation = m.generation;
    s->store_seq = m.store_seq;
    s->segs = hq_xcalloc(m.n_segs + 1, sizeof *s->segs);
    s->deleted = hq_xcalloc(m.n_segs + 1, sizeof *s->deleted);
    uint64_t total[HQ_NFIELDS] = {0};
    for (uint32_t i = 0; rc == HQ_OK && i < m.n_segs; i++) {
        rc = open_segment(s, dir, &m.segs[i], reuse, i, err);
        s->n_segs = i + 1; /* so unref releases what opened */
        if (rc != HQ_OK)
            break;
        s->n_all += m.segs[i].n_docs;
        s->n_docs += m.segs[i].n_docs - m.segs[i].n_deleted;
        for (int f = 0; f < HQ_NFIELDS; f++)
            total[f] += hq_segment_field_total(s->segs[i], f);
    }
    hq_manifest_free(&m);
    if (rc != HQ_OK) {
        hq_snapshot_unref(s);
        return rc;
    }
    /* averages over all documents held, deleted ones included: the same
     * population as the document frequencies */
    for (int f = 0; f < HQ_NFIELDS; f++)
        s->avg_len[f] = s->n_all ? (double)total[f] / (double)s->n_all : 0.0;
    *out = s;
    return HQ_OK;
}

void hq_snapshot_ref(hq_snapshot *s)
{
    __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void hq_snapshot_unref(hq_snapshot *s)
{
    if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    for (uint32_t i = 0; i < s->n_segs; i++) {
        hq_segment_unref(s->segs[i]);
        free(s->deleted[i]);
    }
    free(s->segs);
    free(s->deleted);
    free(s);
}

hq_status hq_snapshot_df(const hq_snapshot *s, const char *term, size_t len, uint64_t *df)
{
    *df = 0;
    for (uint32_t i = 0; i < s->n_segs; i++) {
        hq_terminfo ti;
        hq_status rc = hq_segment_term(s->segs[i], term, len, &ti);
        if (rc == HQ_OK)
            *df += ti.df;
        else if (rc != HQ_ENOTFOUND)
            return rc;
    }
    return HQ_OK;
}
