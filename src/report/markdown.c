/* markdown.c - the Markdown writer: the points as a GitHub table, the rest as titled lists. */
#include <stdio.h>

#include "format.h"
#include "markdown.h"
#include "report_text.h"
#include "report_work.h"

/* One list item: prefix, text escaped, suffix (which ends the line). */
static void item(FILE *f, const char *prefix, const char *text, const char *suffix)
{
    fputs(prefix, f);
    tp__md_escape(f, text);
    fputs(suffix, f);
}

static void write_header(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE];
    fprintf(f, "# tune-pool %s results\n\n", r->version[0] ? r->version : TP_VERSION_STRING);
    if (r->partial)
        fprintf(f, "**PARTIAL: interrupted, %zu of %zu points measured**\n\n", tp__report_count_measured(r),
                r->n_points);
    tp__report_workload_text(line, sizeof line, r);
    item(f, r->program != NULL ? "- " : "- workload ", line, "\n");
    tp__report_cores_text(line, sizeof line, r);
    item(f, "- cores: ", line, "\n");
    if (r->topo.warning[0])
        item(f, "- warning: ", r->topo.warning, "\n");
    tp__report_reps_text(line, sizeof line, r);
    item(f, "- ", line, "\n");
    tp__report_search_text(line, sizeof line, r);
    item(f, "- ", line, "\n");
    if (tp__report_objective_text(line, sizeof line, r))
        item(f, "- ", line, "\n");
}

static void write_points(const struct tp_result *r, FILE *f)
{
    char level[16];
    struct tp__report_row c;
    tp__report_level(level, sizeof level, r);
    fprintf(f, "\n| pick | m | threads | %s | %s interval | failed | p50 | p99 | CPU | status | marks |\n",
            tp__report_rate_unit(r), level);
    fprintf(f, "|:-:|--:|--:|--:|:--|--:|--:|--:|--:|:--|:--|\n");
    for (size_t i = 0; i < r->n_points; i++) {
        tp__report_point_cells(r, i, &c);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | ", c.mark == '*' ? "**pick**" : "", c.m, c.threads,
                c.tput, c.interval, c.failed, c.p50, c.p99, c.cpu);
        tp__md_escape(f, c.status);
        if (c.reason[0])
            item(f, ": ", c.reason, "");
        item(f, " | ", c.marks, " |\n");
    }
    fprintf(f, "\nMarks: = indistinguishable from the best, ^ best, R rule-of-thumb size, ! noisy "
               "(outliers by MAD x 1.4826, \\|z\\| > 3.5), + refinement point, x p99 over the bound, e failures over "
               "--max-errors; failed: the share of the tasks that failed.\n");
}

/* The warnings and notes about the points, the points that were contained,
 * then what the tasks did at each measured point. */
static void write_notes(const struct tp_result *r, FILE *f)
{
    char notes[TP__REPORT_NOTES][TP__REPORT_LINE], line[TP__REPORT_LINE];
    size_t n = tp__report_notes(r, notes);
    int any = n > 0;
    for (size_t i = 0; i < n; i++)
        item(f, i == 0 ? "\n- " : "- ", notes[i], "\n");
    for (size_t i = 0; i < r->n_points; i++) {
        if (tp__report_contained_text(line, sizeof line, &r->points[i])) {
            item(f, any ? "- " : "\n- ", line, "\n");
            any = 1;
        }
    }
    if (!tp__report_work_heading(line, sizeof line, r))
        return;
    item(f, "\n## ", line, "\n\n");
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (!tp_point_ok(p))
            continue;
        tp__report_work_text(line, sizeof line, r, p);
        fprintf(f, "- %d thread%s: ", p->threads, tp__plural(p->threads));
        item(f, "", line, "\n");
    }
}

static void write_recommendation(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE];
    tp__report_pick_text(line, sizeof line, r, &r->points[r->pick], 1);
    item(f, "- **", line, "**\n");
    tp__report_band_text(line, sizeof line, r);
    item(f, "- ", line, "\n");
    if (r->pick != r->best) {
        tp__report_pick_text(line, sizeof line, r, &r->points[r->best], 0);
        item(f, "- best: ", line, "\n");
    }
    tp__report_band_method_text(line, sizeof line, r);
    item(f, "- ", line, "\n");
    tp__report_basis_text(line, sizeof line, r);
    item(f, "- ", line, "\n");
}

static void write_rules(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE], threads[48];
    fprintf(f, "\n## Rules of thumb against the pick\n\n");
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++) {
        const struct tp_rule_row *row = &r->rules[k];
        if (row->name == NULL)
            continue;
        tp__report_rule_measure_text(line, sizeof line, r, row, 0);
        snprintf(threads, sizeof threads, ": %d thread%s, ", row->threads, tp__plural(row->threads));
        item(f, "- ", row->name, threads);
        item(f, "", line, "\n");
    }
}

static void write_model(const struct tp_result *r, FILE *f)
{
    char line[TP__REPORT_LINE];
    fprintf(f, "\n## Model (Little's law / JCiP)\n\n");
    if (!r->model.valid) {
        fprintf(f, "- not available (no per-task CPU time was measured)\n");
        return;
    }
    tp__report_model_inputs_text(line, sizeof line, r);
    item(f, "- ", line, "\n");
    tp__report_model_formula_text(line, sizeof line, r);
    item(f, "- ", line, "\n");
    tp__report_model_verdict_text(line, sizeof line, r);
    item(f, "- ", line, "\n");
    if (tp__report_cost_text(line, sizeof line, r))
        item(f, "- ", line, "\n");
}

int tp__write_markdown(const struct tp_result *r, FILE *f)
{
    write_header(r, f);
    write_points(r, f);
    write_notes(r, f);
    fprintf(f, "\n## Recommendation\n\n");
    if (!tp__report_have_pick(r)) {
        char line[TP__REPORT_LINE];
        tp__report_no_pick_text(line, sizeof line, r);
        fprintf(f, "%s\n", line);
        return 0;
    }
    write_recommendation(r, f);
    write_rules(r, f);
    write_model(r, f);
    return 0;
}
