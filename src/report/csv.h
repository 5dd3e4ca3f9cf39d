/* csv.h - the CSV writer (RFC 4180): a header row, then one row per point. */
#ifndef TP_SRC_CSV_H
#define TP_SRC_CSV_H

#include <stdio.h>

#include "tunepool/tunepool.h"

/* Writes r as CSV (TP_FORMAT_CSV), CRLF line ends. Returns 0. */
int tp__write_csv(const struct tp_result *r, FILE *f);

/* Writes s as one CSV field (RFC 4180): as is, or in double quotes with
 * inner quotes doubled when it holds a comma, quote, CR or LF. NULL writes
 * an empty field. */
void tp__csv_field(FILE *f, const char *s);

#endif
