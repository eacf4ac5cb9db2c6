/*
 * auth.c — who may write: bearer tokens.
 *
 * A token is "hq_" and 64 hex digits (32 random bytes from the kernel's
 * getrandom).  The token file keeps only a hash of each, one per line:
 *     sha256:<64 hex digits><TAB><expires: Unix seconds, 0 for never><TAB><note>
 * ('#' lines and blank lines are comments), so a copy of the file grants
 * nothing.  A request's token is hashed (SHA-256, OpenSSL libcrypto) and
 * compared with every entry in constant time (CRYPTO_memcmp, and no
 * early exit), so the time taken says nothing about which entry or how
 * much of one matched.  Expired entries match nothing.  The file is read
 * once when the server starts.
 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define TOKEN_BYTES 32
#define MAX_TOKENS 1024

typedef struct token_entry {
    unsigned char hash[32];
    long long expires; /* Unix seconds; 0: never */
} token_entry;

struct hs_tokens {
    token_entry items[MAX_TOKENS];
    size_t n;
};

static void sha256(const char *s, size_t len, unsigned char out[32])
{
    unsigned int n = 32;
    if (EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32)
        abort(); /* only on out of memory */
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int unhex(const char *s, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return -1;
        out[i / 2] = (unsigned char)(i % 2 ? (out[i / 2] | v) : v << 4);
    }
    return 0;
}

int hs_token_new(const char *path, long long days, const char *note, char *token, size_t size,
                 char *why, size_t why_size)
{
    unsigned char raw[TOKEN_BYTES];
    if (size < 3 + 2 * TOKEN_BYTES + 1 || getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        snprintf(why, why_size, "cannot get random bytes: %s", strerror(errno));
        return -1;
    }
    memcpy(token, "hq_", 3);
    hex(raw, sizeof raw, token + 3);
    unsigned char h[32];
    char h_hex[65];
    sha256(token, strlen(token), h);
    hex(h, 32, h_hex);
    long long expires = days > 0 ? (long long)time(NULL) + days * 86400 : 0;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(why, why_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    int n = snprintf(line, sizeof line, "sha256:%s\t%lld\t%.100s\n", h_hex, expires,
                     note ? note : "");
    bool ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!ok) {
        snprintf(why, why_size, "%s: cannot write: %s", path, strerror(saved));
        return -1;
    }
    return 0;
}

/* Parses one line of a token file into e; -1 when malformed. */
static int parse_line(const char *line, token_entry *e)
{
    if (strncmp(line, "sha256:", 7) != 0 || strlen(line) < 7 + 64 ||
        unhex(line + 7, e->hash, 32) != 0)
        return -1;
    const char *rest = line + 7 + 64;
    e->expires = 0;
    if (*rest == '\0')
        return 0;
    if (*rest != '\t')
        return -1;
    char *end;
    errno = 0;
    e->expires = strtoll(rest + 1, &end, 10);
    if (errno || end == rest + 1 || e->expires < 0 || (*end != '\0' && *end != '\t'))
        return -1;
    return 0;
}

hs_tokens *hs_tokens_load(const char *path, char *why, size_t why_size)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(why, why_size, "%s: cannot open the token file: %s", path, strerror(errno));
        return NULL;
    }
    hs_tokens *t = calloc(1, sizeof *t);
    if (t == NULL)
        abort();
    char line[1024];
    long lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (t->n == MAX_TOKENS || parse_line(line, &t->items[t->n]) != 0) {
            snprintf(why, why_size,
                     t->n == MAX_TOKENS ? "%s:%ld: more than 1024 tokens"
                                        : "%s:%ld: expected \"sha256:<64 hex digits><TAB>"
                                          "<expires, Unix seconds or 0><TAB><note>\"",
                     path, lineno);
            fclose(f);
            free(t);
            return NULL;
        }
        t->n++;
    }
    fclose(f);
    return t;
}

void hs_tokens_free(hs_tokens *t)
{
    free(t);
}

hs_auth hs_tokens_check(const hs_tokens *t, const char *authorization, long long now)
{
    if (authorization == NULL)
        return HS_AUTH_MISSING;
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return HS_AUTH_MISSING;
    const char *token = authorization + 7;
    while (*token == ' ')
        token++;
    unsigned char h[32];
    sha256(token, strlen(token), h);
    hs_auth result = HS_AUTH_WRONG;
    for (size_t i = 0; t && i < t->n; i++) {
        bool same = CRYPTO_memcmp(h, t->items[i].hash, 32) == 0;
        bool live = t->items[i].expires == 0 || t->items[i].expires > now;
        if (same)
            result = live ? HS_AUTH_OK : (result == HS_AUTH_OK ? HS_AUTH_OK : HS_AUTH_EXPIRED);
    }
    return result;
}
