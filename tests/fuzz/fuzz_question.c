/*
 * fuzz_question.c — question analysis (hq_analyze_question: src/query/
 * question.c's focus, type, context and key terms, with the concept
 * table of a small index plus ../shared/vocab and data/) on any text.
 * The input becomes a C string (cut at its first NUL).  Seeds:
 * tests/fuzz/question/ (consumer questions of the eval sets).
 */
#include "fuzz_engine.h"

#include <math.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    json_t *out = NULL;
    /* builds the concept table once, outside the inputs' time */
    if (hq_analyze_question(fuzz_engine("question"), "what is asthma", &out, NULL) != HQ_OK)
        abort();
    json_decref(out);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    json_t *out = NULL;
    hq_error err = {0};
    hq_status rc = hq_analyze_question(fuzz_engine_, text, &out, &err);
    if (rc == HQ_OK) {
        FUZZ_ASSERT(json_is_string(json_object_get(out, "type")));
        size_t i, n = strlen(text);
        json_t *k;
        json_array_foreach(json_object_get(out, "key_terms"), i, k)
        {
            double w = json_number_value(json_object_get(k, "weight"));
            FUZZ_ASSERT(isfinite(w) && w >= 0);
            FUZZ_ASSERT(json_is_string(json_object_get(k, "term")));
        }
        json_t *c; /* spans of the text: whole UTF-8 characters inside it */
        json_array_foreach(json_object_get(out, "concepts"), i, c)
        {
            const char *s = json_string_value(json_object_get(c, "text"));
            FUZZ_ASSERT(s != NULL && strlen(s) <= n);
            FUZZ_ASSERT(json_is_string(json_object_get(c, "concept")));
        }
        json_t *ctx = json_object_get(out, "context");
        FUZZ_ASSERT(json_is_null(ctx) || json_is_string(ctx));
        FUZZ_ASSERT(json_is_array(json_object_get(out, "ignored")));
        json_array_foreach(json_object_get(out, "ignored"), i, c)
        FUZZ_ASSERT(json_is_string(c));
    } else {
        fuzz_text_refused(rc, &err);
    }
    json_decref(out);
    free(text);
    return 0;
}
