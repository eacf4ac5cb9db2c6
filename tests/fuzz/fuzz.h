/*
 * fuzz.h — what every fuzz driver (tests/fuzz/fuzz_<name>.c) includes.
 *
 * A driver defines LLVMFuzzerTestOneInput (and, when it needs state built
 * once, LLVMFuzzerInitialize).  The same source is linked two ways:
 *   - with libFuzzer (`make fuzz`: clang -fsanitize=fuzzer,address,undefined),
 *     which generates inputs;
 *   - with replay.c (`make test`, gcc, and under ASan + UBSan in CI), whose
 *     main runs every file of tests/fuzz/<name>/ (seeds and regression
 *     inputs) through the same entry point.
 * A driver reports a broken invariant with FUZZ_ASSERT, which aborts: to
 * libFuzzer that is a crash, to the replay a failed test.
 * Drivers run from the repository root (fixture paths are relative).
 */
#ifndef HQ_FUZZ_H
#define HQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "healthqa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(cond)                                                                      \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* A malloc'd copy of data[0..size) with a NUL after it (as hq_read_file
 * gives a file), so parsers see what they see in production. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* What an entry point taking any text may refuse it for (too long, not
 * UTF-8), always with a message. */
static inline void fuzz_text_refused(hq_status rc, const hq_error *err)
{
    FUZZ_ASSERT(rc == HQ_ELIMIT || rc == HQ_EUTF8);
    FUZZ_ASSERT(err->message[0] != '\0');
}

#endif
