/*
 * html.c — writing untrusted text into HTML: escaping, highlight spans
 * as <mark>, the check that decides whether a URL may become a link, and
 * percent-encoding for the links the pages build.  Every value that
 * came from an ingested file goes through here (pages.c); unit-tested in
 * tests/server/test_html.c.
 */
#include "server.h"

#include <string.h>
#include <strings.h>

void hs_html_escape_len(struct evbuffer *out, const char *s, size_t len)
{
    if (s == NULL)
        return;
    size_t run = 0; /* bytes since the last escaped one, added in one go */
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep == NULL)
            continue;
        evbuffer_add(out, s + run, i - run);
        evbuffer_add(out, rep, strlen(rep));
        run = i + 1;
    }
    evbuffer_add(out, s + run, len - run);
}

void hs_html_escape(struct evbuffer *out, const char *s)
{
    if (s != NULL)
        hs_html_escape_len(out, s, strlen(s));
}

void hs_html_highlight(struct evbuffer *out, const char *text, const json_t *spans)
{
    if (text == NULL)
        return;
    size_t len = strlen(text), at = 0, i;
    const json_t *sp;
    json_array_foreach(spans, i, sp)
    {
        json_int_t s = json_integer_value(json_array_get(sp, 0));
        json_int_t e = json_integer_value(json_array_get(sp, 1));
        if (s < (json_int_t)at || e <= s || e > (json_int_t)len)
            continue;
        hs_html_escape_len(out, text + at, (size_t)s - at);
        evbuffer_add(out, "<mark>", 6);
        hs_html_escape_len(out, text + s, (size_t)(e - s));
        evbuffer_add(out, "</mark>", 7);
        at = (size_t)e;
    }
    hs_html_escape_len(out, text + at, len - at);
}

bool hs_url_is_http(const char *url)
{
    if (url == NULL)
        return false;
    size_t skip;
    if (strncasecmp(url, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    if (url[skip] == '\0' || url[skip] == '/')
        return false; /* no host */
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || *p == '"' || *p == '\'' || *p == '<' || *p == '>' ||
            *p == '\\' || *p == '`')
            return false;
    return true;
}

void hs_url_encode(struct evbuffer *out, const char *s)
{
    static const char HEX[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            evbuffer_add(out, p, 1);
        } else {
            char esc[3] = {'%', HEX[c >> 4], HEX[c & 15]};
            evbuffer_add(out, esc, 3);
        }
    }
}
