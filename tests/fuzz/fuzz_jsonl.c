/*
 * fuzz_jsonl.c — the JSON Lines reader (src/ingest/jsonl.c, jansson),
 * then hq_parse_file on the same bytes.  Seeds: tests/fuzz/jsonl/
 * (records of ../shared/corpus/medlineplus and edge cases).
 */
#include "doc_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_parse(data, size, "fuzz/topics.jsonl", hq_parse_jsonl);
    return 0;
}
