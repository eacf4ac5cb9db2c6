/*
 * segment.c — writing and reading one immutable segment file.
 *
 * Byte layout of seg-<id>.hqs (integers little-endian):
 *   header, 256 bytes:
 *     0   8 bytes  magic "HQSEGMT\0"
 *     8   u32      format version (1)
 *     12  u32      n_docs
 *     16  u32      n_terms
 *     20  u32      n_lex_blocks
 *     24  u64[3]   total length of each field over all documents
 *     48  6 sections × {u64 offset, u64 length, u32 crc32, u32 zero}:
 *         docs, strings, lexicon, lexicon index, postings, positions
 *     192 u32      flags: bit 0 = the skip entries carry exact bounds (max_tfn);
 *                  bit 1 = computed with coded lengths (hq_field_factor);
 *                  a reader ignores bounds without bit 1 (older segments)
 *     196 f64[3]   hint weight per field, 220 f64[3] hint b per field
 *     244 ...      zero
 *     252 u32      crc32 of bytes 0..252
 *   docs: n_docs records of 32 bytes:
 *     u32 section id, u32 article id, u32 source, u32 qtype (offsets in
 *     strings; qtype 0xFFFFFFFF when none), u32 len[3], u8 trust, u8 flags,
 *     u16 zero
 *   strings: NUL-terminated UTF-8 strings; a source or type is stored
 *     once (filters compare their offsets), ids as they come
 *   lexicon, lexicon index: see lexicon.c
 *   postings (ending in 16 zero bytes of padding), positions: postings.c
 * The sections follow the header in any order (this writer: docs,
 * strings, positions, postings, lexicon, lexicon index; older ones wrote
 * the postings before the positions); readers go by the header's offsets.
 *
 * Opening maps the file read-only and checks the header, that the
 * sections fill the file without gap or overlap, and every section's
 * checksum, so no byte of the file is
 * used before a CRC-32 vouched for it: a damaged segment fails to open
 * with HQ_ECORRUPT naming the section, and a search never decodes a
 * damaged block (verifying all ~11 MB of the full corpus' segment costs
 * ~3 ms, once per open; docs/ROBUSTNESS.md).  hq_segment_check also
 * decodes every postings list; the decoders bound every read anyway.
 * Opening also keeps each document's field lengths as one-byte codes (3
 * bytes a document, dense, so that ranking's cheap bounds stay in cache).
 */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HINT_EXACT 1u /* header flags, at 192 */
#define HINT_CODED 2u
#define MAGIC "HQSEGMT"
#define VERSION 1
#define HEADER_BYTES 256
#define DOC_BYTES HQ_DOC_RECORD_BYTES
#define PADDING 16
enum { SEC_DOCS, SEC_STRINGS, SEC_LEX, SEC_LEXINDEX, SEC_POSTINGS, SEC_POSITIONS, N_SECS };
static const char *const SEC_NAMES[N_SECS] = {"documents", "strings",  "lexicon",
                                              "lexicon index", "postings", "positions"};

typedef struct section {
    uint64_t off, len;
    uint32_t crc;
} section;

/* ---- writing --------------------------------------------------------- */

/* A file being written through a buffer of WRITE_BUF bytes, with a
 * running checksum of the current section.  Each full buffer is written
 * and its writeback started at once (sync_file_range), and a syncer
 * flushes the file to the disk as it grows (io.c), so that the fsync at
 * the end waits for the last bytes, not for the whole file. */
#define WRITE_BUF (1u << 20)

typedef struct writer {
    int fd;
    const char *path;
    uint64_t off;       /* the current section's bookkeeping (see w_bytes) */
    uint64_t flushed;   /* bytes handed to the file so far */
    unsigned char *buf; /* WRITE_BUF bytes, buf_len of them pending */
    size_t buf_len;
    uint32_t crc;
    hq_syncer *sync;
    hq_status rc;
    hq_error *err;
} writer;

/* Writes data[0..len) at the file's end (the sticky error on failure), and
 * starts its writeback. */
static void w_out(writer *w, const void *data, size_t len)
{
    uint64_t start = w->flushed;
    if (w->rc == HQ_OK)
        w->rc = hq_write_all(w->fd, data, len, w->path, (long)w->flushed, w->err);
    if (w->rc == HQ_OK) {
        w->flushed += len;
        hq_syncer_wrote(w->sync, w->flushed);
    }
#ifdef SYNC_FILE_RANGE_WRITE
    /* A hint (where it is not supported, the fsync does it all).  The
     * first page holds the header, rewritten at the end: a write to a
     * page under writeback may wait for it. */
    if (start < 4096)
        start = 4096;
    if (w->rc == HQ_OK && w->flushed > start)
        (void)sync_file_range(w->fd, (off_t)start, (off_t)(w->flushed - start),
                              SYNC_FILE_RANGE_WRITE);
#else
    (void)start;
#endif
}

static void w_flush(writer *w)
{
    w_out(w, w->buf, w->buf_len);
    w->buf_len = 0;
}

/* Writes data; true when written (the checksum and offset are the
 * caller's to update). */
static bool w_raw(writer *w, const void *data, size_t len)
{
    if (w->rc != HQ_OK)
        return false;
    if (w->buf_len + len > WRITE_BUF)
        w_flush(w);
    if (len >= WRITE_BUF) {
        w_out(w, data, len);
    } else if (len > 0) {
        memcpy(w->buf + w->buf_len, data, len);
        w->buf_len += len;
    }
    return w->rc == HQ_OK;
}

static void w_bytes(writer *w, const void *data, size_t len)
{
    if (len == 0 || !w_raw(w, data, len))
        return;
    w->crc = hq_crc32(w->crc, data, len);
    w->off += len;
}

static void w_section_start(writer *w, section *s)
{
    s->off = w->off;
    w->crc = 0;
}

static void w_section_end(writer *w, section *s)
{
    s->len = w->off - s->off;
    s->crc = w->crc;
}

/* The postings are encoded in chunks of consecutive terms, by helper
 * threads and the writing thread alike, and written in order: the
 * bytes are the same whatever the threads.  The helpers start before the
 * document table is written (the writing thread writes the documents,
 * strings and positions meanwhile), and also checksum each chunk's
 * postings (combined with hq_crc32_combine); the writing thread, while
 * the chunk it writes next is not ready, encodes the next unclaimed
 * chunk that has a free slot rather than wait.  A ring of RING slots
 * holds the chunks encoded and not yet written, so memory stays
 * bounded. */
#define CHUNK_BYTES (64u << 10) /* memindex postings bytes per chunk, about */
#define CHUNK_TERMS 1024
#define RING 16
#define MAX_HELPERS 8

typedef struct chunk_slot {
    size_t chunk;    /* the chunk it holds or will hold */
    bool filled;
    hq_buf out;      /* the chunk's terms' postings, one after the other */
    uint32_t *lens;  /* each term's postings bytes */
    size_t cap_lens;
    uint32_t crc;    /* of out */
} chunk_slot;

typedef struct encoder {
    hq_memterm **terms;
    size_t n_terms;
    const hq_encode_ctx *ctx;
    size_t *starts; /* chunk c is terms [starts[c], starts[c + 1]) */
    size_t n_chunks;
    pthread_mutex_t mu; /* guards next and the slots' chunk and filled */
    pthread_cond_t cv;
    size_t next; /* the next chunk to encode */
    chunk_slot slot[RING];
    pthread_t helpers[MAX_HELPERS];
    unsigned n_helpers;
    bool stop; /* the writer is done (or failed): no chunk is wanted any more */
} encoder;

#define PREFETCH_RECORD 8 /* terms ahead whose record is prefetched */
#define PREFETCH_STREAMS 4 /* and whose streams' starts (the record read by then) */

enum { PF_POST = 1, PF_POS = 2, PF_TERM = 4 }; /* what of a term prefetch_terms fetches */

/* The terms' records and streams lie scattered in memory, in order of
 * creation, not of their bytes, and every walk over them in order (to
 * cut them into chunks, encode them, write their positions and lexicon
 * entries) waited for each record in turn: the record of the term a few
 * ahead of terms[i] (of n) is prefetched, then what the walk reads of
 * the term nearer ahead (PF_*), its record read by then. */
static inline void prefetch_terms(hq_memterm *const *terms, size_t n, size_t i, unsigned what)
{
    if (i + PREFETCH_RECORD < n)
        __builtin_prefetch(terms[i + PREFETCH_RECORD]);
    if (i + PREFETCH_STREAMS >= n)
        return;
    const hq_memterm *t = terms[i + PREFETCH_STREAMS];
    if (what & PF_POST)
        __builtin_prefetch(t->post.data);
    if (what & PF_POS)
        __builtin_prefetch(t->pos.data);
    if (what & PF_TERM)
        __builtin_prefetch(t->term);
}

static void encode_chunk(encoder *e, chunk_slot *sl, size_t c)
{
    hq_buf_reset(&sl->out);
    size_t n = e->starts[c + 1] - e->starts[c];
    hq_memterm *const *terms = e->terms + e->starts[c];
    size_t left = e->n_terms - e->starts[c]; /* terms from terms[0] on */
    hq_grow((void **)&sl->lens, &sl->cap_lens, n + 1, sizeof *sl->lens);
    for (size_t i = 0; i < n; i++) {
        size_t before = sl->out.len;
        prefetch_terms(terms, left, i, PF_POST | PF_POS);
        hq_postings_encode(terms[i], e->ctx, &sl->out, NULL);
        sl->lens[i] = (uint32_t)(sl->out.len - before);
    }
    sl->crc = hq_crc32(0, sl->out.data, sl->out.len);
}

/* Claims the next chunk and waits for its slot (mu held); false when
 * every chunk is claimed. */
static bool claim_chunk(encoder *e, size_t *c)
{
    if (e->next >= e->n_chunks || e->stop)
        return false;
    *c = e->next++;
    chunk_slot *sl = &e->slot[*c % RING];
    while (sl->chunk != *c && !e->stop) /* its previous chunk is not written yet */
        pthread_cond_wait(&e->cv, &e->mu);
    return !e->stop;
}

static void *encoder_main(void *arg)
{
    encoder *e = arg;
    size_t c;
    pthread_mutex_lock(&e->mu);
    while (claim_chunk(e, &c)) {
        pthread_mutex_unlock(&e->mu);
        encode_chunk(e, &e->slot[c % RING], c);
        pthread_mutex_lock(&e->mu);
        e->slot[c % RING].filled = true;
        pthread_cond_broadcast(&e->cv);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

/* Cuts terms[0..n) into chunks (e->starts). */
static void cut_chunks(encoder *e, size_t n)
{
    size_t cap = 0, first = 0, bytes = 0;
    hq_grow((void **)&e->starts, &cap, 2, sizeof *e->starts);
    e->starts[0] = 0;
    e->n_chunks = 0;
    for (size_t i = 0; i < n; i++) {
        prefetch_terms(e->terms, n, i, 0);
        if (i > first && (i - first >= CHUNK_TERMS || bytes >= CHUNK_BYTES)) {
            hq_grow((void **)&e->starts, &cap, e->n_chunks + 2, sizeof *e->starts);
            e->starts[++e->n_chunks] = first = i;
            bytes = 0;
        }
        bytes += e->terms[i]->post.len + 16;
    }
    if (n > 0) {
        hq_grow((void **)&e->starts, &cap, e->n_chunks + 2, sizeof *e->starts);
        e->starts[++e->n_chunks] = n;
    }
}

/* Cuts the terms into chunks and starts threads - 1 helpers encoding. */
static void encoder_start(encoder *e, hq_memterm **terms, size_t n_terms,
                          const hq_encode_ctx *ctx, unsigned threads)
{
    memset(e, 0, sizeof *e);
    e->terms = terms;
    e->n_terms = n_terms;
    e->ctx = ctx;
    cut_chunks(e, n_terms);
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    for (size_t i = 0; i < RING; i++) {
        e->slot[i].chunk = i;
        hq_buf_init(&e->slot[i].out, 0);
    }
    while (e->n_helpers + 1 < threads && e->n_helpers < MAX_HELPERS &&
           e->n_helpers + 1 < e->n_chunks &&
           pthread_create(&e->helpers[e->n_helpers], NULL, encoder_main, e) == 0)
        e->n_helpers++;
}

/* Waits for the helpers (every chunk claimed) and frees e. */
static void encoder_end(encoder *e)
{
    pthread_mutex_lock(&e->mu);
    e->stop = true; /* after a failure, helpers may wait for slots never freed */
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    for (unsigned i = 0; i < e->n_helpers; i++)
        pthread_join(e->helpers[i], NULL);
    for (size_t i = 0; i < RING; i++) {
        hq_buf_free(&e->slot[i].out);
        free(e->slot[i].lens);
    }
    free(e->starts);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cv);
}

/* Writes data, whose checksum is crc, as part of the current section. */
static void w_bytes_crc(writer *w, const void *data, size_t len, uint32_t crc)
{
    if (len == 0 || !w_raw(w, data, len))
        return;
    w->crc = hq_crc32_combine(w->crc, crc, len);
    w->off += len;
}

/* Writes the postings section, the chunks as they are encoded, and fills
 * the lexicon. */
static void w_postings(writer *w, encoder *e, hq_lexwriter *lex, section *sec)
{
    w_section_start(w, sec);
    uint64_t pos_off = 0;
    for (size_t c = 0; c < e->n_chunks && w->rc == HQ_OK; c++) {
        chunk_slot *sl = &e->slot[c % RING];
        pthread_mutex_lock(&e->mu);
        while (!sl->filled) {
            size_t mine;
            /* Rather than wait, encode the next unclaimed chunk whose slot
             * is free (chunks before c are written: below c + RING). */
            if (e->next < c + RING && claim_chunk(e, &mine)) {
                pthread_mutex_unlock(&e->mu);
                encode_chunk(e, &e->slot[mine % RING], mine);
                pthread_mutex_lock(&e->mu);
                e->slot[mine % RING].filled = true;
            } else {
                pthread_cond_wait(&e->cv, &e->mu);
            }
        }
        pthread_mutex_unlock(&e->mu);
        for (size_t i = e->starts[c]; i < e->starts[c + 1]; i++) {
            prefetch_terms(e->terms, e->n_terms, i, PF_TERM);
            hq_memterm *t = e->terms[i];
            uint32_t len = sl->lens[i - e->starts[c]];
            hq_terminfo ti = {t->n_docs, w->off - sec->off, pos_off, len, (uint32_t)t->pos.len};
            hq_lexwriter_add(lex, t->term, t->len, &ti);
            w->off += len; /* the offsets of the chunk's terms, written next */
            pos_off += t->pos.len;
        }
        w->off -= sl->out.len;
        w_bytes_crc(w, sl->out.data, sl->out.len, sl->crc);
        pthread_mutex_lock(&e->mu);
        sl->filled = false;
        sl->chunk = c + RING; /* free for the chunk that comes RING later */
        pthread_cond_broadcast(&e->cv);
        pthread_mutex_unlock(&e->mu);
    }
    static const unsigned char pad[PADDING];
    w_bytes(w, pad, PADDING);
    w_section_end(w, sec);
}

/* The positions of every term, in term order. */
static void w_positions(writer *w, hq_memterm *const *terms, size_t n_terms, section *sec)
{
    w_section_start(w, sec);
    for (size_t i = 0; i < n_terms && w->rc == HQ_OK; i++) {
        prefetch_terms(terms, n_terms, i, PF_POS);
        w_bytes(w, terms[i]->pos.data, terms[i]->pos.len);
    }
    w_section_end(w, sec);
}

static void w_buf_section(writer *w, const hq_buf *b, section *sec)
{
    w_section_start(w, sec);
    w_bytes(w, b->data, b->len);
    w_section_end(w, sec);
}

static void encode_header(unsigned char *h, uint32_t n_docs, uint32_t n_terms, uint32_t n_blocks,
                          const uint64_t *field_total, const section *secs,
                          const hq_field_params *hint)
{
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_buf_append(&b, MAGIC, 8);
    hq_put_u32(&b, VERSION);
    hq_put_u32(&b, n_docs);
    hq_put_u32(&b, n_terms);
    hq_put_u32(&b, n_blocks);
    for (int f = 0; f < HQ_NFIELDS; f++)
        hq_put_u64(&b, field_total[f]);
    for (int s = 0; s < N_SECS; s++) {
        hq_put_u64(&b, secs[s].off);
        hq_put_u64(&b, secs[s].len);
        hq_put_u32(&b, secs[s].crc);
        hq_put_u32(&b, 0);
    }
    hq_put_u32(&b, hint ? HINT_EXACT | HINT_CODED : 0);
    const double zero[HQ_NFIELDS] = {0};
    const double *parts[2] = {hint ? hint->w : zero, hint ? hint->b : zero};
    for (int k = 0; k < 2; k++)
        for (int f = 0; f < HQ_NFIELDS; f++) {
            uint64_t bits;
            memcpy(&bits, &parts[k][f], 8);
            hq_put_u64(&b, bits);
        }
    memset(h, 0, HEADER_BYTES);
    memcpy(h, b.data, b.len);
    uint32_t crc = hq_crc32(0, h, HEADER_BYTES - 4);
    for (int i = 0; i < 4; i++)
        h[HEADER_BYTES - 4 + i] = (unsigned char)(crc >> (8 * i));
    hq_buf_free(&b);
}

hq_status hq_segment_write_docs(const char *path, const hq_segdocs *docs, hq_memindex *mi,
                                const hq_field_params *hint, unsigned threads, hq_error *err)
{
    size_t plen = strlen(path) + 5;
    char *tmp = hq_xmalloc(plen);
    snprintf(tmp, plen, "%s.tmp", path);
    writer w = {.path = tmp, .err = err};
    w.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w.fd < 0) {
        hq_status rc = hq_fail(err, HQ_EIO, tmp, 0, -1, "cannot create: %s", strerror(errno));
        free(tmp);
        return rc;
    }
    w.buf = hq_xmalloc(WRITE_BUF);
    w.sync = hq_syncer_new(w.fd);
    uint32_t n_docs = docs->n;
    size_t n_terms;
    hq_memterm **terms = hq_memindex_sorted(mi, &n_terms);
    section secs[N_SECS] = {{0}};
    hq_lexwriter lex;
    hq_lexwriter_init(&lex);
    unsigned char header[HEADER_BYTES] = {0};
    hq_encode_ctx ctx = {.doc_len = docs->len, .hint = hint};
    for (int f = 0; f < HQ_NFIELDS; f++) /* as the snapshot computes it for one segment */
        ctx.avg[f] = n_docs ? (double)docs->total[f] / (double)n_docs : 0.0;
    double factor[HQ_NFIELDS][256];
    if (hint) {
        for (int f = 0; f < HQ_NFIELDS; f++)
            for (unsigned code = 0; code < 256; code++)
                factor[f][code] = hq_field_factor(hint->w[f], hint->b[f], ctx.avg[f],
                                                  (uint8_t)code);
        ctx.len_code = docs->code;
        ctx.factor = (const double (*)[256])factor;
    }
    encoder e;
    encoder_start(&e, terms, n_terms, &ctx, threads); /* encoding while the documents are written */
    w_bytes(&w, header, HEADER_BYTES); /* rewritten at the end */
    w_buf_section(&w, &docs->records, &secs[SEC_DOCS]);
    w_buf_section(&w, &docs->strings, &secs[SEC_STRINGS]);
    w_positions(&w, terms, n_terms, &secs[SEC_POSITIONS]);
    w_postings(&w, &e, &lex, &secs[SEC_POSTINGS]);
    encoder_end(&e);
    w_buf_section(&w, &lex.lex, &secs[SEC_LEX]);
    w_buf_section(&w, &lex.index, &secs[SEC_LEXINDEX]);
    uint32_t n_blocks = (uint32_t)(lex.index.len / 4);
    encode_header(header, n_docs, (uint32_t)n_terms, n_blocks, docs->total, secs, hint);
    w_flush(&w);
    hq_status rc = w.rc;
    int sync_error = hq_syncer_stop(w.sync);
    if (rc == HQ_OK && sync_error != 0)
        rc = hq_fail(err, HQ_EIO, tmp, 0, -1, "fdatasync failed: %s", strerror(sync_error));
    if (rc == HQ_OK && pwrite(w.fd, header, HEADER_BYTES, 0) != HEADER_BYTES)
        rc = hq_fail(err, HQ_EIO, tmp, 0, 0, "write failed: %s", strerror(errno));
    if (rc == HQ_OK && fsync(w.fd) != 0)
        rc = hq_fail(err, HQ_EIO, tmp, 0, -1, "fsync failed: %s", strerror(errno));
    if (close(w.fd) != 0 && rc == HQ_OK)
        rc = hq_fail(err, HQ_EIO, tmp, 0, -1, "close failed: %s", strerror(errno));
    if (rc == HQ_OK && rename(tmp, path) != 0)
        rc = hq_fail(err, HQ_EIO, path, 0, -1, "rename failed: %s", strerror(errno));
    if (rc != HQ_OK)
        unlink(tmp);
    hq_lexwriter_free(&lex);
    free(w.buf);
    free(tmp);
    return rc;
}

hq_status hq_segment_write(const char *path, const hq_newdoc *docs, uint32_t n_docs,
                           hq_memindex *mi, const hq_field_params *hint, unsigned threads,
                           hq_error *err)
{
    hq_segdocs d = {0};
    for (uint32_t i = 0; i < n_docs; i++)
        hq_segdocs_add(&d, &docs[i]);
    hq_status rc = hq_segment_write_docs(path, &d, mi, hint, threads, err);
    hq_segdocs_free(&d);
    return rc;
}

/* ---- reading --------------------------------------------------------- */

/* Length codes: 0..127 are the length itself; above, 4 exponent bits
 * and 4 mantissa bits after the leading one, rounded down, so that a
 * code never decodes to more than the length it came from. */
uint8_t hq_length_code(uint32_t len)
{
    if (len < 128)
        return (uint8_t)len;
    int e = 31 - __builtin_clz(len); /* 7.. */
    if (e > 14)
        return 255; /* 32768 and more: decodes to 31744 */
    return (uint8_t)(128 + ((e - 7) << 4) + ((len >> (e - 4)) & 15));
}


struct hq_segment {
    int refs; /* atomic */
    char *path;
    dev_t dev; /* the file mapped, and when it last changed */
    ino_t ino;
    struct timespec ctime;
    const unsigned char *map;
    size_t size;
    uint32_t n_docs, n_terms, n_blocks;
    uint64_t field_total[HQ_NFIELDS];
    section secs[N_SECS];
    bool has_hint;
    hq_field_params hint;
    uint32_t *attrs; /* distinct source and qtype string offsets */
    size_t n_attrs;
    uint8_t *len_codes; /* n_docs * HQ_NFIELDS, see hq_length_code */
};

static const unsigned char *sec_ptr(const hq_segment *s, int i)
{
    return s->map + s->secs[i].off;
}

static hq_status parse_header(hq_segment *s, hq_error *err)
{
    const unsigned char *h = s->map;
    if (s->size < HEADER_BYTES || memcmp(h, MAGIC, 8) != 0)
        return hq_fail(err, HQ_ECORRUPT, s->path, 0, 0, "not a healthqa segment (bad magic)");
    if (hq_get_u32(h + 8) != VERSION)
        return hq_fail(err, HQ_ECORRUPT, s->path, 0, 8,
                       "segment format version %u, this program reads version %d: "
                       "rebuild the index (healthqa index --rebuild)",
                       hq_get_u32(h + 8), VERSION);
    if (hq_crc32(0, h, HEADER_BYTES - 4) != hq_get_u32(h + HEADER_BYTES - 4))
        return hq_fail(err, HQ_ECORRUPT, s->path, 0, 0, "header checksum mismatch");
    s->n_docs = hq_get_u32(h + 12);
    s->n_terms = hq_get_u32(h + 16);
    s->n_blocks = hq_get_u32(h + 20);
    for (int f = 0; f < HQ_NFIELDS; f++)
        s->field_total[f] = hq_get_u64(h + 24 + 8 * f);
    for (int i = 0; i < N_SECS; i++) {
        const unsigned char *e = h + 48 + 24 * i;
        s->secs[i] = (section){hq_get_u64(e), hq_get_u64(e + 8), hq_get_u32(e + 16)};
        if (s->secs[i].off < HEADER_BYTES || s->secs[i].off > s->size ||
            s->secs[i].len > s->size - s->secs[i].off)
            return hq_fail(err, HQ_ECORRUPT, s->path, 0, (long)(48 + 24 * i),
                           "the %s section lies outside the file (file truncated?)",
                           SEC_NAMES[i]);
    }
    s->has_hint = (hq_get_u32(h + 192) & (HINT_EXACT | HINT_CODED)) == (HINT_EXACT | HINT_CODED);
    for (int f = 0; f < HQ_NFIELDS; f++) {
        uint64_t w = hq_get_u64(h + 196 + 8 * f), b = hq_get_u64(h + 220 + 8 * f);
        memcpy(&s->hint.w[f], &w, 8);
        memcpy(&s->hint.b[f], &b, 8);
    }
    if (s->secs[SEC_DOCS].len != (uint64_t)s->n_docs * DOC_BYTES ||
        s->secs[SEC_LEXINDEX].len != (uint64_t)s->n_blocks * 4 ||
        s->secs[SEC_POSTINGS].len < PADDING)
        return hq_fail(err, HQ_ECORRUPT, s->path, 0, -1,
                       "section sizes disagree with the document and term counts");
    return HQ_OK;
}

/* The writer lays the sections back to back from the end of the header
 * to the end of the file (in any order): a gap, an overlap or bytes
 * after them are damage (a section table no checksum could vouch for). */
static hq_status check_layout(const hq_segment *s, hq_error *err)
{
    int order[N_SECS];
    for (int i = 0; i < N_SECS; i++) { /* by offset, then length: few, insertion sort */
        int j = i;
        for (; j > 0 && (s->secs[order[j - 1]].off > s->secs[i].off ||
                         (s->secs[order[j - 1]].off == s->secs[i].off &&
                          s->secs[order[j - 1]].len > s->secs[i].len));
             j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    uint64_t at = HEADER_BYTES;
    for (int k = 0; k < N_SECS; k++) {
        const section *x = &s->secs[order[k]];
        if (x->off != at)
            return hq_fail(err, HQ_ECORRUPT, s->path, 0, (long)at,
                           "the %s section starts at byte %llu, expected %llu",
                           SEC_NAMES[order[k]], (unsigned long long)x->off,
                           (unsigned long long)at);
        at += x->len;
    }
    if (at != s->size)
        return hq_fail(err, HQ_ECORRUPT, s->path, 0, (long)at,
                       "the sections end at byte %llu of a %zu-byte file",
                       (unsigned long long)at, s->size);
    return HQ_OK;
}

static hq_status check_crc(const hq_segment *s, int i, hq_error *err)
{
    if (hq_crc32(0, sec_ptr(s, i), s->secs[i].len) == s->secs[i].crc)
        return HQ_OK;
    return hq_fail(err, HQ_ECORRUPT, s->path, 0, (long)s->secs[i].off,
                   "checksum mismatch in the %s section", SEC_NAMES[i]);
}

static void add_attr(hq_segment *s, uint32_t off, size_t *cap)
{
    if (off == HQ_NO_STRING)
        return;
    for (size_t i = 0; i < s->n_attrs; i++)
        if (s->attrs[i] == off)
            return;
    hq_grow((void **)&s->attrs, cap, s->n_attrs + 1, sizeof *s->attrs);
    s->attrs[s->n_attrs++] = off;
}

/* Every string offset of the document table points inside the strings
 * section, which ends with a NUL. */
static hq_status check_docs(hq_segment *s, hq_error *err)
{
    const section *st = &s->secs[SEC_STRINGS];
    if (st->len == 0 || sec_ptr(s, SEC_STRINGS)[st->len - 1] != '\0')
        return hq_fail(err, HQ_ECORRUPT, s->path, 0, (long)st->off,
                       "the strings section does not end with a NUL");
    size_t cap = 0;
    s->len_codes = hq_xmalloc((size_t)s->n_docs * HQ_NFIELDS + 1);
    for (uint32_t d = 0; d < s->n_docs; d++) {
        const unsigned char *r = sec_ptr(s, SEC_DOCS) + (size_t)d * DOC_BYTES;
        for (int k = 0; k < 4; k++) {
            uint32_t off = hq_get_u32(r + 4 * k);
            if ((off != HQ_NO_STRING || k != 3) && off >= st->len)
                return hq_fail(err, HQ_ECORRUPT, s->path, 0, -1,
                               "document %u refers to a string outside the table", d);
        }
        add_attr(s, hq_get_u32(r + 8), &cap);
        add_attr(s, hq_get_u32(r + 12), &cap);
        for (int f = 0; f < HQ_NFIELDS; f++)
            s->len_codes[(size_t)d * HQ_NFIELDS + (size_t)f] =
                hq_length_code(hq_get_u32(r + 16 + 4 * f));
    }
    return HQ_OK;
}

static hq_status map_file(hq_segment *s, hq_error *err)
{
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hq_fail(err, HQ_EIO, s->path, 0, -1, "cannot open: %s", strerror(errno));
    struct stat st;
    hq_status rc = HQ_OK;
    if (fstat(fd, &st) != 0)
        rc = hq_fail(err, HQ_EIO, s->path, 0, -1, "cannot stat: %s", strerror(errno));
    else if (st.st_size < HEADER_BYTES)
        rc = hq_fail(err, HQ_ECORRUPT, s->path, 0, -1,
                     "file is %lld bytes, shorter than a segment header (truncated?)",
                     (long long)st.st_size);
    if (rc == HQ_OK) {
        s->size = (size_t)st.st_size;
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        s->ctime = st.st_ctim;
        void *m = mmap(NULL, s->size, PROT_READ, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED)
            rc = hq_fail(err, HQ_EIO, s->path, 0, -1, "mmap failed: %s", strerror(errno));
        else
            s->map = m;
    }
    close(fd);
    return rc;
}

hq_status hq_segment_open(const char *path, hq_segment **out, hq_error *err)
{
    *out = NULL;
    hq_segment *s = hq_xcalloc(1, sizeof *s);
    s->refs = 1;
    s->path = hq_xstrdup(path);
    hq_status rc = map_file(s, err);
    if (rc == HQ_OK)
        rc = parse_header(s, err);
    if (rc == HQ_OK)
        rc = check_layout(s, err);
    for (int i = 0; rc == HQ_OK && i < N_SECS; i++)
        rc = check_crc(s, i, err);
    if (rc == HQ_OK)
        rc = check_docs(s, err);
    if (rc != HQ_OK) {
        hq_segment_unref(s);
        return rc;
    }
    *out = s;
    return HQ_OK;
}

void hq_segment_ref(hq_segment *s)
{
    __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void hq_segment_unref(hq_segment *s)
{
    if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    if (s->map)
        munmap((void *)s->map, s->size);
    free(s->attrs);
    free(s->len_codes);
    free(s->path);
    free(s);
}

bool hq_segment_is_file(const hq_segment *s, const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino &&
           (size_t)st.st_size == s->size && st.st_ctim.tv_sec == s->ctime.tv_sec &&
           st.st_ctim.tv_nsec == s->ctime.tv_nsec;
}

uint32_t hq_segment_n_docs(const hq_segment *s)
{
    return s->n_docs;
}

uint32_t hq_segment_n_terms(const hq_segment *s)
{
    return s->n_terms;
}

bool hq_segment_hint(const hq_segment *s, hq_field_params *params, double *avg)
{
    if (!s->has_hint || s->n_docs == 0)
        return false;
    *params = s->hint;
    for (int f = 0; f < HQ_NFIELDS; f++)
        avg[f] = (double)s->field_total[f] / (double)s->n_docs;
    return true;
}

const char *hq_segment_path(const hq_segment *s)
{
    return s->path;
}

uint64_t hq_segment_field_total(const hq_segment *s, int f)
{
    return s->field_total[f];
}

void hq_segment_doc(const hq_segment *s, uint32_t doc, hq_docinfo *out)
{
    const unsigned char *r = sec_ptr(s, SEC_DOCS) + (size_t)doc * DOC_BYTES;
    out->section_id = hq_get_u32(r);
    out->article_id = hq_get_u32(r + 4);
    out->source = hq_get_u32(r + 8);
    out->qtype = hq_get_u32(r + 12);
    for (int f = 0; f < HQ_NFIELDS; f++)
        out->len[f] = hq_get_u32(r + 16 + 4 * f);
    out->trust = r[28];
    out->flags = r[29];
}

const uint8_t *hq_segment_length_codes(const hq_segment *s)
{
    return s->len_codes;
}

const char *hq_segment_string(const hq_segment *s, uint32_t off)
{
    if (off >= s->secs[SEC_STRINGS].len)
        return "";
    return (const char *)sec_ptr(s, SEC_STRINGS) + off;
}

uint32_t hq_segment_find_string(const hq_segment *s, const char *str)
{
    for (size_t i = 0; i < s->n_attrs; i++)
        if (strcmp(hq_segment_string(s, s->attrs[i]), str) == 0)
            return s->attrs[i];
    return HQ_NO_STRING;
}

hq_status hq_segment_term(const hq_segment *s, const char *term, size_t len, hq_terminfo *ti)
{
    return hq_lexicon_find(sec_ptr(s, SEC_LEX), s->secs[SEC_LEX].len, sec_ptr(s, SEC_LEXINDEX),
                           s->n_blocks, term, len, ti);
}

hq_status hq_segment_postings(const hq_segment *s, const hq_terminfo *ti, hq_postings *p)
{
    const section *ps = &s->secs[SEC_POSTINGS], *qs = &s->secs[SEC_POSITIONS];
    if (ti->post_off > ps->len - PADDING || ti->post_len > ps->len - PADDING - ti->post_off ||
        ti->pos_off > qs->len || ti->pos_len > qs->len - ti->pos_off || ti->df > s->n_docs)
        return HQ_ECORRUPT;
    return hq_postings_init(p, sec_ptr(s, SEC_POSTINGS) + ti->post_off, ti->post_len,
                            sec_ptr(s, SEC_POSITIONS) + ti->pos_off, ti->pos_len, ti->df,
                            s->n_docs);
}

hq_status hq_segment_scan(const hq_segment *s, const char *prefix, size_t len, hq_lexicon_fn fn,
                          void *ctx)
{
    return hq_lexicon_scan(sec_ptr(s, SEC_LEX), s->secs[SEC_LEX].len, sec_ptr(s, SEC_LEXINDEX),
                           s->n_blocks, prefix, len, fn, ctx);
}

/* ---- integrity check -------------------------------------------------- */

typedef struct check_ctx {
    const hq_segment *s;
    hq_error *err;
    hq_status rc;
    uint32_t n_terms;
    char prev[HQ_MAX_TERM_BYTES + 1];
    size_t prev_len;
} check_ctx;

/* Decodes one term's postings and positions completely. */
static bool check_term(void *ctx, const char *term, size_t len, const hq_terminfo *ti)
{
    check_ctx *c = ctx;
    c->n_terms++;
    if (c->n_terms > 1) {
        size_t n = len < c->prev_len ? len : c->prev_len;
        int cmp = memcmp(c->prev, term, n);
        if (cmp > 0 || (cmp == 0 && c->prev_len >= len)) {
            c->rc = hq_fail(c->err, HQ_ECORRUPT, c->s->path, 0, -1,
                            "lexicon out of order at term \"%s\"", term);
            return false;
        }
    }
    memcpy(c->prev, term, len);
    c->prev_len = len;
    hq_postings p;
    uint32_t n = 0, positions[64];
    bool ok = hq_segment_postings(c->s, ti, &p) == HQ_OK;
    while (ok && hq_postings_next(&p) != HQ_DOC_END) {
        n++;
        for (int f = 0; f < HQ_NFIELDS; f++)
            hq_postings_positions(&p, f, positions, 64);
        ok = p.doc < c->s->n_docs;
    }
    if (!ok || p.rc != HQ_OK || n != ti->df) {
        c->rc = hq_fail(c->err, HQ_ECORRUPT, c->s->path, 0, (long)ti->post_off,
                        "postings of term \"%s\" do not decode (%u of %u documents read)",
                        term, n, ti->df);
        return false;
    }
    return true;
}

hq_status hq_segment_check(hq_segment *s, hq_error *err)
{
    for (int i = 0; i < N_SECS; i++) {
        hq_status rc = check_crc(s, i, err);
        if (rc != HQ_OK)
            return rc;
    }
    check_ctx c = {.s = s, .err = err, .rc = HQ_OK};
    hq_status rc = hq_segment_scan(s, "", 0, check_term, &c);
    if (rc == HQ_ECORRUPT)
        return hq_fail(err, HQ_ECORRUPT, s->path, 0, -1, "the lexicon does not decode");
    if (c.rc == HQ_OK && c.n_terms != s->n_terms)
        return hq_fail(err, HQ_ECORRUPT, s->path, 0, -1, "lexicon holds %u terms, header says %u",
                       c.n_terms, s->n_terms);
    return c.rc;
}
