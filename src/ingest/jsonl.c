/*
 * jsonl.c — JSON Lines: every non-blank line is one JSON object, one
 * article with one section.
 *
 * Called by hq_parse_file() (parse.c) once the data is known to be UTF-8
 * and to start with '{'.  A record has
 *   id        required non-blank string, used as the article id as is
 *   title     required string, white space squeezed, not blank
 *   synonyms  optional array of strings (blank ones skipped)
 *   body      optional string, trimmed (NULL when blank)
 *   url, source, language   optional strings, trimmed (NULL when blank)
 * where an optional field may also be null.  Every other field is kept in
 * meta_json: those fields as one compact JSON object with sorted keys.
 * The section is "<id>:s1", titled like the article.
 *
 * Lines end with LF or CR LF; blank lines are skipped; a UTF-8 byte order
 * mark before the first line is ignored.  Any bad line fails the whole
 * file (the caller stores files atomically) with err naming the line and
 * the rule it breaks.  Errors are sticky in the parser (p->rc).
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

#define JL_MAX_DEPTH 32     /* nesting of arrays and objects in one record */
#define JL_MAX_ID_BYTES 512 /* an id is a key of the store */

typedef struct jl_parser {
    hq_doc *doc;
    hq_error *err;
    hq_status rc; /* sticky: the first failure */
    json_t *seen; /* id -> line that used it first */
    long lineno;  /* the line being parsed, 1-based */
    long offset;  /* its byte offset in the file */
} jl_parser;

/* One record's fields, checked, in the doc's arena. */
typedef struct jl_record {
    const char *id, *title, *body, *url, *source, *language, *meta_json;
    hq_strv synonyms;
} jl_record;

static const char *const KNOWN_FIELDS[] = {"id",  "title",  "synonyms", "body",
                                           "url", "source", "language"};

static void jl_fail(jl_parser *p, hq_status code, const char *fmt, ...) HQ_PRINTF(3, 4);

/* Records the first failure, on the current line, in p->rc and p->err. */
static void jl_fail(jl_parser *p, hq_status code, const char *fmt, ...)
{
    if (p->rc != HQ_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    p->rc = hq_vfail(p->err, code, p->doc->path, p->lineno, p->offset, fmt, ap);
    va_end(ap);
}

/* jansson returns NULL only when out of memory: the project's policy for
 * that is to stop (as hq_xmalloc does). */
static json_t *jl_must(json_t *v)
{
    if (v == NULL) {
        fputs("healthqa: out of memory in the JSON library\n", stderr);
        abort();
    }
    return v;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

/* True when no array or object in v nests deeper than JL_MAX_DEPTH
 * levels (v itself is level depth).  Recursion stops at the limit. */
static bool depth_ok(json_t *v, int depth)
{
    if (depth > JL_MAX_DEPTH)
        return false;
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach(v, key, child) {
            if (!depth_ok(child, depth + 1))
                return false;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) {
            if (!depth_ok(child, depth + 1))
                return false;
        }
    }
    return true;
}

/* Reads the optional string field key into the arena: trimmed, or with
 * white space squeezed when squeeze is set.  Absent, null and blank
 * values give NULL; any other type fails. */
static const char *opt_string(jl_parser *p, json_t *rec, const char *key, bool squeeze)
{
    json_t *v = json_object_get(rec, key);
    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        jl_fail(p, HQ_EFORMAT, "%s must be a string, not %s", key, type_name(v));
        return NULL;
    }
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (squeeze) {
        const char *out = hq_utf8_squeeze(&p->doc->arena, s, len);
        return out[0] ? out : NULL;
    }
    s = hq_utf8_trim(s, &len);
    return len ? hq_arena_strndup(&p->doc->arena, s, len) : NULL;
}

static void read_id(jl_parser *p, json_t *rec, jl_record *r)
{
    json_t *v = json_object_get(rec, "id");
    size_t len = v && json_is_string(v) ? json_string_length(v) : 0;
    const char *s = v && json_is_string(v) ? json_string_value(v) : "";
    size_t tl = len;
    hq_utf8_trim(s, &tl);
    if (tl == 0) {
        jl_fail(p, HQ_EFORMAT, "id must be a non-empty string");
        return;
    }
    if (len > JL_MAX_ID_BYTES) {
        jl_fail(p, HQ_ELIMIT, "id is %zu bytes, over the limit of %d bytes", len,
                JL_MAX_ID_BYTES);
        return;
    }
    json_t *first = json_object_get(p->seen, s);
    if (first != NULL) {
        jl_fail(p, HQ_EFORMAT, "id \"%s\" is already used on line %lld", s,
                (long long)json_integer_value(first));
        return;
    }
    json_object_set_new(p->seen, s, jl_must(json_integer(p->lineno)));
    r->id = hq_arena_strndup(&p->doc->arena, s, len);
}

static void read_title(jl_parser *p, json_t *rec, jl_record *r)
{
    json_t *v = json_object_get(rec, "title");
    if (v == NULL || !json_is_string(v)) {
        jl_fail(p, HQ_EFORMAT, "title must be a non-empty string");
        return;
    }
    r->title = hq_utf8_squeeze(&p->doc->arena, json_string_value(v), json_string_length(v));
    if (r->title[0] == '\0')
        jl_fail(p, HQ_EFORMAT, "title must be a non-empty string");
    else if (strlen(r->title) > HQ_MAX_TITLE_BYTES)
        jl_fail(p, HQ_ELIMIT, "title is %zu bytes, over the limit of %d bytes",
                strlen(r->title), HQ_MAX_TITLE_BYTES);
}

static void read_synonyms(jl_parser *p, json_t *rec, jl_record *r)
{
    json_t *v = json_object_get(rec, "synonyms");
    if (v == NULL || json_is_null(v))
        return;
    size_t i;
    json_t *item;
    if (json_is_array(v)) {
        json_array_foreach(v, i, item) {
            if (!json_is_string(item))
                break;
        }
        if (i == json_array_size(v)) {
            json_array_foreach(v, i, item) {
                const char *s = hq_utf8_squeeze(&p->doc->arena, json_string_value(item),
                                                json_string_length(item));
                if (s[0] != '\0')
                    hq_strv_push(p->doc, &r->synonyms, s);
            }
            return;
        }
    }
    jl_fail(p, HQ_EFORMAT, "synonyms must be an array of strings");
}

static bool is_known(const char *key)
{
    for (size_t i = 0; i < sizeof KNOWN_FIELDS / sizeof *KNOWN_FIELDS; i++)
        if (strcmp(KNOWN_FIELDS[i], key) == 0)
            return true;
    return false;
}

/* The record's other fields as compact JSON with sorted keys, or NULL
 * when it has none. */
static const char *read_meta(jl_parser *p, json_t *rec)
{
    json_t *meta = jl_must(json_object());
    const char *key;
    json_t *v;
    json_object_foreach(rec, key, v) {
        if (!is_known(key))
            json_object_set(meta, key, v);
    }
    const char *out = NULL;
    if (json_object_size(meta) > 0) {
        char *s = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
        if (s == NULL)
            jl_fail(p, HQ_EFORMAT, "the other fields cannot be written back as JSON");
        else
            out = hq_arena_strdup(&p->doc->arena, s);
        free(s);
    }
    json_decref(meta);
    return out;
}

/* Checks one parsed record and reads its fields into r. */
static void read_record(jl_parser *p, json_t *rec, jl_record *r)
{
    if (!json_is_object(rec)) {
        jl_fail(p, HQ_EFORMAT, "a record must be a JSON object, not %s", type_name(rec));
        return;
    }
    if (!depth_ok(rec, 1)) {
        jl_fail(p, HQ_ELIMIT, "record nests arrays or objects deeper than %d levels",
                JL_MAX_DEPTH);
        return;
    }
    read_id(p, rec, r);
    if (p->rc == HQ_OK)
        read_title(p, rec, r);
    if (p->rc == HQ_OK)
        read_synonyms(p, rec, r);
    r->body = opt_string(p, rec, "body", false);
    r->url = opt_string(p, rec, "url", false);
    r->source = opt_string(p, rec, "source", true);
    r->language = opt_string(p, rec, "language", false);
    if (p->rc == HQ_OK)
        r->meta_json = read_meta(p, rec);
}

/* Appends the article of a checked record with its one section. */
static void add_article(jl_parser *p, const jl_record *r)
{
    hq_article *a = hq_doc_add_article(p->doc, r->id, "jsonl");
    a->title = r->title;
    a->synonyms = r->synonyms;
    a->url = r->url;
    a->source = r->source;
    a->language = r->language;
    a->meta_json = r->meta_json;
    hq_section *s = hq_article_add_section(p->doc, a);
    s->id = hq_arena_printf(&p->doc->arena, "%s:s1", r->id);
    s->title = r->title;
    s->body = r->body;
}

/* Parses line p->lineno, s[0..len) without its LF. */
static void parse_line(jl_parser *p, const char *s, size_t len)
{
    if (len > HQ_MAX_LINE_BYTES) {
        jl_fail(p, HQ_ELIMIT, "line is %zu bytes long, over the limit of %u bytes per line",
                len, HQ_MAX_LINE_BYTES);
        return;
    }
    if (len > 0 && s[len - 1] == '\r')
        len--;
    size_t tl = len;
    hq_utf8_trim(s, &tl);
    if (tl == 0)
        return;
    if (p->doc->n_articles >= HQ_MAX_ARTICLES_PER_FILE) {
        jl_fail(p, HQ_ELIMIT, "more than %d records in one file", HQ_MAX_ARTICLES_PER_FILE);
        return;
    }
    json_error_t je;
    json_t *rec = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (rec == NULL) {
        jl_fail(p, HQ_EFORMAT, "invalid JSON at column %d: %s", je.column, je.text);
        return;
    }
    jl_record r = {0};
    read_record(p, rec, &r);
    if (p->rc == HQ_OK)
        add_article(p, &r);
    json_decref(rec);
}

hq_status hq_parse_jsonl(const char *data, size_t len, hq_doc *doc, hq_error *err)
{
    jl_parser p = {.doc = doc, .err = err, .rc = HQ_OK, .seen = jl_must(json_object())};
    size_t pos = hq_utf8_bom(data, len);
    while (p.rc == HQ_OK && pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        p.lineno++;
        p.offset = (long)pos;
        parse_line(&p, data + pos, end - pos);
        pos = end + 1;
    }
    if (p.rc == HQ_OK && doc->n_articles == 0) {
        p.lineno = 0;
        p.offset = -1;
        jl_fail(&p, HQ_EEMPTY, "no JSON record in the file");
    }
    json_decref(p.seen);
    return p.rc;
}
