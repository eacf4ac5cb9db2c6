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

struct hq_engine {
    char *dir;
    hq_store *store;
    hq_trust_table trust;
};

#endif
