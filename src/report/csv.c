/* csv.c - the CSV writer (RFC 4180): a header row, then one row per point. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "report_text.h"
#include "vec.h"

struct csv_row {
    FILE *f;
    int col;
};

static void csv_sep(struct csv_row *row)
{
    if (row->col++ > 0)
        fputc(',', row->f);
}

void tp__csv_field(FILE *f, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_str(struct csv_row *row, const char *s)
{
    csv_sep(row);
    tp__csv_field(row->f, s);
}

/* A number with %.6g, or an empty cell when unknown. */
static void csv_num(struct csv_row *row, int known, double x)
{
    csv_sep(row);
    if (known && isfinite(x))
        fprintf(row->f, "%.6g", x);
}

/* Nanoseconds: whole numbers, which %.6g would round above a millisecond. */
static void csv_ns(struct csv_row *row, int known, double x)
{
    csv_sep(row);
    if (known && isfinite(x))
        fprintf(row->f, "%.0f", x);
}

static void csv_int(struct csv_row *row, int known, long long x)
{
    csv_sep(row);
    if (known)
        fprintf(row->f, "%lld", x);
}

static void csv_end(struct csv_row *row)
{
    fputs("\r\n", row->f);
    row->col = 0;
}

static const char *const csv_columns[] = {
    "multiplier",
    "threads",
    "origin",
    "status",
    "reason",
    "threads_started",
    "reps",
    "tasks_per_rep",
    "tput_median",
    "tput_ci_lo",
    "tput_ci_hi",
    "tput_mad",
    "outliers",
    "lat_p50_ns",
    "lat_p90_ns",
    "lat_p99_ns",
    "lat_max_ns",
    "task_wall_mean_ns",
    "task_cpu_mean_ns",
    "cpu_util",
    "nvcsw",
    "nivcsw",
    "max_rss_kb",
    "wall_s",
    "in_band",
    "pick",
    "best",
    "rule",
    "excluded",
    "work_ops",
    "work_bytes",
    "work_errors",
    "error_share",
    "error_excluded",
};

/* The rule keys whose thread count is this point's, joined by '+': "tpe38+cpu". */
static char *rule_keys(char *buf, size_t len, const struct tp_result *r, int threads)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++) {
        if (r->rules[k].key == NULL || r->rules[k].threads != threads)
            continue;
        int w = snprintf(buf + o, len - o, "%s%s", o > 0 ? "+" : "", r->rules[k].key);
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    return buf;
}

/* Context switches over the repetitions: voluntary, or involuntary. */
static long sum_nvcsw(const struct tp_point *p, int involuntary)
{
    long s = 0;
    for (int i = 0; i < tp__report_n_reps(p); i++)
        s += involuntary ? p->reps[i].nivcsw : p->reps[i].nvcsw;
    return s;
}

static char *origin_text(char *buf, size_t len, unsigned origin)
{
    const char *names[TP__REPORT_N_ORIGINS];
    size_t n = tp__report_origins(origin, names), o = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n; k++)
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? "+" : "", names[k]);
    return buf;
}

/* One point's row, in the order of csv_columns. */
static void write_row(struct csv_row *row, const struct tp_result *r, size_t i)
{
    const struct tp_point *p = &r->points[i];
    int ok = tp_point_ok(p);
    char reason[TP__REPORT_REASON_MAX], rules[64], origin[48];
    csv_num(row, 1, p->multiplier);
    csv_int(row, 1, p->threads);
    csv_str(row, origin_text(origin, sizeof origin, p->origin));
    csv_str(row, tp__report_status_name(p->status));
    csv_str(row, tp__report_point_reason(reason, sizeof reason, p));
    csv_int(row, 1, p->threads_started);
    csv_int(row, 1, tp__report_n_reps(p));
    csv_int(row, p->tasks_per_rep > 0, (long long)p->tasks_per_rep);
    csv_num(row, ok, p->tput_median);
    csv_num(row, ok, p->tput_ci_lo);
    csv_num(row, ok, p->tput_ci_hi);
    csv_num(row, ok, p->tput_mad);
    csv_int(row, ok, p->n_outliers);
    csv_ns(row, ok, p->lat_p50_ns);
    csv_ns(row, ok, p->lat_p90_ns);
    csv_ns(row, ok, p->lat_p99_ns);
    csv_ns(row, ok, p->lat_max_ns);
    csv_ns(row, ok, p->task_wall_mean_ns);
    csv_ns(row, ok, p->task_cpu_mean_ns);
    csv_num(row, ok, p->cpu_util);
    csv_int(row, ok, sum_nvcsw(p, 0));
    csv_int(row, ok, sum_nvcsw(p, 1));
    csv_int(row, p->max_rss_kb > 0, p->max_rss_kb);
    csv_num(row, p->wall_s > 0.0, p->wall_s);
    csv_int(row, 1, p->in_band ? 1 : 0);
    csv_int(row, 1, (int)i == r->pick);
    csv_int(row, 1, (int)i == r->best);
    csv_str(row, rule_keys(rules, sizeof rules, r, p->threads));
    csv_int(row, 1, p->excluded ? 1 : 0);
    csv_int(row, ok, (long long)p->work_ops);
    csv_int(row, ok, (long long)p->work_bytes);
    csv_int(row, ok, (long long)p->work_errors);
    csv_num(row, ok, tp_point_error_share(p));
    csv_int(row, 1, p->error_excluded ? 1 : 0);
}

int tp__write_csv(const struct tp_result *r, FILE *f)
{
    struct csv_row row = { f, 0 };
    for (size_t k = 0; k < TP__ARRAY_LEN(csv_columns); k++)
        csv_str(&row, csv_columns[k]);
    csv_end(&row);
    for (size_t i = 0; i < r->n_points; i++) {
        write_row(&row, r, i);
        csv_end(&row);
    }
    return 0;
}
