/* pg_query.c - the pg workload's statements: the --query list or @FILE split into statements, {task} bound as $1. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "pg_query.h"

/* The largest query file read. */
#define QUERY_FILE_MAX (1u << 20)

enum span { SPAN_NONE, SPAN_LITERAL, SPAN_COMMENT, SPAN_OPEN };

/* The length of a dollar-quote tag ($$ or $name$) at s[i], or 0. A $1
 * parameter is no tag: a tag does not start with a digit. */
static size_t dollar_tag(const char *s, size_t i, size_t n)
{
    if (s[i] != '$' || (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')))
        return 0;
    size_t j = i + 1;
    if (j < n && isdigit((unsigned char)s[j]))
        return 0;
    while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'))
        j++;
    return j < n && s[j] == '$' ? j + 1 - i : 0;
}

/* What starts at s[i]: a quoted literal or identifier ('...', "...",
 * $tag$...$tag$), a comment (-- to the end of the line, slash-star to
 * star-slash), or plain code (SPAN_NONE). *end is where it ends;
 * SPAN_OPEN: it never ends. */
static enum span span_at(const char *s, size_t i, size_t n, size_t *end)
{
    if (s[i] == '\'' || s[i] == '"') {
        const char *close = memchr(s + i + 1, s[i], n - i - 1);
        /* '' inside a literal is two literals back to back: the same span. */
        *end = close != NULL ? (size_t)(close - s) + 1 : n;
        return close != NULL ? SPAN_LITERAL : SPAN_OPEN;
    }
    if (s[i] == '-' && i + 1 < n && s[i + 1] == '-') {
        const char *nl = memchr(s + i, '\n', n - i);
        *end = nl != NULL ? (size_t)(nl - s) : n; /* the newline itself stays code */
        return SPAN_COMMENT;
    }
    if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
        const char *close = memmem(s + i + 2, n - i - 2, "*/", 2);
        *end = close != NULL ? (size_t)(close - s) + 2 : n;
        return close != NULL ? SPAN_COMMENT : SPAN_OPEN;
    }
    size_t tag = dollar_tag(s, i, n);
    if (tag > 0) {
        const char *close = memmem(s + i + tag, n - i - tag, s + i, tag);
        *end = close != NULL ? (size_t)(close - s) + tag : n;
        return close != NULL ? SPAN_LITERAL : SPAN_OPEN;
    }
    *end = i + 1;
    return SPAN_NONE;
}

/* The statement in buf[0..*len), trimmed, to emit unless blank. */
static int flush(char *buf, size_t *len, int (*emit)(void *, const char *, size_t), void *ctx)
{
    size_t a = 0, b = *len;
    while (a < b && isspace((unsigned char)buf[a]))
        a++;
    while (b > a && isspace((unsigned char)buf[b - 1]))
        b--;
    *len = 0;
    return b > a ? emit(ctx, buf + a, b - a) : 0;
}

/* Whether text has a ';' in its code (outside quotes and comments). */
static int has_semicolon(const char *s, size_t n)
{
    for (size_t i = 0, end; i < n; i = end)
        if (span_at(s, i, n, &end) == SPAN_NONE && s[i] == ';')
            return 1;
    return 0;
}

int tp__pg_split(const char *text, size_t len, int (*emit)(void *ctx, const char *stmt, size_t n), void *ctx, char *err,
                 size_t errlen)
{
    char sep = has_semicolon(text, len) ? ';' : '\n';
    char *buf = malloc(len + 1);
    if (buf == NULL)
        return -ENOMEM;
    size_t o = 0;
    int rc = 0;
    for (size_t i = 0, end; i < len && rc == 0; i = end) {
        enum span sp = span_at(text, i, len, &end);
        if (sp == SPAN_OPEN) {
            snprintf(err, errlen, "--query: an unterminated %s in the query file",
                     text[i] == '/' ? "comment" : "quote");
            rc = -EINVAL;
        } else if (sp == SPAN_COMMENT) {
            buf[o++] = ' ';
        } else if (sp == SPAN_NONE && text[i] == sep) {
            rc = flush(buf, &o, emit, ctx);
        } else {
            memcpy(buf + o, text + i, end - i);
            o += end - i;
        }
    }
    if (rc == 0)
        rc = flush(buf, &o, emit, ctx);
    free(buf);
    return rc;
}

int tp__pg_bind_task(const char *stmt, size_t n, char *out, size_t outlen, int *n_params, char *err, size_t errlen)
{
    const size_t tl = strlen(TP__PG_TASK);
    size_t o = 0;
    *n_params = 0;
    for (size_t i = 0, end; i < n; i = end) {
        enum span sp = span_at(stmt, i, n, &end);
        const char *piece = stmt + i;
        size_t len = end - i;
        if (sp == SPAN_NONE && n - i >= tl && memcmp(stmt + i, TP__PG_TASK, tl) == 0) {
            piece = "$1";
            len = 2;
            end = i + tl;
            *n_params = 1;
        } else if (sp != SPAN_NONE && memmem(piece, len, TP__PG_TASK, tl) != NULL) {
            snprintf(err, errlen,
                     "--query: " TP__PG_TASK " inside a quoted literal or identifier: it is bound as the "
                     "parameter $1, so write it outside the quotes (e.g. 'row ' || " TP__PG_TASK ")");
            return -EINVAL;
        }
        if (o + len >= outlen)
            return -ENAMETOOLONG;
        memcpy(out + o, piece, len);
        o += len;
    }
    out[o] = '\0';
    return 0;
}

void tp__pg_queries_free(struct tp__pg_queries *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->q[i].sql);
    q->n = 0;
}

struct add_ctx {
    struct tp__pg_queries *q;
    char *err;
    size_t errlen;
    int rc;
};

/* Binds one statement and adds it to the mix. */
static int add_statement(void *ctx, const char *stmt, size_t n)
{
    struct add_ctx *a = ctx;
    if (a->q->n >= TP_PG_MAX_QUERIES) {
        snprintf(a->err, a->errlen, "--query: more than %d statements", TP_PG_MAX_QUERIES);
        return a->rc = -E2BIG;
    }
    size_t cap = n + 1;
    char *sql = malloc(cap); /* "$1" is shorter than "{task}" */
    if (sql == NULL)
        return a->rc = -ENOMEM;
    int np;
    int rc = tp__pg_bind_task(stmt, n, sql, cap, &np, a->err, a->errlen);
    if (rc < 0) {
        free(sql);
        return a->rc = rc;
    }
    a->q->q[a->q->n].sql = sql;
    a->q->q[a->q->n++].n_params = np;
    return 0;
}

/* The statements of the file at path. */
static int load_file(const char *path, struct add_ctx *a)
{
    char *text = malloc(QUERY_FILE_MAX + 1);
    if (text == NULL)
        return -ENOMEM;
    int rc = tp__read_small_file(path, text, QUERY_FILE_MAX + 1);
    size_t len = rc == 0 ? strlen(text) : 0;
    if (rc < 0)
        snprintf(a->err, a->errlen, "--query=@%s: cannot read the file: %s", path, strerror(-rc));
    else if (len >= QUERY_FILE_MAX)
        snprintf(a->err, a->errlen, "--query=@%s: larger than %u bytes", path, QUERY_FILE_MAX), rc = -EFBIG;
    else if ((rc = tp__pg_split(text, len, add_statement, a, a->err, a->errlen)) == 0 && a->q->n == 0)
        snprintf(a->err, a->errlen, "--query=@%s: no statement in the file", path), rc = -EINVAL;
    free(text);
    return rc;
}

size_t tp__pg_query_values(const struct tp_workload_params *p)
{
    size_t n = 0;
    for (size_t o = 0; o < sizeof p->pg_queries && p->pg_queries[o] != '\0'; n++)
        o += strnlen(p->pg_queries + o, sizeof p->pg_queries - o) + 1;
    return n;
}

const char *tp__pg_query_value(const struct tp_workload_params *p, size_t i)
{
    size_t o = 0;
    for (size_t k = 0; o < sizeof p->pg_queries && p->pg_queries[o] != '\0'; k++) {
        if (k == i)
            return p->pg_queries + o;
        o += strnlen(p->pg_queries + o, sizeof p->pg_queries - o) + 1;
    }
    return NULL;
}

int tp__pg_queries_load(const struct tp_workload_params *p, struct tp__pg_queries *out, char *err, size_t errlen)
{
    struct add_ctx a = { out, err, errlen, 0 };
    size_t nv = tp__pg_query_values(p);
    int rc = 0;
    out->n = 0;
    if (nv == 0) {
        snprintf(err, errlen, "--workload=pg: needs --query=SQL (or --query=@FILE)");
        return -EINVAL;
    }
    const char *first = tp__pg_query_value(p, 0);
    if (nv == 1 && first[0] == '@') {
        rc = load_file(first + 1, &a);
    } else {
        for (size_t i = 0; i < nv && rc == 0; i++) {
            const char *v = tp__pg_query_value(p, i);
            if (v[0] == '@') {
                snprintf(err, errlen, "--query=%s: a query file is the only --query", v);
                rc = -EINVAL;
            } else if ((rc = add_statement(&a, v, strlen(v))) == 0 && strspn(v, " \t\r\n;") == strlen(v)) {
                snprintf(err, errlen, "--query: a blank statement");
                rc = -EINVAL;
            }
        }
    }
    if (rc == 0 && a.rc < 0)
        rc = a.rc;
    if (rc < 0)
        tp__pg_queries_free(out);
    return rc;
}
