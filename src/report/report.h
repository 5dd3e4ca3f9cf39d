/* report.h - the result writers (table, CSV, JSON, Markdown) and the CSV field quoting other writers share. */
#ifndef TP_SRC_REPORT_H
#define TP_SRC_REPORT_H

#include <stdio.h>

#include "tunepool/tunepool.h"

/* Writes s as one CSV field (RFC 4180): as is, or in double quotes with
 * inner quotes doubled when it holds a comma, quote, CR or LF. NULL writes
 * an empty field. */
void tp__csv_field(FILE *f, const char *s);

#endif
