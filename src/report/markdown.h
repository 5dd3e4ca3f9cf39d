/* markdown.h - the Markdown writer: the points as a GitHub table, the rest as titled lists. */
#ifndef TP_SRC_MARKDOWN_H
#define TP_SRC_MARKDOWN_H

#include <stdio.h>

#include "tunepool/tunepool.h"

/* Writes r as Markdown (TP_FORMAT_MARKDOWN). Returns 0. */
int tp__write_markdown(const struct tp_result *r, FILE *f);

#endif
