/*
 * healthqa.h — the public interface of the healthqa library.
 *
 * This is the only header that programs (cli/, server/) include.  The
 * library owns an engine: a data directory holding the article store
 * (SQLite) and, later, the search index derived from it.
 *
 * Conventions for every function below:
 *   - Functions return an hq_status; HQ_OK (0) means success.
 *   - An hq_error *err argument may be NULL; when not NULL and the call
 *     fails, it is filled with the first error that occurred (code, the
 *     file or input it concerns, line/byte offset when known, message).
 *   - Memory returned through an out-pointer is owned by the caller and
 *     released with the function named in the comment.
 *   - Out-of-memory aborts the process (one policy, see docs/STYLE.md).
 */
#ifndef HEALTHQA_H
#define HEALTHQA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#define HQ_VERSION "0.1.0"

/* Status codes.  hq_strerror() gives each one's fixed description. */
typedef enum hq_status {
    HQ_OK = 0,
    HQ_EINVAL,    /* bad argument or usage */
    HQ_EIO,       /* a system call failed (open, read, write, fsync) */
    HQ_ENOTFOUND, /* no article, section or file with that id */
    HQ_EFORMAT,   /* input is not in the format it claims (parse error) */
    HQ_EUTF8,     /* input is not valid UTF-8 */
    HQ_ELIMIT,    /* input exceeds a documented size limit */
    HQ_EEMPTY,    /* input holds nothing to ingest */
    HQ_ESTORE,    /* the SQLite store reported an error */
    HQ_ECORRUPT,  /* stored data fails a checksum or invariant */
    HQ_EPARTIAL   /* some inputs failed, the others succeeded */
} hq_status;

/* Returns a static, never-NULL description of code. */
const char *hq_strerror(hq_status code);

/* The detail of a failure.  where is a file path or input name ("" when
 * none); line is 1-based (0 when unknown); offset is a byte offset into
 * the input (-1 when unknown). */
typedef struct hq_error {
    hq_status code;
    char where[1024];
    long line;
    long offset;
    char message[512];
} hq_error;

/* Formats `where:line: message` (or the parts that are known) into buf;
 * always NUL-terminates when size > 0.  Returns buf. */
const char *hq_error_format(const hq_error *err, char *buf, size_t size);

/* ---- process ------------------------------------------------------- */

/* For a short-lived process (each command of the CLI but `serve`), called
 * before any other thread starts: from then on the C library's allocator
 * serves every thread from its one heap, keeps what is freed for reuse,
 * and each growth of the heap is made resident in one call (Linux 5.14's
 * MADV_POPULATE_WRITE) instead of a page fault per page.  A first touch
 * of a page cost ~10 us on the virtual machines this was measured on, a
 * page made resident in bulk ~0.5 us; page faults were then a quarter of
 * an index build's CPU time.  A long-running process should not call it:
 * its heap would never shrink.  Does nothing where the allocator is not
 * glibc's or the kernel cannot populate. */
void hq_memory_short_lived(void);

/* ---- engine -------------------------------------------------------- */

typedef struct hq_engine hq_engine;

/* Opens (creating when missing) the data directory dir and its store.
 * On success *out is an engine to release with hq_close(). */
hq_status hq_open(const char *dir, hq_engine **out, hq_error *err);

/* Closes the engine; NULL is allowed. */
void hq_close(hq_engine *engine);

/* ---- ingestion ----------------------------------------------------- */

/* What happened to one input file. */
typedef struct hq_file_report {
    const char *path;      /* the file, as found while walking the inputs */
    const char *format;    /* "medquad", "jsonl", "page", "text", "markdown" or NULL when unknown */
    hq_status status;      /* HQ_OK or why the file was not stored */
    const hq_error *error; /* detail when status != HQ_OK, else NULL */
    size_t n_articles;     /* articles the file holds */
    size_t n_changed;      /* of which new or changed (written to the store) */
    size_t n_removed;      /* articles the file held before and no longer does */
    size_t index;          /* 0-based position of this file among all files */
    size_t total;          /* number of files found in the inputs */
} hq_file_report;

typedef struct hq_ingest_options {
    /* Source name for files whose format does not name one (portal pages,
     * plain text, Markdown); NULL means the name of the file's folder. */
    const char *source;
    /* Trust level for every article ingested ("high", "medium", "low",
     * "unknown"); NULL means the level data/sources.tsv gives the source. */
    const char *trust;
    /* Called once per file after it is stored or rejected; may be NULL. */
    void (*on_file)(void *ctx, const hq_file_report *report);
    void *ctx;
} hq_ingest_options;

typedef struct hq_ingest_summary {
    size_t n_files, n_failed;
    size_t n_articles, n_changed, n_removed;
    size_t n_links_resolved;
} hq_ingest_summary;

/* Ingests the files and folders (recursively, in sorted order) named by
 * paths[0..n_paths).  Each file is stored atomically: either all its
 * articles are written, or none and the stored state is unchanged.
 * Returns HQ_OK when every file was stored, HQ_EPARTIAL when some failed
 * (reported through on_file), or another code when nothing could be done
 * (err tells why).  summary may be NULL. */
hq_status hq_ingest(hq_engine *engine, const char *const *paths, size_t n_paths,
                    const hq_ingest_options *options, hq_ingest_summary *summary,
                    hq_error *err);

/* ---- the search index ---------------------------------------------- */

typedef struct hq_index_summary {
    bool updated;              /* false when the index already covered the store */
    size_t n_articles_changed; /* articles re-indexed or removed (0 for a rebuild) */
    size_t n_added;            /* documents (sections) written to new segments */
    size_t n_deleted;          /* documents newly marked deleted */
    size_t n_segments_written;
    size_t n_merged;           /* segments merged away (see docs/FORMAT.md, merges) */
    size_t n_segments;         /* segments in the index now */
    unsigned long long store_seq; /* the store change the index now covers */
} hq_index_summary;

/* Brings the index (<dir>/index) up to date with the store's change log;
 * with rebuild, builds it anew from the store (also the way to recover
 * a damaged index).  Searches started before keep their view. */
hq_status hq_index_update(hq_engine *engine, bool rebuild, hq_index_summary *summary,
                          hq_error *err);

/* ---- live updates --------------------------------------------------- */

#define HQ_WRITE_MAX_BYTES (1u << 20) /* JSON Lines accepted by one hq_put_records() */

typedef struct hq_write_summary {
    size_t n_records;  /* records read */
    size_t n_changed;  /* articles new or changed (an unchanged record writes nothing) */
    size_t n_removed;  /* articles deleted */
    hq_index_summary index; /* what the index update that followed did */
} hq_write_summary;

/* Stores the articles of data[0..len), JSON Lines records as in
 * docs/FORMATS.md ({"id", "title", "body", "url", "source", "synonyms",
 * ...}; a record without a source gets "api"), all or none, each
 * replacing the stored article with its id; returns once the store has
 * synced them, after bringing the index up to date so that searches see
 * them.  A record that breaks the format is HQ_EFORMAT naming its line
 * (nothing stored); over HQ_WRITE_MAX_BYTES is HQ_ELIMIT; not UTF-8 is
 * HQ_EUTF8.  An index failure after the store committed returns that
 * failure: the articles are stored and the next index update indexes
 * them.  summary may be NULL. */
hq_status hq_put_records(hq_engine *engine, const char *data, size_t len,
                         hq_write_summary *summary, hq_error *err);

/* Deletes the articles ids[0..n) (unknown ids are counted as not
 * removed, not an error), synced, then updates the index as
 * hq_put_records() does.  summary may be NULL. */
hq_status hq_remove(hq_engine *engine, const char *const *ids, size_t n,
                    hq_write_summary *summary, hq_error *err);

/* Merges segments by the index's policy (see src/engine/merge.c: when
 * ten segments have the same size class, in documents, they become one),
 * until no class is full.  Updates (hq_index_update, hq_put_records,
 * hq_remove) add segments and never merge: call this after them, from
 * any thread — `healthqa index/add/rm` do, `healthqa serve` runs it in
 * the background after writes.  The re-indexing runs without holding
 * up updates; searches keep their view.  summary may be NULL. */
hq_status hq_index_merge(hq_engine *engine, hq_index_summary *summary, hq_error *err);

typedef struct hq_search_options {
    size_t limit;   /* hits to return (default 10 when 0, at most 1000) */
    size_t offset;  /* hits to skip, for paging (offset + limit <= 10000) */
    bool snippets;  /* compute snippets with highlight spans */
    bool exhaustive;/* score every match (testing dynamic pruning) */
    bool plain;     /* BM25F on the words as typed: no question analysis, no re-ranking */
} hq_search_options;

/* Searches for query (free text; "phrases", -exclusions and source:,
 * type:, trust: filters, see docs/CLI.md).  *out is a JSON object:
 * {"query", "total": {"value", "relation"}, "took_ms", "hits": [{"section_id",
 * "article_id", "title", "article_title", "source", "trust", "url",
 * "question_type", "score", "snippet": {"text", "highlights": [[start,
 * end], ...]}}]}.  A query the parser rejects is HQ_EINVAL with the byte
 * offset in err.  Release with json_decref().  Any number of threads may
 * search (and show, stats, suggest) on one engine at once. */
hq_status hq_search(hq_engine *engine, const char *query, const hq_search_options *options,
                    json_t **out, hq_error *err);

/* A number that moves on whenever the index searches read changes (an
 * hq_index_update() in this process that changed it); while it stays
 * the same, hq_search() answers from the same index.  For caches of
 * search results: a result computed after reading generation g may be
 * kept under g and served while the generation is still g.  (Text shown
 * with hits is read from the store at search time; the server never
 * writes the store.)  Any thread may call it. */
uint64_t hq_index_generation(hq_engine *engine);

/* ---- question understanding ---------------------------------------- */

/* What healthqa understands of a question (see docs/QUESTIONS.md): *out
 * is {"question", "focus": {"name", "names", "mesh_tree", "as_written"}
 * or null, "concepts": [{"text", "concept", "focus"}], "type",
 * "liveqa_type", "type_from_cue", "context", "ignored": [...],
 * "key_terms": [{"term", "weight", "role"}], "took_us", "vocabulary"}.
 * HQ_ELIMIT over 8 KiB, HQ_EUTF8 on invalid UTF-8.  The first call on an
 * engine builds the concept table (a fraction of a second).  Release
 * with json_decref(). */
hq_status hq_analyze_question(hq_engine *engine, const char *text, json_t **out, hq_error *err);

/* hq_analyze_question() for every "qid<TAB>text" line of path, printed
 * to out as one compact JSON object per line with its "qid" added.  A
 * malformed line is HQ_EFORMAT naming it; lines before it are printed. */
hq_status hq_analyze_questions(hq_engine *engine, const char *path, FILE *out, hq_error *err);

/* How section_id scores for query: {"query", "section_id", "rank" (1-based
 * in the re-ranked list, or null beyond it), "first_stage": {"score",
 * "terms": [{"term", "weight", "contribution"}]}, "features": {"bm25",
 * "focus", "type", "trust"}, "weights": {...}, "contributions": {...},
 * "total"}.  HQ_ENOTFOUND when the section is not in the index. */
hq_status hq_explain(hq_engine *engine, const char *query, const char *section_id, json_t **out,
                     hq_error *err);

/* Completions of article titles and topics for prefix (what a user has
 * typed; case, accents and punctuation ignored; any word of a title may
 * match), tolerant of one typing error (a letter missing, extra, wrong or
 * two swapped) when exact matches are fewer than limit.  *out is
 * {"query", "suggestions": [{"text", "article_id", "fuzzy"}]}, best
 * first: exact before fuzzy, title starts before inner words, shorter
 * titles first.  limit is 1..20 (0 means 8); prefix must be valid UTF-8
 * of at most 1024 bytes (else HQ_EINVAL).  Safe to call from many
 * threads at once; the first call reads the titles from the store.
 * Release with json_decref(). */
hq_status hq_suggest(hq_engine *engine, const char *prefix, size_t limit, json_t **out,
                     hq_error *err);

/* Verifies the store (SQLite integrity check, foreign keys) and every
 * index file (checksums, decoding, manifest consistency).  *report lists
 * what was checked; HQ_ECORRUPT names the first fault. */
hq_status hq_check(hq_engine *engine, json_t **report, hq_error *err);

/* Debugging views: a term's postings (term analysed first unless raw)
 * in every segment, or, with term NULL, a summary of each segment. */
hq_status hq_dump(hq_engine *engine, const char *term, bool raw, size_t max_docs, json_t **out,
                  hq_error *err);

/* ---- evaluation ---------------------------------------------------- */

typedef struct hq_eval_options {
    const char *queries;  /* "qid<TAB>text" per line */
    const char *qrels;    /* "qid 0 docid grade" per line, or NULL: timing only */
    const char *run_out;  /* write the TREC run here, or NULL */
    size_t limit;         /* results per question (default 100) */
    bool per_query;       /* also print eval.py's per-question lines */
    bool warmup;          /* run every question once before timing */
    bool plain;           /* plain BM25F: no question analysis, no re-ranking */
} hq_eval_options;

/* Searches every question of options->queries in this process (no
 * snippets), writes the run, and prints "metric<TAB>value" lines: with
 * qrels, every metric of ../shared/eval/eval.py with its names and
 * values; then latency_p50_ms, latency_p99_ms, latency_mean_ms and qps of
 * the searches alone. */
hq_status hq_evaluate(hq_engine *engine, const hq_eval_options *options, FILE *out,
                      hq_error *err);

/* ---- the answer card ----------------------------------------------- */

/* The answer card for a reader's question (see docs/ANSWERS.md), in the
 * order a reader needs it: *out is {"triage": {"level", "message",
 * "guidance", "rule"} (hq_triage() of the question), "question": {"text",
 * "focus" (as hq_analyze_question() gives it, or null), "type",
 * "type_from_cue", "context"}, "aspects": [{"aspect" ("overview",
 * "causes", "what_to_do", "see_doctor"), "heading", "asked", "passages":
 * [{"text" (1-3 sentences), "highlights": [[start, end], ...], "score",
 * "citations": [{"section_id", "article_id", "title", "source", "url",
 * "trust", "untrusted"}]}]}] (aspects with passages only), "read_at_source":
 * [{"article_id", "title", "source", "url", "trust", "untrusted",
 * "sections": [{"section_id", "title"}]}] (on-topic sections whose text is
 * not stored), "notice", "took_ms"}.  A passage repeated on several sites
 * is shown once with every source cited.  The question is free text as
 * for hq_search() (its syntax applies); HQ_EINVAL when empty or
 * nothing searchable, HQ_ELIMIT over 8 KiB, HQ_EUTF8 when not UTF-8.
 * The aspect table is data/aspects.tsv ($HEALTHQA_ASPECTS overrides).
 * Thread-safe like hq_search().  Release with json_decref(). */
hq_status hq_ask(hq_engine *engine, const char *question, json_t **out, hq_error *err);

/* ---- near-duplicates ------------------------------------------------ */

typedef struct hq_dups_options {
    size_t min_size;  /* list clusters of at least this many sections (2 when < 2) */
    size_t limit;     /* at most this many clusters, largest first (0: all) */
    bool exhaustive;  /* compare every pair of sections (the reference for the LSH
                         candidates; minutes on a large corpus) */
    bool refresh;     /* recompute every fingerprint instead of reading stored ones */
} hq_dups_options;

/* Clusters the store's sections whose texts are near-duplicates (MinHash
 * over 3-word shingles: an estimated Jaccard similarity >= threshold;
 * texts under 12 content words are never duplicates; see
 * src/rank/dedup.c).  Fingerprints are computed for the sections whose
 * stored one is missing and stored.  *out is {"threshold", "n_sections",
 * "n_fingerprinted", "n_computed", "n_clusters", "n_in_clusters",
 * "candidates", "compared", "took_ms", "clusters": [{"size", "sections":
 * [{"section_id", "article_id", "title", "source", "trust"}]}]}, clusters
 * largest first (then by first section id), sections in id order;
 * n_clusters counts every cluster of min_size or more, also those past
 * limit.  Release with json_decref(). */
hq_status hq_dups(hq_engine *engine, const hq_dups_options *options, json_t **out,
                  hq_error *err);

/* Collapses near-duplicate hits of a hq_search() result in place: the
 * best-ranked hit of each group stays, in order, with a "duplicates"
 * array ([] when none) of the others ({"section_id", "article_id",
 * "title", "article_title", "source", "trust", "url", "score"}, in rank
 * order), and the result gains "collapsed": the number of hits removed.
 * Meant for the top hits (at most 1000 are compared, O(k^2)); stored
 * fingerprints are used, missing ones computed from the text (not
 * stored).  HQ_EINVAL when result has no "hits" array or a hit has no
 * "section_id"; a hit whose section is gone is kept alone. */
hq_status hq_collapse(hq_engine *engine, json_t *result, hq_error *err);

/* ---- reading the store --------------------------------------------- */

/* Counts of articles and sections per source, format, question type and
 * trust level, as a JSON object (see docs/CLI.md).  Release with
 * json_decref(). */
hq_status hq_stats(hq_engine *engine, json_t **out, hq_error *err);

/* The article or section named by id, or the article(s) ingested from the
 * file at that path, as a JSON object with "kind" = "article", "section"
 * or "file" (see docs/CLI.md).  An article always has a "previous" and a
 * "next" ({"title", "id", "via"}; null only in a store of one article):
 * the page's own link when it resolves to a stored article ("via":
 * "portal"), else its neighbour in the topic order ("via": "topic", with
 * the page's unresolved title as "portal_title"); see docs/RELATED.md.
 * The first article shown builds the concept table and the order (about
 * a second on the full corpus); later calls cost microseconds more than
 * the store read.  HQ_ENOTFOUND when nothing matches.  Release with
 * json_decref(). */
hq_status hq_show(hq_engine *engine, const char *id, json_t **out, hq_error *err);

/* ---- related articles ---------------------------------------------- */

/* The articles a reader of the article id would want next (id as for
 * hq_show: an article id, a section id or MedQuAD answer id — its
 * article —, or the path of an ingested file holding one article), from
 * the content only: a shared focus concept, a concept the article names,
 * a shared MeSH branch, similar text (key terms as a "more like this"
 * query); see docs/RELATED.md.  Candidates under a relevance floor are
 * left out, so the list may be shorter than limit, or empty.  Sections
 * of the article itself and texts that duplicate it are never listed;
 * articles with the same title or near-duplicate text are grouped under
 * the best of them.  limit is 1..50 (0 means 10; more is HQ_EINVAL).
 * *out is {"article": {"id", "title", "source", "trust", "url",
 * "focus": {"name", "mesh_tree"} | null, "names": [concepts it names],
 * "key_terms": [...]}, "related": [{"article_id", "title", "source",
 * "trust", "url", "section_id" (its best matching section), "score",
 * "text" (text similarity 0..1), "why": ["same focus: Back Pain",
 * "named in this article: Miscarriage", "MeSH branch C23.888.592.612",
 * "similar text"], "duplicates": [{"article_id", "title", "source",
 * "trust", "url", "reason": "same title" | "same text"}]}], "took_ms"},
 * best first.  HQ_ENOTFOUND as hq_show; HQ_EINVAL for a file of several
 * articles.  Thread-safe as hq_search.  Release with json_decref(). */
hq_status hq_related(hq_engine *engine, const char *id, size_t limit, json_t **out,
                     hq_error *err);

/* ---- red-flag triage ----------------------------------------------- */

/* Triages a reader's text (NUL-terminated UTF-8, at most 64 KiB) for red
 * flags, by the rules of data/triage.rules ($HEALTHQA_TRIAGE_RULES
 * overrides the path; loaded once per process, thread-safe; format in
 * docs/TRIAGE.md).  No engine is needed.  *out is a JSON object:
 *   {"level": "emergency"|"urgent"|"soon"|"none", "message",
 *    "guidance": {"source", "title", "url"} | null, "rule": id | null,
 *    "matched": [{"phrase", "text", "start", "end", "group"}],
 *    "negated": [{"phrase", "text", "start", "end"}] (the first 32),
 *    "informational": bool, "uncapped_level" (only when a question about
 *    symptoms had its level capped at "soon"), "also": [other rule ids]}
 * start/end are byte offsets into text.  It is advice on where to seek
 * care, never a diagnosis.  Release with json_decref().  A rules file
 * that cannot be read or is malformed fails every call with its error
 * (HQ_EFORMAT names the line); text over the limit is HQ_ELIMIT, invalid
 * UTF-8 HQ_EUTF8. */
hq_status hq_triage(const char *text, json_t **out, hq_error *err);

#endif
