/*
 * base.h — helpers every layer uses: errors, allocation, growable
 * buffers, arenas, UTF-8 checks, hashing and file reading.
 *
 * One block per file, in the manner of FTS5's fts5Int.h.  Nothing here
 * knows about articles or the store.
 */
#ifndef HQ_BASE_H
#define HQ_BASE_H

#include "healthqa.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define HQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HQ_PRINTF(f, a)
#endif

/* ---- Interface to code in error.c ---------------------------------- */

/* Fills err (when not NULL and still HQ_OK: the first error wins) and
 * returns code.  where may be NULL; line 0 and offset -1 mean unknown. */
hq_status hq_fail(hq_error *err, hq_status code, const char *where, long line, long offset,
                  const char *fmt, ...) HQ_PRINTF(6, 7);
/* hq_fail with a va_list, for parsers' own failure helpers. */
hq_status hq_vfail(hq_error *err, hq_status code, const char *where, long line, long offset,
                   const char *fmt, va_list ap) HQ_PRINTF(6, 0);

/* Clears err to HQ_OK (err may be NULL). */
void hq_error_clear(hq_error *err);

/* ---- Interface to code in mem.c ------------------------------------ */
/* Allocation that never returns NULL: on exhaustion it prints a message
 * and aborts (the project's single out-of-memory policy). */

void *hq_xmalloc(size_t size);
void *hq_xcalloc(size_t n, size_t size);
/* As hq_xcalloc, with every byte written now: for hash tables, which are
 * probed (read) before they are written.  calloc's fresh pages map the
 * shared zero page on a first read, then fault again on the first write,
 * and in a threaded process that second fault flushes the other CPUs'
 * TLBs (an interrupt each); it was ~4 % of an index build. */
void *hq_xcalloc_eager(size_t n, size_t size);
void *hq_xrealloc(void *p, size_t size);
char *hq_xstrdup(const char *s);
char *hq_xstrndup(const char *s, size_t len);
/* Grows *items (of elem bytes each) so it holds at least need elements;
 * *cap is updated.  Doubling, so appends are amortised O(1). */
void hq_grow(void **items, size_t *cap, size_t need, size_t elem);

/* ---- Interface to code in buf.c ------------------------------------ */
/* A growable byte buffer, always NUL-terminated, with a hard cap: an
 * append that would pass the cap fails with HQ_ELIMIT and leaves the
 * buffer unchanged (the idea of curl's dynbuf). */

typedef struct hq_buf {
    char *data;   /* NUL-terminated; NULL until the first append */
    size_t len;   /* bytes used, excluding the NUL */
    size_t cap;   /* bytes allocated */
    size_t limit; /* maximum len; 0 means SIZE_MAX */
} hq_buf;

void hq_buf_init(hq_buf *b, size_t limit);
void hq_buf_free(hq_buf *b);
void hq_buf_reset(hq_buf *b);
hq_status hq_buf_append(hq_buf *b, const void *data, size_t len);
hq_status hq_buf_puts(hq_buf *b, const char *s);
hq_status hq_buf_printf(hq_buf *b, const char *fmt, ...) HQ_PRINTF(2, 3);
/* Returns the contents ("" when empty); valid until the next change. */
const char *hq_buf_str(const hq_buf *b);

/* ---- Interface to code in arena.c ---------------------------------- */
/* A bump allocator for data that dies together (one parsed document,
 * one request).  Blocks are malloc'd; hq_arena_free releases all. */

typedef struct hq_arena_block hq_arena_block;
typedef struct hq_arena {
    hq_arena_block *head;
    size_t used; /* bytes handed out, for limits and statistics */
} hq_arena;

void hq_arena_init(hq_arena *a);
void hq_arena_free(hq_arena *a);
/* Returns size bytes aligned for any type; never NULL. */
void *hq_arena_alloc(hq_arena *a, size_t size);
/* Copies len bytes of s and a NUL; never NULL. */
char *hq_arena_strndup(hq_arena *a, const char *s, size_t len);
char *hq_arena_strdup(hq_arena *a, const char *s);
char *hq_arena_printf(hq_arena *a, const char *fmt, ...) HQ_PRINTF(2, 3);

/* ---- Interface to code in intern.c --------------------------------- */
/* Distinct byte strings numbered 0, 1, 2, ... in order of first sight.
 * One thread adds, looks up and clears; while it adds, other threads
 * may read the size and name the ids below a size they read, or handed
 * to them safely (a mutex, a queue). */

#define HQ_NO_ID UINT32_MAX

typedef struct hq_intern hq_intern;

/* Never NULL (out of memory aborts).  Release with hq_intern_free(). */
hq_intern *hq_intern_new(void);
/* Frees t and every string it handed out; NULL is allowed. */
void hq_intern_free(hq_intern *t);
/* Forgets every string: ids start again from 0. */
void hq_intern_clear(hq_intern *t);
/* The id of s[0..len) (any bytes), numbered next when it is new; *added
 * (when not NULL) tells which. */
uint32_t hq_intern_id(hq_intern *t, const char *s, size_t len, bool *added);
/* The id of s[0..len), or HQ_NO_ID when it was never added. */
uint32_t hq_intern_find(const hq_intern *t, const char *s, size_t len);
/* Looking many strings up at once, their cache misses overlapped: each
 * string's tag (hq_intern_tag), then for every string in turn the
 * prefetch of each stage (HQ_INTERN_SLOT, then _ENTRY, then _STRING: a
 * stage reads what the one before fetched), then hq_intern_id_tagged. */
enum { HQ_INTERN_SLOT, HQ_INTERN_ENTRY, HQ_INTERN_STRING };
uint32_t hq_intern_tag(const char *s, size_t len);
void hq_intern_prefetch(const hq_intern *t, uint32_t tag, int stage);
/* hq_intern_id of s[0..len), whose hq_intern_tag is tag. */
uint32_t hq_intern_id_tagged(hq_intern *t, const char *s, size_t len, uint32_t tag,
                             bool *added);
/* The string of id (< hq_intern_size), NUL-terminated, with its length
 * in *len; valid until t is cleared or freed. */
const char *hq_intern_str(const hq_intern *t, uint32_t id, size_t *len);
/* How many strings; bytes of memory held. */
size_t hq_intern_size(const hq_intern *t);
size_t hq_intern_bytes(const hq_intern *t);

/* ---- Interface to code in utf8.c ----------------------------------- */

/* Returns the byte offset of the first byte of s[0..len) that is not
 * well-formed UTF-8 (RFC 3629: no overlongs, surrogates or code points
 * past U+10FFFF), or -1 when all of it is valid. */
long hq_utf8_invalid_at(const char *s, size_t len);

/* The length of a UTF-8 byte order mark at the start of s[0..len): 3 or 0. */
size_t hq_utf8_bom(const char *s, size_t len);

/* Decodes the code point at s[0..len) into *cp and returns its length in
 * bytes (1..4); on a malformed sequence sets *cp = U+FFFD and returns 1. */
int hq_utf8_decode(const char *s, size_t len, int32_t *cp);

/* True for Unicode white space: the C0/ASCII spaces, U+0085, and every
 * code point of category Zs, Zl or Zp (so NO-BREAK SPACE counts). */
bool hq_unicode_is_space(int32_t cp);

/* Trims Unicode white space from both ends of s[0..*len): returns the new
 * start and updates *len. */
const char *hq_utf8_trim(const char *s, size_t *len);

/* Copies s[0..len) into the arena with runs of Unicode white space
 * collapsed to one ASCII space and both ends trimmed. */
char *hq_utf8_squeeze(hq_arena *a, const char *s, size_t len);

/* The comparison key of the NUL-terminated s into out (reset first):
 * case-folded, accents and compatibility forms removed, words of letters
 * and digits separated by single spaces ("Why does it hurt?" and "why
 * does it  hurt" share a key).  Empty when s holds no letter or digit
 * or is not valid UTF-8.  Used for title keys and title suggestions. */
void hq_utf8_key(const char *s, hq_buf *out);

/* ---- Interface to code in params.c --------------------------------- */

/* One parameter of a "key = value" file: its name, where its value
 * goes, and the range it must lie in. */
typedef struct hq_param {
    const char *name;
    double *slot;
    double min, max;
    bool min_exclusive; /* the value must be > min, not >= */
} hq_param;

/* Reads path's "key = value" lines ('#' comments) into the slots of
 * params[0..n).  HQ_EFORMAT names the line of an unknown key (listing
 * the known ones), a malformed line or a value out of range; HQ_EIO when
 * the file cannot be read.  Values read before a failure stay set. */
hq_status hq_params_load(const char *path, const hq_param *params, size_t n, hq_error *err);

/* A byte range [start, end) of some text (snippets, question parts). */
typedef struct hq_span {
    uint32_t start, end;
} hq_span;

/* ---- Interface to code in hash.c ----------------------------------- */

/* 64-bit FNV-1a, for change detection (not for security). */
uint64_t hq_hash64(const void *data, size_t len, uint64_t seed);
#define HQ_HASH_SEED 0xcbf29ce484222325ULL

/* A fast hash for in-memory tables (not persisted: may change). */
uint64_t hq_hash_bytes(const void *data, size_t len);

/* ---- Interface to code in fs.c ------------------------------------- */

/* Reads the whole regular file at path into a malloc'd buffer (NUL added,
 * not counted in *len).  Files over limit bytes fail with HQ_ELIMIT. */
hq_status hq_read_file(const char *path, size_t limit, char **data, size_t *len, hq_error *err);

/* Reads the file at path (at most limit bytes, as hq_read_file) and calls
 * fn for each line: NUL-terminated, without its LF or CR LF, writable, with
 * its 1-based number; blank lines included.  Stops at the first return of
 * fn that is not HQ_OK and returns it. */
typedef hq_status (*hq_line_fn)(void *ctx, char *line, long lineno);
hq_status hq_read_lines(const char *path, size_t limit, hq_line_fn fn, void *ctx,
                        hq_error *err);

/* Appends to *paths (malloc'd strings) every regular file under path,
 * recursively, sorted by name within each folder; hidden entries (".x")
 * inside folders are skipped.  A path that is itself a file is added as
 * it is.  Failures to read a folder are reported through err and the walk
 * goes on; the return is the first failure or HQ_OK. */
hq_status hq_list_files(const char *path, char ***paths, size_t *n, size_t *cap, hq_error *err);

/* Creates directory path (one level) if it does not exist. */
hq_status hq_mkdir(const char *path, hq_error *err);

/* Monotonic time in seconds. */
double hq_now(void);

#endif
