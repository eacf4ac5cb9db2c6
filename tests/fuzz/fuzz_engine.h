/*
 * fuzz_engine.h — one engine over a small index, built once per process
 * for the drivers that search or analyse (fuzz_query.c, fuzz_question.c):
 * tests/fixtures/server ingested and indexed into a fresh folder
 * /tmp/hq-fuzz-<driver>-XXXXXX, removed at exit.  Aborts when it cannot
 * be built (a setup fault, not a finding).
 */
#ifndef HQ_FUZZ_ENGINE_H
#define HQ_FUZZ_ENGINE_H

#include "fuzz.h"

#include "healthqa.h"

#include <stdlib.h>

static hq_engine *fuzz_engine_;
static char fuzz_engine_dir_[64];

static void fuzz_engine_close(void)
{
    hq_close(fuzz_engine_);
    fuzz_engine_ = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_engine_dir_);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fuzz_engine_dir_);
}

static hq_engine *fuzz_engine(const char *name)
{
    if (fuzz_engine_)
        return fuzz_engine_;
    snprintf(fuzz_engine_dir_, sizeof fuzz_engine_dir_, "/tmp/hq-fuzz-%s-XXXXXX", name);
    hq_error err = {0};
    const char *paths[] = {"tests/fixtures/server"};
    if (mkdtemp(fuzz_engine_dir_) == NULL || hq_open(fuzz_engine_dir_, &fuzz_engine_, &err) ||
        hq_ingest(fuzz_engine_, paths, 1, NULL, NULL, &err) ||
        hq_index_update(fuzz_engine_, false, NULL, &err)) {
        char buf[2048];
        fprintf(stderr, "fuzz: cannot build the engine in %s: %s\n", fuzz_engine_dir_,
                hq_error_format(&err, buf, sizeof buf));
        abort();
    }
    atexit(fuzz_engine_close);
    return fuzz_engine_;
}

#endif
