/*
 * hash.c — hashing.  hq_hash64 (FNV-1a) tells whether a stored article
 * changed: its values are persisted, so it never changes.  hq_hash_bytes
 * is for in-memory hash tables: one multiply per 8 bytes.
 */
#include "base.h"

#include <string.h>

uint64_t hq_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t hq_hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15ULL;
    while (len >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        h = (h ^ x) * 0xBF58476D1CE4E5B9ULL;
        p += 8;
        len -= 8;
    }
    if (len > 0) {
        uint64_t x = 0;
        memcpy(&x, p, len);
        h = (h ^ x) * 0xBF58476D1CE4E5B9ULL;
    }
    return h ^ (h >> 32);
}
