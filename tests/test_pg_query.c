/* test_pg_query.c - the pg workload's statements: query files split into statements, {task} bound as $1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "pg_query.h"

struct got {
    char stmt[8][128];
    int n;
};

static int collect(void *ctx, const char *s, size_t n)
{
    struct got *g = ctx;
    cr_assert_lt(g->n, 8);
    snprintf(g->stmt[g->n++], sizeof g->stmt[0], "%.*s", (int)n, s);
    return 0;
}

static int split(const char *text, struct got *g, char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    return tp__pg_split(text, strlen(text), collect, g, err, errlen);
}

Test(pg_query, split_at_semicolons)
{
    struct got g;
    char err[256] = "";
    cr_assert_eq(split("SELECT 1;\n  SELECT 2 ;;\nUPDATE t SET a = 1\n  WHERE b = 2;", &g, err, sizeof err), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.stmt[0], "SELECT 1");
    cr_assert_str_eq(g.stmt[1], "SELECT 2");
    cr_assert_str_eq(g.stmt[2], "UPDATE t SET a = 1\n  WHERE b = 2");
}

Test(pg_query, split_per_line_without_semicolons)
{
    struct got g;
    char err[256] = "";
    cr_assert_eq(split("SELECT 1\n\n-- a comment line\nSELECT pg_sleep(0.002)  \n", &g, err, sizeof err), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.stmt[0], "SELECT 1");
    cr_assert_str_eq(g.stmt[1], "SELECT pg_sleep(0.002)");
}

Test(pg_query, semicolons_in_quotes_comments_and_dollar_quotes_do_not_split)
{
    struct got g;
    char err[256] = "";
    cr_assert_eq(split("SELECT 'a;b', \"c;d\" /* e; f */ -- g;\n;\nSELECT $x$ ; $x$, $$;$$;", &g, err, sizeof err), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.stmt[0], "SELECT 'a;b', \"c;d\"");
    cr_assert_str_eq(g.stmt[1], "SELECT $x$ ; $x$, $$;$$");
}

Test(pg_query, split_refuses_an_unterminated_quote)
{
    struct got g;
    char err[256] = "";
    cr_assert_eq(split("SELECT 'oops;\nSELECT 2;", &g, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "unterminated quote") != NULL, "%s", err);
    cr_assert_eq(split("SELECT 1 /* never closed", &g, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "unterminated comment") != NULL, "%s", err);
}

Test(pg_query, task_becomes_parameter_one)
{
    char out[128], err[256] = "";
    int np = -1;
    const char *s = "UPDATE t SET n = n + 1 WHERE id = {task} % 100 OR id = {task}";
    cr_assert_eq(tp__pg_bind_task(s, strlen(s), out, sizeof out, &np, err, sizeof err), 0);
    cr_assert_str_eq(out, "UPDATE t SET n = n + 1 WHERE id = $1 % 100 OR id = $1");
    cr_assert_eq(np, 1);
}

Test(pg_query, no_task_no_parameter)
{
    char out[128], err[256] = "";
    int np = -1;
    const char *s = "SELECT $$ {not} $$, '{task' || 'x}'";
    cr_assert_eq(tp__pg_bind_task(s, strlen(s), out, sizeof out, &np, err, sizeof err), 0);
    cr_assert_str_eq(out, s);
    cr_assert_eq(np, 0);
}

Test(pg_query, task_inside_a_literal_is_refused)
{
    char out[128], err[256] = "";
    int np;
    const char *s = "SELECT * FROM t WHERE name = 'user{task}'";
    cr_assert_eq(tp__pg_bind_task(s, strlen(s), out, sizeof out, &np, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "inside a quoted literal") != NULL, "%s", err);
}

Test(pg_query, bind_reports_a_short_buffer)
{
    char out[8], err[256] = "";
    int np;
    const char *s = "SELECT 123456789";
    cr_assert_eq(tp__pg_bind_task(s, strlen(s), out, sizeof out, &np, err, sizeof err), -ENAMETOOLONG);
}

/* A repeatable option's field: values NUL-ended, the list ended by an empty one. */
static void set_queries(struct tp_workload_params *p, const char *const *v, int n)
{
    memset(p, 0, sizeof *p);
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        memcpy(p->pg_queries + o, v[i], strlen(v[i]) + 1);
        o += strlen(v[i]) + 1;
    }
}

Test(pg_query, load_the_repeated_values_in_order)
{
    struct tp_workload_params p;
    const char *v[] = { "SELECT 1", "SELECT {task}::int + 1" };
    set_queries(&p, v, 2);
    cr_assert_eq(tp__pg_query_values(&p), 2);
    cr_assert_str_eq(tp__pg_query_value(&p, 1), "SELECT {task}::int + 1");
    cr_assert_null(tp__pg_query_value(&p, 2));
    struct tp__pg_queries q;
    char err[256] = "";
    cr_assert_eq(tp__pg_queries_load(&p, &q, err, sizeof err), 0, "%s", err);
    cr_assert_eq(q.n, 2);
    cr_assert_str_eq(q.q[0].sql, "SELECT 1");
    cr_assert_eq(q.q[0].n_params, 0);
    cr_assert_str_eq(q.q[1].sql, "SELECT $1::int + 1");
    cr_assert_eq(q.q[1].n_params, 1);
    tp__pg_queries_free(&q);
}

Test(pg_query, load_a_file)
{
    char path[] = "/tmp/tp-pg-query.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char *text = "-- the mix\nSELECT 1;\nSELECT * FROM t WHERE id = {task};\n";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char arg[64];
    snprintf(arg, sizeof arg, "@%s", path);
    const char *v[] = { arg };
    struct tp_workload_params p;
    set_queries(&p, v, 1);
    struct tp__pg_queries q;
    char err[256] = "";
    cr_assert_eq(tp__pg_queries_load(&p, &q, err, sizeof err), 0, "%s", err);
    cr_assert_eq(q.n, 2);
    cr_assert_str_eq(q.q[1].sql, "SELECT * FROM t WHERE id = $1");
    tp__pg_queries_free(&q);
    unlink(path);
}

Test(pg_query, load_errors_name_the_option)
{
    struct tp_workload_params p;
    struct tp__pg_queries q;
    char err[256] = "";
    set_queries(&p, NULL, 0);
    cr_assert_eq(tp__pg_queries_load(&p, &q, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "needs --query") != NULL, "%s", err);
    const char *missing[] = { "@/nonexistent/queries.sql" };
    set_queries(&p, missing, 1);
    cr_assert_eq(tp__pg_queries_load(&p, &q, err, sizeof err), -ENOENT);
    cr_assert(strstr(err, "cannot read the file") != NULL, "%s", err);
    const char *mixed[] = { "SELECT 1", "@x.sql" };
    set_queries(&p, mixed, 2);
    cr_assert_eq(tp__pg_queries_load(&p, &q, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "the only --query") != NULL, "%s", err);
    const char *blank[] = { " ; " };
    set_queries(&p, blank, 1);
    cr_assert_eq(tp__pg_queries_load(&p, &q, err, sizeof err), -EINVAL);
    cr_assert_eq(q.n, 0);
}
