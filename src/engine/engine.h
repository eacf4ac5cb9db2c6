/*
 * engine.h — the engine's private state, shared by the files of
 * src/engine/ (engine.c, ingest.c, sources.c).  Programs see only the
 * opaque hq_engine of healthqa.h.
 */
#ifndef HQ_ENGINE_H
#define HQ_ENGINE_H

#include "../store/store.h"

/* ---- Interface to code in sources.c ---------------------------------- */
/* The trust table: which trust level each source name has.  Read from
 * data/sources.tsv (or $HEALTHQA_SOURCES): lines "name<TAB>trust[<TAB>note]",
 * '#' comments; the name "*" sets the level of unlisted sources. */

typedef struct hq_trust_entry {
    char *name;
    const char *trust; /* one of the static level names */
} hq_trust_entry;

typedef struct hq_trust_table {
    hq_trust_entry *items;
    size_t n, cap;
    const char *fallback; /* level of unlisted sources */
} hq_trust_table;

hq_status hq_trust_load(hq_trust_table *t, const char *path, hq_error *err);
void hq_trust_free(hq_trust_table *t);
/* The level of source name (never NULL). */
const char *hq_trust_of(const hq_trust_table *t, const char *name);
/* The static name of a valid level ("high", "medium", "low", "unknown"),
 * or NULL when level is not one of them. */
const char *hq_trust_level(const char *level);
/* The default location of the trust table. */
const char *hq_trust_default_path(void);

/* ---- the engine ---------------------------------------------------- */

#include "../answer/answer.h"
#include "../index/index.h"
#include "../rank/rank.h"
#include "../text/text.h"

#include <pthread.h>

struct hq_engine {
    char *dir;
    char *index_dir;
    hq_store *store;
    hq_trust_table trust;
    hq_bm25f params;
    pthread_mutex_t lock;     /* guards snapshot, previous, generation and the analyzer pool */
    hq_snapshot *snapshot;    /* the current view of the index, or NULL */
    hq_snapshot *previous;    /* the last one dropped, whose segments the next one shares */
    uint64_t generation;      /* grows each time the snapshot is dropped (hq_index_generation) */
    hq_analyzer **analyzers;  /* idle analyzers (one is used by one search at a time) */
    size_t n_analyzers, cap_analyzers;
    hq_rerank_params rerank;  /* question analysis and re-ranking weights */
    hq_related_params related; /* related articles (data/related.conf) */
    pthread_mutex_t vocab_lock; /* guards building the tables below */
    hq_vocab *vocab;          /* the concept table, NULL until first needed */
    hq_cues *cues;            /* the cue table, likewise */
    bool vocab_mesh, vocab_abbrev; /* whether MeSH / abbreviations were found */
    size_t vocab_lay_unresolved;   /* lay lines naming a concept this corpus lacks */
    double vocab_ms;          /* what building the tables cost */
    pthread_mutex_t suggest_lock;          /* guards building suggest */
    struct hq_suggest_index *suggest;      /* titles for hq_suggest, built on first use */
    pthread_mutex_t order_lock; /* guards the two below (neighbours.c) */
    hq_order *order;            /* the topic order of previous/next, or NULL */
    uint64_t order_seq;         /* the store change it was built at */
};

/* ---- Interface to code in engine.c --------------------------------- */

/* A reference to the current snapshot, refreshing the index first when
 * it is behind the store (or missing).  Release with hq_snapshot_unref. */
hq_status hq_engine_snapshot(hq_engine *e, hq_snapshot **out, hq_error *err);
/* Forgets the current snapshot (after the index changed) and moves the
 * generation on; the snapshot is kept as e->previous until the next one
 * is loaded, which shares its unchanged segments. */
void hq_engine_drop_snapshot(hq_engine *e);
/* After an index update: drops the snapshot unless it is the one of the
 * manifest now on disk (its generation and store_seq), so an update that
 * changed nothing keeps the snapshot and the generation, and one that
 * another process published is seen. */
void hq_engine_follow_manifest(hq_engine *e, uint64_t manifest_generation, uint64_t store_seq);
/* When err holds HQ_ECORRUPT from an index file, appends the remedy to
 * its message (once): the index is derived data, rebuilt from the store
 * by `healthqa index --rebuild`. */
void hq_engine_hint_rebuild(hq_error *err);

/* ---- Interface to code in ingest.c ---------------------------------- */

/* Gives each article of doc its source (its own, else o->source, else
 * the name of the folder of doc->path) and its trust level (o->trust,
 * else data/sources.tsv's level of the source).  o may be NULL. */
void hq_engine_assign_source(hq_engine *e, hq_doc *doc, const hq_ingest_options *o);

/* ---- Interface to code in evaluate.c -------------------------------- */

/* One line of a question file: "qid<TAB>text". */
typedef struct hq_qline {
    char *qid, *text;
} hq_qline;

/* Reads path's "qid<TAB>text" lines (blank lines skipped; HQ_EFORMAT
 * names a line without a tab).  On failure what was read is still
 * returned; release with hq_qlines_free(). */
hq_status hq_read_qlines(const char *path, hq_qline **out, size_t *n, hq_error *err);
void hq_qlines_free(hq_qline *qs, size_t n);

/* ---- Interface to code in refresh.c (for merge.c) ------------------- */

/* An exclusive flock on <dir>/LOCK: one index writer at a time.  Release
 * by closing *fd. */
hq_status hq_index_lock(const char *dir, int *fd, hq_error *err);
/* The deleted-document bits of segment entry ms (all clear when it has
 * none); free() them. */
hq_status hq_index_read_tombstones(const char *dir, const hq_manifest_seg *ms, uint8_t **bits,
                                   hq_error *err);
/* Tombstones, in every segment of m, the documents of the articles
 * ids[0..n) (sorted); segments left without a live document go. */
hq_status hq_index_tombstone_all(hq_engine *e, hq_manifest *m, char *const *ids, size_t n,
                                 hq_index_summary *sum, hq_error *err);
/* Indexes the store's current sections of the articles ids[0..n) (sorted;
 * all of the store when ids is NULL) into new segments written in dir
 * and added to m, whose next_id they take. */
hq_status hq_index_articles(hq_engine *e, const char *dir, hq_manifest *m, char *const *ids,
                            size_t n, hq_index_summary *sum, hq_error *err);
/* Removes segment and tombstone files that m does not name. */
void hq_index_collect_garbage(const char *dir, const hq_manifest *m);

/* ---- Interface to code in understand.c ------------------------------ */

/* Builds the concept and cue tables on first call (thread-safe); then
 * e->vocab and e->cues are set and read-only. */
hq_status hq_engine_understanding(hq_engine *e, hq_error *err);
/* A question's text of len bytes (understand.c): HQ_ELIMIT over
 * HQ_MAX_QUERY_BYTES, HQ_EUTF8 when not valid UTF-8 (at the byte). */
hq_status hq_check_question(const char *text, size_t len, hq_error *err);
/* A concept as JSON: {"name", "mesh_tree" (when known), "names"}, or
 * null for HQ_NO_CONCEPT. */
json_t *hq_engine_concept_json(const hq_vocab *v, uint32_t id);

/* ---- Interface to code in about.c ------------------------------------ */
/* What an article is about, from the built concept table (read only). */

/* Phrases whose rarest term is this common name nothing in particular:
 * "disease" (3.9), "health" (5.0), "pain" (6.0) fall under it, "pregnancy"
 * (6.4), "diet" (6.5) do not (hq_concept_match.specificity). */
#define HQ_MIN_SPECIFICITY 6.2

/* A concept worth naming: one the corpus has articles about, or a
 * disorder; in a title, also a procedure, device or drug (a title names
 * what the article is about: "after having an IUD inserted").  Ordinary
 * words that happen to be MeSH descriptors ("time", "lie", "women") are
 * none of these. */
bool hq_about_worth(const hq_concept *k, bool in_title);

/* The concepts title names besides own (the article's focus concept, or
 * HQ_NO_CONCEPT), worth naming and specific, distinct, in title order,
 * into out[0..max), with their as-written byte spans in spans (may be
 * NULL); returns how many.  A corpus topic is often named by its whole
 * title ("Low back pain - chronic", "Miscarriage - threatened"): when
 * that is all the title matches and own has no MeSH tree, the title
 * without its last word and without its first word are matched too, so
 * the MeSH concept inside is found.  a and toks are scratch. */
size_t hq_about_title(const hq_vocab *v, hq_analyzer *a, hq_tokens *toks, const char *title,
                      uint32_t own, uint32_t *out, hq_span *spans, size_t max);

/* The MeSH tree numbers an article sorts under: its focus concept's,
 * else those of the first concept its title names that has some; NULL
 * when none.  The string lives as long as v. */
const char *hq_about_tree(const hq_vocab *v, hq_analyzer *a, hq_tokens *toks,
                          const char *article_id, const char *title);

/* ---- Interface to code in search.c ---------------------------------- */

/* One query's ranked hits, with the parsed query and plan it used. */
typedef struct hq_search_run {
    hq_hit *hits;
    size_t n_hits;
    hq_topk_stats stats;
    struct hq_query *query;
    struct plan_store *plan;
    hq_question *question; /* NULL in plain mode */
    double best_first_stage; /* the best BM25F score, before re-ranking */
} hq_search_run;

enum {
    HQ_SEARCH_EXHAUSTIVE = 1, /* score every match (the reference for pruning) */
    HQ_SEARCH_PLAIN = 2,      /* no question analysis, no re-ranking */
    HQ_SEARCH_COUNT = 4       /* count up to HQ_COUNT_EXACT matches exactly (a total to show) */
};
enum {
    HQ_COUNT_EXACT = 1000
};

/* Parses text with a and ranks its k best documents in snap.  The run
 * holds its memory until hq_search_run_free (also after a failure). */
hq_status hq_engine_search(hq_engine *e, hq_analyzer *a, hq_snapshot *snap, const char *text,
                           size_t k, unsigned mode, hq_search_run *run, hq_error *err);
void hq_search_run_free(hq_search_run *run);
/* The ranking plan a successful run used (terms as weighted). */
const hq_plan *hq_search_run_plan(const hq_search_run *run);

/* An analyzer for this thread's use until hq_engine_release_analyzer. */
hq_analyzer *hq_engine_take_analyzer(hq_engine *e);
void hq_engine_release_analyzer(hq_engine *e, hq_analyzer *a);

/* ---- Interface to code in keyterms.c -------------------------------- */

/* The "more like this" query of an article (see keyterms.c). */
typedef struct hq_keyterms {
    hq_arena arena;       /* the terms' strings */
    hq_plan_term *terms;  /* n terms, distinct, weights in (0, 1] (focus names: mlt.focus) */
    size_t n, cap;
    bool has_text;        /* the article has a text of its own (20 body words or more) */
} hq_keyterms;

/* The key terms of article (hq_store_show's article object) over snap,
 * with the names of its focus concept (HQ_NO_CONCEPT: none), by the
 * mlt.* numbers of p; a and toks are scratch.  HQ_ECORRUPT when a
 * lexicon cannot be read.  Release q with hq_keyterms_free (also after
 * a failure). */
hq_status hq_keyterms_build(const hq_vocab *v, hq_analyzer *a, hq_tokens *toks,
                            const hq_snapshot *snap, const hq_related_params *p,
                            const json_t *article, uint32_t focus, hq_keyterms *q,
                            hq_error *err);
void hq_keyterms_free(hq_keyterms *q);

/* ---- Interface to code in neighbours.c ------------------------------ */

/* Completes the "previous" and "next" of article (hq_store_show's
 * article object): a link that resolved keeps its target and gains
 * "via": "portal"; one that did not, or none, becomes the article's
 * neighbour in the topic order ({"title", "id", "via": "topic"}, and
 * "portal_title" when the page named one that is not stored).  Both stay
 * null only in a store of one article.  Thread-safe. */
hq_status hq_neighbours_fill(hq_engine *e, json_t *article, hq_error *err);

/* ---- Interface to code in suggest.c --------------------------------- */

/* Frees the title list of hq_suggest (NULL is allowed). */
void hq_suggest_index_free(struct hq_suggest_index *ix);

#endif
