/* values.c - tune-pool's option values: parsers of durations, sizes, numbers and lists, and the usage-message helpers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

/* Length of the plain decimal number at the start of s: digits, an optional
 * fraction, an optional exponent. No sign, no hex, no inf/nan, no spaces.
 * 0 if s does not start with one. */
static size_t scan_number(const char *s, int allow_fraction)
{
    size_t i = 0, digits = 0;
    while (isdigit((unsigned char)s[i])) {
        i++;
        digits++;
    }
    if (allow_fraction && s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i])) {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return 0;
    if (allow_fraction && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (isdigit((unsigned char)s[j])) {
            while (isdigit((unsigned char)s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

static int number_prefix(const char *s, int allow_fraction, double *v, const char **rest)
{
    if (s == NULL)
        return -EINVAL;
    size_t len = scan_number(s, allow_fraction);
    if (len == 0)
        return -EINVAL;
    char buf[64];
    if (len >= sizeof(buf))
        return -ERANGE;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    double d = strtod(buf, NULL);
    if (errno == ERANGE || !isfinite(d))
        return -ERANGE;
    *v = d;
    *rest = s + len;
    return 0;
}

int tp_cli_parse_duration(const char *s, uint64_t max_ns, uint64_t *out_ns)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = { { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };
    double v;
    const char *rest;
    int rc = number_prefix(s, 1, &v, &rest);
    if (rc < 0)
        return rc;
    double scale = -1;
    if (*rest == '\0' && v == 0)
        scale = 1;
    for (size_t i = 0; scale < 0 && i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(rest, units[i].unit) == 0)
            scale = units[i].ns;
    if (scale < 0)
        return -EINVAL;
    double ns = round(v * scale);
    if (ns > (double)max_ns)
        return -ERANGE;
    *out_ns = (uint64_t)ns;
    return 0;
}

int tp_cli_parse_size(const char *s, uint64_t max, uint64_t *out)
{
    static const struct {
        const char *suffix;
        uint64_t mult;
    } units[] = { { "", 1 },         { "B", 1 },          { "K", 1u << 10 }, { "KiB", 1u << 10 },
                  { "M", 1u << 20 }, { "MiB", 1u << 20 }, { "G", 1u << 30 }, { "GiB", 1u << 30 } };
    double v;
    const char *rest;
    int rc = number_prefix(s, 0, &v, &rest);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(rest, units[i].suffix) == 0) {
            double b = v * (double)units[i].mult;
            if (b > (double)max)
                return -ERANGE;
            *out = (uint64_t)b;
            return 0;
        }
    }
    return -EINVAL;
}

int tp_cli_parse_long(const char *s, long min, long max, long *out)
{
    if (s == NULL || *s == '\0')
        return -EINVAL;
    const char *p = s;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end != '\0')
        return -EINVAL;
    if (errno == ERANGE || v < min || v > max)
        return -ERANGE;
    *out = v;
    return 0;
}

int tp_cli_parse_double(const char *s, double lo, double hi, int open, double *out)
{
    double v;
    const char *rest;
    int rc = number_prefix(s, 1, &v, &rest);
    if (rc < 0)
        return rc;
    if (*rest != '\0')
        return -EINVAL;
    if (open ? !(v > lo && v < hi) : !(v >= lo && v <= hi))
        return -ERANGE;
    *out = v;
    return 0;
}

int tp_cli_parse_fraction(const char *s, int allow_zero, double *out)
{
    char buf[64];
    size_t len = strlen(s);
    int percent = len > 1 && len < sizeof(buf) && s[len - 1] == '%';
    snprintf(buf, sizeof(buf), "%.*s", percent ? (int)len - 1 : (int)len, s);
    double v;
    int rc = allow_zero ? tp_cli_parse_double(buf, 0, percent ? 50 : 0.5, 0, &v)
                        : tp_cli_parse_double(buf, 0, percent ? 100 : 1, 1, &v);
    if (rc < 0)
        return rc;
    if (allow_zero && v == (percent ? 50 : 0.5))
        return -ERANGE;
    *out = percent ? v / 100 : v;
    return 0;
}

int tp_cli_parse_list(const char *s, size_t max_n, double **out, size_t *n)
{
    if (s == NULL || *s == '\0')
        return -EINVAL;
    double *v = malloc(max_n * sizeof(*v));
    if (v == NULL)
        return -ENOMEM;
    size_t k = 0;
    const char *p = s;
    int rc = 0;
    for (;;) {
        const char *rest;
        double d;
        if (k == max_n) {
            rc = -ERANGE;
            goto fail;
        }
        rc = number_prefix(p, 1, &d, &rest);
        if (rc < 0)
            goto fail;
        if (*rest != ',' && *rest != '\0') {
            rc = -EINVAL;
            goto fail;
        }
        if (!(d > 0)) {
            rc = -ERANGE;
            goto fail;
        }
        for (size_t i = 0; i < k; i++) {
            if (v[i] == d) {
                rc = -EINVAL;
                goto fail;
            }
        }
        v[k++] = d;
        if (*rest == '\0')
            break;
        p = rest + 1;
    }
    *out = v;
    *n = k;
    return 0;
fail:
    free(v);
    return rc;
}

/* Longest element of a list of durations. */
#define MAX_DURATION_LEN 64

int tp_cli_parse_durations(const char *s, size_t max_n, uint64_t max_ns, uint64_t **out, size_t *n)
{
    uint64_t *v = malloc((max_n ? max_n : 1) * sizeof *v);
    if (v == NULL)
        return -ENOMEM;
    size_t k = 0;
    const char *p = s;
    int rc = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char buf[MAX_DURATION_LEN];
        if (len == 0 || len >= sizeof buf || k == max_n) {
            rc = len >= sizeof buf || k == max_n ? -ERANGE : -EINVAL;
            goto fail;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        if ((rc = tp_cli_parse_duration(buf, max_ns, &v[k])) < 0)
            goto fail;
        if (v[k] == 0) {
            rc = -ERANGE;
            goto fail;
        }
        k++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    *out = v;
    *n = k;
    return 0;
fail:
    free(v);
    return rc;
}

/* ---- usage messages ---- */

int tp_cli_bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

const char *tp_cli_why(int rc) { return rc == -ERANGE ? "out of range" : "malformed"; }
