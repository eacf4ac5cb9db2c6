/*
 * medquad.c — MedQuAD XML: one file, one article, one section per QA pair.
 *
 * Called by hq_parse_file() (parse.c) once the data is known to be UTF-8
 * and to start with one of MedQuAD's three root elements:
 *   <Document source=.. url=..>  Focus, FocusAnnotations (Category, UMLS
 *                                CUIs/SemanticTypes/SemanticGroup,
 *                                Synonyms), QAPairs/QAPair/Question+Answer
 *   <DiseaseFile source=.. ..>   the same names, UMLS outside annotations
 *   <doc corpus=.. url=..>       the old NINDS schema: doctitle-focus, umls
 *                                cui/semanticType/semanticGroup,
 *                                qaPairs/pair/question+answer
 * Element names decide meaning wherever they occur, so the three schemas
 * share one state machine; structural elements (QAPairs, UMLS, ...) and
 * unknown ones are passed over.
 *
 * Ids follow the judged answers of ../shared/eval (README "MedQuAD answer
 * ids"): the article is "medquad:<PREFIX>_<FILESTEM>", section N is
 * "<PREFIX>_<FILESTEM>_Sec<N>.txt" with N the 1-based position of the
 * pair in the file (never its pid, which has gaps), PREFIX the source
 * attribute (corpus for <doc>) with MPlusHerbsSupplements shortened to
 * MPlusHerbsSuppls, and FILESTEM the file name without its extension.
 *
 * libxml2's streaming reader does the XML: no network, no DTD loading, no
 * entity substitution beyond the five predefined ones, and a document
 * type declaration is refused outright (MedQuAD has none, and refusing it
 * rules out entity bombs).  libxml2 never prints: its errors go to a
 * structured handler that keeps the first one for err.  Errors are sticky
 * in the parser (p->rc): once set, every step does nothing.
 */
#include "ingest.h"

#include <limits.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

/* libxml2 2.12 made the error handed to structured handlers const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *mq_xml_error;
#else
typedef xmlError *mq_xml_error;
#endif

/* No network, no DTD loading, no entity substitution (no XML_PARSE_NOENT
 * nor DTDLOAD); the caller checked the data is UTF-8, whatever the XML
 * declaration says. */
#define MQ_OPTIONS \
    (XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA)

/* Raw text collected for one element may exceed the field limit by its
 * indentation; the normalised value is checked by the caller (parse.c). */
#define MQ_MAX_RAW_TEXT (2 * (size_t)HQ_MAX_FIELD_BYTES)

typedef enum mq_field {
    MQ_NONE = 0,
    MQ_FOCUS,
    MQ_CATEGORY,
    MQ_CUI,
    MQ_SEMTYPE,
    MQ_SEMGROUP,
    MQ_SYNONYM,
    MQ_QUESTION,
    MQ_ANSWER
} mq_field;

/* Element names of the three schemas and the field each one fills. */
static const struct {
    const char *name;
    mq_field field;
} FIELDS[] = {
    {"Focus", MQ_FOCUS},           {"doctitle-focus", MQ_FOCUS},
    {"Category", MQ_CATEGORY},     {"CUI", MQ_CUI},
    {"cui", MQ_CUI},               {"SemanticType", MQ_SEMTYPE},
    {"semanticType", MQ_SEMTYPE},  {"SemanticGroup", MQ_SEMGROUP},
    {"semanticGroup", MQ_SEMGROUP}, {"Synonym", MQ_SYNONYM},
    {"Question", MQ_QUESTION},     {"question", MQ_QUESTION},
    {"Answer", MQ_ANSWER},         {"answer", MQ_ANSWER},
};

/* Root elements and the attribute that names their source. */
static const struct {
    const char *name;
    const char *source_attr;
} ROOTS[] = {{"Document", "source"}, {"DiseaseFile", "source"}, {"doc", "corpus"}};

typedef struct mq_parser {
    hq_doc *doc;
    hq_error *err;
    hq_status rc; /* sticky: the first failure */
    xmlTextReaderPtr reader;
    /* the first error libxml2 reported */
    bool xml_failed;
    int xml_code;
    long xml_line;
    char xml_msg[256];
    /* the article, made at the root element */
    hq_article *a;
    const char *prefix, *stem;
    long root_line;
    /* the element whose text is being collected (MQ_NONE: none) */
    mq_field field;
    const char *field_name; /* its element name */
    hq_buf text;
    /* the open QA pair */
    bool in_pair, has_answer;
    long pair_line;
    const char *question, *qtype, *answer;
} mq_parser;

static void mq_fail(mq_parser *p, hq_status code, long line, const char *fmt, ...)
    HQ_PRINTF(4, 5);

/* Records the first failure (later ones are consequences) in p->rc and
 * p->err. */
static void mq_fail(mq_parser *p, hq_status code, long line, const char *fmt, ...)
{
    if (p->rc != HQ_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    p->rc = hq_vfail(p->err, code, p->doc->path, line, -1, fmt, ap);
    va_end(ap);
}

/* The structured error handler: keeps the first error (warnings are
 * ignored), its line and its message without the trailing newline. */
static void on_xml_error(void *arg, mq_xml_error e)
{
    mq_parser *p = arg;
    if (e == NULL || e->level < XML_ERR_ERROR || p->xml_failed)
        return;
    p->xml_failed = true;
    p->xml_code = e->code;
    p->xml_line = e->line;
    const char *m = e->message ? e->message : "unknown error";
    size_t len = strlen(m);
    m = hq_utf8_trim(m, &len);
    if (len >= sizeof p->xml_msg)
        len = sizeof p->xml_msg - 1;
    memcpy(p->xml_msg, m, len);
    p->xml_msg[len] = '\0';
}

/* The line of the reader's current node, or the parser's line when the
 * node does not know it. */
static long node_line(const mq_parser *p)
{
    xmlNodePtr n = xmlTextReaderCurrentNode(p->reader);
    long line = n ? xmlGetLineNo(n) : -1;
    return line > 0 ? line : (long)xmlTextReaderGetParserLineNumber(p->reader);
}

/* The attribute name of the current element, white space squeezed, in
 * the doc's arena; NULL when absent or blank. */
static const char *attr(mq_parser *p, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(p->reader, (const xmlChar *)name);
    if (v == NULL)
        return NULL;
    char *s = hq_utf8_squeeze(&p->doc->arena, (const char *)v, strlen((const char *)v));
    xmlFree(v);
    return s[0] ? s : NULL;
}

static mq_field field_of(const char *name)
{
    for (size_t i = 0; i < sizeof FIELDS / sizeof *FIELDS; i++)
        if (strcmp(FIELDS[i].name, name) == 0)
            return FIELDS[i].field;
    return MQ_NONE;
}

static bool is_pair(const char *name)
{
    return strcmp(name, "QAPair") == 0 || strcmp(name, "pair") == 0;
}

/* A source becomes part of every id: ASCII letters, digits, '_' and '-'. */
static bool is_id_word(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Copies an answer into the arena with each line trimmed, runs of white
 * space inside a line collapsed to one space, and runs of blank lines
 * collapsed to one empty line (a paragraph break); everything else is
 * kept.  Returns NULL when nothing but white space is left.  The output
 * is never longer than the input: each separator replaces at least as
 * many bytes of white space. */
static const char *normalise_answer(hq_arena *ar, const char *s, size_t len)
{
    char *out = hq_arena_alloc(ar, len + 1);
    size_t o = 0;
    int breaks = 0;     /* line ends since the last word */
    bool space = false; /* white space since the last word */
    for (size_t i = 0; i < len;) {
        int32_t cp;
        int n = hq_utf8_decode(s + i, len - i, &cp);
        if (cp == '\n') {
            breaks++;
        } else if (hq_unicode_is_space(cp)) {
            space = true;
        } else {
            if (o > 0 && breaks > 0) {
                out[o++] = '\n';
                if (breaks > 1)
                    out[o++] = '\n';
            } else if (o > 0 && space) {
                out[o++] = ' ';
            }
            memcpy(out + o, s + i, (size_t)n);
            o += (size_t)n;
            breaks = 0;
            space = false;
        }
        i += (size_t)n;
    }
    out[o] = '\0';
    return o ? out : NULL;
}

/* <Document>, <DiseaseFile> or <doc>: names the article. */
static void start_root(mq_parser *p, const char *name)
{
    size_t r = 0;
    while (r < sizeof ROOTS / sizeof *ROOTS && strcmp(ROOTS[r].name, name) != 0)
        r++;
    p->root_line = node_line(p);
    if (r == sizeof ROOTS / sizeof *ROOTS) {
        mq_fail(p, HQ_EFORMAT, p->root_line,
                "root element <%.100s> is not MedQuAD's <Document>, <DiseaseFile> or <doc>",
                name);
        return;
    }
    const char *source = attr(p, ROOTS[r].source_attr);
    if (source == NULL || !is_id_word(source)) {
        mq_fail(p, HQ_EFORMAT, p->root_line,
                "<%s> needs a %s attribute of letters, digits, '_' or '-'", name,
                ROOTS[r].source_attr);
        return;
    }
    p->stem = hq_doc_slug(p->doc, p->doc->path);
    if (p->stem[0] == '\0') {
        mq_fail(p, HQ_EINVAL, 0, "a MedQuAD document needs a file name to name its answers");
        return;
    }
    p->prefix = strcmp(source, "MPlusHerbsSupplements") == 0 ? "MPlusHerbsSuppls" : source;
    const char *id = hq_arena_printf(&p->doc->arena, "medquad:%s_%s", p->prefix, p->stem);
    p->a = hq_doc_add_article(p->doc, id, "medquad");
    p->a->source = source;
    p->a->url = attr(p, "url");
}

static void start_pair(mq_parser *p)
{
    if (p->in_pair) {
        mq_fail(p, HQ_EFORMAT, node_line(p), "a QA pair inside another QA pair");
        return;
    }
    p->in_pair = true;
    p->has_answer = false;
    p->pair_line = node_line(p);
    p->question = p->qtype = p->answer = NULL;
}

/* Closes the open pair into a section named by its position. */
static void end_pair(mq_parser *p)
{
    hq_article *a = p->a;
    size_t n = a->n_sections + 1;
    p->in_pair = false;
    if (p->question == NULL || p->question[0] == '\0') {
        mq_fail(p, HQ_EFORMAT, p->pair_line, "QA pair %zu has no question", n);
        return;
    }
    hq_section *s = hq_article_add_section(p->doc, a);
    if (s == NULL) {
        mq_fail(p, HQ_ELIMIT, p->pair_line, "more than %d QA pairs in one document",
                HQ_MAX_SECTIONS);
        return;
    }
    s->id = hq_arena_printf(&p->doc->arena, "%s_%s_Sec%zu.txt", p->prefix, p->stem, n);
    s->title = p->question;
    s->qtype = p->qtype;
    s->body = p->answer;
}

/* Stores the collected text of a focus or UMLS annotation; blank ones
 * are skipped, and the first focus, category and group win. */
static void store_annotation(mq_parser *p, mq_field f, const char *s)
{
    hq_article *a = p->a;
    if (s[0] == '\0')
        return;
    switch (f) {
    case MQ_FOCUS:
        a->focus = a->focus ? a->focus : s;
        break;
    case MQ_CATEGORY:
        a->category = a->category ? a->category : s;
        break;
    case MQ_SEMGROUP:
        a->semgroup = a->semgroup ? a->semgroup : s;
        break;
    case MQ_CUI:
        hq_strv_push(p->doc, &a->cuis, s);
        break;
    case MQ_SEMTYPE:
        hq_strv_push(p->doc, &a->semtypes, s);
        break;
    case MQ_SYNONYM:
        hq_strv_push(p->doc, &a->synonyms, s);
        break;
    default:
        break;
    }
}

/* The end of the element whose text was being collected. */
static void end_field(mq_parser *p)
{
    mq_field f = p->field;
    const char *s = hq_buf_str(&p->text);
    size_t len = p->text.len;
    hq_arena *ar = &p->doc->arena;
    p->field = MQ_NONE;
    if (f == MQ_QUESTION) {
        if (p->question != NULL)
            mq_fail(p, HQ_EFORMAT, node_line(p), "a QA pair with two questions");
        p->question = hq_utf8_squeeze(ar, s, len);
    } else if (f == MQ_ANSWER) {
        if (p->has_answer)
            mq_fail(p, HQ_EFORMAT, node_line(p), "a QA pair with two answers");
        p->has_answer = true;
        p->answer = normalise_answer(ar, s, len);
    } else {
        store_annotation(p, f, hq_utf8_squeeze(ar, s, len));
    }
}

/* Starts collecting the text of a field element. */
static void start_field(mq_parser *p, mq_field f, const char *name)
{
    if ((f == MQ_QUESTION || f == MQ_ANSWER) && !p->in_pair) {
        mq_fail(p, HQ_EFORMAT, node_line(p), "<%s> outside a QA pair", name);
        return;
    }
    if (f == MQ_QUESTION)
        p->qtype = attr(p, "qtype");
    p->field = f;
    p->field_name = name; /* interned by the reader: lives as long as it */
    hq_buf_reset(&p->text);
    if (xmlTextReaderIsEmptyElement(p->reader))
        end_field(p);
}

static void on_start(mq_parser *p)
{
    const char *name = (const char *)xmlTextReaderConstName(p->reader);
    name = name ? name : "";
    if (p->field != MQ_NONE) {
        mq_fail(p, HQ_EFORMAT, node_line(p), "element <%.100s> inside <%s>", name,
                p->field_name);
        return;
    }
    if (xmlTextReaderDepth(p->reader) == 0) {
        start_root(p, name);
        return;
    }
    if (is_pair(name)) {
        start_pair(p);
        if (p->rc == HQ_OK && xmlTextReaderIsEmptyElement(p->reader))
            end_pair(p);
        return;
    }
    mq_field f = field_of(name);
    if (f != MQ_NONE)
        start_field(p, f, name);
}

static void on_end(mq_parser *p)
{
    if (p->field != MQ_NONE) {
        end_field(p); /* no element can open inside a field: this is its end */
        return;
    }
    const char *name = (const char *)xmlTextReaderConstName(p->reader);
    if (name && is_pair(name) && p->in_pair)
        end_pair(p);
}

static void on_text(mq_parser *p)
{
    if (p->field == MQ_NONE)
        return;
    const char *v = (const char *)xmlTextReaderConstValue(p->reader);
    if (v && hq_buf_puts(&p->text, v) != HQ_OK)
        mq_fail(p, HQ_ELIMIT, node_line(p), "the text of <%s> is over %zu bytes", p->field_name,
                MQ_MAX_RAW_TEXT);
}

static void on_node(mq_parser *p)
{
    switch (xmlTextReaderNodeType(p->reader)) {
    case XML_READER_TYPE_ELEMENT:
        on_start(p);
        break;
    case XML_READER_TYPE_END_ELEMENT:
        on_end(p);
        break;
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        on_text(p);
        break;
    case XML_READER_TYPE_DOCUMENT_TYPE:
        mq_fail(p, HQ_EFORMAT, node_line(p),
                "document type declarations are not allowed in MedQuAD files");
        break;
    case XML_READER_TYPE_ENTITY_REFERENCE:
        mq_fail(p, HQ_EFORMAT, node_line(p), "entity references are not allowed");
        break;
    default: /* comments, processing instructions */
        break;
    }
}

/* True when data holds the end tag of one of MedQuAD's roots.  (The
 * reader parses ahead of the nodes it hands out, so its state cannot
 * tell where the parser stopped.) */
static bool has_root_end_tag(const char *data, size_t len)
{
    for (size_t r = 0; r < sizeof ROOTS / sizeof *ROOTS; r++) {
        char tag[32];
        int n = snprintf(tag, sizeof tag, "</%s", ROOTS[r].name);
        const char *at = data, *end = data + len;
        while ((at = memmem(at, (size_t)(end - at), tag, (size_t)n)) != NULL) {
            at += n;
            while (at < end && (*at == ' ' || *at == '\t' || *at == '\r' || *at == '\n'))
                at++;
            if (at < end && *at == '>')
                return true;
        }
    }
    return false;
}

/* After the last node: XML errors first, then the document's own rules. */
static void finish(mq_parser *p, const char *data, size_t len, int last)
{
    /* libxml2 2.9's push parser calls a file that stops inside the root
     * "Extra content at the end of the document" */
    if (p->xml_failed && p->xml_code == XML_ERR_DOCUMENT_END && !has_root_end_tag(data, len))
        mq_fail(p, HQ_EFORMAT, p->xml_line,
                "XML error: premature end of data before the root element is closed "
                "(is the file truncated?)");
    else if (p->xml_failed)
        mq_fail(p, HQ_EFORMAT, p->xml_line, "XML error: %s", p->xml_msg);
    else if (last < 0)
        mq_fail(p, HQ_EFORMAT, (long)xmlTextReaderGetParserLineNumber(p->reader),
                "XML error: the document could not be read");
    if (p->rc != HQ_OK)
        return;
    if (p->a == NULL) {
        mq_fail(p, HQ_EFORMAT, 0, "no root element");
        return;
    }
    /* a document with an empty <QAPairs> (six NIDDK files) is still a
     * topic with a focus and a URL: stored as an article without sections */
    if (p->a->n_sections == 0 && p->a->focus == NULL) {
        mq_fail(p, HQ_EFORMAT, p->root_line, "the document has neither a focus nor a QA pair");
        return;
    }
    p->a->title = p->a->focus ? p->a->focus : p->a->sections[0].title;
}

hq_status hq_parse_medquad(const char *data, size_t len, hq_doc *doc, hq_error *err)
{
    mq_parser p = {.doc = doc, .err = err, .rc = HQ_OK};
    hq_buf_init(&p.text, MQ_MAX_RAW_TEXT);
    size_t blank = len;
    hq_utf8_trim(data, &blank);
    if (blank == 0) { /* libxml2 would call it "extra content" */
        mq_fail(&p, HQ_EEMPTY, 0, "the document is empty");
        goto cleanup;
    }
    if (len > INT_MAX) {
        mq_fail(&p, HQ_ELIMIT, 0, "file is over %d bytes", INT_MAX);
        goto cleanup;
    }
    hq_ingest_init();
    p.reader = xmlReaderForMemory(data, (int)len, NULL, "UTF-8", MQ_OPTIONS);
    if (p.reader == NULL) {
        mq_fail(&p, HQ_EFORMAT, 0, "XML error: the document could not be opened");
        goto cleanup;
    }
    xmlTextReaderSetStructuredErrorHandler(p.reader, on_xml_error, &p);
    int r = 1;
    while (p.rc == HQ_OK && !p.xml_failed && (r = xmlTextReaderRead(p.reader)) == 1)
        on_node(&p);
    finish(&p, data, len, r);
cleanup:
    if (p.reader)
        xmlFreeTextReader(p.reader);
    hq_buf_free(&p.text);
    return p.rc;
}
