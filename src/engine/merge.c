/*
 * merge.c — hq_index_merge(): the merge policy, run in the background.
 *
 * The policy is logarithmic (Lucene's LogMergePolicy, counted in
 * documents): a segment's level is floor(log10(live documents)); when
 * MERGE_FACTOR segments share a level they are merged into one of the
 * next.  Every level then holds fewer than MERGE_FACTOR segments, so the
 * count stays O(log documents) however the index grew — live updates
 * write one small segment per write.
 *
 * The index is derived from the store, so merging is re-indexing the
 * live articles of those segments from the store into a new segment:
 * their deleted documents are dropped on the way.  The expensive part
 * runs without the index lock, so writers (hq_index_update) are not held
 * up, and readers never are (they keep their snapshot):
 *   1. locked: choose the segments; note the manifest's store_seq s0;
 *      reserve segment ids by publishing next_id + RESERVED_IDS;
 *   2. unlocked: index the chosen segments' live articles, as the store
 *      has them now, into new segments with the reserved ids, written in
 *      <index>/merging/ (where an update's clean-up of unnamed files
 *      does not look; what a crash leaves there is removed next time);
 *   3. locked: if any chosen segment is gone (a rebuild, another merge),
 *      drop the work; else move the new segments into <index>/,
 *      tombstone in them every article
 *      the store changed after s0 (updates since have indexed or will
 *      index them: an article changed after the manifest's store_seq is
 *      briefly absent until that update, which follows every write), and
 *      publish the manifest with the new segments in place of the chosen.
 */
#include "engine.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MERGE_FACTOR 10
#define MAX_LEVEL 15
#define RESERVED_IDS 64 /* segment ids one merge may write */

static unsigned level_of(const hq_manifest_seg *s)
{
    uint32_t live = s->n_docs - s->n_deleted;
    unsigned level = 0;
    while (live >= MERGE_FACTOR && level < MAX_LEVEL) {
        live /= MERGE_FACTOR;
        level++;
    }
    return level;
}

/* The lowest level with MERGE_FACTOR or more segments; -1 if none. */
static int level_to_merge(const hq_manifest *m)
{
    unsigned count[MAX_LEVEL + 1] = {0};
    for (uint32_t i = 0; i < m->n_segs; i++)
        count[level_of(&m->segs[i])]++;
    for (int l = 0; l <= MAX_LEVEL; l++)
        if (count[l] >= MERGE_FACTOR)
            return l;
    return -1;
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts ids and drops repeats. */
static void sort_unique(char **ids, size_t *n)
{
    if (*n == 0)
        return;
    qsort(ids, *n, sizeof *ids, compare_str);
    size_t out = 0;
    for (size_t i = 0; i < *n; i++) {
        if (out > 0 && strcmp(ids[out - 1], ids[i]) == 0)
            free(ids[i]);
        else
            ids[out++] = ids[i];
    }
    *n = out;
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* Appends the article ids of ms's live documents to *ids. */
static hq_status live_articles(const char *dir, const hq_manifest_seg *ms, char ***ids,
                               size_t *n, size_t *cap, hq_error *err)
{
    hq_segment *seg = NULL;
    hq_status rc = hq_segment_open_entry(dir, ms, &seg, err);
    uint8_t *bits = NULL;
    if (rc == HQ_OK)
        rc = hq_index_read_tombstones(dir, ms, &bits, err);
    for (uint32_t d = 0; rc == HQ_OK && d < ms->n_docs; d++) {
        if ((bits[d / 8] >> (d % 8)) & 1)
            continue;
        hq_docinfo di;
        hq_segment_doc(seg, d, &di);
        hq_grow((void **)ids, cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = hq_xstrdup(hq_segment_string(seg, di.article_id));
    }
    free(bits);
    hq_segment_unref(seg);
    return rc;
}

/* What phase 1 chose. */
typedef struct merge_plan {
    uint32_t *victims; /* segment ids */
    size_t n_victims;
    char **ids;        /* their live articles, sorted */
    size_t n_ids;
    uint64_t s0;       /* the store change the chosen segments reflect */
    uint32_t first_id; /* the reserved segment ids: [first_id, first_id + RESERVED_IDS) */
} merge_plan;

static void plan_free(merge_plan *p)
{
    free(p->victims);
    free_ids(p->ids, p->n_ids);
    memset(p, 0, sizeof *p);
}

/* Phase 1, under the lock: the segments of the lowest full level, their
 * live articles, and reserved ids.  *found is false when none is due. */
static hq_status choose(hq_engine *e, merge_plan *p, bool *found, hq_error *err)
{
    hq_manifest m;
    bool exists;
    *found = false;
    hq_status rc = hq_manifest_read(e->index_dir, &m, &exists, err);
    int level = rc == HQ_OK && exists ? level_to_merge(&m) : -1;
    size_t cap = 0;
    for (uint32_t i = 0; level >= 0 && rc == HQ_OK && i < m.n_segs; i++) {
        if (level_of(&m.segs[i]) != (unsigned)level)
            continue;
        p->victims = hq_xrealloc(p->victims, (p->n_victims + 1) * sizeof *p->victims);
        p->victims[p->n_victims++] = m.segs[i].id;
        rc = live_articles(e->index_dir, &m.segs[i], &p->ids, &p->n_ids, &cap, err);
    }
    if (rc == HQ_OK && level >= 0) {
        sort_unique(p->ids, &p->n_ids);
        p->s0 = m.store_seq;
        p->first_id = m.next_id;
        m.next_id += RESERVED_IDS;
        m.generation++;
        rc = hq_manifest_write(e->index_dir, &m, err);
        *found = rc == HQ_OK;
    }
    hq_manifest_free(&m);
    return rc;
}

static bool has_segment(const hq_manifest *m, uint32_t id)
{
    for (uint32_t i = 0; i < m->n_segs; i++)
        if (m->segs[i].id == id)
            return true;
    return false;
}

static bool is_victim(const merge_plan *p, uint32_t id)
{
    for (size_t i = 0; i < p->n_victims; i++)
        if (p->victims[i] == id)
            return true;
    return false;
}

static void remove_files(const char *dir, const hq_manifest *built)
{
    for (uint32_t i = 0; i < built->n_segs; i++) {
        char *path = hq_segment_file(dir, built->segs[i].id);
        unlink(path);
        free(path);
    }
}

/* Empties <index>/merging/ (left by a crash), creating it when missing. */
static hq_status clear_work_dir(const char *work, hq_error *err)
{
    hq_status rc = hq_mkdir(work, err);
    DIR *d = rc == HQ_OK ? opendir(work) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        size_t n = strlen(work) + strlen(de->d_name) + 2;
        char *path = hq_xmalloc(n);
        snprintf(path, n, "%s/%s", work, de->d_name);
        unlink(path);
        free(path);
    }
    if (d)
        closedir(d);
    return rc;
}

/* Moves the built segments from work into the index folder. */
static hq_status move_in(const char *work, const char *dir, const hq_manifest *built,
                         hq_error *err)
{
    hq_status rc = HQ_OK;
    for (uint32_t i = 0; rc == HQ_OK && i < built->n_segs; i++) {
        char *from = hq_segment_file(work, built->segs[i].id);
        char *to = hq_segment_file(dir, built->segs[i].id);
        if (rename(from, to) != 0)
            rc = hq_fail(err, HQ_EIO, from, 0, -1, "cannot move a merged segment: %s",
                         strerror(errno));
        free(from);
        free(to);
    }
    return rc;
}

/* Phase 3, under the lock: puts the built segments in place of the
 * chosen ones, or drops them when the index moved on without those. */
static hq_status install(hq_engine *e, const char *work, const merge_plan *p,
                         hq_manifest *built, hq_index_summary *sum, hq_error *err)
{
    hq_manifest m;
    bool exists;
    hq_status rc = hq_manifest_read(e->index_dir, &m, &exists, err);
    bool intact = rc == HQ_OK && exists;
    for (size_t i = 0; intact && i < p->n_victims; i++)
        intact = has_segment(&m, p->victims[i]);
    char **changed = NULL;
    size_t n_changed = 0;
    if (intact)
        rc = move_in(work, e->index_dir, built, err);
    if (intact && rc == HQ_OK)
        rc = hq_store_changed_since(e->store, p->s0, &changed, &n_changed, err);
    if (intact && rc == HQ_OK)
        rc = hq_index_tombstone_all(e, built, changed, n_changed, sum, err);
    if (intact && rc == HQ_OK) {
        uint32_t kept = 0;
        for (uint32_t i = 0; i < m.n_segs; i++)
            if (!is_victim(p, m.segs[i].id))
                m.segs[kept++] = m.segs[i];
        m.n_segs = kept;
        for (uint32_t i = 0; i < built->n_segs; i++) {
            size_t cap = m.cap_segs;
            hq_grow((void **)&m.segs, &cap, m.n_segs + 1, sizeof *m.segs);
            m.cap_segs = (uint32_t)cap;
            m.segs[m.n_segs++] = built->segs[i];
        }
        m.generation++;
        rc = hq_fsync_dir(e->index_dir, err);
        if (rc == HQ_OK)
            rc = hq_manifest_write(e->index_dir, &m, err);
        if (rc == HQ_OK) {
            sum->n_merged += p->n_victims;
            hq_index_collect_garbage(e->index_dir, &m);
            hq_engine_drop_snapshot(e);
        }
    }
    if (!intact || rc != HQ_OK) {
        remove_files(work, built);
        remove_files(e->index_dir, built); /* unnamed by any manifest: safe */
    }
    sum->n_segments = m.n_segs;
    free_ids(changed, n_changed);
    hq_manifest_free(&m);
    return rc;
}

/* One merge: choose (locked), build (unlocked), install (locked).
 * *merged is false when no level was due. */
static hq_status merge_once(hq_engine *e, const char *work, hq_index_summary *sum, bool *merged,
                            hq_error *err)
{
    merge_plan p = {0};
    int lock = -1;
    hq_status rc = hq_index_lock(e->index_dir, &lock, err);
    if (rc == HQ_OK) {
        rc = choose(e, &p, merged, err);
        close(lock);
    }
    if (rc != HQ_OK || !*merged) {
        plan_free(&p);
        return rc;
    }
    hq_manifest built = {.next_id = p.first_id};
    hq_index_summary ignored = {0};
    rc = clear_work_dir(work, err);
    if (rc == HQ_OK && p.n_ids)
        rc = hq_index_articles(e, work, &built, p.ids, p.n_ids, &ignored, err);
    if (rc == HQ_OK && built.next_id > p.first_id + RESERVED_IDS)
        rc = hq_fail(err, HQ_ELIMIT, e->index_dir, 0, -1,
                     "a merge wrote more than %d segments", RESERVED_IDS);
    if (rc == HQ_OK)
        rc = hq_index_lock(e->index_dir, &lock, err);
    if (rc == HQ_OK) {
        rc = install(e, work, &p, &built, sum, err);
        close(lock);
    } else {
        remove_files(work, &built);
    }
    hq_manifest_free(&built);
    plan_free(&p);
    return rc;
}

hq_status hq_index_merge(hq_engine *e, hq_index_summary *summary, hq_error *err)
{
    hq_index_summary sum = {0};
    size_t n = strlen(e->index_dir) + sizeof "/merging";
    char *work = hq_xmalloc(n);
    snprintf(work, n, "%s/merging", e->index_dir);
    hq_status rc = hq_mkdir(e->index_dir, err);
    bool merged = true;
    while (rc == HQ_OK && merged)
        rc = merge_once(e, work, &sum, &merged, err);
    free(work);
    if (summary)
        *summary = sum;
    return rc;
}
