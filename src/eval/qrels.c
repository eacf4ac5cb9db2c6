/*
 * qrels.c — the inputs of scoring that are not runs: the judgments
 * (qrels) and the question list (queries TSV), plus what every file of
 * src/eval reads text with: Python-compatible lines and fields, integers,
 * and a small string map.
 *
 * The parsing rules are eval.py's, down to its quirks (see eval.h); where
 * eval.py would crash we return an error naming path:line.  Called by
 * run.c (lines, fields, map), metrics.c (lookups) and hq_eval_score_files.
 */
#include "eval.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- string map ------------------------------------------------------- */

struct hq_strmap_slot {
    const char *key; /* NULL: empty slot */
    size_t len;
    uint64_t hash;
    size_t value;
};

void hq_strmap_init(hq_strmap *m)
{
    m->slots = NULL;
    m->n = m->cap = 0;
}

void hq_strmap_free(hq_strmap *m)
{
    free(m->slots);
    hq_strmap_init(m);
}

void hq_strmap_clear(hq_strmap *m)
{
    if (m->slots)
        memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->n = 0;
}

/* The slot holding key, or the empty slot where it would go; cap > 0. */
static hq_strmap_slot *find_slot(hq_strmap_slot *slots, size_t cap, const char *key, size_t len,
                                 uint64_t hash)
{
    size_t i = (size_t)hash & (cap - 1);
    for (;;) {
        hq_strmap_slot *s = &slots[i];
        if (s->key == NULL ||
            (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
        i = (i + 1) & (cap - 1);
    }
}

size_t *hq_strmap_get(const hq_strmap *m, const char *key, size_t len)
{
    if (m->n == 0)
        return NULL;
    hq_strmap_slot *s = find_slot(m->slots, m->cap, key, len, hq_hash64(key, len, HQ_HASH_SEED));
    return s->key ? &s->value : NULL;
}

size_t *hq_strmap_put(hq_strmap *m, const char *key, size_t len, bool *added)
{
    if (2 * (m->n + 1) > m->cap) { /* keep the load at most 1/2 */
        size_t cap = m->cap ? 2 * m->cap : 16;
        hq_strmap_slot *slots = hq_xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                *find_slot(slots, cap, m->slots[i].key, m->slots[i].len, m->slots[i].hash) =
                    m->slots[i];
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    uint64_t hash = hq_hash64(key, len, HQ_HASH_SEED);
    hq_strmap_slot *s = find_slot(m->slots, m->cap, key, len, hash);
    *added = s->key == NULL;
    if (*added) {
        *s = (hq_strmap_slot){key, len, hash, 0};
        m->n++;
    }
    return &s->value;
}

/* ---- Python's white space and str.split() ------------------------------ */

bool hq_eval_is_space(int32_t cp)
{
    if (cp < 0x80)
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

size_t hq_eval_split(const char *s, size_t len, hq_eval_field *fields, size_t max)
{
    size_t n = 0, i = 0;
    while (i < len && n < max) {
        int32_t cp;
        int w = hq_utf8_decode(s + i, len - i, &cp);
        if (hq_eval_is_space(cp)) {
            i += (size_t)w;
            continue;
        }
        size_t start = i;
        while (i < len) {
            w = hq_utf8_decode(s + i, len - i, &cp);
            if (hq_eval_is_space(cp))
                break;
            i += (size_t)w;
        }
        fields[n++] = (hq_eval_field){s + start, i - start};
    }
    return n;
}

/* ---- lines as Python's text mode reads them ----------------------------- */

hq_status hq_eval_lines_open(hq_eval_lines *r, const char *path, hq_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->f = fopen(path, "rb");
    if (r->f == NULL)
        return hq_fail(err, HQ_EIO, path, 0, -1, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(r->f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(r->f);
        r->f = NULL;
        return hq_fail(err, HQ_EINVAL, path, 0, -1, "is a folder, not a file");
    }
    r->line = hq_xmalloc(HQ_EVAL_MAX_LINE_BYTES + 1);
    r->line[0] = '\0';
    return HQ_OK;
}

void hq_eval_lines_close(hq_eval_lines *r)
{
    if (r->f)
        fclose(r->f);
    free(r->line);
    r->f = NULL;
    r->line = NULL;
}

hq_status hq_eval_lines_next(hq_eval_lines *r, bool *got, hq_error *err)
{
    *got = false;
    r->len = 0;
    r->line[0] = '\0';
    r->terminated = false;
    int c = getc_unlocked(r->f);
    if (c == EOF) {
        if (ferror(r->f))
            return hq_fail(err, HQ_EIO, r->path, r->lineno + 1, -1, "read failed: %s",
                           strerror(errno));
        return HQ_OK;
    }
    r->lineno++;
    for (; c != EOF; c = getc_unlocked(r->f)) {
        if (++r->n_bytes > HQ_EVAL_MAX_FILE_BYTES)
            return hq_fail(err, HQ_ELIMIT, r->path, r->lineno, -1,
                           "file is over the limit of %u bytes", HQ_EVAL_MAX_FILE_BYTES);
        if (c == '\n') {
            r->terminated = true;
            break;
        }
        if (c == '\r') { /* "\r\n" or a lone "\r" */
            r->terminated = true;
            int next = getc_unlocked(r->f);
            if (next == '\n')
                r->n_bytes++;
            else if (next != EOF)
                ungetc(next, r->f);
            break;
        }
        if (c == '\0')
            return hq_fail(err, HQ_EFORMAT, r->path, r->lineno, -1,
                           "NUL byte at column %zu", r->len + 1);
        if (r->len == HQ_EVAL_MAX_LINE_BYTES)
            return hq_fail(err, HQ_ELIMIT, r->path, r->lineno, -1,
                           "line is over the limit of %u bytes", HQ_EVAL_MAX_LINE_BYTES);
        r->line[r->len++] = (char)c;
    }
    if (ferror(r->f))
        return hq_fail(err, HQ_EIO, r->path, r->lineno, -1, "read failed: %s", strerror(errno));
    r->line[r->len] = '\0';
    long bad = hq_utf8_invalid_at(r->line, r->len);
    if (bad >= 0)
        return hq_fail(err, HQ_EUTF8, r->path, r->lineno, -1,
                       "invalid UTF-8 at byte %ld of the line", bad + 1);
    *got = true;
    return HQ_OK;
}

/* ---- Python's int() --------------------------------------------------- */

bool hq_eval_parse_int(const char *tok, size_t len, long long *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (tok[i] == '+' || tok[i] == '-'))
        neg = tok[i++] == '-';
    if (i == len)
        return false;
    /* Accumulate the magnitude negatively so LLONG_MIN fits. */
    long long v = 0;
    bool prev_digit = false;
    for (; i < len; i++) {
        char c = tok[i];
        if (c == '_') {
            if (!prev_digit || i + 1 == len)
                return false;
            prev_digit = false;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        int d = c - '0';
        if (v < (LLONG_MIN + d) / 10)
            return false;
        v = v * 10 - d;
        prev_digit = true;
    }
    if (!neg) {
        if (v == LLONG_MIN)
            return false;
        v = -v;
    }
    *out = v;
    return true;
}

/* Shows a field in an error message: at most 40 bytes, cut at a UTF-8
 * character boundary. */
static int shown_len(const hq_eval_field *f)
{
    size_t n = f->len;
    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)f->s[n] & 0xC0) == 0x80)
            n--;
    }
    return (int)n;
}

/* ---- qrels ------------------------------------------------------------ */

void hq_qrels_free(hq_qrels *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->n_queries; i++) {
        free(q->queries[i].docs);
        hq_strmap_free(&q->queries[i].by_docid);
    }
    free(q->queries);
    hq_strmap_free(&q->by_qid);
    hq_arena_free(&q->arena);
    free(q);
}

static hq_qrels_query *qrels_query(hq_qrels *q, const hq_eval_field *f)
{
    size_t *idx = hq_strmap_get(&q->by_qid, f->s, f->len);
    if (idx)
        return &q->queries[*idx];
    hq_grow((void **)&q->queries, &q->cap_queries, q->n_queries + 1, sizeof *q->queries);
    hq_qrels_query *qq = &q->queries[q->n_queries];
    memset(qq, 0, sizeof *qq);
    qq->qid = hq_arena_strndup(&q->arena, f->s, f->len);
    hq_strmap_init(&qq->by_docid);
    bool added;
    *hq_strmap_put(&q->by_qid, qq->qid, f->len, &added) = q->n_queries++;
    return qq;
}

/* qrels[q][d] = max(g, qrels[q].get(d, 0)) */
static void qrels_judge(hq_qrels *q, hq_qrels_query *qq, const hq_eval_field *d, int grade)
{
    size_t *idx = hq_strmap_get(&qq->by_docid, d->s, d->len);
    if (idx) {
        hq_qrels_doc *doc = &qq->docs[*idx];
        if (grade > doc->grade)
            doc->grade = grade;
        return;
    }
    hq_grow((void **)&qq->docs, &qq->cap_docs, qq->n_docs + 1, sizeof *qq->docs);
    char *docid = hq_arena_strndup(&q->arena, d->s, d->len);
    qq->docs[qq->n_docs] = (hq_qrels_doc){docid, grade > 0 ? grade : 0};
    bool added;
    *hq_strmap_put(&qq->by_docid, docid, d->len, &added) = qq->n_docs++;
}

hq_status hq_qrels_load(const char *path, hq_qrels **out, hq_error *err)
{
    *out = NULL;
    hq_eval_lines r;
    hq_status rc = hq_eval_lines_open(&r, path, err);
    if (rc != HQ_OK)
        return rc;
    hq_qrels *q = hq_xcalloc(1, sizeof *q);
    hq_arena_init(&q->arena);
    hq_strmap_init(&q->by_qid);
    bool got;
    while ((rc = hq_eval_lines_next(&r, &got, err)) == HQ_OK && got) {
        hq_eval_field f[4];
        if (hq_eval_split(r.line, r.len, f, 4) < 4)
            continue; /* eval.py skips short lines, even non-blank ones */
        long long g;
        if (!hq_eval_parse_int(f[3].s, f[3].len, &g)) {
            rc = hq_fail(err, HQ_EFORMAT, path, r.lineno, -1,
                         "grade '%.*s' is not an integer (expected 'qid 0 docid grade')",
                         shown_len(&f[3]), f[3].s);
            break;
        }
        if (g < -HQ_EVAL_MAX_GRADE || g > HQ_EVAL_MAX_GRADE) {
            rc = hq_fail(err, HQ_ELIMIT, path, r.lineno, -1,
                         "grade %lld is out of range (at most %d in absolute value)", g,
                         HQ_EVAL_MAX_GRADE);
            break;
        }
        qrels_judge(q, qrels_query(q, &f[0]), &f[2], (int)g);
    }
    hq_eval_lines_close(&r);
    if (rc != HQ_OK) {
        hq_qrels_free(q);
        return rc;
    }
    *out = q;
    return HQ_OK;
}

const hq_qrels_query *hq_qrels_find(const hq_qrels *q, const char *qid)
{
    size_t *idx = hq_strmap_get(&q->by_qid, qid, strlen(qid));
    return idx ? &q->queries[*idx] : NULL;
}

bool hq_qrels_grade(const hq_qrels_query *qq, const char *docid, int *grade)
{
    size_t *idx = hq_strmap_get(&qq->by_docid, docid, strlen(docid));
    if (idx == NULL)
        return false;
    *grade = qq->docs[*idx].grade;
    return true;
}

/* ---- queries ---------------------------------------------------------- */

void hq_queries_free(hq_queries *q)
{
    if (q == NULL)
        return;
    free(q->qids);
    hq_arena_free(&q->arena);
    free(q);
}

static bool is_blank(const char *s, size_t len)
{
    hq_eval_field f;
    return hq_eval_split(s, len, &f, 1) == 0;
}

hq_status hq_queries_load(const char *path, hq_queries **out, hq_error *err)
{
    *out = NULL;
    hq_eval_lines r;
    hq_status rc = hq_eval_lines_open(&r, path, err);
    if (rc != HQ_OK)
        return rc;
    hq_queries *q = hq_xcalloc(1, sizeof *q);
    hq_arena_init(&q->arena);
    bool got;
    while ((rc = hq_eval_lines_next(&r, &got, err)) == HQ_OK && got) {
        if (is_blank(r.line, r.len))
            continue;
        if (q->n_qids == HQ_EVAL_MAX_QIDS) {
            rc = hq_fail(err, HQ_ELIMIT, path, r.lineno, -1,
                         "more than %u questions", HQ_EVAL_MAX_QIDS);
            break;
        }
        /* l.split("\t", 1)[0]: Python's line still has its "\n" (universal
         * newlines turned "\r\n" and "\r" into "\n"). */
        const char *tab = memchr(r.line, '\t', r.len);
        const char *qid;
        if (tab)
            qid = hq_arena_strndup(&q->arena, r.line, (size_t)(tab - r.line));
        else
            qid = hq_arena_printf(&q->arena, "%s%s", r.line, r.terminated ? "\n" : "");
        hq_grow((void **)&q->qids, &q->cap_qids, q->n_qids + 1, sizeof *q->qids);
        q->qids[q->n_qids++] = qid;
    }
    hq_eval_lines_close(&r);
    if (rc != HQ_OK) {
        hq_queries_free(q);
        return rc;
    }
    *out = q;
    return HQ_OK;
}
