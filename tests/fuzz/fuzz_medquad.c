/*
 * fuzz_medquad.c — the MedQuAD XML reader (src/ingest/medquad.c, libxml2's
 * streaming reader), then hq_parse_file on the same bytes.  Seeds:
 * tests/fuzz/medquad/ (files of ../shared/corpus/medquad, cut down, and
 * malformed variants).
 */
#include "doc_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hq_ingest_init(); /* libxml2's one-time setup, as hq_open does */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_parse(data, size, "fuzz/1_CancerGov_QA/0000001_1.xml", hq_parse_medquad);
    return 0;
}
