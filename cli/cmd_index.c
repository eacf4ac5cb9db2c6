/*
 * cmd_index.c — `healthqa index PATH...`: ingest files and folders,
 * with progress on a terminal and one line per rejected file.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char CMD_INDEX_USAGE[] =
    "usage: healthqa [--data DIR] index [--source NAME] [--trust LEVEL] [--quiet] PATH...\n"
    "       healthqa [--data DIR] index [--rebuild]\n"
    "\n"
    "Ingests files and folders (recursively, in name order) into the store.  A folder's\n"
    "hidden entries and its README, LICENSE, COPYING, CHANGELOG, NOTICE and AUTHORS files\n"
    "are skipped (name such a file directly to ingest it).  Formats are\n"
    "recognised by content: MedQuAD XML, JSON Lines, portal pages (<<: >>: Recommend),\n"
    "Markdown ('#' headings) and plain text.  Each file is stored in one transaction:\n"
    "a rejected file is named on stderr with the line or byte and the rule it broke,\n"
    "and leaves the store as it was.  Re-indexing unchanged files changes nothing.\n"
    "\n"
    "Options:\n"
    "  --source NAME   source name for pages and text files (default: the folder's name)\n"
    "  --trust LEVEL   trust level for every article: high, medium, low or unknown\n"
    "                  (default: the source's level in data/sources.tsv)\n"
    "  --rebuild       rebuild the search index from the store (after damage, or to\n"
    "                  start afresh); without PATHs, `index` just brings the search\n"
    "                  index up to date with the store\n"
    "  --quiet         print only errors\n"
    "\n"
    "Progress (files, rate, ETA) is shown when stderr is a terminal.\n"
    "After ingesting, the search index follows the store's change log: changed\n"
    "articles are re-indexed, deleted ones leave the index.\n"
    "Exit status: 0 all stored, 1 some files rejected, 2 usage, 4 store or index error.\n";

typedef struct progress {
    double start, last_draw;
    int tty, quiet;
    size_t n_failed;
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(progress *p, const hq_file_report *r, int final)
{
    double t = now();
    if (!final && t - p->last_draw < 0.1)
        return;
    p->last_draw = t;
    size_t done = r->index + 1;
    double elapsed = t - p->start;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(r->total - done) / rate : 0;
    fprintf(stderr, "\r\033[K%zu/%zu files  %.0f files/s  ETA %d:%02d  %zu failed", done,
            r->total, rate, (int)eta / 60, (int)eta % 60, p->n_failed);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

static void on_file(void *ctx, const hq_file_report *r)
{
    progress *p = ctx;
    if (r->status != HQ_OK) {
        p->n_failed++;
        if (p->tty)
            fputs("\r\033[K", stderr);
        cli_error("rejected", r->error);
    }
    if (p->tty && !p->quiet && r->total > 0)
        draw(p, r, r->index + 1 == r->total);
}

int cmd_index(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},
        {"trust", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {"rebuild", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    hq_ingest_options o = {0};
    progress p = {.start = now(), .tty = isatty(2)};
    bool rebuild = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+q", opts, NULL)) != -1) {
        if (c == 's')
            o.source = optarg;
        else if (c == 't')
            o.trust = optarg;
        else if (c == 'q')
            p.quiet = 1;
        else if (c == 'r')
            rebuild = true;
        else
            return cli_usage_error("index", "unknown option '%s'", argv[optind - 1]);
    }
    o.on_file = on_file;
    o.ctx = &p;
    hq_engine *e = NULL;
    hq_status rc = cli_open(ctx, &e);
    if (rc != HQ_OK)
        return cli_exit_code(rc);
    hq_error err;
    memset(&err, 0, sizeof err);
    if (optind < argc) {
        hq_ingest_summary s;
        rc = hq_ingest(e, (const char *const *)argv + optind, (size_t)(argc - optind), &o, &s,
                       &err);
        if (rc != HQ_OK && rc != HQ_EPARTIAL)
            cli_error("index", &err);
        if (!p.quiet && (rc == HQ_OK || rc == HQ_EPARTIAL))
            printf("ingested %zu files in %.1f s: %zu articles, %zu new or changed, %zu removed, "
                   "%zu links resolved, %zu files rejected\n",
                   s.n_files, now() - p.start, s.n_articles, s.n_changed, s.n_removed,
                   s.n_links_resolved, s.n_failed);
    }
    bool index_ok = false;
    hq_index_summary is = {0};
    /* The time reported: the index's update; without PATHs, from opening
     * the data folder to closing it (the build as a whole, as a benchmark
     * times another engine's inside its process). */
    double t0 = optind < argc ? now() : p.start;
    if (rc == HQ_OK || rc == HQ_EPARTIAL) {
        hq_error ierr;
        memset(&ierr, 0, sizeof ierr);
        hq_status irc = hq_index_update(e, rebuild, &is, &ierr);
        hq_index_summary ms = {0};
        if (irc == HQ_OK)
            irc = hq_index_merge(e, &ms, &ierr);
        if (irc == HQ_OK && ms.n_merged > 0)
            is.n_segments = ms.n_segments;
        if (irc != HQ_OK) {
            cli_error("index", &ierr);
            rc = irc;
        }
        index_ok = irc == HQ_OK;
    }
    hq_close(e);
    if (index_ok && !p.quiet) {
        if (is.updated)
            printf("search index %s in %.3f s: %zu documents added, %zu deleted, %zu segments\n",
                   rebuild ? "rebuilt" : "updated", now() - t0, is.n_added, is.n_deleted,
                   is.n_segments);
        else
            printf("search index already up to date (%zu segments)\n", is.n_segments);
    }
    return cli_exit_code(rc);
}
