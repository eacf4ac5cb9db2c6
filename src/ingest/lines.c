/*
 * lines.c — splitting text into trimmed lines with a length cap.
 * LF and CR LF both end a line; a lone CR inside a line is kept as text
 * (and trimmed away at the ends, being white space).  A leading UTF-8
 * byte order mark is not text and is skipped.
 */
#include "ingest.h"

#include <string.h>

hq_status hq_lines_split(const char *data, size_t len, const char *path, hq_lines *out,
                         hq_error *err)
{
    memset(out, 0, sizeof *out);
    size_t pos = hq_utf8_bom(data, len);
    long lineno = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t raw = end - pos;
        lineno++;
        if (raw > HQ_MAX_LINE_BYTES) {
            hq_lines_free(out);
            return hq_fail(err, HQ_ELIMIT, path, lineno, (long)pos,
                           "line is %zu bytes long, over the limit of %u bytes per line",
                           raw, HQ_MAX_LINE_BYTES);
        }
        size_t tl = raw;
        const char *t = hq_utf8_trim(data + pos, &tl);
        hq_grow((void **)&out->items, &out->cap, out->n + 1, sizeof *out->items);
        out->items[out->n++] = (hq_line){t, tl, lineno};
        pos = nl ? end + 1 : len;
    }
    return HQ_OK;
}

void hq_lines_free(hq_lines *lines)
{
    free(lines->items);
    memset(lines, 0, sizeof *lines);
}
