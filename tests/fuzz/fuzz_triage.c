/*
 * fuzz_triage.c — red-flag triage (hq_triage: the phrase matcher, NegEx
 * windows, the question cap) with the project's rules (data/triage.rules)
 * on any text.  The input becomes a C string (cut at its first NUL, as a
 * C caller's string would be).  Seeds: tests/fuzz/triage/.
 */
#include "fuzz.h"

#include "healthqa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    json_t *out = NULL;
    hq_error err = {0};
    hq_status rc = hq_triage(text, &out, &err);
    if (rc == HQ_OK) {
        const char *level = json_string_value(json_object_get(out, "level"));
        FUZZ_ASSERT(level != NULL);
        size_t n = strlen(text), i;
        json_t *m;
        json_array_foreach(json_object_get(out, "matched"), i, m) /* spans lie in the text */
        {
            json_int_t start = json_integer_value(json_object_get(m, "start"));
            json_int_t end = json_integer_value(json_object_get(m, "end"));
            FUZZ_ASSERT(0 <= start && start <= end && (size_t)end <= n);
        }
    } else {
        fuzz_text_refused(rc, &err);
    }
    json_decref(out);
    free(text);
    return 0;
}
