/* grid.h - a small grid of text cells, printed as an aligned table or as a Markdown table. */
#ifndef TP_BASE_GRID_H
#define TP_BASE_GRID_H

#include <stddef.h>
#include <stdio.h>

#define TP__GRID_CELL 160 /* bytes per cell, the terminating NUL included: longer text is cut */
#define TP__GRID_MAX_COLS 8

/* Set cols (1 .. TP__GRID_MAX_COLS) and zero the rest; free with tp__grid_free. */
struct tp__grid {
    int cols;
    size_t rows, cap;
    char (*cell)[TP__GRID_MAX_COLS][TP__GRID_CELL];
};

/* Appends a row of g->cols strings (NULL = empty). Returns 0, or -1 when out of memory. */
int tp__grid_row(struct tp__grid *g, ...);

/* Prints g with row 0 as the header: aligned columns two spaces apart
 * (trailing blanks cut), or a Markdown table (cells escaped). right: a bit
 * set of right-aligned columns. */
void tp__grid_print(const struct tp__grid *g, int markdown, unsigned right, FILE *f);

void tp__grid_free(struct tp__grid *g);

#endif
