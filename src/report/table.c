/* table.c - the table writer: the report for a terminal, the main output of the tool. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "report_text.h"
#include "program_table.h"
#include "report_work.h"
#include "table.h"

static char *rstrip(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    return s;
}

/* The lines above the points: workload, cores, repetitions, search, objective. */
static void write_header(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE];
    tp__report_workload_text(line, sizeof line, r);
    fprintf(f, "tune-pool %s  %s%s\n", r->version[0] ? r->version : TP_VERSION_STRING, r->program ? "" : "workload ",
            line);
    tp__report_cores_text(line, sizeof line, r);
    fprintf(f, "cores: %s\n", line);
    if (r->topo.warning[0])
        fprintf(f, "warning: %s\n", r->topo.warning);
    tp__report_reps_text(line, sizeof line, r);
    fprintf(f, "%s\n", line);
    tp__report_search_text(line, sizeof line, r);
    fprintf(f, "%s\n", line);
    if (tp__report_objective_text(line, sizeof line, r))
        fprintf(f, "%s\n", line);
    if (r->partial)
        fprintf(f, "PARTIAL: interrupted, %zu of %zu points measured\n", tp__report_count_measured(r), r->n_points);
}

/* One row per point; the interval column is as wide as its widest cell. */
static void write_points(const struct tp_result *r, FILE *f)
{
    char line[2 * TP__REPORT_LINE], level[16], ih[32]; /* a row holds a failed point's whole reason */
    struct tp__report_row c;
    tp__report_level(level, sizeof level, r);
    int iw = (int)strlen(level) + (int)strlen(" interval");
    for (size_t i = 0; i < r->n_points; i++) {
        tp__report_point_cells(r, i, &c);
        if ((int)strlen(c.interval) > iw)
            iw = (int)strlen(c.interval);
    }
    snprintf(ih, sizeof ih, "%s interval", level);
    snprintf(line, sizeof line, "  %6s %8s %12s  %-*s %6s %9s %9s %5s  %-7s %-7s", "m", "threads",
             tp__report_rate_unit(r), iw, ih, "failed", "p50", "p99", "CPU", "status", "marks");
    fprintf(f, "\n%s\n", rstrip(line));
    for (size_t i = 0; i < r->n_points; i++) {
        tp__report_point_cells(r, i, &c);
        snprintf(line, sizeof line, "%c %6s %8s %12s  %-*s %6s %9s %9s %5s  %-7s %-7s %s", c.mark, c.m, c.threads,
                 c.tput, iw, c.interval, c.failed, c.p50, c.p99, c.cpu, c.status, c.marks, c.reason);
        fprintf(f, "%s\n", rstrip(line));
    }
    if (r->n_points == 0)
        fprintf(f, "  (no points)\n");
    fprintf(f, "(* pick, ^ best, = indistinguishable from the best, R rule-of-thumb size, ! noisy, "
               "+ refinement point, x p99 over the bound, e failures over --max-errors; failed: the share of the "
               "tasks that failed; failed points show their reason)\n");
}

/* The warnings and notes under the points, then the work lines. */
static void write_notes(const struct tp_result *r, FILE *f)
{
    char notes[TP__REPORT_NOTES][TP__REPORT_LINE];
    size_t n = tp__report_notes(r, notes);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\n", notes[i]);
    if (r->program != NULL) /* --run: docs/run.md */
        tp__report_program_table(r, f);
    else
        tp__report_work_table(r, f);
}

/* The pick, the band, the best, how the band was decided and what it rests on. */
static void write_recommendation(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE];
    tp__report_pick_text(line, sizeof line, r, &r->points[r->pick], 1);
    fprintf(f, "\nRecommendation: %s\n", line);
    tp__report_band_text(line, sizeof line, r);
    fprintf(f, "  %s\n", line);
    if (r->pick != r->best) {
        tp__report_pick_text(line, sizeof line, r, &r->points[r->best], 0);
        fprintf(f, "  best: %s\n", line);
    }
    tp__report_band_method_text(line, sizeof line, r);
    fprintf(f, "  (%s)\n", line);
    tp__report_basis_text(line, sizeof line, r);
    fprintf(f, "  %s\n", line);
}

static void write_rules(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE];
    fprintf(f, "Rules of thumb against the pick:\n");
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++) {
        const struct tp_rule_row *row = &r->rules[k];
        if (row->name == NULL)
            continue;
        tp__report_rule_measure_text(line, sizeof line, r, row, 1);
        fprintf(f, "  %-48s %6d %-7s  %s\n", row->name, row->threads, row->threads == 1 ? "thread" : "threads", line);
    }
}

static void write_model(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE];
    if (!r->model.valid) {
        fprintf(f, "Model (Little's law / JCiP): not available (no per-task CPU time was measured)\n");
        return;
    }
    tp__report_model_inputs_text(line, sizeof line, r);
    fprintf(f, "Model (Little's law / JCiP): %s\n", line);
    tp__report_model_formula_text(line, sizeof line, r);
    fprintf(f, "  %s\n", line);
    tp__report_model_verdict_text(line, sizeof line, r);
    fprintf(f, "  %s\n", line);
    if (tp__report_cost_text(line, sizeof line, r))
        fprintf(f, "  %s\n", line);
}

int tp__write_table(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE];
    write_header(r, f);
    write_points(r, f);
    write_notes(r, f);
    if (!tp__report_have_pick(r)) {
        tp__report_no_pick_text(line, sizeof line, r);
        fprintf(f, "\n%s\n", line);
        return 0;
    }
    write_recommendation(r, f);
    write_rules(r, f);
    write_model(r, f);
    return 0;
}
