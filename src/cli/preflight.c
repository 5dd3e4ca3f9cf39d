/* preflight.c - before anything is measured: proves that the output directory and files can really be written. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "preflight.h"

/* Creates and removes an empty file in dir: access(2) says yes to root on
 * /proc, and knows nothing of a full inode table or a mount that refuses
 * new files; trying is the only proof. Returns 0 or a negative errno. */
static int try_create_in(const char *dir)
{
    char probe[PATH_MAX];
    if (snprintf(probe, sizeof probe, "%s/.tune-pool-probe.XXXXXX", dir) >= (int)sizeof probe)
        return -ENAMETOOLONG;
    int fd = mkostemp(probe, O_CLOEXEC);
    if (fd < 0)
        return -errno;
    close(fd);
    unlink(probe);
    return 0;
}

int tp_cli_probe_dir(const char *opt, const char *dir)
{
    struct stat st;
    int rc, created = 0;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        tp_cli_usage_error("%s: '%s' is not a directory", opt, dir);
        return -1;
    }
    if (mkdir(dir, 0777) == 0)
        created = 1;
    else if (errno != EEXIST) {
        tp_cli_usage_error("%s: cannot create the directory '%s': %s (give an existing, writable directory)", opt, dir,
                           strerror(errno));
        return -1;
    }
    rc = try_create_in(dir);
    if (created)
        rmdir(dir); /* it is made again when there are results to write */
    if (rc < 0) {
        tp_cli_usage_error("%s: cannot write in '%s': %s (give a writable directory)", opt, dir, strerror(-rc));
        return -1;
    }
    return 0;
}

int tp_cli_probe_file(const char *opt, const char *path)
{
    struct stat st;
    if (path[strlen(path) - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
        tp_cli_usage_error("%s: '%s' is a directory: give a file name", opt, path);
        return -1;
    }
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        tp_cli_usage_error("%s: path too long", opt);
        return -1;
    }
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        tp_cli_usage_error("%s: cannot write '%s': the directory '%s' does not exist", opt, path, dir);
        return -1;
    }
    int rc = try_create_in(dir);
    if (rc < 0) {
        tp_cli_usage_error("%s: cannot write '%s': %s", opt, path, strerror(-rc));
        return -1;
    }
    return 0;
}
