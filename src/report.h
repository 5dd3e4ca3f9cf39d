/* report.h - result writers (table, CSV, JSON, Markdown) and atomic file output. */
#ifndef TP_SRC_REPORT_H
#define TP_SRC_REPORT_H

#include <stdio.h>

#include "tunepool/tunepool.h"

/* Writes f's content to path atomically: writer(result, f) into a temporary
 * file "path.XXXXXX" in the same directory, fflush + fsync, rename over path,
 * fsync the directory. On any failure up to and including the rename the
 * temporary file is removed and path is untouched; writer's own negative code
 * is returned as is. A failure to fsync the directory after the rename is
 * returned too, but the new file is then already in place. The new file gets
 * the mode of the file it replaces, or 0644. Returns 0 or a negative errno. */
int tp__write_atomic(const char *path, int (*writer)(void *ctx, FILE *f), void *ctx);

/* Writes s as one CSV field (RFC 4180): as is, or in double quotes with
 * inner quotes doubled when it holds a comma, quote, CR or LF. NULL writes
 * an empty field. */
void tp__csv_field(FILE *f, const char *s);

#endif
