/* file.c - atomic whole-file writes (temporary file, fsync, rename, fsync of the directory) and small reads. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file.h"

/* fsyncs the directory holding path so that the rename itself is durable.
 * Filesystems that cannot sync a directory answer EINVAL: not an error. */
static int sync_parent_dir(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return -ENOMEM;
    int rc = 0, fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        rc = tp__from_errno();
    } else {
        if (fsync(fd) != 0 && errno != EINVAL)
            rc = tp__from_errno();
        close(fd);
    }
    free(copy);
    return rc;
}

int tp__write_atomic(const char *path, int (*writer)(void *ctx, FILE *f), void *ctx)
{
    if (path == NULL || path[0] == '\0' || writer == NULL)
        return -EINVAL;
    size_t len = strlen(path) + sizeof ".XXXXXX";
    char *tmp = malloc(len);
    if (tmp == NULL)
        return -ENOMEM;
    snprintf(tmp, len, "%s.XXXXXX", path);

    int rc = 0;
    FILE *f = NULL;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = tp__from_errno();
        free(tmp);
        return rc;
    }
    /* mkstemp makes the file 0600: give it the mode of the file it replaces,
     * or 0644 for a new one. Best effort: some filesystems have no modes. */
    struct stat st;
    mode_t mode = (stat(path, &st) == 0 && S_ISREG(st.st_mode)) ? (st.st_mode & 07777) : 0644;
    (void)fchmod(fd, mode);

    f = fdopen(fd, "w");
    if (f == NULL) {
        rc = tp__from_errno();
        close(fd);
        goto fail;
    }
    errno = 0;
    rc = writer(ctx, f);
    /* A writer that saw its stream fail says -EIO; the failed write(2) left
     * the real cause in errno: "No space left on device" tells the user more. */
    int write_errno = errno;
    if (rc == 0 && fflush(f) != 0)
        rc = tp__from_errno();
    if ((rc == 0 || rc == -EIO) && ferror(f))
        rc = (write_errno == ENOSPC || write_errno == EDQUOT || write_errno == EFBIG) ? -write_errno : -EIO;
    if (rc == 0 && fsync(fd) != 0)
        rc = tp__from_errno();
    if (fclose(f) != 0 && rc == 0)
        rc = tp__from_errno();
    if (rc != 0)
        goto fail;
    if (rename(tmp, path) != 0) {
        rc = tp__from_errno();
        goto fail;
    }
    free(tmp);
    /* The new file is in place; a failure here only means the rename may
     * not survive a power cut, and is reported as such. */
    return sync_parent_dir(path);

fail:
    unlink(tmp);
    free(tmp);
    return rc;
}

int tp__join_path(char *buf, size_t len, const char *root, const char *path)
{
    int n = snprintf(buf, len, "%s%s", root, path);
    if (n < 0 || (size_t)n >= len)
        return -ENAMETOOLONG;
    return 0;
}

FILE *tp__fopen_under(const char *root, const char *path)
{
    char full[PATH_MAX];
    if (tp__join_path(full, sizeof full, root, path) != 0) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return fopen(full, "re");
}

int tp__read_small_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "re");
    size_t n;
    int rc = 0;

    if (f == NULL)
        return tp__from_errno();
    n = fread(buf, 1, len - 1, f);
    if (ferror(f))
        rc = -EIO;
    buf[n] = '\0';
    fclose(f);
    return rc;
}
