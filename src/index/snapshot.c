/*
 * snapshot.c — opening the index as one consistent, immutable view:
 * the segments and tombstones a manifest names, plus the collection
 * statistics (live documents, average field lengths) BM25F needs.
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>

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

static hq_status open_segment(hq_snapshot *s, const char *dir, const hq_manifest_seg *ms,
                              uint32_t i, hq_error *err)
{
    char *path = hq_segment_file(dir, ms->id);
    hq_status rc = hq_segment_open(path, &s->segs[i], err);
    free(path);
    if (rc == HQ_OK && hq_segment_n_docs(s->segs[i]) != ms->n_docs)
        rc = hq_fail(err, HQ_ECORRUPT, hq_segment_path(s->segs[i]), 0, -1,
                     "segment holds %u documents, the manifest says %u",
                     hq_segment_n_docs(s->segs[i]), ms->n_docs);
    if (rc == HQ_OK && ms->del_gen > 0) {
        char *del = hq_tombstones_file(dir, ms->id, ms->del_gen);
        rc = hq_tombstones_read(del, ms->n_docs, &s->deleted[i], err);
        free(del);
    }
    return rc;
}

hq_status hq_snapshot_open(const char *dir, hq_snapshot **out, hq_error *err)
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
        rc = open_segment(s, dir, &m.segs[i], i, err);
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
