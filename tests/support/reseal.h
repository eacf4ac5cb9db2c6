/*
 * reseal.h — rewriting the checksums of a damaged index file, so that a
 * test or fuzz driver reaches the structural checks and decoders behind
 * them (tests/engine/test_corruption.c, tests/fuzz/fuzz_segment.c).
 * Layouts: docs/FORMAT.md.  Header-only: the fuzz drivers do not link
 * tests/support/support.c.
 */
#ifndef HQ_TEST_RESEAL_H
#define HQ_TEST_RESEAL_H

#include "index/index.h"

static inline void reseal_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A segment file d[0..n): each section's CRC-32 (when the section lies
 * inside the file), then the header's. */
static inline void reseal_segment(uint8_t *d, size_t n)
{
    enum { HEADER = 256, N_SECTIONS = 6 };
    if (n < HEADER)
        return;
    for (int i = 0; i < N_SECTIONS; i++) {
        uint8_t *e = d + 48 + 24 * i;
        uint64_t off = hq_get_u64(e), len = hq_get_u64(e + 8);
        if (off <= n && len <= n - off)
            reseal_put_u32(e + 16, hq_crc32(0, d + off, (size_t)len));
    }
    reseal_put_u32(d + HEADER - 4, hq_crc32(0, d, HEADER - 4));
}

/* A MANIFEST or tombstone file d[0..n): its last 4 bytes are the CRC-32
 * of all before. */
static inline void reseal_trailing(uint8_t *d, size_t n)
{
    if (n >= 4)
        reseal_put_u32(d + n - 4, hq_crc32(0, d, n - 4));
}

#endif
