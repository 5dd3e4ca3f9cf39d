/* file.h - files written whole and atomically, small files read whole, paths under a root. */
#ifndef TP_BASE_FILE_H
#define TP_BASE_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes f's content to path atomically: writer(ctx, f) into a temporary
 * file "path.XXXXXX" in the same directory, fflush + fsync, rename over path,
 * fsync the directory. On any failure up to and including the rename the
 * temporary file is removed and path is untouched; writer's own negative code
 * is returned as is. A failure to fsync the directory after the rename is
 * returned too, but the new file is then already in place. The new file gets
 * the mode of the file it replaces, or 0644. Returns 0 or a negative errno. */
int tp__write_atomic(const char *path, int (*writer)(void *ctx, FILE *f), void *ctx);

/* Builds "<root><path>" into buf. Returns 0 or -ENAMETOOLONG. */
int tp__join_path(char *buf, size_t len, const char *root, const char *path);

/* Opens "<root><path>" for reading (close-on-exec); NULL when the name is
 * too long or the file cannot be opened (errno says why). */
FILE *tp__fopen_under(const char *root, const char *path);

/* Reads a small file (at most len - 1 bytes) into buf, terminated.
 * Returns 0, or a negative errno when it cannot be opened or read. */
int tp__read_small_file(const char *path, char *buf, size_t len);

#endif
