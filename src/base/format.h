/* format.h - number formats shared by the human-readable writers (table, Markdown, compare, plots), and Markdown escaping. */
#ifndef TP_SRC_FORMAT_H
#define TP_SRC_FORMAT_H

#include <stddef.h>
#include <stdio.h>

/* Room for any of the strings below. */
#define TP__NUM_LEN 48

/* Each writes into buf (len bytes) and returns buf; "-" for an unknown
 * (non-finite) value. */

/* An integer with its thousands separated by spaces: "19 876". */
char *tp__fmt_grouped(char *buf, size_t len, long long v);
/* A rate or count: grouped integer from 100 up, three significant digits below. */
char *tp__fmt_num(char *buf, size_t len, double x);
/* Three significant digits without exponent for ordinary magnitudes: 42.6, 0.24, 1230. */
char *tp__fmt_sig3(char *buf, size_t len, double x);
/* A ratio: two decimals, or two significant digits below 0.1. */
char *tp__fmt_fraction(char *buf, size_t len, double x);
/* A duration in ns, auto-scaled to ns/us/ms/s with three significant digits. */
char *tp__fmt_duration(char *buf, size_t len, double ns);
/* A multiplier: up to two decimals, trailing zeros dropped: 0.5, 1, 1.25, 24. */
char *tp__fmt_mult(char *buf, size_t len, double m);
/* Bytes with a binary unit: "512 B", "1.5 KiB", "64 MiB". */
char *tp__fmt_bytes(char *buf, size_t len, double bytes);
/* An interval of two rates or counts, every report's one form: "[19 800, 19 950]"
 * (tp__fmt_num of each end). buf needs TP__INTERVAL_LEN bytes. */
#define TP__INTERVAL_LEN (2 * TP__NUM_LEN + 8)
char *tp__fmt_interval(char *buf, size_t len, double lo, double hi);

/* Writes s as Markdown text that cannot break a table cell or start
 * emphasis or code: '|', '\\', '*', '_' and '`' escaped with a backslash, a
 * newline written as a space. */
void tp__md_escape(FILE *f, const char *s);

/* The plural ending of a count: "" for 1, "s" otherwise ("1 thread", "2 threads"). */
const char *tp__plural(long long n);

/* Copies src into dst (size dst_len, may be 0), always terminated, truncated to fit. */
void tp__copy_string(char *dst, size_t dst_len, const char *src);

#endif
