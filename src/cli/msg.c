/* msg.c - every message of the tune-pool command goes through here, with its "tune-pool: " prefix. */
#include <stdarg.h>
#include <stdio.h>

#include "msg.h"

static void vmsg(const char *tag, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "%s: %s", TP_CLI_NAME, tag);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void tp_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
}

void tp_cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning: ", fmt, ap);
    va_end(ap);
}

void tp_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information.\n", TP_CLI_NAME);
}

const char *tp_cli_plural(long long n) { return n == 1 ? "" : "s"; }
