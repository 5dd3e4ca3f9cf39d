/* program_cmd.c - the user's command as text: placeholders, shell quoting, the word splitter, the metric, the environment. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program_cmd.h"
#include "vec.h"

/* ---- a growing string ---- */

struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void put_n(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (tp__vec_reserve((void **)&b->p, &b->cap, b->len + n + 1, 1) < 0) {
        b->oom = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_c(struct sbuf *b, char c) { put_n(b, &c, 1); }
static void put_s(struct sbuf *b, const char *s) { put_n(b, s, strlen(s)); }

/* The var whose "{name}" starts at s: its index, and its length in *len; -1 if none. */
static int match_var(const char *s, const struct tp__cmd_var *vars, size_t n_vars, size_t *len)
{
    if (s[0] != '{')
        return -1;
    for (size_t i = 0; i < n_vars; i++) {
        size_t nl = strlen(vars[i].name);
        if (strncmp(s + 1, vars[i].name, nl) == 0 && s[1 + nl] == '}') {
            *len = nl + 2;
            return (int)i;
        }
    }
    return -1;
}

void tp__cmd_point_vars(struct tp__cmd_point_vars *pv, int threads, double multiplier)
{
    snprintf(pv->threads, sizeof pv->threads, "%d", threads);
    snprintf(pv->m, sizeof pv->m, "%g", multiplier);
    pv->vars[0] = (struct tp__cmd_var){ "threads", pv->threads };
    pv->vars[1] = (struct tp__cmd_var){ "m", pv->m };
}

/* ---- shell substitution ---- */

enum quote { Q_NONE, Q_SINGLE, Q_DOUBLE };

/* A value that means itself as a bare shell word. */
static int bare_safe(const char *v)
{
    if (*v == '\0')
        return 0;
    for (; *v != '\0'; v++)
        if (!isalnum((unsigned char)*v) && strchr("_.,+-:/=%@", *v) == NULL)
            return 0;
    return 1;
}

static void put_quoted(struct sbuf *b, const char *v, enum quote q)
{
    if (q == Q_NONE && bare_safe(v)) {
        put_s(b, v);
        return;
    }
    if (q == Q_NONE)
        put_c(b, '\'');
    for (; *v != '\0'; v++) {
        if (q != Q_DOUBLE && *v == '\'')
            put_s(b, "'\\''"); /* close, an escaped quote, reopen */
        else if (q == Q_DOUBLE && strchr("$`\"\\", *v) != NULL) {
            put_c(b, '\\');
            put_c(b, *v);
        } else
            put_c(b, *v);
    }
    if (q == Q_NONE)
        put_c(b, '\'');
}

/* Shell quote state after character c (at s) in state q; *skip = characters
 * consumed as an escape pair (the caller copies them), else 0. */
static enum quote shell_step(enum quote q, const char *s, size_t *skip)
{
    *skip = 0;
    if (q != Q_SINGLE && s[0] == '\\' && s[1] != '\0') {
        *skip = 2;
        return q;
    }
    if (q == Q_NONE && s[0] == '\'')
        return Q_SINGLE;
    if (q == Q_SINGLE && s[0] == '\'')
        return Q_NONE;
    if (q == Q_NONE && s[0] == '"')
        return Q_DOUBLE;
    if (q == Q_DOUBLE && s[0] == '"')
        return Q_NONE;
    return q;
}

int tp__cmd_subst_shell(const char *tmpl, const struct tp__cmd_var *vars, size_t n_vars, char **out, unsigned *found)
{
    struct sbuf b = { 0 };
    enum quote q = Q_NONE;
    unsigned seen = 0;
    put_s(&b, "");
    for (size_t i = 0; tmpl[i] != '\0';) {
        size_t len, skip;
        int k = match_var(tmpl + i, vars, n_vars, &len);
        if (k >= 0) {
            put_quoted(&b, vars[k].value, q);
            seen |= 1u << k;
            i += len;
            continue;
        }
        q = shell_step(q, tmpl + i, &skip);
        size_t n = skip > 0 ? skip : 1;
        put_n(&b, tmpl + i, n);
        i += n;
    }
    if (b.oom) {
        free(b.p);
        *out = NULL;
        return -ENOMEM;
    }
    if (found != NULL)
        *found = seen;
    *out = b.p;
    return 0;
}

/* ---- the splitter ---- */

struct words {
    char **v;
    size_t n, cap;
    int oom;
};

static void push_word(struct words *w, struct sbuf *cur)
{
    if (w->oom || cur->oom || tp__vec_reserve((void **)&w->v, &w->cap, w->n + 2, sizeof(char *)) < 0) {
        w->oom = 1;
        free(cur->p);
    } else {
        w->v[w->n++] = cur->p != NULL ? cur->p : strdup("");
        w->v[w->n] = NULL;
        if (w->v[w->n - 1] == NULL)
            w->oom = 1;
    }
    memset(cur, 0, sizeof *cur);
}

void tp__cmd_argv_free(char **argv)
{
    if (argv == NULL)
        return;
    for (char **a = argv; *a != NULL; a++)
        free(*a);
    free(argv);
}

/* One step of the splitter at s in state *q; appends to cur. Returns the
 * characters consumed, 0 at a word break (a blank outside quotes, consumed
 * by the caller), or -1 for a trailing backslash. */
static long split_step(const char *s, enum quote *q, struct sbuf *cur, int *in_word)
{
    if (*q == Q_NONE) {
        if (s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
            return 0;
        *in_word = 1;
        if (s[0] == '\\') {
            if (s[1] == '\0')
                return -1;
            if (s[1] != '\n')
                put_c(cur, s[1]);
            else if (cur->len == 0 && cur->p == NULL)
                *in_word = 0; /* a continuation line between words starts none */
            return 2;
        }
        if (s[0] == '\'' || s[0] == '"') {
            *q = s[0] == '\'' ? Q_SINGLE : Q_DOUBLE;
            put_s(cur, ""); /* "" is a word, if empty */
            return 1;
        }
    } else if (*q == Q_SINGLE && s[0] == '\'') {
        *q = Q_NONE;
        return 1;
    } else if (*q == Q_DOUBLE) {
        if (s[0] == '"') {
            *q = Q_NONE;
            return 1;
        }
        if (s[0] == '\\' && s[1] != '\0' && strchr("\"\\$`\n", s[1]) != NULL) {
            if (s[1] != '\n')
                put_c(cur, s[1]);
            return 2;
        }
    }
    put_c(cur, s[0]);
    return 1;
}

static int split_fail(struct words *w, struct sbuf *cur, int rc, char *why, size_t why_len, const char *msg)
{
    free(cur->p);
    tp__cmd_argv_free(w->v);
    if (why != NULL && msg != NULL)
        snprintf(why, why_len, "%s", msg);
    return rc;
}

int tp__cmd_split(const char *cmd, const struct tp__cmd_var *vars, size_t n_vars, char ***argv, unsigned *found,
                  char *why, size_t why_len)
{
    struct words w = { 0 };
    struct sbuf cur = { 0 };
    enum quote q = Q_NONE;
    int in_word = 0;
    unsigned seen = 0;
    *argv = NULL;
    for (size_t i = 0; cmd[i] != '\0';) {
        size_t len;
        int k = match_var(cmd + i, vars, n_vars, &len);
        if (k >= 0) {
            put_s(&cur, vars[k].value);
            in_word = 1;
            seen |= 1u << k;
            i += len;
            continue;
        }
        long n = split_step(cmd + i, &q, &cur, &in_word);
        if (n < 0)
            return split_fail(&w, &cur, -EINVAL, why, why_len, "the command ends in a backslash");
        if (n == 0) {
            if (in_word)
                push_word(&w, &cur);
            in_word = 0;
            n = 1;
        }
        i += (size_t)n;
    }
    if (q != Q_NONE)
        return split_fail(&w, &cur, -EINVAL, why, why_len,
                          q == Q_SINGLE ? "the command has an unterminated ' quote"
                                        : "the command has an unterminated \" quote");
    if (in_word)
        push_word(&w, &cur);
    else
        free(cur.p);
    if (w.oom)
        return split_fail(&w, &(struct sbuf){ 0 }, -ENOMEM, why, why_len, "out of memory");
    if (w.n == 0)
        return split_fail(&w, &(struct sbuf){ 0 }, -EINVAL, why, why_len, "the command is empty");
    if (found != NULL)
        *found = seen;
    *argv = w.v;
    return 0;
}

unsigned tp__cmd_placeholders(const char *cmd, int no_shell)
{
    struct tp__cmd_point_vars pv;
    tp__cmd_point_vars(&pv, 1, 1.0);
    unsigned found = 0;
    if (no_shell) {
        char **argv;
        if (tp__cmd_split(cmd, pv.vars, 2, &argv, &found, NULL, 0) < 0)
            return 0;
        tp__cmd_argv_free(argv);
    } else {
        char *s;
        if (tp__cmd_subst_shell(cmd, pv.vars, 2, &s, &found) < 0)
            return 0;
        free(s);
    }
    return found;
}

/* ---- the metric ---- */

int tp__metric_compile(regex_t *re, const char *pattern, char *why, size_t why_len)
{
    int rc = regcomp(re, pattern, REG_EXTENDED | REG_NEWLINE);
    if (rc != 0) {
        char msg[160];
        regerror(rc, re, msg, sizeof msg);
        snprintf(why, why_len, "--metric '%s' is not a POSIX extended regex: %s", pattern, msg);
        return -EINVAL;
    }
    if (re->re_nsub < 1) {
        regfree(re);
        snprintf(why, why_len, "--metric '%s' has no capture group: put the number in ( )", pattern);
        return -EINVAL;
    }
    return 0;
}

/* Parses s[0..n) as a finite number with nothing else but blanks. */
static int parse_number(const char *s, size_t n, double *out)
{
    char tmp[64];
    if (n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end == tmp || errno == ERANGE || !isfinite(v))
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

int tp__metric_find(const regex_t *re, const char *text, double *value, char *why, size_t why_len)
{
    regmatch_t m[2], last[2];
    int have = 0;
    const char *p = text, *last_at = NULL, *end = text + strlen(text);
    while (p <= end && regexec(re, p, 2, m, p > text && p[-1] != '\n' ? REG_NOTBOL : 0) == 0) {
        have = 1;
        memcpy(last, m, sizeof last);
        last_at = p;
        p += m[0].rm_eo > m[0].rm_so ? m[0].rm_eo : m[0].rm_so + 1;
    }
    if (!have) {
        snprintf(why, why_len, "the metric pattern matched nothing in the program's output");
        return TP_ENOMETRIC;
    }
    if (last[1].rm_so < 0) {
        snprintf(why, why_len, "the metric's capture group took no part in the last match");
        return TP_ENOMETRIC;
    }
    const char *g = last_at + last[1].rm_so;
    size_t n = (size_t)(last[1].rm_eo - last[1].rm_so);
    while (n > 0 && (*g == ' ' || *g == '\t')) {
        g++;
        n--;
    }
    if (parse_number(g, n, value) < 0) {
        snprintf(why, why_len, "the metric '%.*s' is not a number", (int)(n > 40 ? 40 : n), g);
        return TP_ENOMETRIC;
    }
    return 0;
}

/* ---- the environment ---- */

int tp__env_name_ok(const char *name)
{
    if (name == NULL || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return 0;
    for (const char *c = name; *c != '\0'; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            return 0;
    return 1;
}

static int is_named(const char *entry, const char *const *names, int n_names)
{
    for (int i = 0; i < n_names; i++) {
        size_t nl = strlen(names[i]);
        if (strncmp(entry, names[i], nl) == 0 && entry[nl] == '=')
            return 1;
    }
    return 0;
}

char **tp__env_build(char *const *base, const char *const *names, int n_names, const char *value)
{
    size_t n_base = 0;
    while (base != NULL && base[n_base] != NULL)
        n_base++;
    char **envp = calloc(n_base + (size_t)n_names + 1, sizeof *envp);
    if (envp == NULL)
        return NULL;
    for (int i = 0; i < n_names; i++) {
        size_t len = strlen(names[i]) + strlen(value) + 2;
        envp[i] = malloc(len);
        if (envp[i] == NULL) {
            tp__env_free(envp, i);
            return NULL;
        }
        snprintf(envp[i], len, "%s=%s", names[i], value);
    }
    size_t k = (size_t)n_names;
    for (size_t i = 0; i < n_base; i++)
        if (!is_named(base[i], names, n_names))
            envp[k++] = base[i];
    envp[k] = NULL;
    return envp;
}

void tp__env_free(char **envp, int n_names)
{
    if (envp == NULL)
        return;
    for (int i = 0; i < n_names; i++)
        free(envp[i]);
    free(envp);
}

/* ---- build tools ---- */

int tp_program_build_like(const char *command)
{
    static const char *const tools[] = { "make", "gmake", "bmake", "ninja", "samu" };
    char **argv;
    if (command == NULL || tp__cmd_split(command, NULL, 0, &argv, NULL, NULL, 0) < 0)
        return 0;
    size_t a = 0;
    while (argv[a] != NULL && strchr(argv[a], '=') != NULL && argv[a][0] != '=')
        a++; /* VAR=value words before the program (sh -c 'CC=gcc make') */
    int like = 0;
    if (argv[a] != NULL) {
        const char *base = strrchr(argv[a], '/') != NULL ? strrchr(argv[a], '/') + 1 : argv[a];
        for (size_t i = 0; i < TP__ARRAY_LEN(tools); i++)
            like |= strcmp(base, tools[i]) == 0;
        if (strcmp(base, "cmake") == 0)
            for (size_t k = a + 1; argv[k] != NULL; k++)
                like |= strcmp(argv[k], "--build") == 0;
    }
    tp__cmd_argv_free(argv);
    return like;
}
