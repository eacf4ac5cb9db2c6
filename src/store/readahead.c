/*
 * readahead.c — a VFS for a connection that reads a store from end to
 * end (the indexer's whole-store scan, feed.c): SQLite's default VFS,
 * whose main database file is read through WINDOWS windows of WINDOW
 * bytes, one per stream of reads in file order.  A read that a window
 * holds is a copy; a read that lands at, or up to FORWARD bytes after,
 * the end of a stream's read before it fills that stream's window from
 * its offset on, in one system call; any other read goes to the file as
 * asked, and starts a stream in the window used least recently (filled
 * at the stream's next read, so that a lone read costs no window).
 *
 * The scan reads 4 KiB pages, ten thousand per MedQuAD rebuild: a pread
 * each cost ~1.7 us on a virtual machine whose system calls are slow,
 * and one window replaced them by 789 reads (3 % of the rebuild's time).
 * But the scan walks the sections in article order, and where that is
 * not the order they were stored in, its reads are several streams
 * interleaved: the benchmark's 10x store holds ten copies of each
 * article, stored file by file, so the scan's table reads were ten
 * streams 47,457 rows (~34 MB) apart, which one window served as
 * 138,000 preads, the caller's thread read the store while the other
 * waited, and the 10x rebuild took more than ten times the 1x one.
 * Sixteen windows of 64 KiB serve it in 33,000 calls, most of them lone
 * pages (that store's index leaves lie scattered, in the order its rows
 * were inserted), and the 10x rebuild went 1.71 -> 1.45 s (10 rebuilds
 * alternated).  A MedQuAD rebuild, whose reads are mostly in file order,
 * reads in 1,200 calls and takes as long as with one window, for 0.8 MiB
 * more peak memory.  Eight windows: the 10x rebuild in 1.55 s; windows of
 * 128 KiB or 32 windows: no faster, for 1-4 MiB more.
 *
 * A window holds what the file held during one read transaction, which
 * is what the transaction reads: in WAL mode a checkpoint writes back only
 * pages that every reader takes from the WAL (never those a reader takes
 * from the file), and in rollback mode no writer runs beside a reader.
 * The windows are dropped when a transaction may end: when the file's
 * lock is released (rollback mode) and when a lock on the WAL's shared
 * memory is (WAL mode: a read transaction holds one of its read locks).
 * Writes, the WAL, journals and the shared memory go straight to the
 * default VFS.
 */
#include "store.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW (64 << 10)
#define WINDOWS 16
#define FORWARD (64 << 10)
#define VFS_NAME "healthqa-readahead"

/* A stream of reads: its window holds the file's bytes [off, off + len)
 * (len 0: none yet); next is the end of its last read (-1: no stream). */
typedef struct window {
    unsigned char *buf; /* WINDOW bytes, NULL until its first fill */
    sqlite3_int64 off, len, next;
    uint64_t used; /* the file's read count at its last use: the least is replaced */
} window;

typedef struct ra_file {
    sqlite3_file base;   /* pMethods: ra_methods */
    sqlite3_file *real;  /* the default VFS's file, right after this struct */
    window win[WINDOWS];
    uint64_t reads;
    sqlite3_int64 size;  /* the file's size, read at the first fill (-1: not yet) */
    int windowed;        /* the main database file (others read straight) */
} ra_file;

static sqlite3_vfs *default_vfs;

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((ra_file *)f)->real;
}

static void drop_windows(ra_file *f)
{
    for (int i = 0; i < WINDOWS; i++) {
        f->win[i].len = 0;
        f->win[i].next = -1;
    }
    f->size = -1;
}

/* Fills w from off on; false when the file cannot give it. */
static int fill_window(ra_file *f, window *w, sqlite3_int64 off)
{
    if (f->size < 0 && f->real->pMethods->xFileSize(f->real, &f->size) != SQLITE_OK)
        f->size = -1;
    if (off >= f->size)
        return 0;
    sqlite3_int64 len = f->size - off < WINDOW ? f->size - off : WINDOW;
    if (w->buf == NULL && (w->buf = sqlite3_malloc(WINDOW)) == NULL)
        return 0;
    if (f->real->pMethods->xRead(f->real, w->buf, (int)len, off) != SQLITE_OK) {
        w->len = 0;
        return 0;
    }
    w->off = off;
    w->len = len;
    return 1;
}

/* The window that holds [off, end), or the stream that [off, end)
 * continues, its window filled from off (NULL: neither). */
static window *window_for(ra_file *f, sqlite3_int64 off, sqlite3_int64 end)
{
    for (int i = 0; i < WINDOWS; i++) {
        window *w = &f->win[i];
        if (w->len > 0 && off >= w->off && end <= w->off + w->len)
            return w;
    }
    for (int i = 0; i < WINDOWS; i++) {
        window *w = &f->win[i];
        if (w->next >= 0 && off >= w->next && off - w->next <= FORWARD)
            return fill_window(f, w, off) && end <= w->off + w->len ? w : NULL;
    }
    return NULL;
}

/* A read no stream expected starts one, in the window used least recently. */
static void start_stream(ra_file *f, sqlite3_int64 end)
{
    window *lru = &f->win[0];
    for (int i = 1; i < WINDOWS; i++)
        if (f->win[i].used < lru->used)
            lru = &f->win[i];
    lru->len = 0;
    lru->next = end;
    lru->used = f->reads;
}

static int ra_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
    ra_file *f = (ra_file *)file;
    if (!f->windowed || amt >= WINDOW)
        return f->real->pMethods->xRead(f->real, buf, amt, off);
    sqlite3_int64 end = off + amt;
    f->reads++;
    window *w = window_for(f, off, end);
    if (w == NULL) {
        start_stream(f, end);
        return f->real->pMethods->xRead(f->real, buf, amt, off);
    }
    memcpy(buf, w->buf + (off - w->off), (size_t)amt);
    w->next = end;
    w->used = f->reads;
    return SQLITE_OK;
}

static int ra_close(sqlite3_file *file)
{
    ra_file *f = (ra_file *)file;
    for (int i = 0; i < WINDOWS; i++) {
        sqlite3_free(f->win[i].buf);
        f->win[i].buf = NULL;
    }
    return f->real->pMethods->xClose(f->real);
}

static int ra_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
    drop_windows((ra_file *)file);
    return real_of(file)->pMethods->xWrite(real_of(file), buf, amt, off);
}

static int ra_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    drop_windows((ra_file *)file);
    return real_of(file)->pMethods->xTruncate(real_of(file), size);
}

static int ra_sync(sqlite3_file *file, int flags)
{
    return real_of(file)->pMethods->xSync(real_of(file), flags);
}

static int ra_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    return real_of(file)->pMethods->xFileSize(real_of(file), size);
}

static int ra_lock(sqlite3_file *file, int level)
{
    return real_of(file)->pMethods->xLock(real_of(file), level);
}

static int ra_unlock(sqlite3_file *file, int level)
{
    if (level == SQLITE_LOCK_NONE)
        drop_windows((ra_file *)file);
    return real_of(file)->pMethods->xUnlock(real_of(file), level);
}

static int ra_check_reserved(sqlite3_file *file, int *out)
{
    return real_of(file)->pMethods->xCheckReservedLock(real_of(file), out);
}

static int ra_file_control(sqlite3_file *file, int op, void *arg)
{
    return real_of(file)->pMethods->xFileControl(real_of(file), op, arg);
}

static int ra_sector_size(sqlite3_file *file)
{
    return real_of(file)->pMethods->xSectorSize(real_of(file));
}

static int ra_device_characteristics(sqlite3_file *file)
{
    return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}

static int ra_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **p)
{
    return real_of(file)->pMethods->xShmMap(real_of(file), region, size, extend, p);
}

static int ra_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    if (flags & SQLITE_SHM_UNLOCK)
        drop_windows((ra_file *)file);
    return real_of(file)->pMethods->xShmLock(real_of(file), offset, n, flags);
}

static void ra_shm_barrier(sqlite3_file *file)
{
    real_of(file)->pMethods->xShmBarrier(real_of(file));
}

static int ra_shm_unmap(sqlite3_file *file, int delete_flag)
{
    return real_of(file)->pMethods->xShmUnmap(real_of(file), delete_flag);
}

static int ra_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **p)
{
    *p = NULL; /* no memory mapping: every page through ra_read */
    (void)file, (void)off, (void)amt;
    return SQLITE_OK;
}

static int ra_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
    (void)file, (void)off, (void)p;
    return SQLITE_OK;
}

static const sqlite3_io_methods ra_methods = {
    3,           ra_close,         ra_read,           ra_write,
    ra_truncate, ra_sync,          ra_file_size,      ra_lock,
    ra_unlock,   ra_check_reserved, ra_file_control,  ra_sector_size,
    ra_device_characteristics, ra_shm_map, ra_shm_lock, ra_shm_barrier,
    ra_shm_unmap, ra_fetch,        ra_unfetch,
};

static int ra_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                   int *out_flags)
{
    (void)vfs;
    ra_file *f = (ra_file *)file;
    sqlite3_file *real = (sqlite3_file *)(f + 1);
    memset(f, 0, sizeof *f);
    int rc = default_vfs->xOpen(default_vfs, name, real, flags, out_flags);
    if (real->pMethods == NULL) /* not opened: nothing to close */
        return rc;
    f->real = real;
    f->windowed = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    drop_windows(f);
    f->base.pMethods = &ra_methods;
    return rc;
}

static sqlite3_vfs ra_vfs;

/* Registers the VFS over the default one when that is SQLite's unix VFS
 * (whose files have every method of ra_methods' version). */
static void register_vfs(void)
{
    default_vfs = sqlite3_vfs_find(NULL);
    if (default_vfs == NULL || strncmp(default_vfs->zName, "unix", 4) != 0) {
        default_vfs = NULL;
        return;
    }
    ra_vfs = *default_vfs;
    ra_vfs.pNext = NULL;
    ra_vfs.szOsFile = (int)sizeof(ra_file) + default_vfs->szOsFile;
    ra_vfs.zName = VFS_NAME;
    ra_vfs.xOpen = ra_open;
    if (sqlite3_vfs_register(&ra_vfs, 0) != SQLITE_OK)
        default_vfs = NULL;
}

const char *hq_store_readahead_vfs(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_vfs);
    return default_vfs ? VFS_NAME : NULL;
}
