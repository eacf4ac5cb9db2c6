/*
 * cmd_add.c — `healthqa add [--json] FILE...`: stores the articles of
 * JSON Lines files (the write API's record format), each file all or
 * none, synced before the command says so, and searchable when it
 * returns.  '-' reads standard input.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char CMD_ADD_USAGE[] =
    "usage: healthqa [--data DIR] add [--json] FILE...\n"
    "\n"
    "Adds or replaces articles given as JSON Lines records, one per line:\n"
    "  {\"id\": \"...\", \"title\": \"...\", \"body\": \"...\", \"url\": \"...\", \"source\": \"...\"}\n"
    "(the format of docs/FORMATS.md; a record without a source gets \"api\").  Each FILE\n"
    "is stored whole or not at all, synced to disk, then indexed: when the command\n"
    "says a file was added, its articles are durable and searchable.  '-' reads\n"
    "standard input.  Re-adding a record with the same id replaces that article.\n"
    "\n"
    "Options:\n"
    "  --json   print one JSON object per file\n"
    "Exit status: 0 all added, 1 some files rejected (named on stderr), 2 bad\n"
    "command line, 4 nothing could be done.\n";

/* Reads all of f (at most limit bytes, else ELIMIT) into a malloc'd buffer. */
static hq_status slurp(FILE *f, size_t limit, char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        abort();
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n > limit) {
            free(buf);
            return HQ_ELIMIT;
        }
        if (n == cap && (buf = realloc(buf, cap *= 2)) == NULL)
            abort();
    }
    bool failed = ferror(f);
    if (failed) {
        free(buf);
        return HQ_EIO;
    }
    *out = buf;
    *len = n;
    return HQ_OK;
}

static hq_status read_input(const char *path, char **data, size_t *len, hq_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        err->code = HQ_EIO;
        snprintf(err->where, sizeof err->where, "%s", path);
        snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(errno));
        return HQ_EIO;
    }
    hq_status rc = slurp(f, HQ_WRITE_MAX_BYTES, data, len);
    if (f != stdin)
        fclose(f);
    if (rc != HQ_OK) {
        err->code = rc;
        snprintf(err->where, sizeof err->where, "%s", path);
        snprintf(err->message, sizeof err->message, "%s",
                 rc == HQ_ELIMIT ? "over 1 MiB of records: split the file" : "cannot read it");
    }
    return rc;
}

static void print_file(const char *path, const hq_write_summary *s, bool json)
{
    if (json) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", path, "records",
                              (json_int_t)s->n_records, "changed", (json_int_t)s->n_changed,
                              "segments", (json_int_t)s->index.n_segments, "merged",
                              (json_int_t)s->index.n_merged);
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("%s: %zu records, %zu new or changed; index: %zu segments\n", path, s->n_records,
               s->n_changed, s->index.n_segments);
    }
}

int cmd_add(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error("add", "unknown option '%s'", argv[optind - 1]);
        json = 1;
    }
    if (optind >= argc)
        return cli_usage_error("add", "expected at least one FILE of JSON Lines records");
    hq_engine *e;
    if (cli_open(ctx, &e) != HQ_OK)
        return HQ_EXIT_FAILURE;
    int failed = 0, done = 0;
    for (int i = optind; i < argc; i++) {
        hq_error err;
        memset(&err, 0, sizeof err);
        char *data = NULL;
        size_t len = 0;
        hq_write_summary s;
        hq_status rc = read_input(argv[i], &data, &len, &err);
        if (rc == HQ_OK)
            rc = hq_put_records(e, data, len, &s, &err);
        hq_index_summary ms = {0};
        if (rc == HQ_OK && hq_index_merge(e, &ms, &err) == HQ_OK && ms.n_merged > 0) {
            s.index.n_segments = ms.n_segments;
            s.index.n_merged = ms.n_merged;
        }
        free(data);
        if (rc == HQ_OK) {
            print_file(argv[i], &s, json);
            done++;
        } else {
            if (err.where[0] == '\0' || strcmp(err.where, "request body") == 0)
                snprintf(err.where, sizeof err.where, "%s", argv[i]);
            cli_error("add", &err);
            failed++;
        }
    }
    hq_close(e);
    return failed == 0 ? HQ_EXIT_OK : done > 0 ? HQ_EXIT_PARTIAL : HQ_EXIT_FAILURE;
}
