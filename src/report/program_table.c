/* program_table.c - the table report's account of a --run: the command, what a run's value counts, runs per point, failures. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "program_table.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the n values in v (sorted in place); NAN for n = 0. */
static double median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* What the values of the throughput column count. */
static void unit_text(const struct tp_program_result *pr, char *buf, size_t len)
{
    if (pr->metric != NULL)
        snprintf(buf, len, "the metric /%s/ from its output%s", pr->metric,
                 pr->metric_lower ? " (lower is better: the column shows 1 / metric)" : "");
    else if (pr->work > 0)
        snprintf(buf, len, "units/s (%llu units per run / wall time)", (unsigned long long)pr->work);
    else
        snprintf(buf, len, "runs/s (1 / wall time of a run)");
}

/* One point: runs spent, medians of its runs, and a failure's reason. */
static void point_line(const struct tp_program_point *p, FILE *f)
{
    double wall[TP_MAX_REPS], cpu[TP_MAX_REPS];
    long rss = 0;
    int n = 0;
    for (int i = 0; i < p->n_runs && i < TP_MAX_REPS; i++) {
        if (p->run[i].exit_code != 0 || p->run[i].timed_out)
            continue;
        wall[n] = p->run[i].wall_s;
        cpu[n++] = p->run[i].user_s + p->run[i].sys_s;
        if (p->run[i].max_rss_kb > rss)
            rss = p->run[i].max_rss_kb;
    }
    fprintf(f, "  %7d thread%s: %2d run%s (+%d warm-up)", p->threads, p->threads == 1 ? " " : "s", p->n_runs,
            p->n_runs == 1 ? " " : "s", p->warmup_runs);
    if (n > 0)
        fprintf(f, ", wall %.3f s, CPU %.3f s (medians), max RSS %ld KiB", median(wall, n), median(cpu, n), rss);
    if (p->status != TP_POINT_OK)
        fprintf(f, "; %s: %s", tp_point_status_name(p->status), p->reason[0] ? p->reason : "no reason recorded");
    fputc('\n', f);
    if (p->status == TP_POINT_OK || p->stderr_tail[0] == '\0')
        return;
    const char *s = p->stderr_tail;
    while (*s) { /* each stderr line indented under the point */
        const char *nl = strchr(s, '\n');
        int len = nl ? (int)(nl - s) : (int)strlen(s);
        fprintf(f, "             | %.*s\n", len, s);
        s += len + (nl != NULL);
    }
}

void tp__report_program_table(const struct tp_result *r, FILE *f)
{
    const struct tp_program_result *pr = r->program;
    char unit[512];
    if (pr == NULL)
        return;
    unit_text(pr, unit, sizeof unit);
    fprintf(f, "Your program (%s): %s\n", pr->no_shell ? "run directly" : "through /bin/sh -c", pr->command);
    for (int i = 0; i < pr->n_env && i < TP_PROGRAM_MAX_ENV; i++)
        fprintf(f, "  env %s = the point's threads\n", pr->env[i]);
    fprintf(f, "  throughput column: %s\n", unit);
    fprintf(f, "  runs spent: %d timed, %d warm-up, %d prepare/setup/cleanup\n", pr->runs, pr->warmup_runs,
            pr->other_runs);
    for (size_t i = 0; i < pr->n_points; i++)
        point_line(&pr->points[i], f);
}
