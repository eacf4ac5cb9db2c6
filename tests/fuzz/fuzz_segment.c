/*
 * fuzz_segment.c — the index segment reader (src/index/segment.c,
 * lexicon.c, postings.c) on any bytes.  Every checksum is verified when a
 * segment opens, so random bytes would stop there; this driver first
 * makes the input's checksums right (each section's CRC-32, when the
 * section lies inside the input, then the header's), so that the
 * structural checks and the decoders behind them are what must hold:
 * open, the full check, every term looked up again through the lexicon's
 * binary search, its postings walked with advance and their positions
 * read, every document's record and strings.  None may crash, hang or
 * read outside the mapping; a rejected file is HQ_ECORRUPT.
 * Seeds: tests/fuzz/segment/ (small segments written by healthqa index).
 */
#include "fuzz.h"

#include "../support/reseal.h"

#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fd = memfd_create("hq-fuzz-segment", MFD_CLOEXEC);
    if (fd < 0)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

typedef struct walk {
    const hq_segment *s;
    uint32_t n_terms;
} walk;

/* Looks the term up again and walks its postings with advance. */
static bool visit(void *ctx, const char *term, size_t len, const hq_terminfo *ti)
{
    walk *w = ctx;
    hq_terminfo again;
    hq_status rc = hq_segment_term(w->s, term, len, &again);
    FUZZ_ASSERT(rc == HQ_OK || rc == HQ_ENOTFOUND || rc == HQ_ECORRUPT);
    hq_postings p;
    if (hq_segment_postings(w->s, ti, &p) == HQ_OK) {
        uint32_t pos[16], target = 0, n = hq_segment_n_docs(w->s);
        for (uint32_t d = hq_postings_advance(&p, 0); d != HQ_DOC_END;
             d = hq_postings_advance(&p, target)) {
            FUZZ_ASSERT(d < n && d >= target);
            for (int f = 0; f < HQ_NFIELDS; f++)
                hq_postings_positions(&p, f, pos, 16);
            target = d + 1 + (d % 7) * 20; /* skip ahead at times */
        }
        FUZZ_ASSERT(p.rc == HQ_OK || p.rc == HQ_ECORRUPT);
    }
    return ++w->n_terms < 4096;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *d = malloc(size ? size : 1);
    if (d == NULL)
        abort();
    memcpy(d, data, size);
    reseal_segment(d, size);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, d, size, 0) != (ssize_t)size)
        abort();
    free(d);
    hq_segment *s = NULL;
    hq_error err;
    hq_error_clear(&err);
    hq_status rc = hq_segment_open(path, &s, &err);
    if (rc != HQ_OK) {
        FUZZ_ASSERT(rc == HQ_ECORRUPT && err.message[0] != '\0');
        return 0;
    }
    hq_error_clear(&err);
    rc = hq_segment_check(s, &err);
    FUZZ_ASSERT(rc == HQ_OK || rc == HQ_ECORRUPT);
    for (uint32_t i = 0, n = hq_segment_n_docs(s); i < n && i < 4096; i++) {
        hq_docinfo di;
        hq_segment_doc(s, i, &di);
        size_t total = strlen(hq_segment_string(s, di.section_id)) +
                       strlen(hq_segment_string(s, di.article_id)) +
                       strlen(hq_segment_string(s, di.source)) +
                       strlen(hq_segment_string(s, di.qtype));
        (void)total;
    }
    walk w = {s, 0};
    rc = hq_segment_scan(s, "", 0, visit, &w);
    FUZZ_ASSERT(rc == HQ_OK || rc == HQ_ECORRUPT);
    hq_segment_unref(s);
    return 0;
}
