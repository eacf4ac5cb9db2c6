/*
 * fuzz_query.c — the query parser (src/query/parser.c) on any text, then
 * the whole search of that text on a small index (hq_search: question
 * understanding, the plan, MaxScore, phrases, filters, snippets), and the
 * plain ranking pruned against exhaustive: both must return the same
 * hits with the same scores.  The input becomes a C string (cut at its
 * first NUL), as hq_search takes one.  Seeds: tests/fuzz/query/.
 */
#include "fuzz_engine.h"

#include "query/query.h"

static hq_analyzer *analyzer;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    analyzer = hq_analyzer_new();
    fuzz_engine("query");
    return 0;
}

/* Parses text; returns the status (err filled on failure). */
static hq_status parse(const char *text, size_t len)
{
    hq_query q;
    hq_error err;
    hq_error_clear(&err);
    hq_status rc = hq_query_parse(analyzer, text, len, &q, &err);
    if (rc == HQ_OK) {
        bool wanted = q.n_terms > 0;
        for (uint32_t i = 0; i < q.n_filters; i++)
            wanted = wanted || !q.filters[i].excluded;
        FUZZ_ASSERT(wanted); /* something to search for */
        hq_buf out;
        hq_buf_init(&out, 1 << 16);
        hq_query_dump(&q, &out);
        hq_buf_free(&out);
    } else {
        FUZZ_ASSERT(err.code == rc && err.message[0] != '\0');
        FUZZ_ASSERT(err.offset >= -1 && err.offset <= (long)len);
    }
    hq_query_free(&q);
    return rc;
}

/* Plain ranking, pruned or exhaustive, of the first 20 hits. */
static json_t *plain(const char *text, bool exhaustive, hq_status *rc)
{
    hq_search_options o = {.limit = 20, .plain = true, .exhaustive = exhaustive};
    json_t *res = NULL;
    *rc = hq_search(fuzz_engine_, text, &o, &res, NULL);
    return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    size_t len = strlen(text);
    hq_status parsed = parse(text, len);

    hq_search_options o = {.limit = 10, .snippets = true};
    json_t *res = NULL;
    hq_error err = {0};
    hq_status rc = hq_search(fuzz_engine_, text, &o, &res, &err);
    FUZZ_ASSERT(rc == parsed); /* the engine fails only where the parser does */
    json_decref(res);

    hq_status rc_pruned, rc_all;
    json_t *pruned = plain(text, false, &rc_pruned), *all = plain(text, true, &rc_all);
    FUZZ_ASSERT(rc_pruned == rc_all);
    if (rc_pruned == HQ_OK) {
        json_t *a = json_object_get(pruned, "hits"), *b = json_object_get(all, "hits");
        FUZZ_ASSERT(json_array_size(a) == json_array_size(b));
        for (size_t i = 0; i < json_array_size(a); i++) {
            json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
            FUZZ_ASSERT(json_equal(json_object_get(x, "section_id"),
                                   json_object_get(y, "section_id")));
            FUZZ_ASSERT(json_real_value(json_object_get(x, "score")) ==
                        json_real_value(json_object_get(y, "score")));
        }
    }
    json_decref(pruned);
    json_decref(all);
    free(text);
    return 0;
}
