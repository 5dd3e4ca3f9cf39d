/* msg.h - every message of the tune-pool command goes through here, with its "tune-pool: " prefix. */
#ifndef TP_CLI_MSG_H
#define TP_CLI_MSG_H

#define TP_CLI_NAME "tune-pool"

/* Exit codes (documented in --help and the README). */
enum tp_cli_exit {
    TP_EXIT_OK = 0,
    TP_EXIT_RUNTIME = 1,
    TP_EXIT_USAGE = 2,
    TP_EXIT_INTERRUPTED = 130,
};

/* "tune-pool: <message>" on stderr. */
void tp_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "tune-pool: warning: <message>" on stderr. */
void tp_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: the message, then "Try 'tune-pool --help' for more information." */
void tp_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The plural ending of a count's noun: "" for 1, "s" otherwise, as in
 * printf("%d thread%s", n, tp_cli_plural(n)). */
const char *tp_cli_plural(long long n);

#endif
