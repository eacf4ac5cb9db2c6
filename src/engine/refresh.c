/*
 * refresh.c — keeping the index in step with the store.
 *
 * The store's change log is the source of truth: the manifest records
 * the last change it covers.  A refresh reads the articles changed since,
 * marks their old documents deleted (tombstones), indexes their current
 * sections into new segments, and publishes a new manifest.  A rebuild
 * does the same from an empty index.  Until the manifest is renamed into
 * place, readers and a crash see the previous index; files no manifest
 * names are removed afterwards (and by the next refresh after a crash).
 *
 * One writer at a time: an exclusive flock on <index>/LOCK.
 */
#include "engine.h"
#include "../index/index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define BUILD_BUDGET (256u << 20) /* memory for one segment being built */

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool contains(char *const *sorted, size_t n, const char *id)
{
    /* n == 0 may come with sorted == NULL, which bsearch may not be given */
    return n > 0 && bsearch(&id, sorted, n, sizeof *sorted, compare_str) != NULL;
}

/* The deleted-document bits of segment entry ms (all clear when it has
 * none yet); free() them. */
hq_status hq_index_read_tombstones(const char *dir, const hq_manifest_seg *ms, uint8_t **bits,
                                   hq_error *err)
{
    hq_status rc = hq_tombstones_read_entry(dir, ms, bits, err);
    if (rc == HQ_OK && *bits == NULL)
        *bits = hq_xcalloc(((size_t)ms->n_docs + 7) / 8 + 1, 1);
    return rc;
}

/* Marks deleted, in segment entry ms, the documents of the articles in
 * changed[0..n); writes a new tombstone generation when any is new. */
static hq_status tombstone_segment(const char *dir, hq_manifest_seg *ms, char *const *changed,
                                   size_t n, hq_error *err)
{
    hq_segment *seg = NULL;
    hq_status rc = hq_segment_open_entry(dir, ms, &seg, err);
    if (rc != HQ_OK)
        return rc;
    uint8_t *bits = NULL;
    if (rc == HQ_OK)
        rc = hq_index_read_tombstones(dir, ms, &bits, err);
    uint32_t added = 0;
    for (uint32_t d = 0; rc == HQ_OK && d < ms->n_docs; d++) {
        if ((bits[d / 8] >> (d % 8)) & 1)
            continue;
        hq_docinfo di;
        hq_segment_doc(seg, d, &di);
        if (contains(changed, n, hq_segment_string(seg, di.article_id))) {
            bits[d / 8] |= (uint8_t)(1u << (d % 8));
            added++;
        }
    }
    if (rc == HQ_OK && added > 0) {
        ms->del_gen++;
        ms->n_deleted += added;
        char *del = hq_tombstones_file(dir, ms->id, ms->del_gen);
        rc = hq_tombstones_write(del, bits, ms->n_docs, err);
        free(del);
    }
    free(bits);
    hq_segment_unref(seg);
    return rc;
}

/* The feed's state: the builder, and the focus and synonyms of the
 * current article (sections come grouped by article). */
typedef struct feed {
    hq_builder *b;
    char *article;  /* id whose focus is in focus[] */
    char *focus[64];
    size_t n_focus;
} feed;

static void feed_clear(feed *f)
{
    for (size_t i = 0; i < f->n_focus; i++)
        free(f->focus[i]);
    f->n_focus = 0;
    free(f->article);
    f->article = NULL;
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* The synonyms when json is an array of strings without escapes and of
 * valid UTF-8, as the store writes them: true when done; false (nothing
 * added) for anything else, which jansson then parses.  A tenth of the
 * rebuild's reading time went to json_loads. */
static bool plain_names(feed *f, const char *json)
{
    const char *p = skip_space(json), *start[64];
    size_t len[64], n = 0;
    if (*p++ != '[')
        return false;
    p = skip_space(p);
    if (*p == ']')
        return *skip_space(p + 1) == '\0';
    for (;;) {
        if (*p++ != '"')
            return false;
        const char *q = strpbrk(p, "\"\\");
        if (q == NULL || *q != '"' || hq_utf8_invalid_at(p, (size_t)(q - p)) >= 0)
            return false; /* unterminated, an escape, or not UTF-8 */
        for (const char *c = p; c < q; c++)
            if ((unsigned char)*c < 0x20)
                return false; /* JSON forbids raw control characters */
        if (n < sizeof start / sizeof *start) {
            start[n] = p;
            len[n++] = (size_t)(q - p);
        }
        p = skip_space(q + 1);
        if (*p == ']')
            break;
        if (*p++ != ',')
            return false;
        p = skip_space(p);
    }
    if (*skip_space(p + 1) != '\0')
        return false;
    for (size_t i = 0; i < n && f->n_focus < sizeof f->focus / sizeof *f->focus; i++)
        f->focus[f->n_focus++] = hq_xstrndup(start[i], len[i]);
    return true;
}

/* Focus then synonyms (a JSON array of strings) of s's article; false
 * when they are those of the section before. */
static bool feed_focus(feed *f, const hq_feed_section *s)
{
    if (f->article && strcmp(f->article, s->article_id) == 0)
        return false;
    feed_clear(f);
    f->article = hq_xstrdup(s->article_id);
    if (s->focus && *s->focus)
        f->focus[f->n_focus++] = hq_xstrdup(s->focus);
    if (s->synonyms_json == NULL || plain_names(f, s->synonyms_json))
        return true;
    json_t *syn = json_loads(s->synonyms_json, 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(syn, i, v)
    {
        if (f->n_focus < sizeof f->focus / sizeof *f->focus && json_is_string(v))
            f->focus[f->n_focus++] = hq_xstrdup(json_string_value(v));
    }
    json_decref(syn);
    return true;
}

/* Feeds one store section into the builder. */
static hq_status feed_one(void *ctx, const hq_feed_section *s)
{
    feed *f = ctx;
    bool same = !feed_focus(f, s);
    hq_builder_doc d = {s->id,    s->article_id,                   s->source,   s->qtype,
                        s->trust, s->title, (const char *const *)f->focus, f->n_focus, s->body,
                        s->title_len, s->body_len, same};
    return hq_builder_add(f->b, &d, NULL);
}

static bool is_ours(const char *name)
{
    return strncmp(name, "seg-", 4) == 0 || strstr(name, ".tmp") != NULL;
}

/* Removes segment and tombstone files that manifest m does not name. */
void hq_index_collect_garbage(const char *dir, const hq_manifest *m)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_ours(e->d_name))
            continue;
        bool live = false;
        for (uint32_t i = 0; i < m->n_segs && !live; i++) {
            char seg[64], del[64];
            snprintf(seg, sizeof seg, "seg-%06u.hqs", m->segs[i].id);
            snprintf(del, sizeof del, "seg-%06u-%u.del", m->segs[i].id, m->segs[i].del_gen);
            live = strcmp(e->d_name, seg) == 0 || strcmp(e->d_name, del) == 0;
        }
        if (!live) {
            char *path = hq_xmalloc(strlen(dir) + strlen(e->d_name) + 2);
            snprintf(path, strlen(dir) + strlen(e->d_name) + 2, "%s/%s", dir, e->d_name);
            unlink(path);
            free(path);
        }
    }
    closedir(d);
}

hq_status hq_index_lock(const char *dir, int *fd, hq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/LOCK", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (*fd < 0)
        return hq_fail(err, HQ_EIO, path, 0, -1, "cannot open the lock: %s", strerror(errno));
    if (flock(*fd, LOCK_EX) != 0) {
        close(*fd);
        return hq_fail(err, HQ_EIO, path, 0, -1, "cannot lock the index: %s", strerror(errno));
    }
    return HQ_OK;
}

/* Tombstones, in every segment of m, the documents of the articles
 * ids[0..n) (sorted); segments left without a live document go. */
hq_status hq_index_tombstone_all(hq_engine *e, hq_manifest *m, char *const *ids, size_t n,
                                 hq_index_summary *sum, hq_error *err)
{
    hq_status rc = HQ_OK;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < m->n_segs; i++) {
        hq_manifest_seg ms = m->segs[i];
        if (rc == HQ_OK)
            rc = tombstone_segment(e->index_dir, &ms, ids, n, err);
        sum->n_deleted += ms.n_deleted - m->segs[i].n_deleted;
        if (ms.n_deleted < ms.n_docs) /* a segment with no live document goes */
            m->segs[kept++] = ms;
    }
    m->n_segs = kept;
    return rc;
}

/* Indexes the store's current sections of the articles ids[0..n) (all
 * of the store when ids is NULL) into new segments in dir, added to m;
 * the builder goes to *done (for hq_builder_free, which waits for it to
 * have freed its memory: best once the segments are committed), or is
 * freed here when done is NULL. */
static hq_status index_articles(hq_engine *e, const char *dir, hq_manifest *m, char *const *ids,
                                size_t n, hq_index_summary *sum, hq_builder **done,
                                hq_error *err)
{
    hq_field_params hint;
    memcpy(hint.w, e->params.w, sizeof hint.w);
    memcpy(hint.b, e->params.b, sizeof hint.b);
    hq_builder *b = hq_builder_new(dir, &m->next_id, BUILD_BUDGET, &hint, 0);
    feed f = {.b = b};
    hq_status rc = hq_store_feed(e->store, ids, n, feed_one, &f, err);
    feed_clear(&f);
    if (rc == HQ_OK)
        rc = hq_builder_finish(b, err);
    uint32_t n_new;
    const hq_manifest_seg *segs = hq_builder_segments(b, &n_new);
    for (uint32_t i = 0; rc == HQ_OK && i < n_new; i++) {
        size_t cap = m->cap_segs;
        hq_grow((void **)&m->segs, &cap, m->n_segs + 1, sizeof *m->segs);
        m->cap_segs = (uint32_t)cap;
        m->segs[m->n_segs++] = segs[i];
        sum->n_added += segs[i].n_docs;
        sum->n_segments_written++;
    }
    if (done != NULL)
        *done = b;
    else
        hq_builder_free(b);
    return rc;
}

hq_status hq_index_articles(hq_engine *e, const char *dir, hq_manifest *m, char *const *ids,
                            size_t n, hq_index_summary *sum, hq_error *err)
{
    return index_articles(e, dir, m, ids, n, sum, NULL, err);
}

/* Applies the changes after m->store_seq (all of the store when rebuild)
 * to m, writing new segments and tombstones; the builder, if any, goes to
 * *done (see index_articles). */
static hq_status apply_changes(hq_engine *e, hq_manifest *m, bool rebuild, uint64_t last,
                               hq_index_summary *sum, hq_builder **done, hq_error *err)
{
    char **changed = NULL;
    size_t n_changed = 0;
    hq_status rc = HQ_OK;
    if (!rebuild)
        rc = hq_store_changed_since(e->store, m->store_seq, &changed, &n_changed, err);
    if (rc == HQ_OK)
        rc = hq_index_tombstone_all(e, m, changed, n_changed, sum, err);
    if (rc == HQ_OK && (rebuild || n_changed > 0))
        rc = index_articles(e, e->index_dir, m, rebuild ? NULL : changed, n_changed, sum, done,
                            err);
    for (size_t i = 0; i < n_changed; i++)
        free(changed[i]);
    free(changed);
    sum->n_articles_changed = rebuild ? 0 : n_changed;
    m->store_seq = last;
    m->generation++;
    return rc;
}

hq_status hq_index_update(hq_engine *e, bool rebuild, hq_index_summary *summary, hq_error *err)
{
    hq_index_summary sum = {0};
    hq_status rc = hq_mkdir(e->index_dir, err);
    int lock = -1;
    if (rc == HQ_OK)
        rc = hq_index_lock(e->index_dir, &lock, err);
    if (rc != HQ_OK)
        return rc;
    hq_manifest m;
    bool exists = false;
    hq_error merr;
    hq_error_clear(&merr);
    rc = hq_manifest_read(e->index_dir, &m, &exists, rebuild ? &merr : err);
    if (rc != HQ_OK && rebuild) { /* a damaged index is what a rebuild is for */
        memset(&m, 0, sizeof m);
        rc = HQ_OK;
    }
    if (rebuild) {
        m.n_segs = 0;
        m.store_seq = 0;
    }
    if (m.next_id == 0)
        m.next_id = 1;
    uint64_t last = 0;
    if (rc == HQ_OK)
        rc = hq_store_last_seq(e->store, &last, err);
    bool needed = rebuild || !exists || last != m.store_seq;
    hq_builder *done = NULL; /* freeing its memory while the segments are committed */
    if (rc == HQ_OK && needed)
        rc = apply_changes(e, &m, rebuild, last, &sum, &done, err);
    if (rc == HQ_OK && needed)
        rc = hq_fsync_dir(e->index_dir, err);
    if (rc == HQ_OK && needed)
        rc = hq_manifest_write(e->index_dir, &m, err);
    if (rc == HQ_OK) {
        hq_index_collect_garbage(e->index_dir, &m);
        sum.n_segments = m.n_segs;
        sum.store_seq = m.store_seq;
        sum.updated = needed;
        hq_engine_follow_manifest(e, m.generation, m.store_seq); /* searches see it */
    }
    hq_builder_free(done);
    hq_manifest_free(&m);
    close(lock); /* releases the flock */
    if (summary)
        *summary = sum;
    hq_engine_hint_rebuild(err);
    return rc;
}
