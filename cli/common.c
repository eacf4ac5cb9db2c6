/*
 * common.c — helpers shared by the commands.
 */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

void cli_error(const char *what, const hq_error *err)
{
    char buf[2048];
    fprintf(stderr, "healthqa: %s: %s\n", what, hq_error_format(err, buf, sizeof buf));
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("healthqa: ", stderr);
    if (command)
        fprintf(stderr, "%s: ", command);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'healthqa %s%s--help'.\n", command ? command : "",
            command ? " " : "");
    return HQ_EXIT_USAGE;
}

int cli_exit_code(hq_status status)
{
    switch (status) {
    case HQ_OK:
        return HQ_EXIT_OK;
    case HQ_EPARTIAL:
        return HQ_EXIT_PARTIAL;
    case HQ_EINVAL:
        return HQ_EXIT_USAGE;
    case HQ_ENOTFOUND:
        return HQ_EXIT_NOTFOUND;
    default:
        return HQ_EXIT_FAILURE;
    }
}

hq_status cli_open(const cli_ctx *ctx, hq_engine **engine)
{
    hq_error err;
    memset(&err, 0, sizeof err);
    hq_status rc = hq_open(ctx->data_dir, engine, &err);
    if (rc != HQ_OK)
        cli_error("cannot open the data folder", &err);
    return rc;
}

void cli_print_json(const json_t *value)
{
    json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
}

int cli_read(const cli_ctx *ctx, const char *what, cli_read_fn read, const void *arg,
             cli_print_fn text)
{
    hq_engine *e = NULL;
    hq_status rc = cli_open(ctx, &e);
    if (rc != HQ_OK)
        return cli_exit_code(rc);
    json_t *o = NULL;
    hq_error err;
    memset(&err, 0, sizeof err);
    rc = read(e, arg, &o, &err);
    if (rc != HQ_OK)
        cli_error(what, &err);
    else if (text)
        text(o);
    else
        cli_print_json(o);
    json_decref(o);
    hq_close(e);
    return cli_exit_code(rc);
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}
