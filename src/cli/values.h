/* values.h - tune-pool's option values: parsers of durations, sizes, numbers and lists, and the usage-message helpers. */
#ifndef TP_CLI_VALUES_H
#define TP_CLI_VALUES_H

#include <stddef.h>
#include <stdint.h>

/* Every parser returns 0, or -EINVAL (malformed), -ERANGE (outside the
 * accepted range or overflowing); *out is untouched on failure. */

/* A duration: a number and a unit: ns, us (or µs), ms, s; "0" alone is
 * accepted. Up to max_ns. */
int tp_cli_parse_duration(const char *s, uint64_t max_ns, uint64_t *out_ns);

/* A size in bytes: a whole number with an optional suffix K, M, G (also
 * KiB, MiB, GiB; powers of 1024) or B. Up to max. */
int tp_cli_parse_size(const char *s, uint64_t max, uint64_t *out);

/* A whole number in [min, max]. */
int tp_cli_parse_long(const char *s, long min, long max, long *out);

/* A finite number in (lo, hi) exclusive when open, [lo, hi] otherwise. */
int tp_cli_parse_double(const char *s, double lo, double hi, int open, double *out);

/* A fraction given as 0.02 or 2%: in (0, 1), or with allow_zero in [0, 0.5). */
int tp_cli_parse_fraction(const char *s, int allow_zero, double *out);

/* A comma-separated list of distinct finite numbers > 0 (at most max_n).
 * *out is malloc'd; the caller frees it. -EINVAL also for an empty list,
 * an empty element or a duplicate; -ENOMEM when it cannot be stored. */
int tp_cli_parse_list(const char *s, size_t max_n, double **out, size_t *n);

/* A comma-separated list of durations > 0, each up to max_ns and shorter
 * than 64 characters, at most max_n of them. *out is malloc'd; the caller
 * frees it. -EINVAL also for an empty element; -ERANGE for a 0, too long an
 * element or too many; -ENOMEM when it cannot be stored. */
int tp_cli_parse_durations(const char *s, size_t max_n, uint64_t max_ns, uint64_t **out, size_t *n);

/* Writes a usage message (printf-style) into err; returns -EINVAL. */
int tp_cli_bad(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "out of range" for -ERANGE, "malformed" otherwise: a parser's failure in words. */
const char *tp_cli_why(int rc);

#endif
