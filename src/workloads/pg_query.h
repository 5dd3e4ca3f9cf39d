/* pg_query.h - the pg workload's statements: the --query list or @FILE split into statements, {task} bound as $1. */
#ifndef TP_SRC_PG_QUERY_H
#define TP_SRC_PG_QUERY_H

#include <stddef.h>

#include "tunepool/tunepool.h"

/* One statement as it is prepared: its text with every {task} made $1, and
 * how many parameters it takes (1 with a {task}, else 0). */
struct tp__pg_query {
    char *sql; /* owned */
    int n_params;
};

/* The mix a point cycles through: task i runs q[i % n]. */
struct tp__pg_queries {
    struct tp__pg_query q[TP_PG_MAX_QUERIES];
    size_t n;
};

/* The placeholder for the task index. */
#define TP__PG_TASK "{task}"

/* Splits text (len bytes, a query file) into statements: at each ';'
 * outside quotes, comments and dollar quotes when there is one, else at
 * each newline; comments ("--" to the end of the line, C-style blocks)
 * become a blank; statements are trimmed and blank ones dropped. Calls
 * emit(ctx, stmt, stmt_len) for each (stmt is not NUL-terminated) until it
 * returns non-zero, which is returned. Returns 0, or -EINVAL with a reason
 * in err for an unterminated quote or comment. Pure. */
int tp__pg_split(const char *text, size_t len, int (*emit)(void *ctx, const char *stmt, size_t n), void *ctx, char *err,
                 size_t errlen);

/* Copies stmt (n bytes) into out (outlen bytes, NUL-terminated) with each
 * {task} outside quotes replaced by $1, and sets *n_params to 1 when there
 * was one, else 0. Returns 0; -EINVAL with a reason in err for a {task}
 * inside a quoted literal or identifier (a bound parameter cannot be part
 * of one); -ENAMETOOLONG when out is too small. Pure. */
int tp__pg_bind_task(const char *stmt, size_t n, char *out, size_t outlen, int *n_params, char *err, size_t errlen);

/* The statements of p->pg_queries: each --query value, or the statements
 * of the file a single "@FILE" names (read now), bound as above. Returns 0,
 * or -EINVAL / -E2BIG (more than TP_PG_MAX_QUERIES) / a negative errno
 * from reading the file, with a reason naming --query in err; out is then
 * empty. Free with tp__pg_queries_free. */
int tp__pg_queries_load(const struct tp_workload_params *p, struct tp__pg_queries *out, char *err, size_t errlen);
void tp__pg_queries_free(struct tp__pg_queries *q);

/* The number of --query values in p->pg_queries (a "@FILE" counts one). */
size_t tp__pg_query_values(const struct tp_workload_params *p);
/* The i-th --query value, or NULL. */
const char *tp__pg_query_value(const struct tp_workload_params *p, size_t i);

#endif
