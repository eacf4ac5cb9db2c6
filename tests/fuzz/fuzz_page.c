/*
 * fuzz_page.c — the portal page parser (src/ingest/page.c: title, body,
 * "<<:" / ">>:" links, Recommend blocks), then hq_parse_file on the same
 * bytes.  Seeds: tests/fuzz/page/ (pages of ../shared/corpus/portal and
 * edge cases).
 */
#include "doc_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_parse(data, size, "fuzz/page-input.txt", hq_parse_page);
    return 0;
}
