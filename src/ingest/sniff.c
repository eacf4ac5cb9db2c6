/*
 * sniff.c — recognising an input's format from its first bytes.
 * Content decides; the file name only separates Markdown from plain text
 * when the content has no '#' heading.
 */
#include "ingest.h"

#include <string.h>

#define SNIFF_WINDOW 65536

static bool is_binary(const char *data, size_t len)
{
    size_t n = len < SNIFF_WINDOW ? len : SNIFF_WINDOW;
    size_t control = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == 0)
            return true;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
            control++;
    }
    return n > 0 && control * 10 > n;
}

static const char *skip_bom_and_space(const char *p, const char *end)
{
    p += hq_utf8_bom(p, (size_t)(end - p));
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* Skips the XML declaration, comments and processing instructions, and
 * tells whether the root element is one of MedQuAD's three. */
static bool is_medquad_root(const char *p, const char *end)
{
    while (p < end) {
        p = skip_bom_and_space(p, end);
        if (end - p >= 2 && (p[1] == '?' || p[1] == '!') && p[0] == '<') {
            const char *close = memchr(p, '>', (size_t)(end - p));
            if (close == NULL)
                return false;
            p = close + 1;
            continue;
        }
        break;
    }
    if (p >= end || *p != '<')
        return false;
    static const char *const roots[] = {"Document", "doc", "DiseaseFile"};
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++) {
        size_t n = strlen(roots[i]);
        if ((size_t)(end - p) > n + 1 && memcmp(p + 1, roots[i], n) == 0 &&
            (p[n + 1] == ' ' || p[n + 1] == '>' || p[n + 1] == '\t' || p[n + 1] == '\n' ||
             p[n + 1] == '\r'))
            return true;
    }
    return false;
}

/* '<' followed by a name start, '?' or '!' opens XML; "<<:" does not. */
static bool looks_like_xml(const char *p, const char *end)
{
    if (end - p < 2 || p[0] != '<')
        return false;
    unsigned char c = (unsigned char)p[1];
    return c == '?' || c == '!' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           c >= 0x80;
}

static bool has_line_starting(const char *data, size_t len, const char *prefix, bool whole)
{
    size_t plen = strlen(prefix);
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t l = end - pos;
        const char *s = hq_utf8_trim(data + pos, &l);
        if (l >= plen && memcmp(s, prefix, plen) == 0 && (!whole || l == plen))
            return true;
        pos = end + 1;
    }
    return false;
}

static bool has_markdown_name(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    return dot && (strcmp(dot, ".md") == 0 || strcmp(dot, ".markdown") == 0);
}

hq_format hq_sniff(const char *data, size_t len, const char *path)
{
    if (is_binary(data, len))
        return HQ_FORMAT_UNKNOWN;
    const char *end = data + len;
    const char *p = skip_bom_and_space(data, end);
    if (looks_like_xml(p, end))
        return is_medquad_root(p, end) ? HQ_FORMAT_MEDQUAD : HQ_FORMAT_UNKNOWN;
    if (p < end && *p == '{')
        return HQ_FORMAT_JSONL;
    if (has_line_starting(data, len, "<<:", false) || has_line_starting(data, len, ">>:", false) ||
        has_line_starting(data, len, "Recommend", true))
        return HQ_FORMAT_PAGE;
    if (has_line_starting(data, len, "# ", false) || has_line_starting(data, len, "## ", false) ||
        has_markdown_name(path))
        return HQ_FORMAT_MARKDOWN;
    return HQ_FORMAT_TEXT;
}

const char *hq_format_name(hq_format f)
{
    switch (f) {
    case HQ_FORMAT_MEDQUAD:
        return "medquad";
    case HQ_FORMAT_JSONL:
        return "jsonl";
    case HQ_FORMAT_PAGE:
        return "page";
    case HQ_FORMAT_MARKDOWN:
        return "markdown";
    case HQ_FORMAT_TEXT:
        return "text";
    case HQ_FORMAT_UNKNOWN:
        break;
    }
    return "unknown";
}
