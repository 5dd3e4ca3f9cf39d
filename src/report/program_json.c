/* program_json.c - the results JSON's "program" object for --run: the command, its options, per-run records per point. */
#include <math.h>
#include <string.h>

#include "program_json.h"

/* Builders that remember the first failure instead of checking each call. */
static void put(int *ok, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || obj == NULL || json_object_set_new(obj, key, v) != 0) {
        if (obj == NULL)
            json_decref(v);
        *ok = 0;
    }
}

static void push(int *ok, json_t *arr, json_t *v)
{
    if (v == NULL || arr == NULL || json_array_append_new(arr, v) != 0) {
        if (arr == NULL)
            json_decref(v);
        *ok = 0;
    }
}

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* A string or null; bytes that are not UTF-8 (a program's stderr) become '?'. */
static json_t *str(const char *s)
{
    if (s == NULL)
        return json_null();
    json_t *v = json_string(s);
    if (v != NULL)
        return v;
    char clean[TP_PROGRAM_TAIL_BYTES + 256];
    size_t n = 0;
    for (; *s && n + 1 < sizeof clean; s++)
        clean[n++] = (unsigned char)*s < 0x80 ? *s : '?';
    clean[n] = '\0';
    return json_string(clean);
}

static json_t *run_json(const struct tp_program_run *run)
{
    int ok = 1;
    json_t *o = json_object();
    put(&ok, o, "exit_code", json_integer(run->exit_code));
    put(&ok, o, "signal", json_integer(run->signal));
    put(&ok, o, "timed_out", json_boolean(run->timed_out));
    put(&ok, o, "wall_s", num(run->wall_s));
    put(&ok, o, "user_s", num(run->user_s));
    put(&ok, o, "sys_s", num(run->sys_s));
    put(&ok, o, "max_rss_kb", json_integer(run->max_rss_kb));
    put(&ok, o, "metric", num(run->metric));
    put(&ok, o, "value", num(run->value));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *point_json(const struct tp_program_point *p)
{
    int ok = 1;
    json_t *o = json_object(), *runs = json_array();
    put(&ok, o, "threads", json_integer(p->threads));
    put(&ok, o, "multiplier", num(p->multiplier));
    put(&ok, o, "command", str(p->command));
    put(&ok, o, "visits", json_integer(p->visits));
    put(&ok, o, "warmup_runs", json_integer(p->warmup_runs));
    put(&ok, o, "other_runs", json_integer(p->other_runs));
    put(&ok, o, "status", json_string(tp_point_status_name(p->status)));
    put(&ok, o, "reason", p->reason[0] != '\0' ? str(p->reason) : json_null());
    put(&ok, o, "stderr_tail", p->stderr_tail[0] != '\0' ? str(p->stderr_tail) : json_null());
    for (int i = 0; i < p->n_runs && i < TP_MAX_REPS; i++)
        push(&ok, runs, run_json(&p->run[i]));
    put(&ok, o, "runs", runs);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The placeholders found in the command, as names. */
static json_t *placeholders_json(unsigned bits)
{
    json_t *a = json_array();
    int ok = 1;
    if (bits & TP_PLACEHOLDER_THREADS)
        push(&ok, a, json_string("{threads}"));
    if (bits & TP_PLACEHOLDER_M)
        push(&ok, a, json_string("{m}"));
    if (!ok) {
        json_decref(a);
        return NULL;
    }
    return a;
}

json_t *tp__report_program_json(const struct tp_program_result *pr)
{
    int ok = 1;
    json_t *o = json_object(), *env = json_array(), *points = json_array();
    put(&ok, o, "command", str(pr->command));
    put(&ok, o, "placeholders", placeholders_json(pr->placeholders));
    for (int i = 0; i < pr->n_env && i < TP_PROGRAM_MAX_ENV; i++)
        push(&ok, env, str(pr->env[i]));
    put(&ok, o, "env", env);
    put(&ok, o, "shell", json_boolean(!pr->no_shell));
    put(&ok, o, "unit", str(pr->unit));
    put(&ok, o, "work", pr->work > 0 ? json_integer((json_int_t)pr->work) : json_null());
    put(&ok, o, "metric", str(pr->metric));
    put(&ok, o, "metric_lower", json_boolean(pr->metric_lower));
    put(&ok, o, "prepare", str(pr->prepare));
    put(&ok, o, "setup", str(pr->setup));
    put(&ok, o, "cleanup", str(pr->cleanup));
    put(&ok, o, "warmup", json_integer(pr->warmup));
    put(&ok, o, "build_like", json_boolean(pr->build_like));
    put(&ok, o, "runs", json_integer(pr->runs));
    put(&ok, o, "warmup_runs", json_integer(pr->warmup_runs));
    put(&ok, o, "other_runs", json_integer(pr->other_runs));
    for (size_t i = 0; i < pr->n_points; i++)
        push(&ok, points, point_json(&pr->points[i]));
    put(&ok, o, "points", points);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
