/*
 * static.c — the portal's one stylesheet, compiled in (so no request
 * ever names a file on disk: nothing to traverse), served at
 * /static/style.css with Cache-Control and a strong ETag (a hash of its
 * bytes); a matching If-None-Match gets 304.
 *
 * Design: system fonts, one column of at most 46 rem, colours with AA
 * contrast on white (text #1a1a1a, links #0b57d0, muted #4a4a4a), a
 * visible focus ring, nothing wider than the viewport at 360 px.
 */
#include "server.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char STYLE[] =
    ":root{--fg:#1a1a1a;--muted:#4a4a4a;--link:#0b57d0;--line:#d0d0d0;--bg:#fff;"
    "--soft:#f3f5f8}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;font:1rem/1.55 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:var(--fg);background:var(--bg);overflow-wrap:anywhere}\n"
    ".wrap{max-width:46rem;margin:0 auto;padding:0 1rem}\n"
    "header.site{border-bottom:1px solid var(--line);background:var(--soft)}\n"
    "header.site .wrap{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;"
    "padding-top:.6rem;padding-bottom:.6rem}\n"
    ".brand{font-weight:700;font-size:1.15rem;color:var(--fg);text-decoration:none}\n"
    "main{padding:1rem 0 2rem}\n"
    "footer.site{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem;"
    "padding:1rem 0 2rem}\n"
    "a{color:var(--link)}\n"
    "a:visited{color:#6a1b9a}\n"
    ":focus-visible{outline:3px solid #b45f06;outline-offset:2px}\n"
    "h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}\n"
    "h2{font-size:1.2rem;line-height:1.3;margin:1.5rem 0 .5rem}\n"
    "form.search{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}\n"
    "form.search label{flex-basis:100%;font-weight:600}\n"
    "form.search input[type=search]{flex:1 1 12rem;min-width:0;font:inherit;"
    "padding:.55rem .7rem;border:2px solid #767676;border-radius:.4rem}\n"
    "form.search button{font:inherit;padding:.55rem 1.1rem;border:0;border-radius:.4rem;"
    "background:var(--link);color:#fff;cursor:pointer}\n"
    "ul.topics{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}\n"
    "ul.topics a{display:inline-block;padding:.35rem .8rem;border:1px solid var(--line);"
    "border-radius:1rem;text-decoration:none}\n"
    "ol.results{list-style:none;padding:0;margin:0}\n"
    "ol.results li{padding:1rem 0;border-bottom:1px solid var(--line)}\n"
    "ol.results h2{font-size:1.1rem;margin:0 0 .3rem}\n"
    ".snippet{margin:.3rem 0}\n"
    "mark{background:#fff3a3;color:inherit;padding:0 .1em}\n"
    ".meta{color:var(--muted);font-size:.9rem;display:flex;flex-wrap:wrap;gap:.25rem .75rem;"
    "align-items:center}\n"
    ".badge{display:inline-block;font-size:.8rem;font-weight:600;padding:.05rem .5rem;"
    "border-radius:.8rem;border:1px solid}\n"
    ".trust-high{color:#0f5b2b;background:#e6f4ea;border-color:#0f5b2b}\n"
    ".trust-medium{color:#5c3d00;background:#fff4d6;border-color:#5c3d00}\n"
    ".trust-low{color:#8a1c1c;background:#fde8e8;border-color:#8a1c1c}\n"
    ".trust-unknown{color:#3d3d3d;background:#eeeeee;border-color:#3d3d3d}\n"
    "nav.pager,nav.prevnext{display:flex;flex-wrap:wrap;justify-content:space-between;"
    "gap:1rem;margin:1.5rem 0}\n"
    "nav.prevnext a{max-width:100%}\n"
    ".banner{border:3px solid;border-radius:.5rem;padding:.6rem 1rem;margin:1rem 0}\n"
    ".banner p{margin:.3rem 0}\n"
    ".banner-level{font-size:1.15rem}\n"
    ".banner-emergency{background:#8a1111;color:#fff;border-color:#5c0a0a}\n"
    ".banner-emergency a{color:#fff}\n"
    ".banner-urgent{background:#fde8e8;color:#6b1010;border-color:#8a1c1c}\n"
    ".banner-soon{background:#fff4d6;color:#4a3200;border-color:#8a6d00}\n"
    "section.card{border:1px solid var(--line);border-radius:.5rem;padding:.2rem 1rem 1rem;"
    "margin:1rem 0;background:var(--soft)}\n"
    "section.card h3{font-size:1.05rem;margin:1rem 0 .3rem}\n"
    "figure.passage{margin:.4rem 0 .8rem}\n"
    "figure.passage blockquote{margin:0;padding-left:.8rem;border-left:3px solid var(--line)}\n"
    "ul.cites,ul.at-source{margin:.2rem 0;padding-left:1.1rem;font-size:.9rem}\n"
    ".notice{background:var(--soft);border-left:4px solid var(--link);padding:.6rem .9rem}\n"
    "section.body p{margin:.6rem 0}\n"
    ".related{margin-top:2rem}\n"
    ".related ul{list-style:none;padding:0;margin:0}\n"
    ".related li{padding:.6rem 0;border-bottom:1px solid var(--line)}\n"
    ".related .meta{margin:.2rem 0 0}\n"
    "nav.prevnext .label{color:var(--muted)}\n"
    ".skip{position:absolute;left:-999px}\n"
    ".skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem .6rem;z-index:1}\n";

static char etag[32];
static pthread_once_t etag_once = PTHREAD_ONCE_INIT;

static void make_etag(void)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, 64 bits */
    for (const unsigned char *p = (const unsigned char *)STYLE; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)h);
}

void hs_static_style(hs_req *r, const char *unused)
{
    pthread_once(&etag_once, make_etag);
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "Cache-Control", "public, max-age=86400");
    evhttp_add_header(h, "ETag", etag);
    const char *inm = evhttp_find_header(evhttp_request_get_input_headers(r->req),
                                         "If-None-Match");
    if (inm != NULL && strstr(inm, etag) != NULL) {
        hs_reply(r, 304, "text/css; charset=utf-8", NULL);
        return;
    }
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_reference(b, STYLE, sizeof STYLE - 1, NULL, NULL);
    hs_reply(r, 200, "text/css; charset=utf-8", b);
    evbuffer_free(b);
}
