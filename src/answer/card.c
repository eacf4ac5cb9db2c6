/*
 * card.c — the passages of the answer card.
 *
 * Input: the question's key terms and focus, and the candidate sections
 * the engine ranked (best first, each with its relevance 0..1, trust,
 * focus concept and default aspect).  For every section with text:
 *
 *   1. Split the body into sentences (hq_sentences) and give each its
 *      aspect (hq_aspect_sentences: cues, else the section's default).
 *      Questions ("...?") and short headings are never passages.
 *   2. Score each sentence by what of the question it holds: credit for
 *      naming the focus (a phrase of the focus concept, or of one next
 *      to it in MeSH; 0.6 of it when the sentence does not name it but
 *      its section is about it), plus the weights of the other key
 *      terms it holds (context, secondary concepts, other words), over
 *      the most the question can give: coverage 0..1.
 *   3. For each aspect, seed a passage at the section's best sentence of
 *      that aspect (coverage > 0, the earlier on a tie) and grow it to
 *      the following, then the preceding, sentences of the same aspect,
 *      up to 3 sentences and HQ_CARD_PASSAGE_BYTES.
 *   4. A passage scores relevance * (0.4 + 0.6 * coverage).  It ranks by
 *      that score times its source's trust factor (high 1, medium 0.9,
 *      low 0.8, unknown 0.7): a page of unknown trust must be over 40 %
 *      more relevant to come before a trusted one, and never comes first
 *      when equally relevant.
 *
 * Then per aspect, best first, up to per_aspect passages from different
 * articles and scoring at least 0.3 of the aspect's best.  A passage
 * that repeats one already taken (the same words, or a section that is a
 * near-duplicate of the taken one's, with the same focus concept: the
 * same text on several sites) is not shown again: its source is added to
 * the taken one's citations.  Sections are only used when on_topic
 * (when the question has a focus).  Sections without text become links
 * to read at the source, one per article.
 */
#include "answer.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SENTENCES 2048
#define MAX_PASSAGE_SENTENCES 3
#define CUT_BYTES 480           /* a single sentence longer than this is cut */
#define UNNAMED_FOCUS_CREDIT 0.6
#define MIN_SHARE_OF_BEST 0.3
#define MAX_CITATIONS 8

/* ---- the question's side ---------------------------------------------- */

typedef struct scoring {
    const hq_card_input *in;
    bool focus_by_name;  /* the focus is credited by naming its concept */
    double focus_weight; /* its credit */
    double total;        /* the most a sentence can hold */
} scoring;

static bool key_counts(const scoring *sc, const hq_key_term *k)
{
    if (k->weight <= 0)
        return false;
    if (sc->focus_by_name && (k->role == HQ_ROLE_FOCUS || k->role == HQ_ROLE_SYNONYM))
        return false;
    return true;
}

static void scoring_init(scoring *sc, const hq_card_input *in)
{
    memset(sc, 0, sizeof *sc);
    sc->in = in;
    sc->focus_by_name = in->vocab != NULL && in->focus != HQ_NO_CONCEPT;
    for (size_t i = 0; i < in->n_keys; i++)
        if (sc->focus_by_name && in->keys[i].role == HQ_ROLE_FOCUS &&
            in->keys[i].weight > sc->focus_weight)
            sc->focus_weight = in->keys[i].weight;
    if (sc->focus_by_name && sc->focus_weight <= 0)
        sc->focus_weight = 1;
    sc->total = sc->focus_weight;
    for (size_t i = 0; i < in->n_keys; i++)
        if (key_counts(sc, &in->keys[i]))
            sc->total += in->keys[i].weight;
}

/* ---- one section --------------------------------------------------- */

typedef struct sentence {
    int aspect;
    bool usable;        /* may be part of a passage */
    bool names_focus;
    double coverage;
} sentence;

typedef struct passage {
    size_t section;
    int aspect;
    uint32_t start, end; /* bytes of the body */
    double score, rank_key;
    char *text;          /* normalised, possibly cut */
    json_t *highlights;
    hq_fingerprint fp;
    json_t *citations;   /* once taken */
    bool taken;
} passage;

typedef struct section_work {
    hq_tokens toks;      /* KEEP_STOPWORDS analysis: key terms and cues */
    hq_tokens plain;     /* default analysis: concept phrases */
    hq_span *spans;      /* the sentences' spans ... */
    sentence *sents;     /* ... and what is known of each */
    size_t n_sents;
    uint32_t *stamp;     /* per key: the last sentence (+1) it was counted in */
} section_work;

static bool is_question_or_heading(const char *body, hq_span s)
{
    size_t len = s.end - s.start;
    char last = body[s.end - 1];
    if (last == '?' || len < 25)
        return true;
    bool punct = last == '.' || last == '!' || last == ')' || last == '"' ||
                 (unsigned char)last >= 0x80;
    return !punct && len < 80;
}

static size_t sentence_at(const section_work *w, uint32_t at, size_t from)
{
    while (from < w->n_sents && w->spans[from].end <= at)
        from++;
    return from;
}

/* Marks the sentences that name the focus (or a concept next to it). */
static void mark_focus(const scoring *sc, hq_analyzer *a, const char *body, size_t len,
                       section_work *w)
{
    if (!sc->focus_by_name)
        return;
    hq_analyze(a, body, len, 0, &w->plain);
    size_t max = w->plain.n ? w->plain.n : 1;
    uint32_t *starts = hq_xmalloc(max * sizeof *starts);
    size_t n = hq_vocab_mentions(sc->in->vocab, &w->plain, sc->in->focus, starts, max);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k = sentence_at(w, starts[i], k);
        if (k < w->n_sents)
            w->sents[k].names_focus = true;
    }
    free(starts);
}

static int key_of(const scoring *sc, const hq_token *t)
{
    for (size_t i = 0; i < sc->in->n_keys; i++) {
        const hq_key_term *k = &sc->in->keys[i];
        if (k->len == t->len && memcmp(k->term, t->term, t->len) == 0)
            return key_counts(sc, k) ? (int)i : -1;
    }
    return -1;
}

/* Whether t is a word of the question worth highlighting: any key term
 * but the focus' added synonyms. */
static bool highlighted(const scoring *sc, const hq_token *t)
{
    for (size_t i = 0; i < sc->in->n_keys; i++) {
        const hq_key_term *k = &sc->in->keys[i];
        if (k->len == t->len && memcmp(k->term, t->term, t->len) == 0)
            return k->role != HQ_ROLE_SYNONYM;
    }
    return false;
}

/* The weight of the distinct key terms in body[start, end), tokens from
 * *tok on; stamp marks what was counted, under mark. */
static double key_weight(const scoring *sc, const section_work *w, size_t *tok, uint32_t end,
                         uint32_t mark)
{
    double sum = 0;
    for (; *tok < w->toks.n && w->toks.items[*tok].start < end; (*tok)++) {
        int k = key_of(sc, &w->toks.items[*tok]);
        if (k >= 0 && w->stamp[k] != mark) {
            w->stamp[k] = mark;
            sum += sc->in->keys[k].weight;
        }
    }
    return sum;
}

static double coverage_of(const scoring *sc, double keys, bool names, bool on_topic)
{
    double focus = names ? sc->focus_weight
                         : (on_topic ? UNNAMED_FOCUS_CREDIT * sc->focus_weight : 0);
    return sc->total > 0 ? (keys + focus) / sc->total : 0;
}

static void score_sentences(const scoring *sc, const hq_card_section *s, section_work *w,
                            const char *body)
{
    size_t tok = 0;
    for (size_t i = 0; i < w->n_sents; i++) {
        sentence *t = &w->sents[i];
        while (tok < w->toks.n && w->toks.items[tok].start < w->spans[i].start)
            tok++;
        double keys = key_weight(sc, w, &tok, w->spans[i].end, (uint32_t)i + 1);
        t->coverage = coverage_of(sc, keys, t->names_focus, s->on_topic);
        t->usable = !is_question_or_heading(body, w->spans[i]) && (keys > 0 || t->names_focus);
    }
}

static bool analyse_section(const scoring *sc, hq_analyzer *a, const hq_card_section *s,
                            section_work *w)
{
    const char *body = s->body;
    size_t len = body ? strlen(body) : 0;
    if (len == 0)
        return false;
    if (len > HQ_CARD_MAX_BODY)
        len = HQ_CARD_MAX_BODY;
    w->spans = hq_xmalloc(MAX_SENTENCES * sizeof *w->spans);
    size_t n = hq_sentences(body, len, w->spans, MAX_SENTENCES);
    if (n > MAX_SENTENCES)
        n = MAX_SENTENCES;
    w->n_sents = n;
    w->sents = hq_xcalloc(n ? n : 1, sizeof *w->sents);
    w->stamp = hq_xcalloc(sc->in->n_keys ? sc->in->n_keys : 1, sizeof *w->stamp);
    hq_analyze(a, body, len, HQ_ANALYZE_KEEP_STOPWORDS, &w->toks);
    int *aspects = hq_xmalloc((n ? n : 1) * sizeof *aspects);
    hq_aspect_sentences(sc->in->aspects, &w->toks, w->spans, n, s->aspect, aspects);
    for (size_t i = 0; i < n; i++)
        w->sents[i].aspect = aspects[i];
    free(aspects);
    mark_focus(sc, a, body, len, w);
    score_sentences(sc, s, w, body);
    return true;
}

static void section_work_free(section_work *w)
{
    hq_tokens_free(&w->toks);
    hq_tokens_free(&w->plain);
    free(w->spans);
    free(w->sents);
    free(w->stamp);
    memset(w, 0, sizeof *w);
}

/* ---- passages -------------------------------------------------------- */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* body[start, end) with white space runs made one space, cut after about
 * CUT_BYTES at white space with "…" added; the key-term and focus-word
 * tokens in it become highlights (offsets into the text). */
static void passage_text(const scoring *sc, const section_work *w, const char *body,
                         passage *p)
{
    hq_buf b;
    hq_buf_init(&b, 0);
    uint32_t *map = hq_xmalloc((p->end - p->start + 1) * sizeof *map);
    bool space = false, cut = false;
    for (uint32_t i = p->start; i < p->end; i++) {
        map[i - p->start] = (uint32_t)b.len;
        if (is_space((unsigned char)body[i])) {
            space = true;
            continue;
        }
        if (space && b.len >= CUT_BYTES) {
            cut = true;
            for (uint32_t k = i; k < p->end; k++)
                map[k - p->start] = (uint32_t)b.len;
            break;
        }
        if (space)
            hq_buf_append(&b, " ", 1);
        map[i - p->start] = (uint32_t)b.len;
        space = false;
        hq_buf_append(&b, body + i, 1);
    }
    map[p->end - p->start] = (uint32_t)b.len;
    size_t shown = b.len;
    if (cut)
        hq_buf_puts(&b, "\xe2\x80\xa6");
    p->text = hq_xstrdup(hq_buf_str(&b));
    p->highlights = json_array();
    for (size_t t = 0; t < w->toks.n; t++) {
        const hq_token *tk = &w->toks.items[t];
        if (tk->start < p->start || tk->end > p->end || !highlighted(sc, tk))
            continue;
        uint32_t s = map[tk->start - p->start], e = map[tk->end - p->start];
        if (e <= shown && e > s)
            json_array_append_new(p->highlights, json_pack("[ii]", (json_int_t)s, (json_int_t)e));
    }
    free(map);
    hq_buf_free(&b);
}

/* The best usable sentence of aspect in w, or n_sents. */
static size_t best_seed(const section_work *w, int aspect)
{
    size_t best = w->n_sents;
    for (size_t i = 0; i < w->n_sents; i++) {
        const sentence *t = &w->sents[i];
        if (t->usable && t->aspect == aspect &&
            (best == w->n_sents || t->coverage > w->sents[best].coverage))
            best = i;
    }
    return best;
}

static bool can_join(const section_work *w, size_t i, int aspect, uint32_t start, uint32_t end)
{
    if (i >= w->n_sents || w->sents[i].aspect != aspect)
        return false;
    uint32_t s = start < w->spans[i].start ? start : w->spans[i].start;
    uint32_t e = end > w->spans[i].end ? end : w->spans[i].end;
    return e - s <= HQ_CARD_PASSAGE_BYTES;
}

static const double TRUST_FACTOR[] = {1.0, 0.9, 0.8, 0.7};

static size_t trust_rank(const char *trust)
{
    static const char *const names[] = {"high", "medium", "low", "unknown"};
    for (size_t i = 0; trust && i < 4; i++)
        if (strcmp(trust, names[i]) == 0)
            return i;
    return 3;
}

/* The passage of aspect in section s (index si), if it has one. */
static bool make_passage(const scoring *sc, hq_analyzer *a, const hq_card_section *s, size_t si,
                         section_work *w, int aspect, passage *p)
{
    size_t seed = best_seed(w, aspect);
    if (seed == w->n_sents)
        return false;
    size_t first = seed, last = seed;
    while (last - first + 1 < MAX_PASSAGE_SENTENCES && last + 1 < w->n_sents &&
           !is_question_or_heading(s->body, w->spans[last + 1]) &&
           can_join(w, last + 1, aspect, w->spans[first].start, w->spans[last].end))
        last++;
    if (last - first + 1 < MAX_PASSAGE_SENTENCES && first > 0 && w->sents[first - 1].usable &&
        can_join(w, first - 1, aspect, w->spans[first].start, w->spans[last].end))
        first--;
    memset(p, 0, sizeof *p);
    p->section = si;
    p->aspect = aspect;
    p->start = w->spans[first].start;
    p->end = w->spans[last].end;
    size_t tok = 0;
    while (tok < w->toks.n && w->toks.items[tok].start < p->start)
        tok++;
    bool names = false;
    for (size_t i = first; i <= last; i++)
        names = names || w->sents[i].names_focus;
    double keys = key_weight(sc, w, &tok, p->end, (uint32_t)(w->n_sents + 1 + aspect));
    double coverage = coverage_of(sc, keys, names, s->on_topic);
    p->score = s->relevance * (0.4 + 0.6 * (coverage > 1 ? 1 : coverage));
    p->rank_key = p->score * TRUST_FACTOR[trust_rank(s->trust)];
    passage_text(sc, w, s->body, p);
    hq_tokens toks = {0};
    hq_fingerprint_text(a, p->text, strlen(p->text), &toks, &p->fp);
    hq_tokens_free(&toks);
    return true;
}

/* ---- choosing and citing ------------------------------------------------ */

static json_t *citation(const hq_card_section *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "section_id", json_string(s->section_id));
    json_object_set_new(o, "article_id", json_string(s->article_id));
    json_object_set_new(o, "title", json_string(s->article_title ? s->article_title : s->title));
    json_object_set_new(o, "source", json_string(s->source));
    json_object_set_new(o, "url", s->url ? json_string(s->url) : json_null());
    json_object_set_new(o, "trust", json_string(s->trust ? s->trust : "unknown"));
    json_object_set_new(o, "untrusted", json_boolean(trust_rank(s->trust) >= 2));
    return o;
}

static bool cites_article(const json_t *citations, const char *article_id)
{
    size_t i;
    json_t *c;
    json_array_foreach(citations, i, c)
        if (strcmp(json_string_value(json_object_get(c, "article_id")), article_id) == 0)
            return true;
    return false;
}

/* Whether q says what p says: the same words, or near-duplicate texts
 * of sections with the same focus concept. */
static bool repeats(const hq_card_input *in, const passage *p, const passage *q)
{
    if (strcasecmp(p->text, q->text) == 0)
        return true;
    uint32_t cp = in->sections[p->section].concept, cq = in->sections[q->section].concept;
    if (cp == HQ_NO_CONCEPT || cp != cq)
        return false;
    return hq_fingerprint_is_dup(&p->fp, &q->fp);
}

static int by_rank_key(const void *a, const void *b)
{
    const passage *x = a, *y = b;
    if (x->rank_key != y->rank_key)
        return x->rank_key > y->rank_key ? -1 : 1;
    return x->section < y->section ? -1 : x->section > y->section;
}

/* Takes up to per passages of one aspect from ps[0..n) (sorted). */
static void choose(const hq_card_input *in, passage *ps, size_t n, size_t per)
{
    size_t taken = 0;
    double best = n ? ps[0].rank_key : 0;
    for (size_t i = 0; i < n; i++) {
        passage *p = &ps[i];
        const hq_card_section *s = &in->sections[p->section];
        passage *same = NULL;
        bool same_article = false;
        for (size_t j = 0; j < i && !same; j++) {
            if (!ps[j].taken)
                continue;
            if (repeats(in, &ps[j], p))
                same = &ps[j];
            else if (strcmp(in->sections[ps[j].section].article_id, s->article_id) == 0)
                same_article = true;
        }
        if (same) {
            if (!cites_article(same->citations, s->article_id) &&
                json_array_size(same->citations) < MAX_CITATIONS)
                json_array_append_new(same->citations, citation(s));
            continue;
        }
        if (same_article || taken == per || p->rank_key < MIN_SHARE_OF_BEST * best)
            continue;
        p->taken = true;
        p->citations = json_array();
        json_array_append_new(p->citations, citation(s));
        taken++;
    }
}

static json_t *passage_json(passage *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", json_string(p->text));
    json_object_set_new(o, "highlights", json_incref(p->highlights));
    json_object_set_new(o, "score", json_real(round(p->score * 1e4) / 1e4));
    json_object_set_new(o, "citations", json_incref(p->citations));
    return o;
}

static json_t *aspects_json(const hq_card_input *in, passage *ps, size_t n)
{
    json_t *out = json_array();
    size_t per = in->per_aspect ? in->per_aspect : 2;
    for (int a = 0; a < hq_aspect_count(in->aspects); a++) {
        passage *mine = hq_xmalloc((n ? n : 1) * sizeof *mine);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (ps[i].aspect == a)
                mine[m++] = ps[i];
        qsort(mine, m, sizeof *mine, by_rank_key);
        choose(in, mine, m, per);
        json_t *list = json_array();
        for (size_t i = 0; i < m; i++) {
            if (mine[i].taken)
                json_array_append_new(list, passage_json(&mine[i]));
            json_decref(mine[i].citations);
        }
        free(mine);
        if (json_array_size(list) == 0) {
            json_decref(list);
            continue;
        }
        json_t *o = json_object();
        json_object_set_new(o, "aspect", json_string(hq_aspect_name(in->aspects, a)));
        json_object_set_new(o, "heading", json_string(hq_aspect_heading(in->aspects, a)));
        json_object_set_new(o, "asked", json_boolean(a == in->asked));
        json_object_set_new(o, "passages", list);
        json_array_append_new(out, o);
    }
    return out;
}

/* Sections without text, on topic, as links: one per article, best
 * first, with the sections' titles. */
static json_t *links_json(const hq_card_input *in, size_t n)
{
    json_t *out = json_array();
    size_t max = in->max_links ? in->max_links : 5;
    for (size_t i = 0; i < n; i++) {
        const hq_card_section *s = &in->sections[i];
        if ((s->body && *s->body) || (in->focus != HQ_NO_CONCEPT && !s->on_topic))
            continue;
        json_t *art = NULL, *a;
        size_t k;
        json_array_foreach(out, k, a)
            if (strcmp(json_string_value(json_object_get(a, "article_id")), s->article_id) == 0)
                art = a;
        if (art == NULL) {
            if (json_array_size(out) == max)
                continue;
            art = citation(s);
            json_object_del(art, "section_id");
            json_object_set_new(art, "sections", json_array());
            json_array_append_new(out, art);
        }
        json_array_append_new(json_object_get(art, "sections"),
                              json_pack("{s:s, s:s}", "section_id", s->section_id, "title",
                                        s->title));
    }
    return out;
}

json_t *hq_card_build(hq_analyzer *a, const hq_card_input *in)
{
    scoring sc;
    scoring_init(&sc, in);
    size_t n = in->n_sections < HQ_CARD_MAX_SECTIONS ? in->n_sections : HQ_CARD_MAX_SECTIONS;
    size_t n_aspects = (size_t)hq_aspect_count(in->aspects);
    size_t cap = n * n_aspects;
    passage *ps = hq_xmalloc((cap ? cap : 1) * sizeof *ps);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        const hq_card_section *s = &in->sections[i];
        if (in->focus != HQ_NO_CONCEPT && !s->on_topic)
            continue;
        section_work w = {0};
        if (analyse_section(&sc, a, s, &w))
            for (size_t asp = 0; asp < n_aspects; asp++)
                np += make_passage(&sc, a, s, i, &w, (int)asp, &ps[np]);
        section_work_free(&w);
    }
    json_t *card = json_object();
    json_object_set_new(card, "aspects", aspects_json(in, ps, np));
    json_object_set_new(card, "read_at_source", links_json(in, n));
    for (size_t i = 0; i < np; i++) {
        free(ps[i].text);
        json_decref(ps[i].highlights);
    }
    free(ps);
    return card;
}
