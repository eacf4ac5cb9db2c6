/*
 * io.c — the byte-level helpers of the index files: little-endian
 * integers, LEB128 varints, CRC-32 (zlib's, computed by libdeflate),
 * atomic file replacement, flushing a file as it is written.
 */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include <pthread.h>

uint32_t hq_crc32(uint32_t crc, const void *data, size_t len)
{
    return libdeflate_crc32(crc, data, len); /* carry-less multiplication where the CPU has it */
}

/* CRC-32 arithmetic for combining: polynomials over GF(2) modulo the
 * CRC's, bit-reflected as the CRC itself is (x^0 in bit 31). */
#define CRC_POLY 0xEDB88320u

/* a * b modulo the polynomial. */
static uint32_t gf2_mul(uint32_t a, uint32_t b)
{
    uint32_t p = 0;
    for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
        if (a & m)
            p ^= b;
        b = (b & 1) ? (b >> 1) ^ CRC_POLY : b >> 1;
    }
    return p;
}

/* x^(8n) modulo the polynomial: what n bytes after it do to a CRC. */
static uint32_t x_pow_8n(uint64_t n)
{
    uint32_t r = 1u << 31, sq = 1u << 23; /* x^0, x^8 */
    for (; n != 0; n >>= 1) {
        if (n & 1)
            r = gf2_mul(r, sq);
        sq = gf2_mul(sq, sq);
    }
    return r;
}

uint32_t hq_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
    return gf2_mul(x_pow_8n(len_b), crc_a) ^ crc_b;
}

void hq_put_u16(hq_buf *b, uint16_t v)
{
    unsigned char x[2];
    hq_store_u16(x, v);
    hq_buf_append(b, x, 2);
}

void hq_put_u32(hq_buf *b, uint32_t v)
{
    unsigned char x[4];
    hq_store_u32(x, v);
    hq_buf_append(b, x, 4);
}

void hq_put_u64(hq_buf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    hq_buf_append(b, x, 8);
}

void hq_put_varint(hq_buf *b, uint64_t v)
{
    unsigned char x[10];
    size_t n = 0;
    while (v >= 0x80) {
        x[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    x[n++] = (unsigned char)v;
    hq_buf_append(b, x, n);
}

size_t hq_get_varint(const unsigned char *p, size_t avail, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < avail && i < 10; i++) {
        x |= (uint64_t)(p[i] & 0x7F) << (7 * i);
        if ((p[i] & 0x80) == 0) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

hq_status hq_write_all(int fd, const void *data, size_t len, const char *path, long at,
                       hq_error *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return hq_fail(err, HQ_EIO, path, 0, at < 0 ? -1 : at, "write failed: %s",
                           w < 0 ? strerror(errno) : "no byte written");
        p += w;
        len -= (size_t)w;
        at = at < 0 ? at : at + (long)w;
    }
    return HQ_OK;
}

hq_status hq_write_atomic(const char *path, const void *data, size_t len, hq_error *err)
{
    size_t n = strlen(path) + 5;
    char *tmp = hq_xmalloc(n);
    snprintf(tmp, n, "%s.tmp", path);
    hq_status rc = HQ_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        rc = hq_fail(err, HQ_EIO, tmp, 0, -1, "cannot create: %s", strerror(errno));
        goto cleanup;
    }
    rc = hq_write_all(fd, data, len, tmp, -1, err);
    if (rc == HQ_OK && fsync(fd) != 0)
        rc = hq_fail(err, HQ_EIO, tmp, 0, -1, "fsync failed: %s", strerror(errno));
    if (close(fd) != 0 && rc == HQ_OK)
        rc = hq_fail(err, HQ_EIO, tmp, 0, -1, "close failed: %s", strerror(errno));
    if (rc == HQ_OK && rename(tmp, path) != 0)
        rc = hq_fail(err, HQ_EIO, path, 0, -1, "rename failed: %s", strerror(errno));
    if (rc != HQ_OK)
        unlink(tmp);
cleanup:
    free(tmp);
    return rc;
}

hq_status hq_fsync_dir(const char *dir, hq_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hq_fail(err, HQ_EIO, dir, 0, -1, "cannot open folder: %s", strerror(errno));
    hq_status rc = HQ_OK;
    if (fsync(fd) != 0)
        rc = hq_fail(err, HQ_EIO, dir, 0, -1, "fsync of the folder failed: %s", strerror(errno));
    close(fd);
    return rc;
}

/* Flushing a file as it is written (hq_syncer).  On a virtual disk whose
 * host caches writes, a flush costs about 1 ms per MB written since the
 * previous one, however much writeback has already done: an 11 MB
 * segment's fsync took 7-10 ms though each MiB's writeback was started as
 * it was written (sync_file_range), and ~1 ms with a flush every 2 MiB on
 * a thread of its own, which waits for the disk, not the CPU, while the
 * writer encodes. */
#define SYNC_BYTES ((uint64_t)2 << 20)

struct hq_syncer {
    int fd;
    bool running; /* the thread started (at the first SYNC_BYTES) */
    bool failed_start;
    pthread_t thread;
    pthread_mutex_t mu; /* guards the fields below */
    pthread_cond_t cv;
    uint64_t wrote;   /* bytes the writer has handed to the file */
    uint64_t flushed; /* bytes the last flush started with (or 0) */
    bool stop;
    int error; /* errno of the first failed flush, 0 */
};

static void *syncer_main(void *arg)
{
    hq_syncer *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->stop && s->wrote - s->flushed < SYNC_BYTES)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->stop)
            break;
        s->flushed = s->wrote;
        pthread_mutex_unlock(&s->mu);
        int r = fdatasync(s->fd), e = errno;
        pthread_mutex_lock(&s->mu);
        if (r != 0 && s->error == 0)
            s->error = e;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

hq_syncer *hq_syncer_new(int fd)
{
    hq_syncer *s = hq_xcalloc(1, sizeof *s);
    s->fd = fd;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    return s;
}

void hq_syncer_wrote(hq_syncer *s, uint64_t bytes)
{
    if (bytes < SYNC_BYTES || s->failed_start)
        return;
    if (!s->running) { /* a small file starts no thread */
        s->running = pthread_create(&s->thread, NULL, syncer_main, s) == 0;
        s->failed_start = !s->running;
        if (!s->running)
            return;
    }
    pthread_mutex_lock(&s->mu);
    s->wrote = bytes;
    if (bytes - s->flushed >= SYNC_BYTES)
        pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int hq_syncer_stop(hq_syncer *s)
{
    if (s->running) {
        pthread_mutex_lock(&s->mu);
        s->stop = true;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    }
    int error = s->error;
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
    return error;
}

int hq_trust_code(const char *level)
{
    static const char *const names[] = {"high", "medium", "low", "unknown"};
    for (int i = 0; level && i < 4; i++)
        if (strcmp(level, names[i]) == 0)
            return i;
    return HQ_TRUST_UNKNOWN;
}

const char *hq_trust_name(int code)
{
    static const char *const names[] = {"high", "medium", "low", "unknown"};
    return code >= 0 && code < 4 ? names[code] : "unknown";
}
