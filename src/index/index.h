/*
 * index.h — the inverted index: immutable, memory-mapped segments, a
 * manifest that publishes a set of segments atomically, tombstones for
 * deleted documents.  Byte layouts: the top of postings.c (postings),
 * segment.c (the segment file), manifest.c (manifest and tombstones), and
 * docs/FORMAT.md.
 *
 * A document is one store section, numbered 0..n_docs-1 inside its
 * segment.  Every document has HQ_NFIELDS fields: question/title, focus
 * (+ synonyms), body.
 *
 * Nothing read from disk is trusted: every decoder checks bounds and
 * reports HQ_ECORRUPT, never reads outside its mapping.
 *
 * One block per file, as in FTS5's fts5Int.h.
 */
#ifndef HQ_INDEX_H
#define HQ_INDEX_H

#include "../base/base.h"
#include "../text/text.h"

#define HQ_NFIELDS 3
enum { HQ_FIELD_TITLE = 0, HQ_FIELD_FOCUS = 1, HQ_FIELD_BODY = 2 };

#define HQ_BLOCK 128              /* documents per postings block */
#define HQ_DOC_END UINT32_MAX     /* iterator exhausted */
#define HQ_MAX_TERM_BYTES 128     /* longer terms are not indexed */

/* Trust levels as stored per document (0 = most trusted). */
enum { HQ_TRUST_HIGH = 0, HQ_TRUST_MEDIUM, HQ_TRUST_LOW, HQ_TRUST_UNKNOWN };
int hq_trust_code(const char *level); /* "high" → 0 ...; unknown names → HQ_TRUST_UNKNOWN */
const char *hq_trust_name(int code);

/* ---- Interface to code in io.c ------------------------------------------ */

/* CRC-32 (zlib's) of data, continuing from crc (start with 0). */
uint32_t hq_crc32(uint32_t crc, const void *data, size_t len);
/* The CRC-32 of a then b, from crc_a (of a) and crc_b (of b, len_b bytes). */
uint32_t hq_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

/* The file name of segment id in dir: "<dir>/seg-<id>.hqs"; of its
 * tombstones generation gen: "<dir>/seg-<id>-<gen>.del".  malloc'd. */
char *hq_segment_file(const char *dir, uint32_t id);
char *hq_tombstones_file(const char *dir, uint32_t id, uint32_t gen);

/* Writes data to path.tmp, fsyncs it and renames it to path. */
hq_status hq_write_atomic(const char *path, const void *data, size_t len, hq_error *err);
/* Writes data[0..len) to fd, again after a short write or EINTR;
 * HQ_EIO naming path, and the byte where it failed when at (data's
 * offset in the file) is not -1. */
hq_status hq_write_all(int fd, const void *data, size_t len, const char *path, long at,
                       hq_error *err);
/* fsyncs the folder dir (so renames in it are durable). */
hq_status hq_fsync_dir(const char *dir, hq_error *err);

/* Flushing a file to the disk as it is written: a thread of its own
 * calls fdatasync each time SYNC_BYTES more (io.c) have been handed to
 * the file, so that the fsync that ends the file waits for its last bytes
 * only.  The writer says what the file holds after each write
 * (hq_syncer_wrote: the thread starts at the first SYNC_BYTES; none when
 * it cannot, and the final fsync does it all).  hq_syncer_stop waits for
 * the flush under way, if any, frees s and returns 0, or the errno of a
 * flush that failed: the file is then not durable, whatever a later
 * fsync says. */
typedef struct hq_syncer hq_syncer;
hq_syncer *hq_syncer_new(int fd);
void hq_syncer_wrote(hq_syncer *s, uint64_t bytes);
int hq_syncer_stop(hq_syncer *s);

/* Little-endian fixed-width integers and LEB128 varints.  The readers
 * take the bytes left and return 0 (and leave *v unset) when the value
 * does not fit in them.  hq_store_* write at p, hq_put_* append to b. */
static inline void hq_store_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static inline void hq_store_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void hq_put_u16(hq_buf *b, uint16_t v);
void hq_put_u32(hq_buf *b, uint32_t v);
void hq_put_u64(hq_buf *b, uint64_t v);
void hq_put_varint(hq_buf *b, uint64_t v);
static inline uint16_t hq_get_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t hq_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t hq_get_u64(const unsigned char *p)
{
    return (uint64_t)hq_get_u32(p) | ((uint64_t)hq_get_u32(p + 4) << 32);
}
/* Decodes a varint at p[0..avail): returns its byte length (1..10), or 0
 * when it is truncated or longer than 10 bytes. */
size_t hq_get_varint(const unsigned char *p, size_t avail, uint64_t *v);

/* ---- Ranking hints ------------------------------------------------------ */

/* The BM25F field parameters a segment's exact block bounds were
 * computed with (rank/ owns the formula's other part, k1 and idf). */
typedef struct hq_field_params {
    double w[HQ_NFIELDS];
    double b[HQ_NFIELDS];
} hq_field_params;

/* A lossy one-byte code of a field length, and its value: exact below
 * 128, then within 1/16 (4 bits of mantissa), never above the length:
 * hq_length_decode(hq_length_code(n)) <= n, and both are monotone. */
uint8_t hq_length_code(uint32_t len);
static inline uint32_t hq_length_decode(uint8_t code)
{
    if (code < 128)
        return code;
    int e = 7 + ((code - 128) >> 4);
    return (uint32_t)(16 + (code & 15)) << (e - 4);
}

/* BM25F scores a field's frequency tf as tf * w / (1 - b + b * len /
 * avg), summed over the fields in field order (the normalised frequency,
 * tfn).  len is the field length as its one-byte code keeps it, as
 * Lucene's norms do: scoring then needs no document record, and a
 * search tabulates this factor once for the 256 codes of each field.
 * The one definition, used to build the exact block bounds and to
 * score, so both compute the same bits. */
static inline double hq_field_factor(double w, double b, double avg, uint8_t code)
{
    double norm = avg <= 0 ? 1.0 : 1.0 - b + b * (double)hq_length_decode(code) / avg;
    return w / norm;
}

/* A document's normalised frequency: tf[f] * factor[f] (hq_field_factor)
 * summed over its fields in field order.  The one sum, for the exact
 * block bounds and for ranking, so both compute the same bits. */
static inline double hq_tfn(const uint32_t *tf, const double *factor)
{
    double tfn = 0;
    for (int f = 0; f < HQ_NFIELDS; f++)
        if (tf[f] != 0)
            tfn += (double)tf[f] * factor[f];
    return tfn;
}

/* hq_tfn with each field's factor from a table by length code,
 * table[f][code[f]]: the same sum, term for term, looking up only the
 * fields that hold the term. */
static inline double hq_tfn_coded(const uint32_t *tf, const uint8_t *code,
                                  const double (*table)[256])
{
    double tfn = 0;
    for (int f = 0; f < HQ_NFIELDS; f++)
        if (tf[f] != 0)
            tfn += (double)tf[f] * table[f][code[f]];
    return tfn;
}

/* ---- Interface to code in memindex.c --------------------------------- */
/* The in-memory inverted index of a segment being built.  Documents are
 * added in increasing order, each with its fields in increasing order.
 * Not thread-safe. */

typedef struct hq_memindex hq_memindex;

/* A term's stream of bytes in a memindex: len of them, then a NUL, in a
 * block of cap bytes of the memindex's pool (data NULL until the first
 * byte).  Half an hq_buf: a memindex holds two per term. */
typedef struct hq_stream {
    char *data;
    uint32_t len, cap;
} hq_stream;

/* The postings of one term accumulated in memory, compactly: post holds
 * per document varint(doc - previous doc), a byte of field bits, and
 * varint(tf - 1) per field present; the current document's frequencies
 * wait in cur_tf until the next document (or hq_memindex_sorted). */
typedef struct hq_memterm {
    const char *term; /* NUL-terminated, in the memindex's dictionary */
    uint32_t len;
    uint32_t n_docs;         /* documents holding the term (the current one included) */
    hq_stream post;          /* the finished documents, as above */
    hq_stream pos;           /* positions: see postings.c, "positions" */
    uint32_t prev_doc;       /* the last document written to post (UINT32_MAX: none) */
    uint32_t last_doc;       /* document being added to, or UINT32_MAX */
    uint32_t cur_tf[HQ_NFIELDS];
    int last_field;
    uint32_t last_pos;
} hq_memterm;

/* An empty memindex, its terms numbered by a dictionary of its own. */
hq_memindex *hq_memindex_new(void);
void hq_memindex_free(hq_memindex *mi);
/* Records term (len bytes, len <= HQ_MAX_TERM_BYTES) at position pos of
 * field in document doc.  doc must be >= every doc added before, field
 * >= the previous field of the same doc, pos >= the previous position of
 * the same term in the same field. */
void hq_memindex_add(hq_memindex *mi, uint32_t doc, int field, const char *term, size_t len,
                     uint32_t pos);
/* The id of term in mi's dictionary (added when new), or HQ_NO_ID when
 * len is 0 or over HQ_MAX_TERM_BYTES. */
uint32_t hq_memindex_term(hq_memindex *mi, const char *term, size_t len);
/* hq_memindex_add by id (from hq_memindex_term); an unknown id is
 * ignored. */
void hq_memindex_add_id(hq_memindex *mi, uint32_t doc, int field, uint32_t id, uint32_t pos);
/* A batch's postings inverted apart (on any thread) and appended to a
 * memindex by term (on its thread): the builder's analysis threads do
 * the per-token work, the memindex sees one run per term and batch. */
/* A token: {term (any dense numbering, < n_terms of hq_runs_build), the
 * document's number in the batch, position in the field, field}; the
 * analyzer's type, so that hq_analyze_ids() writes them in place. */
typedef hq_termpos hq_tokpos;

typedef struct hq_postrun {
    uint32_t term, n_docs;
    uint32_t first, last; /* documents, numbered in the batch */
    uint32_t post_off, post_len, pos_off, pos_len; /* in hq_runs.post, .pos */
} hq_postrun;

/* Zero-initialise; free with hq_runs_free.  Reused from batch to batch. */
typedef struct hq_runs {
    hq_postrun *runs; /* n, in order of the terms' first token */
    size_t n, cap;
    unsigned char *post, *pos; /* hq_memterm's streams, first gaps left out */
    size_t post_len, post_cap, pos_len, pos_cap;
} hq_runs;

/* What inverting needs on the side (term → run, token → run, the
 * tokens sorted by run), kept by the thread that inverts:
 * zero-initialise; free with hq_runs_scratch_free. */
typedef struct hq_runs_scratch {
    uint32_t *slot, *run_of, *at;
    uint64_t *sorted;
    size_t cap_slot, cap_run_of, cap_at, cap_sorted;
} hq_runs_scratch;

/* Inverts toks[0..n), in document, field and position order, into r
 * (reset first): one run per term; tokens with term >= n_terms are
 * ignored.  A batch's documents are numbered below 2^30. */
void hq_runs_build(hq_runs *r, hq_runs_scratch *s, const hq_tokpos *toks, size_t n,
                   uint32_t n_terms);
void hq_runs_free(hq_runs *r);
void hq_runs_scratch_free(hq_runs_scratch *s);
/* How a memindex finds the terms of runs numbered in another dictionary
 * (an analyzer's): the ids met so far, mapped to its term records.  Set
 * names and zero the rest; reset it when the memindex is replaced or the
 * dictionary cleared; free with hq_idmap_free. */
typedef struct hq_idmap {
    const hq_intern *names; /* the runs' dictionary */
    hq_memterm **term;      /* by id of names; NULL: not met yet */
    size_t cap;
} hq_idmap;
void hq_idmap_reset(hq_idmap *m);
void hq_idmap_free(hq_idmap *m);
/* Appends each run of r, its term an id of map->names, to the postings
 * of that term in mi, its documents numbered from base (after every
 * document the term has). */
void hq_memindex_append(hq_memindex *mi, hq_idmap *map, uint32_t base, const hq_runs *r);
/* Bytes of memory the memindex holds (an estimate for flush decisions). */
size_t hq_memindex_bytes(const hq_memindex *mi);
/* The terms sorted by bytes (memcmp, shorter first on a tie), each with
 * its pending document written to post; the array is owned by mi and
 * valid until the next add or free. */
hq_memterm **hq_memindex_sorted(hq_memindex *mi, size_t *n_terms);

/* ---- Interface to code in postings.c --------------------------------- */

/* One skip entry per block (fixed size, see postings.c). */
typedef struct hq_skip {
    uint32_t last_doc;         /* last document of the block */
    uint32_t doc_off;          /* offset of the block's data from the data start */
    uint32_t pos_off;          /* offset of the block's positions in the term's positions */
    uint16_t max_tf[HQ_NFIELDS];  /* largest frequency per field in the block */
    uint16_t min_len[HQ_NFIELDS]; /* smallest field length among the block's documents
                                     that hold the term in that field (saturated) */
    uint16_t min_ratio[HQ_NFIELDS]; /* smallest len / tf among them, in 1/16ths, rounded
                                       down (so a bound computed from it holds) */
    float max_tfn; /* the block's largest normalised frequency (hq_field_factor)
                      under the segment's hint parameters and average lengths,
                      rounded up; 0 when the segment has no hints */
} hq_skip;

/* What the encoder needs of the segment's documents for the skip
 * entries' bounds: field lengths (n_docs * HQ_NFIELDS), and optionally
 * hint parameters with the segment's average field lengths.  With hint,
 * a document's factors come from its length codes (len_code, n_docs *
 * HQ_NFIELDS) through factor[f][code] = hq_field_factor(...) of the
 * hint and the averages: 3 bytes a document to look up rather than 24,
 * the same doubles (hq_tfn_coded). */
typedef struct hq_encode_ctx {
    const uint32_t *doc_len;
    const uint8_t *len_code;     /* with hint: hq_length_code of doc_len */
    const double (*factor)[256]; /* with hint: HQ_NFIELDS tables by length code */
    const hq_field_params *hint; /* NULL: no exact bounds */
    double avg[HQ_NFIELDS];
} hq_encode_ctx;

/* Appends the encoded postings of t to out (the term's postings) and,
 * when pos_out is not NULL, its positions to pos_out.  t must have been
 * finished (hq_memindex_sorted).  HQ_ELIMIT when a buffer's limit is
 * reached: out is then left as it was. */
hq_status hq_postings_encode(const hq_memterm *t, const hq_encode_ctx *ctx, hq_buf *out,
                             hq_buf *pos_out);

/* A cursor over one term's postings in a mapped segment. */
typedef struct hq_postings {
    const unsigned char *data; /* after the skip table */
    size_t data_len;
    const unsigned char *pos;  /* the term's positions */
    size_t pos_len;
    const unsigned char *skips; /* n_blocks encoded skip entries */
    uint32_t n_blocks, n_docs;
    uint32_t max_doc;          /* documents of the segment: every doc is below */
    uint32_t block;            /* current block, n_blocks when done */
    uint32_t i, n;             /* position in the decoded block, its size */
    uint32_t doc;              /* current document or HQ_DOC_END */
    hq_status rc;              /* sticky: HQ_ECORRUPT once a decode failed */
    uint32_t docs[HQ_BLOCK];
    const unsigned char *masks; /* the block's field masks: a nibble per document */
    uint16_t first_tf[HQ_BLOCK]; /* per document: its first frequency's index */
    bool tfs_indexed;          /* first_tf is computed for the current block */
    const unsigned char *tf_data; /* the block's frequencies - 1, tf_bits bits each */
    uint8_t tf_bits;
    uint32_t tf_doc;           /* the document (index i) whose frequencies are in tf */
    uint32_t tf[HQ_NFIELDS];
    uint32_t pos_start[HQ_BLOCK + 1]; /* offsets of each doc's positions in the block */
    bool pos_ready;            /* pos_start is computed for the current block */
} hq_postings;

/* Opens a cursor on the postings at data[0..len) and positions at
 * pos[0..pos_len); n_docs is the term's document frequency, max_doc the
 * segment's document count (a decoded document >= max_doc is corrupt).
 * data must be followed by 8 readable bytes (the section's padding).  The
 * cursor starts before the first document: call next or advance. */
hq_status hq_postings_init(hq_postings *p, const unsigned char *data, size_t len,
                           const unsigned char *pos, size_t pos_len, uint32_t n_docs,
                           uint32_t max_doc);
/* Moves to the next document; returns it, or HQ_DOC_END (also on
 * corruption: then p->rc is HQ_ECORRUPT).  Inside a decoded block it is
 * an increment; hq_postings_next_block() decodes the next block. */
uint32_t hq_postings_next_block(hq_postings *p);
static inline uint32_t hq_postings_next(hq_postings *p)
{
    if (p->doc != HQ_DOC_END && p->i + 1 < p->n) {
        p->i++;
        return p->doc = p->docs[p->i];
    }
    return hq_postings_next_block(p);
}
/* The current document's frequency per field (HQ_NFIELDS of them),
 * decoded on the first call for it; valid until the cursor moves. */
void hq_postings_load_tf(hq_postings *p);
static inline const uint32_t *hq_postings_tf(hq_postings *p)
{
    if (p->tf_doc != p->i)
        hq_postings_load_tf(p);
    return p->tf;
}
/* The normalised frequencies (hq_field_factor) of the current block's
 * documents i0..i1-1 into out[0..i1-i0): factor[f][code] is the factor
 * of field f at length code `code`, len_codes the segment's
 * (hq_segment_length_codes).  The documents' frequencies are read in
 * one pass, without loading them into tf. */
void hq_postings_block_tfn(const hq_postings *p, uint32_t i0, uint32_t i1,
                           const uint8_t *len_codes, const double (*factor)[256], double *out);
/* Moves to the first document >= target (never backwards). */
uint32_t hq_postings_advance(hq_postings *p, uint32_t target);
/* hq_postings_seek once its inline step has not found target; not for
 * other callers. */
uint32_t hq_postings_seek_far(hq_postings *p, uint32_t target);
/* How many documents forwards in the decoded block hq_postings_seek
 * walks inline (the common step of a cursor between a few candidates)
 * before it searches. */
#define HQ_SEEK_STEPS 8
/* Moves to the first document >= target, backwards too (decoding the
 * block that holds it when it is not the current one). */
static inline uint32_t hq_postings_seek(hq_postings *p, uint32_t target)
{
    if (p->block < p->n_blocks && p->docs[p->i] < target && target <= p->docs[p->n - 1]) {
        uint32_t end = p->i + 1 + HQ_SEEK_STEPS < p->n ? p->i + 1 + HQ_SEEK_STEPS : p->n;
        for (uint32_t i = p->i + 1; i < end; i++)
            if (p->docs[i] >= target) {
                p->i = i;
                return p->doc = p->docs[i];
            }
    }
    return hq_postings_seek_far(p, target);
}
/* The skip entry of block b (b < n_blocks). */
void hq_postings_skip(const hq_postings *p, uint32_t b, hq_skip *out);
/* The block that would hold target (>= current doc), without decoding it;
 * n_blocks when past the end. */
uint32_t hq_postings_block_of(const hq_postings *p, uint32_t target);
/* The block that holds target, or would: the first whose last document
 * is >= target, searched among all blocks; n_blocks when none. */
uint32_t hq_postings_block_at(const hq_postings *p, uint32_t target);
/* The last document of block b (b < n_blocks), from its skip entry. */
uint32_t hq_postings_block_last(const hq_postings *p, uint32_t b);
/* The positions of the current document in field f: writes at most max
 * into out and returns how many the field has (== tf). */
uint32_t hq_postings_positions(hq_postings *p, int field, uint32_t *out, uint32_t max);

/* ---- Interface to code in lexicon.c ------------------------------------ */

/* Where a term's data is inside its segment. */
typedef struct hq_terminfo {
    uint32_t df;
    uint64_t post_off, pos_off;   /* offsets in the postings and positions sections */
    uint32_t post_len, pos_len;
} hq_terminfo;

/* Lexicon writer: terms must be added in sorted order. */
typedef struct hq_lexwriter {
    hq_buf lex;   /* front-coded blocks */
    hq_buf index; /* one u32 offset per block */
    hq_buf prev;  /* the previous term */
    uint32_t n_terms;
} hq_lexwriter;

void hq_lexwriter_init(hq_lexwriter *w);
void hq_lexwriter_free(hq_lexwriter *w);
hq_status hq_lexwriter_add(hq_lexwriter *w, const char *term, size_t len, const hq_terminfo *ti);

/* Looks term up in the lexicon lex[0..lex_len) with block index
 * index[0..n_blocks).  Returns HQ_OK and fills *ti, HQ_ENOTFOUND, or
 * HQ_ECORRUPT. */
hq_status hq_lexicon_find(const unsigned char *lex, size_t lex_len, const unsigned char *index,
                          uint32_t n_blocks, const char *term, size_t len, hq_terminfo *ti);

/* Calls fn for every term (in order) whose bytes start with prefix;
 * stops early when fn returns false.  Returns HQ_ECORRUPT on bad data. */
typedef bool (*hq_lexicon_fn)(void *ctx, const char *term, size_t len, const hq_terminfo *ti);
hq_status hq_lexicon_scan(const unsigned char *lex, size_t lex_len, const unsigned char *index,
                          uint32_t n_blocks, const char *prefix, size_t prefix_len,
                          hq_lexicon_fn fn, void *ctx);

/* ---- Interface to code in segment.c ------------------------------------ */

/* What a segment records of each document (fixed-size record on disk). */
typedef struct hq_docinfo {
    uint32_t section_id;  /* string offsets into the segment's string table */
    uint32_t article_id;
    uint32_t source;
    uint32_t qtype;       /* HQ_NO_STRING when the section has no type */
    uint32_t len[HQ_NFIELDS]; /* field lengths in positions */
    uint8_t trust;        /* HQ_TRUST_* */
    uint8_t flags;        /* HQ_DOC_HAS_BODY */
} hq_docinfo;
#define HQ_NO_STRING UINT32_MAX
#define HQ_DOC_HAS_BODY 1

/* A document as the builder gives it. */
typedef struct hq_newdoc {
    const char *section_id, *article_id, *source, *qtype; /* qtype may be NULL */
    uint32_t len[HQ_NFIELDS];
    uint8_t trust, flags;
} hq_newdoc;

/* ---- Interface to code in docs.c ------------------------------------- */

#define HQ_DOC_RECORD_BYTES 32 /* a document's record in a segment (segment.c) */

/* The documents of a segment being built, added in order, already as
 * the segment stores them: their records and string table, with each
 * document's field lengths, their length codes (hq_length_code) and the
 * fields' totals beside, for the postings' bounds and the header.  Read
 * its fields; change it only through hq_segdocs_add.  Zero-initialise;
 * free with hq_segdocs_free. */
typedef struct hq_segdocs {
    uint32_t n;
    hq_buf records; /* n * HQ_DOC_RECORD_BYTES */
    hq_buf strings;
    uint32_t *len;  /* n * HQ_NFIELDS */
    uint8_t *code;  /* n * HQ_NFIELDS */
    size_t cap;
    uint64_t total[HQ_NFIELDS];
    struct hq_strslot *slots; /* the sources and types stored, by hash */
    size_t n_slots, n_hashed;
    uint32_t last[3]; /* the last document's article, source and type (HQ_NO_STRING: none) */
} hq_segdocs;

void hq_segdocs_add(hq_segdocs *d, const hq_newdoc *doc);
/* Bytes of memory d holds. */
size_t hq_segdocs_bytes(const hq_segdocs *d);
/* Frees d's memory and makes it empty. */
void hq_segdocs_free(hq_segdocs *d);

/* ---- Interface to code in segment.c (writing) ------------------------ */

/* Writes a segment file at path (via path.tmp, fsync, rename) holding
 * the documents of docs and the postings of mi; with hint, the skip
 * entries also get exact bounds under those parameters.  threads (at
 * least 1) encode the postings; the bytes do not depend on them.  The
 * caller fsyncs the folder. */
hq_status hq_segment_write_docs(const char *path, const hq_segdocs *docs, hq_memindex *mi,
                                const hq_field_params *hint, unsigned threads, hq_error *err);
/* The same for docs[0..n_docs). */
hq_status hq_segment_write(const char *path, const hq_newdoc *docs, uint32_t n_docs,
                           hq_memindex *mi, const hq_field_params *hint, unsigned threads,
                           hq_error *err);

typedef struct hq_segment hq_segment;

/* Maps and validates the segment file at path (magic, version, section
 * bounds, the checksums of the header and of every section, string
 * offsets of the document table): HQ_ECORRUPT naming what is wrong, or
 * HQ_EIO.  The segment starts with one reference. */
hq_status hq_segment_open(const char *path, hq_segment **out, hq_error *err);
void hq_segment_ref(hq_segment *s);
void hq_segment_unref(hq_segment *s);
/* Is the file at path the one s mapped and verified, unchanged (same
 * device and inode, size and change time)?  While s is mapped its inode
 * cannot be reused, so a file written since under the same name (the
 * index folder deleted and rebuilt) is never taken for it; healthqa
 * never writes a segment in place, and a change made so by someone
 * else moves the change time. */
bool hq_segment_is_file(const hq_segment *s, const char *path);
/* Verifies every checksum again, then decodes every term and postings
 * list (order, document frequencies, documents in range, positions). */
hq_status hq_segment_check(hq_segment *s, hq_error *err);

uint32_t hq_segment_n_docs(const hq_segment *s);
uint32_t hq_segment_n_terms(const hq_segment *s);
const char *hq_segment_path(const hq_segment *s);
/* Sum of field f's lengths over all documents. */
uint64_t hq_segment_field_total(const hq_segment *s, int f);
/* The hint parameters of the skip entries' max_tfn, and the average field
 * lengths they used; false when the segment has none. */
bool hq_segment_hint(const hq_segment *s, hq_field_params *params, double *avg);
/* Document doc's record (doc < n_docs). */
void hq_segment_doc(const hq_segment *s, uint32_t doc, hq_docinfo *out);
/* The documents' field lengths as codes (hq_length_code), n_docs *
 * HQ_NFIELDS bytes, document-major: for upper bounds that must not cost a
 * document record's cache miss. */
const uint8_t *hq_segment_length_codes(const hq_segment *s);
/* The NUL-terminated string at offset off of the string table ("" when
 * off is out of range). */
const char *hq_segment_string(const hq_segment *s, uint32_t off);
/* The string table offset of str, or HQ_NO_STRING (for filters). */
uint32_t hq_segment_find_string(const hq_segment *s, const char *str);
/* Looks a term up: HQ_OK, HQ_ENOTFOUND or HQ_ECORRUPT. */
hq_status hq_segment_term(const hq_segment *s, const char *term, size_t len, hq_terminfo *ti);
/* Opens a postings cursor on a term found with hq_segment_term. */
hq_status hq_segment_postings(const hq_segment *s, const hq_terminfo *ti, hq_postings *p);
/* Every term starting with prefix (see hq_lexicon_scan). */
hq_status hq_segment_scan(const hq_segment *s, const char *prefix, size_t len, hq_lexicon_fn fn,
                          void *ctx);

/* ---- Interface to code in manifest.c ----------------------------------- */
/* The manifest names the live segments, their tombstones, and the store
 * change it covers.  Published by atomic rename. */

typedef struct hq_manifest_seg {
    uint32_t id;      /* file seg-<id>.hqs */
    uint32_t n_docs;
    uint32_t n_deleted;
    uint32_t del_gen; /* tombstones in seg-<id>-<gen>.del; 0 when none */
} hq_manifest_seg;

typedef struct hq_manifest {
    uint64_t generation;  /* grows with every publication */
    uint64_t store_seq;   /* the last store change the index covers */
    uint32_t next_id;     /* the next segment id to use */
    uint32_t n_segs, cap_segs;
    hq_manifest_seg *segs;
} hq_manifest;

/* Reads dir/MANIFEST.  A missing manifest gives an empty one (HQ_OK with
 * *exists = false); a damaged one is HQ_ECORRUPT naming what is wrong. */
hq_status hq_manifest_read(const char *dir, hq_manifest *m, bool *exists, hq_error *err);
/* Publishes m as dir/MANIFEST: write MANIFEST.tmp, fsync, rename, fsync
 * the folder. */
hq_status hq_manifest_write(const char *dir, const hq_manifest *m, hq_error *err);
void hq_manifest_free(hq_manifest *m);

/* Tombstones: a bitmap of deleted documents of one segment. */
hq_status hq_tombstones_write(const char *path, const uint8_t *bits, uint32_t n_docs,
                              hq_error *err);
/* Reads the bitmap at path (n_docs bits, malloc'd into *bits). */
hq_status hq_tombstones_read(const char *path, uint32_t n_docs, uint8_t **bits, hq_error *err);


/* ---- Interface to code in snapshot.c ----------------------------------- */
/* A consistent view of the index: the segments and tombstones of one
 * manifest, with the collection statistics ranking needs.  Immutable once
 * open; reference-counted so a reader keeps its view while a writer
 * publishes a new one. */

typedef struct hq_snapshot {
    int refs; /* atomic */
    uint64_t generation, store_seq;
    uint32_t n_segs;
    hq_segment **segs;
    uint8_t **deleted;      /* per segment: bitmap or NULL */
    uint64_t n_docs;        /* live documents */
    uint64_t n_all;         /* documents including deleted ones */
    double avg_len[HQ_NFIELDS];
} hq_snapshot;

/* Opens the segment of manifest entry ms in the index folder dir: as
 * hq_segment_open, and HQ_ECORRUPT when the file is missing or holds
 * another number of documents than ms says (every reader of a segment
 * the manifest names goes through here).  *out is NULL on failure. */
hq_status hq_segment_open_entry(const char *dir, const hq_manifest_seg *ms, hq_segment **out,
                                hq_error *err);
/* The deleted-documents bitmap of manifest entry ms (malloc'd), or NULL
 * when ms has no tombstones; HQ_ECORRUPT when the file is missing,
 * damaged, or marks another number of documents than ms->n_deleted. */
hq_status hq_tombstones_read_entry(const char *dir, const hq_manifest_seg *ms, uint8_t **bits,
                                   hq_error *err);

/* Opens the index in dir.  A missing manifest gives an empty snapshot;
 * damage gives HQ_ECORRUPT naming the file.  Segments are immutable:
 * those of reuse (an earlier snapshot of dir, or NULL) that the manifest
 * still names, as the same files, are shared rather than mapped and
 * verified again; tombstones are always read afresh. */
hq_status hq_snapshot_open(const char *dir, const hq_snapshot *reuse, hq_snapshot **out,
                           hq_error *err);
void hq_snapshot_ref(hq_snapshot *s);
void hq_snapshot_unref(hq_snapshot *s);

/* Documents holding term, over all segments (deleted ones included, as
 * the postings still hold them).  HQ_ECORRUPT on damage.  (Ranking finds
 * document frequencies with the cursors it opens; related articles use
 * this.) */
hq_status hq_snapshot_df(const hq_snapshot *s, const char *term, size_t len, uint64_t *df);

static inline bool hq_snapshot_is_deleted(const hq_snapshot *s, uint32_t seg, uint32_t doc)
{
    const uint8_t *bits = s->deleted[seg];
    return bits != NULL && (bits[doc / 8] >> (doc % 8)) & 1;
}


/* ---- Interface to code in builder.c -------------------------------------- */
/* Builds new segments from documents given one by one: analysis on
 * every core, inversion in document order (see builder.c). */

typedef struct hq_builder hq_builder;

/* One section to index, with its article's fields. */
typedef struct hq_builder_doc {
    const char *section_id, *article_id, *source, *qtype, *trust;
    const char *title;                /* question or heading */
    const char *const *focus; size_t n_focus; /* focus and synonyms */
    const char *body;                 /* may be NULL */
    size_t title_len, body_len;       /* their bytes; 0: counted here */
    bool same_focus; /* focus[] names those of the document added before */
} hq_builder_doc;

/* A builder writing into dir, taking segment ids from *next_id (which it
 * advances).  budget: bytes of memory before a segment is flushed; hint:
 * the ranking parameters for exact block bounds, or NULL; threads: how
 * many analyse (0: one per online CPU, at most 8; 1: the caller's alone).
 * The segments written are the same bytes whatever the threads. */
hq_builder *hq_builder_new(const char *dir, uint32_t *next_id, size_t budget,
                           const hq_field_params *hint, unsigned threads);
/* Stops the threads and frees b (segments written stay). */
void hq_builder_free(hq_builder *b);
/* Copies d for analysis (on some thread, later) and adds it; flushes a
 * segment when over budget.  A failure (writing a segment) is sticky:
 * every later call returns it. */
hq_status hq_builder_add(hq_builder *b, const hq_builder_doc *d, hq_error *err);
/* Adds whatever is pending and writes it as a last segment (nothing when
 * empty). */
hq_status hq_builder_finish(hq_builder *b, hq_error *err);
/* The segments written so far (id and document count each). */
const hq_manifest_seg *hq_builder_segments(const hq_builder *b, uint32_t *n);

#endif
