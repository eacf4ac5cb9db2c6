/*
 * triage.c — hq_triage(): the public entry to red-flag triage
 * (src/answer/triage.c) with the default rules file, loaded once per
 * process (pthread_once) and shared, read-only, by every thread.  A load
 * failure is remembered and returned by every call, so a broken rules
 * file is never half-used.
 */
#include "engine.h"
#include "../answer/answer.h"

#include <pthread.h>
#include <string.h>

static pthread_once_t rules_once = PTHREAD_ONCE_INIT;
static hq_triage_rules *rules;
static hq_status rules_status;
static hq_error rules_error;

static void load_rules(void)
{
    hq_error_clear(&rules_error);
    rules_status = hq_triage_load(hq_triage_default_path(), &rules, &rules_error);
}

hq_status hq_triage(const char *text, json_t **out, hq_error *err)
{
    *out = NULL;
    if (text == NULL)
        return hq_fail(err, HQ_EINVAL, "triage", 0, -1, "text is NULL");
    pthread_once(&rules_once, load_rules);
    if (rules_status != HQ_OK) {
        if (err && err->code == HQ_OK)
            *err = rules_error;
        return rules_status;
    }
    return hq_triage_run(rules, text, strlen(text), out, err);
}
