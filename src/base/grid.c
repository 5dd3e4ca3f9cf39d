/* grid.c - a small grid of text cells, printed as an aligned table or as a Markdown table. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "grid.h"

int tp__grid_row(struct tp__grid *g, ...)
{
    if (g->rows == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 32;
        void *p = realloc(g->cell, cap * sizeof *g->cell);
        if (p == NULL)
            return -1;
        g->cell = p;
        g->cap = cap;
    }
    va_list ap;
    va_start(ap, g);
    for (int c = 0; c < g->cols && c < TP__GRID_MAX_COLS; c++) {
        const char *s = va_arg(ap, const char *);
        snprintf(g->cell[g->rows][c], TP__GRID_CELL, "%s", s != NULL ? s : "");
    }
    va_end(ap);
    g->rows++;
    return 0;
}

static void print_markdown(const struct tp__grid *g, unsigned right, FILE *f)
{
    for (size_t r = 0; r < g->rows; r++) {
        fputc('|', f);
        for (int c = 0; c < g->cols; c++) {
            fputc(' ', f);
            tp__md_escape(f, g->cell[r][c]);
            fputs(" |", f);
        }
        fputc('\n', f);
        if (r == 0) {
            fputc('|', f);
            for (int c = 0; c < g->cols; c++)
                fputs(right & (1u << c) ? "--:|" : ":--|", f);
            fputc('\n', f);
        }
    }
}

void tp__grid_print(const struct tp__grid *g, int markdown, unsigned right, FILE *f)
{
    if (markdown) {
        print_markdown(g, right, f);
        return;
    }
    int w[TP__GRID_MAX_COLS] = { 0 };
    for (size_t r = 0; r < g->rows; r++)
        for (int c = 0; c < g->cols; c++)
            if ((int)strlen(g->cell[r][c]) > w[c])
                w[c] = (int)strlen(g->cell[r][c]);
    for (size_t r = 0; r < g->rows; r++) {
        char line[TP__GRID_MAX_COLS * (TP__GRID_CELL + 3)];
        size_t o = 0;
        for (int c = 0; c < g->cols; c++)
            o += (size_t)snprintf(line + o, sizeof line - o, right & (1u << c) ? "%*s%s" : "%-*s%s", w[c],
                                  g->cell[r][c], c + 1 < g->cols ? "  " : "");
        while (o > 0 && line[o - 1] == ' ')
            line[--o] = '\0';
        fprintf(f, "%s\n", line);
    }
}

void tp__grid_free(struct tp__grid *g)
{
    free(g->cell);
    g->cell = NULL;
    g->rows = g->cap = 0;
}
