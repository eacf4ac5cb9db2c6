/*
 * io.c — the byte-level helpers of the index files: little-endian
 * integers, LEB128 varints, CRC-32 (zlib), atomic file replacement.
 */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

uint32_t hq_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) { /* zlib takes uInt lengths */
        uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = (uint32_t)crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}

uint32_t hq_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
    return (uint32_t)crc32_combine64(crc_a, crc_b, (z_off64_t)len_b);
}

void hq_put_u16(hq_buf *b, uint16_t v)
{
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    hq_buf_append(b, x, 2);
}

void hq_put_u32(hq_buf *b, uint32_t v)
{
    unsigned char x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (unsigned char)(v >> (8 * i));
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

static hq_status write_all(int fd, const void *data, size_t len, const char *path, hq_error *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return hq_fail(err, HQ_EIO, path, 0, -1, "write failed: %s", strerror(errno));
        p += w;
        len -= (size_t)w;
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
    rc = write_all(fd, data, len, tmp, err);
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
