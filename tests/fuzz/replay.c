/*
 * replay.c — the plain main() of a fuzz driver for the normal test run:
 * runs every file under tests/fuzz/<HQ_FUZZ_NAME>/ (the seed corpus and
 * the regression inputs of crashes once found, recursively, in sorted
 * order) through LLVMFuzzerTestOneInput and prints one TAP line per
 * input.  A crash, a sanitizer report or a FUZZ_ASSERT stops the process,
 * which tests/run.sh counts as a failure; an empty corpus fails too.
 * Arguments, when given, replace the folder (files or folders), so a
 * crash input can be replayed under gdb: test_fuzz_page crash-1234.
 */
#include "fuzz.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HQ_FUZZ_NAME
#error "compile with -DHQ_FUZZ_NAME='\"<driver>\"'"
#endif

/* Optional in a driver: defined weak here so the replay links without it. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Present when a sanitizer runtime is linked in. */
__attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));

/* The input being run, named when the process dies on it. */
static const char *current;

static void say_current(void)
{
    if (current == NULL)
        return;
    static const char what[] = "replay: died on input ";
    ssize_t ignored = write(2, what, sizeof what - 1);
    ignored = write(2, current, strlen(current));
    ignored = write(2, "\n", 1);
    (void)ignored;
}

static void on_signal(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void name_inputs_on_death(void)
{
    if (__sanitizer_set_death_callback) { /* a sanitizer handles the signals */
        __sanitizer_set_death_callback(say_current);
        return;
    }
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], on_signal);
}

typedef struct list {
    char **paths;
    size_t n, cap;
} list;

static void push(list *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->paths = realloc(l->paths, l->cap * sizeof *l->paths);
        if (l->paths == NULL)
            abort();
    }
    l->paths[l->n] = strdup(path);
    if (l->paths[l->n++] == NULL)
        abort();
}

/* Adds path, or every regular file under it when it is a folder (hidden
 * entries and README files skipped). */
static void collect(list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        push(l, path);
        return;
    }
    DIR *d = opendir(path);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        collect(l, child);
    }
    if (d != NULL)
        closedir(d);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the whole file at path into *data (malloc'd); false on failure. */
static int slurp(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    int ok = buf != NULL && !ferror(f);
    fclose(f);
    *data = buf;
    *size = n;
    return ok;
}

int main(int argc, char **argv)
{
    name_inputs_on_death();
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    list l = {0};
    if (argc > 1)
        for (int i = 1; i < argc; i++)
            collect(&l, argv[i]);
    else
        collect(&l, "tests/fuzz/" HQ_FUZZ_NAME);
    qsort(l.paths, l.n, sizeof *l.paths, by_name);
    printf("1..%zu\n", l.n ? l.n : 1);
    if (l.n == 0)
        printf("not ok 1 - no input found in tests/fuzz/%s\n", HQ_FUZZ_NAME);
    for (size_t i = 0; i < l.n; i++) {
        uint8_t *data = NULL;
        size_t size = 0;
        if (!slurp(l.paths[i], &data, &size)) {
            printf("not ok %zu - %s: cannot read\n", i + 1, l.paths[i]);
        } else {
            fflush(stdout); /* a crash below leaves the inputs before it printed */
            current = l.paths[i];
            LLVMFuzzerTestOneInput(data, size);
            current = NULL;
            printf("ok %zu - %s (%zu bytes)\n", i + 1, l.paths[i], size);
        }
        free(data);
        free(l.paths[i]);
    }
    free(l.paths);
    return l.n ? 0 : 1;
}
