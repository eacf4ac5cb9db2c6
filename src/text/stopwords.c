/*
 * stopwords.c — the English stop list and its lookup.  The term cache
 * (termcache.c) asks once per distinct word; query analysis may ask
 * directly.  Static data only, so it is thread-safe.
 *
 * The list is Snowball's English stop list (snowballstem.org,
 * algorithms/english/stop.txt) with two changes, explained in
 * docs/ANALYSIS.md:
 *   - added: the modal verbs can, will, shall, may, might, must, and whose
 *     (question words and auxiliaries carry nothing to match);
 *   - removed: after, before, during, between, above, below, up, down,
 *     out, off, over, under: in health questions they carry the context
 *     ("pain after IUD insertion", "bleeding between periods", "throw
 *     up", "pass out"), and BM25's IDF already keeps their weight low.
 * Medical words (back, pain, period, ...) are not on it.  Words are
 * folded: lower case, ASCII apostrophe.  Keep the array sorted by bytes
 * (LC_ALL=C sort): the lookup is a binary search, and the tests check.
 */
#include "text.h"

#include <string.h>

static const char *const stop_list[] = {
    "a", "about", "again", "against", "all", "am", "an", "and",
    "any", "are", "aren't", "as", "at", "be", "because", "been",
    "being", "both", "but", "by", "can", "can't", "cannot", "could",
    "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't",
    "each", "few", "for", "from", "further", "had", "hadn't", "has",
    "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's",
    "her", "here", "here's", "hers", "herself", "him", "himself", "his",
    "how", "how's", "i", "i'd", "i'll", "i'm", "i've", "if",
    "in", "into", "is", "isn't", "it", "it's", "its", "itself",
    "let's", "may", "me", "might", "more", "most", "must", "mustn't",
    "my", "myself", "no", "nor", "not", "of", "on", "once",
    "only", "or", "other", "ought", "our", "ours", "ourselves", "own",
    "same", "shall", "shan't", "she", "she'd", "she'll", "she's", "should",
    "shouldn't", "so", "some", "such", "than", "that", "that's", "the",
    "their", "theirs", "them", "themselves", "then", "there", "there's", "these",
    "they", "they'd", "they'll", "they're", "they've", "this", "those", "through",
    "to", "too", "until", "very", "was", "wasn't", "we", "we'd",
    "we'll", "we're", "we've", "were", "weren't", "what", "what's", "when",
    "when's", "where", "where's", "which", "while", "who", "who's", "whom",
    "whose", "why", "why's", "will", "with", "won't", "would", "wouldn't",
    "you", "you'd", "you'll", "you're", "you've", "your", "yours", "yourself",
    "yourselves",
};

#define N_STOP (sizeof stop_list / sizeof stop_list[0])

/* memcmp order, then length: the order of LC_ALL=C sort. */
static int compare(const char *word, size_t len, const char *entry)
{
    size_t elen = strlen(entry);
    int c = memcmp(word, entry, len < elen ? len : elen);
    if (c != 0)
        return c;
    return len < elen ? -1 : len > elen ? 1 : 0;
}

bool hq_is_stopword(const char *word, size_t len)
{
    if (len == 0 || len > 10) /* the longest is "yourselves" */
        return false;
    size_t lo = 0, hi = N_STOP;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare(word, len, stop_list[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

const char *const *hq_stopwords(size_t *n)
{
    *n = N_STOP;
    return stop_list;
}
