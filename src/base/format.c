/* format.c - number formats shared by the human-readable writers (table, Markdown, compare, plots), and Markdown escaping. */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vec.h"
#include "format.h"

/* An integer with its thousands separated by spaces: "19 876". */
char *tp__fmt_grouped(char *buf, size_t len, long long v)
{
    char digits[32];
    int neg = v < 0;
    unsigned long long u = neg ? 0ull - (unsigned long long)v : (unsigned long long)v;
    int n = snprintf(digits, sizeof digits, "%llu", u);
    size_t o = 0;
    if (neg && o + 1 < len)
        buf[o++] = '-';
    for (int i = 0; i < n && o + 2 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ' ';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* A rate or count: grouped integer from 100 up, three significant digits
 * below; "-" when unknown. */
char *tp__fmt_num(char *buf, size_t len, double x)
{
    if (isfinite(x) && fabs(x) >= 99.95)
        return tp__fmt_grouped(buf, len, llround(x));
    return tp__fmt_sig3(buf, len, x);
}

/* Three significant digits without exponent for ordinary magnitudes: 42.6, 0.24, 1230. */
char *tp__fmt_sig3(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else if (fabs(x) >= 99.95)
        snprintf(buf, len, "%.0f", x);
    else if (fabs(x) >= 9.995)
        snprintf(buf, len, "%.1f", x);
    else if (fabs(x) >= 0.9995 || x == 0.0)
        snprintf(buf, len, "%.2f", x);
    else
        snprintf(buf, len, "%.3g", x);
    return buf;
}

/* A ratio such as a fraction of the pick: two decimals, or two significant
 * digits below 0.1. */
char *tp__fmt_fraction(char *buf, size_t len, double x)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else if (fabs(x) >= 0.1 || x == 0.0)
        snprintf(buf, len, "%.2f", x);
    else
        snprintf(buf, len, "%.2g", x);
    return buf;
}

/* A duration in ns, auto-scaled to ns/us/ms/s with three significant digits. */
char *tp__fmt_duration(char *buf, size_t len, double ns)
{
    static const struct {
        const char *unit;
        double div;
    } units[] = { { "ns", 1.0 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };
    if (!isfinite(ns) || ns < 0.0) {
        snprintf(buf, len, "-");
        return buf;
    }
    size_t u = 0;
    /* Move up while the value would print as 1000 or more in this unit. */
    while (u + 1 < TP__ARRAY_LEN(units) && ns / units[u].div >= 999.5)
        u++;
    char num[TP__NUM_LEN];
    double v = ns / units[u].div;
    if (u == 0)
        snprintf(num, sizeof num, "%.0f", v);
    else
        tp__fmt_sig3(num, sizeof num, v);
    snprintf(buf, len, "%s %s", num, units[u].unit);
    return buf;
}

/* A multiplier: up to two decimals, trailing zeros dropped: 0.5, 1, 1.25, 24. */
char *tp__fmt_mult(char *buf, size_t len, double m)
{
    if (!isfinite(m)) {
        snprintf(buf, len, "-");
        return buf;
    }
    snprintf(buf, len, "%.2f", m);
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    return buf;
}

/* Bytes with a binary unit: "512 B", "1.5 KiB", "64 MiB". */
char *tp__fmt_bytes(char *buf, size_t len, double b)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    size_t u = 0;
    while (b >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        b /= 1024;
        u++;
    }
    snprintf(buf, len, u == 0 ? "%.0f %s" : "%.4g %s", b, units[u]);
    return buf;
}

char *tp__fmt_interval(char *buf, size_t len, double lo, double hi)
{
    char a[TP__NUM_LEN], b[TP__NUM_LEN];
    snprintf(buf, len, "[%s, %s]", tp__fmt_num(a, sizeof a, lo), tp__fmt_num(b, sizeof b, hi));
    return buf;
}

void tp__md_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

const char *tp__plural(long long n) { return n == 1 ? "" : "s"; }

void tp__copy_string(char *dst, size_t dst_len, const char *src)
{
    if (dst_len == 0)
        return;
    snprintf(dst, dst_len, "%s", src);
}
