/*
 * fs.c — reading files whole, walking folders, creating the data folder.
 * Every failure names the path and the system's reason.
 */
#include "base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

hq_status hq_read_file(const char *path, size_t limit, char **data, size_t *len, hq_error *err)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block us */
    if (fd < 0)
        return hq_fail(err, HQ_EIO, path, 0, -1, "cannot open: %s", strerror(errno));
    struct stat st;
    hq_status rc = HQ_OK;
    if (fstat(fd, &st) != 0) {
        rc = hq_fail(err, HQ_EIO, path, 0, -1, "cannot stat: %s", strerror(errno));
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = hq_fail(err, HQ_EINVAL, path, 0, -1, "not a regular file");
        goto cleanup;
    }
    if ((unsigned long long)st.st_size > limit) {
        rc = hq_fail(err, HQ_ELIMIT, path, 0, -1,
                     "file is %lld bytes, over the limit of %zu bytes per file",
                     (long long)st.st_size, limit);
        goto cleanup;
    }
    size_t size = (size_t)st.st_size;
    char *buf = hq_xmalloc(size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            rc = hq_fail(err, HQ_EIO, path, 0, (long)got, "read failed: %s", strerror(errno));
            goto cleanup;
        }
        if (r == 0)
            break; /* the file shrank while we read it: take what is there */
        got += (size_t)r;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
cleanup:
    close(fd);
    return rc;
}

hq_status hq_read_lines(const char *path, size_t limit, hq_line_fn fn, void *ctx,
                        hq_error *err)
{
    char *data = NULL;
    size_t len = 0;
    hq_status rc = hq_read_file(path, limit, &data, &len, err);
    long lineno = 0;
    for (char *line = data, *end = data + len; rc == HQ_OK && line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        char *stop = nl ? nl : end; /* data[len] is a NUL */
        *stop = '\0';
        if (stop > line && stop[-1] == '\r')
            stop[-1] = '\0';
        rc = fn(ctx, line, ++lineno);
        line = stop + 1;
    }
    free(data);
    return rc;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push_path(char ***paths, size_t *n, size_t *cap, char *p)
{
    hq_grow((void **)paths, cap, *n + 1, sizeof **paths);
    (*paths)[(*n)++] = p;
}

static hq_status walk(const char *path, int depth, char ***paths, size_t *n, size_t *cap,
                      hq_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return hq_fail(err, HQ_EIO, path, 0, -1, "cannot access: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        push_path(paths, n, cap, hq_xstrdup(path));
        return HQ_OK;
    }
    if (depth > 64)
        return hq_fail(err, HQ_ELIMIT, path, 0, -1, "folders nested more than 64 deep");
    DIR *dir = opendir(path);
    if (dir == NULL)
        return hq_fail(err, HQ_EIO, path, 0, -1, "cannot read folder: %s", strerror(errno));
    char **names = NULL;
    size_t n_names = 0, cap_names = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        push_path(&names, &n_names, &cap_names, hq_xstrdup(e->d_name));
    }
    closedir(dir);
    qsort(names, n_names, sizeof *names, compare_names);
    hq_status rc = HQ_OK;
    size_t plen = strlen(path);
    bool slash = plen > 0 && path[plen - 1] == '/';
    for (size_t i = 0; i < n_names; i++) {
        size_t need = plen + strlen(names[i]) + 2;
        char *child = hq_xmalloc(need);
        snprintf(child, need, "%s%s%s", path, slash ? "" : "/", names[i]);
        hq_status r = walk(child, depth + 1, paths, n, cap, err);
        if (r != HQ_OK && rc == HQ_OK)
            rc = r;
        free(child);
        free(names[i]);
    }
    free(names);
    return rc;
}

hq_status hq_list_files(const char *path, char ***paths, size_t *n, size_t *cap, hq_error *err)
{
    return walk(path, 0, paths, n, cap, err);
}

hq_status hq_mkdir(const char *path, hq_error *err)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return HQ_OK;
        return hq_fail(err, HQ_EIO, path, 0, -1, "exists and is not a folder");
    }
    return hq_fail(err, HQ_EIO, path, 0, -1, "cannot create folder: %s", strerror(errno));
}

double hq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
