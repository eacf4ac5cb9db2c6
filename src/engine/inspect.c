/*
 * inspect.c — hq_check() and hq_dump(): the integrity check of store and
 * index, and debugging views of the index.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

/* SQLite's own integrity and foreign-key checks of the store. */
static hq_status check_store(hq_engine *e, json_t *report, hq_error *err)
{
    static const char *const checks[] = {"PRAGMA integrity_check", "PRAGMA foreign_key_check"};
    sqlite3 *db = hq_store_db(e->store);
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, checks[i], -1, &s, NULL) != SQLITE_OK)
            return hq_fail(err, HQ_ECORRUPT, hq_store_path(e->store), 0, -1, "%s: %s",
                           checks[i], sqlite3_errmsg(db));
        int r = sqlite3_step(s);
        const char *first = r == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
        bool ok = i == 0 ? (r == SQLITE_ROW && first && strcmp(first, "ok") == 0)
                         : r == SQLITE_DONE;
        hq_status rc = HQ_OK;
        if (!ok)
            rc = hq_fail(err, HQ_ECORRUPT, hq_store_path(e->store), 0, -1, "%s: %s",
                         checks[i], first ? first : sqlite3_errmsg(db));
        sqlite3_finalize(s);
        if (rc != HQ_OK)
            return rc;
    }
    json_object_set_new(report, "store", json_string("ok"));
    return HQ_OK;
}

/* Every segment of the snapshot decodes, its tombstones match the
 * manifest, and the index covers the store's change log. */
static hq_status check_index(hq_engine *e, json_t *report, hq_error *err)
{
    hq_snapshot *snap = NULL;
    hq_status rc = hq_snapshot_open(e->index_dir, NULL, &snap, err);
    if (rc != HQ_OK) {
        hq_engine_hint_rebuild(err);
        return rc;
    }
    json_t *segs = json_array();
    json_object_set_new(report, "segments", segs);
    for (uint32_t i = 0; rc == HQ_OK && i < snap->n_segs; i++) {
        rc = hq_segment_check(snap->segs[i], err);
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string(hq_segment_path(snap->segs[i])));
        json_object_set_new(o, "documents", json_integer(hq_segment_n_docs(snap->segs[i])));
        json_object_set_new(o, "terms", json_integer(hq_segment_n_terms(snap->segs[i])));
        json_object_set_new(o, "status", json_string(rc == HQ_OK ? "ok" : "corrupt"));
        json_array_append_new(segs, o);
    }
    uint64_t last = 0;
    if (rc == HQ_OK)
        rc = hq_store_last_seq(e->store, &last, err);
    json_object_set_new(report, "index_store_seq", json_integer((json_int_t)snap->store_seq));
    json_object_set_new(report, "store_last_seq", json_integer((json_int_t)last));
    json_object_set_new(report, "live_documents", json_integer((json_int_t)snap->n_docs));
    if (rc == HQ_OK && snap->store_seq > last)
        rc = hq_fail(err, HQ_ECORRUPT, e->index_dir, 0, -1,
                     "the index covers store change %llu but the store ends at %llu",
                     (unsigned long long)snap->store_seq, (unsigned long long)last);
    json_object_set_new(report, "index_up_to_date", json_boolean(snap->store_seq == last));
    hq_snapshot_unref(snap);
    hq_engine_hint_rebuild(err);
    return rc;
}

hq_status hq_check(hq_engine *e, json_t **report, hq_error *err)
{
    json_t *r = json_object();
    hq_status rc = check_store(e, r, err);
    if (rc == HQ_OK)
        rc = check_index(e, r, err);
    json_object_set_new(r, "status", json_string(rc == HQ_OK ? "ok" : "corrupt"));
    *report = r;
    return rc;
}

static json_t *segment_summary(const hq_snapshot *snap, uint32_t i)
{
    const hq_segment *s = snap->segs[i];
    json_t *o = json_object();
    uint32_t n = hq_segment_n_docs(s), deleted = 0;
    for (uint32_t d = 0; d < n; d++)
        deleted += hq_snapshot_is_deleted(snap, i, d);
    json_object_set_new(o, "file", json_string(hq_segment_path(s)));
    json_object_set_new(o, "documents", json_integer(n));
    json_object_set_new(o, "deleted", json_integer(deleted));
    json_object_set_new(o, "terms", json_integer(hq_segment_n_terms(s)));
    json_t *avg = json_object();
    static const char *const names[HQ_NFIELDS] = {"title", "focus", "body"};
    for (int f = 0; f < HQ_NFIELDS; f++)
        json_object_set_new(avg, names[f],
                            json_real(n ? (double)hq_segment_field_total(s, f) / n : 0.0));
    json_object_set_new(o, "average_field_length", avg);
    return o;
}

static json_t *term_postings(const hq_snapshot *snap, uint32_t i, const char *term, size_t len,
                             size_t max_docs, hq_status *rc)
{
    const hq_segment *s = snap->segs[i];
    hq_terminfo ti;
    *rc = hq_segment_term(s, term, len, &ti);
    if (*rc == HQ_ENOTFOUND) {
        *rc = HQ_OK;
        return NULL;
    }
    hq_postings p;
    if (*rc == HQ_OK)
        *rc = hq_segment_postings(s, &ti, &p);
    if (*rc != HQ_OK)
        return NULL;
    json_t *o = json_object(), *docs = json_array();
    json_object_set_new(o, "file", json_string(hq_segment_path(s)));
    json_object_set_new(o, "df", json_integer(ti.df));
    json_object_set_new(o, "blocks", json_integer(p.n_blocks));
    json_object_set_new(o, "postings_bytes", json_integer(ti.post_len));
    json_object_set_new(o, "positions_bytes", json_integer(ti.pos_len));
    for (uint32_t d = hq_postings_next(&p); d != HQ_DOC_END && json_array_size(docs) < max_docs;
         d = hq_postings_next(&p)) {
        hq_docinfo di;
        hq_segment_doc(s, d, &di);
        json_t *e = json_object(), *tf = json_array(), *pos = json_array();
        for (int f = 0; f < HQ_NFIELDS; f++) {
            uint32_t buf[16];
            uint32_t n = hq_postings_positions(&p, f, buf, 16);
            json_array_append_new(tf, json_integer(n));
            json_t *fp = json_array();
            for (uint32_t k = 0; k < n && k < 16; k++)
                json_array_append_new(fp, json_integer(buf[k]));
            json_array_append_new(pos, fp);
        }
        json_object_set_new(e, "doc", json_integer(d));
        json_object_set_new(e, "section_id", json_string(hq_segment_string(s, di.section_id)));
        json_object_set_new(e, "deleted", json_boolean(hq_snapshot_is_deleted(snap, i, d)));
        json_object_set_new(e, "tf", tf);
        json_object_set_new(e, "positions", pos);
        json_array_append_new(docs, e);
    }
    if (p.rc != HQ_OK)
        *rc = p.rc;
    json_object_set_new(o, "postings", docs);
    return o;
}

hq_status hq_dump(hq_engine *e, const char *term, bool raw, size_t max_docs, json_t **out,
                  hq_error *err)
{
    hq_snapshot *snap = NULL;
    hq_status rc = hq_engine_snapshot(e, &snap, err);
    if (rc != HQ_OK)
        return rc;
    json_t *o = json_object(), *list = json_array();
    char *analysed = NULL;
    if (term != NULL && !raw) {
        hq_analyzer *a = hq_engine_take_analyzer(e);
        hq_tokens toks = {0};
        hq_analyze(a, term, strlen(term), HQ_ANALYZE_KEEP_STOPWORDS, &toks);
        analysed = toks.n ? hq_xstrndup(toks.items[0].term, toks.items[0].len) : hq_xstrdup("");
        hq_tokens_free(&toks);
        hq_engine_release_analyzer(e, a);
    }
    const char *t = analysed ? analysed : term;
    if (t)
        json_object_set_new(o, "term", json_string(t));
    json_object_set_new(o, "live_documents", json_integer((json_int_t)snap->n_docs));
    json_object_set_new(o, "store_seq", json_integer((json_int_t)snap->store_seq));
    for (uint32_t i = 0; rc == HQ_OK && i < snap->n_segs; i++) {
        json_t *item = t ? term_postings(snap, i, t, strlen(t), max_docs, &rc)
                         : segment_summary(snap, i);
        if (item)
            json_array_append_new(list, item);
    }
    json_object_set_new(o, t ? "segments_with_term" : "segments", list);
    if (rc != HQ_OK) {
        hq_fail(err, rc, e->index_dir, 0, -1, "the index does not decode: run healthqa check");
        json_decref(o);
        o = NULL;
    }
    free(analysed);
    hq_snapshot_unref(snap);
    *out = o;
    return rc;
}
