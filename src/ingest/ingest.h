/*
 * ingest.h — turning one source file into articles, sections and links.
 *
 * A parser reads a whole file already in memory (validated as UTF-8 by
 * the caller, CR LF not yet normalised) and fills an hq_doc.  Every
 * string in the doc lives in doc->arena and dies with hq_doc_free().  A
 * parser either succeeds with at least one article or fails with err set
 * (file name, line or byte offset, the rule broken); after a failure the
 * doc may hold a partial article, and the caller must only hq_doc_free()
 * it, never store it.
 *
 * One block per file, as in FTS5's fts5Int.h.
 */
#ifndef HQ_INGEST_H
#define HQ_INGEST_H

#include "../base/base.h"

/* Hard limits on what input controls (documented in the README). */
#define HQ_MAX_FILE_BYTES (32u << 20)   /* one input file */
#define HQ_MAX_LINE_BYTES (1u << 20)    /* one line of a text, page or JSON Lines file */
#define HQ_MAX_FIELD_BYTES (1u << 20)   /* one title, question, answer or body */
#define HQ_MAX_TITLE_BYTES 4096         /* titles, questions, focus, link titles */
#define HQ_MAX_ARTICLES_PER_FILE 100000 /* JSON Lines records in one file */
#define HQ_MAX_SECTIONS 10000           /* sections in one article */
#define HQ_MAX_LINKS 1000               /* links in one article */

/* A list of strings living in the doc's arena. */
typedef struct hq_strv {
    const char **items;
    size_t n, cap;
} hq_strv;

/* One unit of retrieval: a question-answer pair or a titled part. */
typedef struct hq_section {
    const char *id;    /* unique in the store: MedQuAD answer id or "<article id>:s<N>" */
    const char *title; /* the question or heading; never NULL */
    const char *qtype; /* MedQuAD question type, or NULL */
    const char *body;  /* the answer text; NULL when absent (removed answers) */
} hq_section;

typedef enum hq_link_kind {
    HQ_LINK_PREV,      /* "<<:" previous article */
    HQ_LINK_NEXT,      /* ">>:" next article */
    HQ_LINK_RECOMMEND  /* an entry of a "Recommend" list */
} hq_link_kind;

typedef struct hq_link {
    hq_link_kind kind;
    const char *title;   /* the target's title as written; never NULL */
    const char *snippet; /* recommend entries: first words of the target, or NULL */
    bool truncated;      /* the snippet ended with "..." (removed from snippet) */
} hq_link;

typedef struct hq_article {
    const char *id;       /* stable: "medquad:GARD_0000004", "medlineplus:6308", "page:<stem>" */
    const char *format;   /* "medquad", "jsonl", "page", "text", "markdown" */
    const char *source;   /* source name, or NULL for the ingest options/folder to decide */
    const char *trust;    /* "high", "medium", "low", "unknown"; parsers leave it NULL, the
                             engine sets it from data/sources.tsv or the options */
    const char *url;      /* may be NULL */
    const char *title;    /* never NULL */
    const char *focus;    /* the topic; may be NULL */
    const char *category; /* MedQuAD focus category (Disease, Drug, Other), or NULL */
    const char *language; /* BCP 47 tag, or NULL (meaning "en") */
    const char *semgroup; /* UMLS semantic group, or NULL */
    hq_strv synonyms, cuis, semtypes;
    const char *meta_json; /* other fields of the record as a JSON object, or NULL */
    hq_section *sections;
    size_t n_sections, cap_sections;
    hq_link *links;
    size_t n_links, cap_links;
} hq_article;

/* A parsed file: its articles (one for most formats, many for JSON Lines). */
typedef struct hq_doc {
    hq_arena arena;
    const char *path;
    hq_article *articles;
    size_t n_articles, cap_articles;
} hq_doc;

/* ---- Interface to code in doc.c ------------------------------------ */

void hq_doc_init(hq_doc *doc, const char *path);
void hq_doc_free(hq_doc *doc);
/* Appends a zeroed article with the given id and format, returns it. */
hq_article *hq_doc_add_article(hq_doc *doc, const char *id, const char *format);
/* Appends a section / link to a; strings must already be in doc->arena.
 * Return NULL when a limit (HQ_MAX_SECTIONS, HQ_MAX_LINKS) is reached. */
hq_section *hq_article_add_section(hq_doc *doc, hq_article *a);
hq_link *hq_article_add_link(hq_doc *doc, hq_article *a, hq_link_kind kind);
void hq_strv_push(hq_doc *doc, hq_strv *v, const char *s);
/* A stable slug of the file name of path without its extension:
 * letters, digits, '_', '-' and '.' kept, anything else becomes '_'. */
char *hq_doc_slug(hq_doc *doc, const char *path);
/* A 64-bit hash of every stored field of a, for change detection. */
uint64_t hq_article_hash(const hq_article *a);
const char *hq_link_kind_name(hq_link_kind kind);

/* ---- Interface to code in lines.c ---------------------------------- */
/* Line splitting shared by the text formats: LF and CR LF ends, a cap on
 * line length, trimming of Unicode white space. */

typedef struct hq_line {
    const char *s; /* trimmed line, not NUL-terminated */
    size_t len;
    long lineno; /* 1-based */
} hq_line;

typedef struct hq_lines {
    hq_line *items;
    size_t n, cap;
} hq_lines;

/* Splits data[0..len) into trimmed lines (blank lines kept with len 0),
 * after a leading byte order mark if there is one.
 * Fails with HQ_ELIMIT naming the line when one is over
 * HQ_MAX_LINE_BYTES.  Free with hq_lines_free(). */
hq_status hq_lines_split(const char *data, size_t len, const char *path, hq_lines *out,
                         hq_error *err);
void hq_lines_free(hq_lines *lines);

/* ---- Interface to code in sniff.c ---------------------------------- */

typedef enum hq_format {
    HQ_FORMAT_UNKNOWN = 0,
    HQ_FORMAT_MEDQUAD,  /* MedQuAD XML */
    HQ_FORMAT_JSONL,    /* JSON Lines, one article per line */
    HQ_FORMAT_PAGE,     /* portal page: title, body, <<: >>: links, Recommend */
    HQ_FORMAT_MARKDOWN, /* text with '#' headings */
    HQ_FORMAT_TEXT      /* plain text: a title line, then paragraphs */
} hq_format;

/* Recognises the format of data[0..len) from its content (the file name
 * is only a tie-breaker for plain text versus Markdown).  Returns
 * HQ_FORMAT_UNKNOWN for binary data (NUL bytes, or mostly control
 * characters) and for XML that is not MedQuAD. */
hq_format hq_sniff(const char *data, size_t len, const char *path);
const char *hq_format_name(hq_format f);

/* ---- Interface to code in page.c ----------------------------------- */
/* The title rule and the body assembly that portal pages share with
 * plain text and Markdown (text.c). */

/* Longest line (in bytes) that can be a title or a heading; also the cut
 * for a title taken from a paragraph's first sentence. */
#define HQ_TITLE_SHORT_BYTES 200

/* Picks the title of the text in lines[0..n) (blank lines allowed):
 *   - the first non-blank line, when it reads as a title: at most
 *     HQ_TITLE_SHORT_BYTES bytes, at most two sentences, and not two
 *     sentences ending in a full stop.  The next non-blank line is the
 *     title's repeat when equal to it after collapsing white space.
 *     *body_from = the index just past the title (or its repeat).
 *   - otherwise the first line is a paragraph and the title is the first
 *     later question-like heading line: a line that reads as a title,
 *     does not end in a full stop or ellipsis, and ends in '?' or starts
 *     with a question word (what, why, how, can, is, ...);
 *   - failing that, the first sentence of the first line, cut at a word
 *     boundary to at most HQ_TITLE_SHORT_BYTES bytes.
 *     In both paragraph cases the lines stay in the body: *body_from = 0.
 * Returns the title in doc->arena with white space collapsed, or NULL
 * (and *body_from = n) when every line is blank. */
const char *hq_title_pick(hq_doc *doc, const hq_line *lines, size_t n, size_t *body_from);

/* Bodies are built in an hq_buf capped at HQ_MAX_FIELD_BYTES. */
void hq_body_init(hq_buf *body);
/* Appends line's text to body, preceded by sep ("\n\n" between
 * paragraphs, "\n" inside one) when body is not empty.  Fails with
 * HQ_ELIMIT naming path and the line when the body would pass the cap
 * (body is left as it was). */
hq_status hq_body_add(hq_buf *body, const hq_line *line, const char *sep, const char *path,
                      hq_error *err);
/* Returns body's text copied into doc->arena, or NULL when body is
 * empty, and frees body's buffer (hq_body_init() makes it usable again). */
const char *hq_body_take(hq_doc *doc, hq_buf *body);

/* ---- Parsers: page.c, text.c, medquad.c, jsonl.c ------------------- */
/* Each parses data[0..len) (valid UTF-8, NUL-terminated at data[len])
 * into doc, which the caller has initialised with hq_doc_init(). */

hq_status hq_parse_page(const char *data, size_t len, hq_doc *doc, hq_error *err);
hq_status hq_parse_text(const char *data, size_t len, bool markdown, hq_doc *doc, hq_error *err);
hq_status hq_parse_medquad(const char *data, size_t len, hq_doc *doc, hq_error *err);
hq_status hq_parse_jsonl(const char *data, size_t len, hq_doc *doc, hq_error *err);

/* ---- Interface to code in parse.c ---------------------------------- */

/* Validates data as UTF-8, sniffs its format and runs the parser for it.
 * *format is set even on failure (HQ_FORMAT_UNKNOWN when not recognised).
 * Empty files fail with HQ_EEMPTY, binary files with HQ_EFORMAT. */
hq_status hq_parse_file(const char *data, size_t len, hq_doc *doc, hq_format *format,
                        hq_error *err);

/* Initialises the parsing libraries (libxml2) once, whichever thread
 * calls it first (the MedQuAD parser does, before each parse); the
 * others wait for it.  Idempotent. */
void hq_ingest_init(void);

#endif
