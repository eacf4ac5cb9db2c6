/*
 * manifest.c — the index's commit record and the tombstone files.
 *
 * Byte layout of MANIFEST (integers little-endian):
 *   8 bytes  magic "HQMANIF\0"
 *   u32      format version (1)
 *   u32      n_segs
 *   u64      generation (grows with every publication)
 *   u64      store_seq: the last store change the index covers
 *   u32      next_id: the next segment id
 *   u32      zero
 *   n_segs × {u32 id, u32 n_docs, u32 n_deleted, u32 del_gen}
 *   u32      crc32 of everything before
 * Segment <id> is the file seg-<id>.hqs; its deleted documents, when
 * del_gen > 0, are in seg-<id>-<del_gen>.del:
 *   8 bytes  magic "HQDELS\0\0", u32 version (1), u32 n_docs,
 *   ceil(n_docs/8) bytes of bitmap (bit d%8 of byte d/8: d is deleted),
 *   u32 crc32 of everything before.
 * A new manifest is written to MANIFEST.tmp, fsynced and renamed over
 * MANIFEST; the folder is then fsynced.  Readers see the old or the new
 * manifest, never a mix.
 */
#include "index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAGIC "HQMANIF"
#define DEL_MAGIC "HQDELS\0"
#define VERSION 1
#define HEAD 40
#define SEG_BYTES 16

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = hq_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void hq_manifest_free(hq_manifest *m)
{
    free(m->segs);
    memset(m, 0, sizeof *m);
}

static int by_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* No two entries name the same segment (its documents would count twice). */
static hq_status unique_ids(const char *path, const hq_manifest *m, hq_error *err)
{
    uint32_t *ids = hq_xmalloc(((size_t)m->n_segs + 1) * sizeof *ids);
    for (uint32_t i = 0; i < m->n_segs; i++)
        ids[i] = m->segs[i].id;
    qsort(ids, m->n_segs, sizeof *ids, by_id);
    hq_status rc = HQ_OK;
    for (uint32_t i = 1; rc == HQ_OK && i < m->n_segs; i++)
        if (ids[i] == ids[i - 1])
            rc = hq_fail(err, HQ_ECORRUPT, path, 0, -1, "segment %u is named twice", ids[i]);
    free(ids);
    return rc;
}

static hq_status parse(const char *path, const unsigned char *d, size_t len, hq_manifest *m,
                       hq_error *err)
{
    if (len < HEAD + 4 || memcmp(d, MAGIC, 8) != 0)
        return hq_fail(err, HQ_ECORRUPT, path, 0, 0, "not a healthqa manifest (bad magic)");
    if (hq_get_u32(d + 8) != VERSION)
        return hq_fail(err, HQ_ECORRUPT, path, 0, 8, "manifest version %u, expected %d",
                       hq_get_u32(d + 8), VERSION);
    uint32_t n = hq_get_u32(d + 12);
    if (n > 1000000 || len != HEAD + (size_t)n * SEG_BYTES + 4)
        return hq_fail(err, HQ_ECORRUPT, path, 0, 12,
                       "manifest is %zu bytes, which does not fit %u segments (truncated?)", len,
                       n);
    if (hq_crc32(0, d, len - 4) != hq_get_u32(d + len - 4))
        return hq_fail(err, HQ_ECORRUPT, path, 0, (long)(len - 4), "manifest checksum mismatch");
    m->generation = hq_get_u64(d + 16);
    m->store_seq = hq_get_u64(d + 24);
    m->next_id = hq_get_u32(d + 32);
    m->segs = hq_xcalloc(n ? n : 1, sizeof *m->segs);
    m->n_segs = m->cap_segs = n;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = d + HEAD + (size_t)i * SEG_BYTES;
        m->segs[i] = (hq_manifest_seg){hq_get_u32(e), hq_get_u32(e + 4), hq_get_u32(e + 8),
                                       hq_get_u32(e + 12)};
        if (m->segs[i].n_deleted > m->segs[i].n_docs || m->segs[i].id >= m->next_id)
            return hq_fail(err, HQ_ECORRUPT, path, 0, (long)(HEAD + i * SEG_BYTES),
                           "segment entry %u is inconsistent (id %u, %u of %u documents "
                           "deleted, next id %u)",
                           i, m->segs[i].id, m->segs[i].n_deleted, m->segs[i].n_docs, m->next_id);
    }
    return unique_ids(path, m, err);
}

hq_status hq_manifest_read(const char *dir, hq_manifest *m, bool *exists, hq_error *err)
{
    memset(m, 0, sizeof *m);
    m->next_id = 1;
    *exists = false;
    char *path = join(dir, "MANIFEST");
    char *data = NULL;
    size_t len = 0;
    hq_status rc = HQ_OK;
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT) {
        /* no index yet */
    } else if ((rc = hq_read_file(path, 64u << 20, &data, &len, err)) == HQ_OK) {
        *exists = true;
        rc = parse(path, (const unsigned char *)data, len, m, err);
        if (rc != HQ_OK)
            hq_manifest_free(m);
    }
    free(data);
    free(path);
    return rc;
}

hq_status hq_manifest_write(const char *dir, const hq_manifest *m, hq_error *err)
{
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_buf_append(&b, MAGIC, 8);
    hq_put_u32(&b, VERSION);
    hq_put_u32(&b, m->n_segs);
    hq_put_u64(&b, m->generation);
    hq_put_u64(&b, m->store_seq);
    hq_put_u32(&b, m->next_id);
    hq_put_u32(&b, 0);
    for (uint32_t i = 0; i < m->n_segs; i++) {
        hq_put_u32(&b, m->segs[i].id);
        hq_put_u32(&b, m->segs[i].n_docs);
        hq_put_u32(&b, m->segs[i].n_deleted);
        hq_put_u32(&b, m->segs[i].del_gen);
    }
    hq_put_u32(&b, hq_crc32(0, b.data, b.len));
    char *path = join(dir, "MANIFEST");
    hq_status rc = hq_write_atomic(path, b.data, b.len, err);
    if (rc == HQ_OK)
        rc = hq_fsync_dir(dir, err);
    free(path);
    hq_buf_free(&b);
    return rc;
}

hq_status hq_tombstones_write(const char *path, const uint8_t *bits, uint32_t n_docs,
                              hq_error *err)
{
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_buf_append(&b, DEL_MAGIC, 8);
    hq_put_u32(&b, VERSION);
    hq_put_u32(&b, n_docs);
    hq_buf_append(&b, bits, ((size_t)n_docs + 7) / 8);
    hq_put_u32(&b, hq_crc32(0, b.data, b.len));
    hq_status rc = hq_write_atomic(path, b.data, b.len, err);
    hq_buf_free(&b);
    return rc;
}

hq_status hq_tombstones_read(const char *path, uint32_t n_docs, uint8_t **bits, hq_error *err)
{
    *bits = NULL;
    char *data = NULL;
    size_t len = 0;
    hq_status rc = hq_read_file(path, 64u << 20, &data, &len, err);
    if (rc != HQ_OK)
        return rc;
    const unsigned char *d = (const unsigned char *)data;
    size_t nbytes = ((size_t)n_docs + 7) / 8;
    if (len != 16 + nbytes + 4 || memcmp(d, DEL_MAGIC, 8) != 0 || hq_get_u32(d + 8) != VERSION ||
        hq_get_u32(d + 12) != n_docs)
        rc = hq_fail(err, HQ_ECORRUPT, path, 0, 0,
                     "not a tombstone file for %u documents (bad header or size)", n_docs);
    else if (hq_crc32(0, d, len - 4) != hq_get_u32(d + len - 4))
        rc = hq_fail(err, HQ_ECORRUPT, path, 0, (long)(len - 4), "tombstone checksum mismatch");
    else if (n_docs % 8 != 0 && (d[16 + nbytes - 1] >> (n_docs % 8)) != 0)
        rc = hq_fail(err, HQ_ECORRUPT, path, 0, (long)(16 + nbytes - 1),
                     "bits are set past the last of the %u documents", n_docs);
    if (rc == HQ_OK) {
        *bits = hq_xmalloc(nbytes ? nbytes : 1);
        memcpy(*bits, d + 16, nbytes);
    }
    free(data);
    return rc;
}
