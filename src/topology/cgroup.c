/* cgroup.c - the CPU quota that applies to this process: cgroup v2 cpu.max and v1 cfs quota, walked up the hierarchy. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "error.h"
#include "file.h"
#include "format.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* True when the comma-separated list contains exactly the token word. */
static int list_has_token(const char *list, const char *word)
{
    size_t wlen = strlen(word);
    const char *p = list;

    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t tlen = end != NULL ? (size_t)(end - p) : strlen(p);
        if (tlen == wlen && strncmp(p, word, wlen) == 0)
            return 1;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * cgroup CPU quota.
 *
 * /proc/self/cgroup names the process's cgroup in each hierarchy (v2:
 * "0::/path"; v1: "N:cpu,cpuacct:/path"). /proc/self/mountinfo says where
 * each hierarchy is mounted and which cgroup sits at the mount point (its
 * 4th field, "root": in a container this is often the container's own
 * cgroup, so that prefix is stripped from the process's path). From the
 * process's directory we walk up to the mount point, reading the quota at
 * every level, because a parent's limit applies to all its children. Both
 * v1 and v2 are checked (hybrid hosts mount both); the tightest ratio wins.
 * ---------------------------------------------------------------------- */

enum cg_version { CG_V1 = 1, CG_V2 = 2 };

struct cg_paths {
    char v1[PATH_MAX]; /* cgroup of the v1 hierarchy holding "cpu"; "" = none */
    char v2[PATH_MAX]; /* cgroup in the unified hierarchy; "" = none */
    int has_v1, has_v2;
};

/* The tightest quota seen so far. */
struct cg_best {
    double cpus; /* quota / period; 0 = none yet */
    char source[PATH_MAX];
};

/* Parses <root>/proc/self/cgroup. A missing file leaves both paths unset. */
static void cg_read_self(const char *root, struct cg_paths *cp)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *f;

    memset(cp, 0, sizeof(*cp));
    f = tp__fopen_under(root, "/proc/self/cgroup");
    if (f == NULL)
        return;
    while ((n = getline(&line, &cap, f)) > 0) {
        char *c1, *c2, *cgpath;

        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        c1 = strchr(line, ':');
        if (c1 == NULL)
            continue;
        c2 = strchr(c1 + 1, ':');
        if (c2 == NULL)
            continue;
        *c1 = '\0';
        *c2 = '\0';
        cgpath = c2 + 1;
        if (cgpath[0] != '/' || strlen(cgpath) >= PATH_MAX)
            continue;
        if (strcmp(line, "0") == 0 && c1[1] == '\0') {
            tp__copy_string(cp->v2, sizeof(cp->v2), cgpath);
            cp->has_v2 = 1;
        } else if (!cp->has_v1 && list_has_token(c1 + 1, "cpu")) {
            tp__copy_string(cp->v1, sizeof(cp->v1), cgpath);
            cp->has_v1 = 1;
        }
    }
    free(line);
    fclose(f);
}

/* Decodes mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_mount_field(char *s)
{
    char *w = s;

    for (const char *r = s; *r != '\0';) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Strict parse of a non-negative decimal integer token. */
static int parse_u64(const char *s, size_t len, unsigned long long *val)
{
    unsigned long long v = 0;

    if (len == 0)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -EINVAL;
        if (v > (ULLONG_MAX - 9) / 10)
            return -ERANGE;
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    *val = v;
    return 0;
}

/* Splits buf into at most max whitespace-separated tokens. Returns the
 * count, or max + 1 when there are more. */
static int split_tokens(char *buf, char **tok, size_t *tlen, int max)
{
    int n = 0;
    char *p = buf;

    for (;;) {
        while (*p != '\0' && isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return n;
        if (n == max)
            return max + 1;
        tok[n] = p;
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        tlen[n] = (size_t)(p - tok[n]);
        n++;
    }
}

/* Reads one file holding a single integer (cfs_period_us, cfs_quota_us).
 * -1 is allowed when allow_minus_one. Returns 0, -ENOENT when the file
 * cannot be opened, TP_ECGROUP when it is malformed. */
static int read_cg_integer(const char *path, int allow_minus_one, long long *val)
{
    char buf[64];
    char *tok[2];
    size_t tlen[2];
    unsigned long long v;

    if (tp__read_small_file(path, buf, sizeof(buf)) != 0)
        return -ENOENT;
    if (split_tokens(buf, tok, tlen, 1) != 1)
        return TP_ECGROUP;
    if (allow_minus_one && tlen[0] == 2 && strncmp(tok[0], "-1", 2) == 0) {
        *val = -1;
        return 0;
    }
    if (parse_u64(tok[0], tlen[0], &v) != 0 || v > LLONG_MAX)
        return TP_ECGROUP;
    *val = (long long)v;
    return 0;
}

/* Reads the quota of one cgroup directory (dir already carries the root
 * prefix; shown is the same directory without it, for the source). Updates
 * *best when this level is tighter. A missing file is no quota. */
static int cg_read_level(enum cg_version ver, const char *dir, const char *shown, struct cg_best *best)
{
    char path[PATH_MAX];
    long long quota, period;
    const char *file;
    int rc;

    if (ver == CG_V2) {
        char buf[128];
        char *tok[2];
        size_t tlen[2];
        unsigned long long q = 0, p = 0;
        int ntok;

        file = "cpu.max";
        if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
            return 0;
        if (tp__read_small_file(path, buf, sizeof(buf)) != 0)
            return 0;
        /* "max 100000", "150000 100000"; "max" alone is also accepted. */
        ntok = split_tokens(buf, tok, tlen, 2);
        if (ntok < 1 || ntok > 2)
            return TP_ECGROUP;
        if (ntok == 2 && (parse_u64(tok[1], tlen[1], &p) != 0 || p == 0))
            return TP_ECGROUP;
        if (tlen[0] == 3 && strncmp(tok[0], "max", 3) == 0)
            return 0;
        if (ntok != 2 || parse_u64(tok[0], tlen[0], &q) != 0 || q == 0)
            return TP_ECGROUP;
        quota = (long long)q;
        period = (long long)p;
    } else {
        char ppath[PATH_MAX];

        file = "cpu.cfs_quota_us";
        if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path) ||
            snprintf(ppath, sizeof(ppath), "%s/cpu.cfs_period_us", dir) >= (int)sizeof(ppath))
            return 0;
        rc = read_cg_integer(path, 1, &quota);
        if (rc == -ENOENT)
            return 0;
        if (rc != 0)
            return rc;
        if (quota == -1)
            return 0;
        if (quota == 0)
            return TP_ECGROUP;
        /* A quota without its period cannot be turned into CPUs. */
        rc = read_cg_integer(ppath, 0, &period);
        if (rc != 0)
            return TP_ECGROUP;
        if (period <= 0)
            return TP_ECGROUP;
    }

    double cpus = (double)quota / (double)period;
    if (best->cpus == 0 || cpus < best->cpus) {
        best->cpus = cpus;
        if (snprintf(best->source, sizeof(best->source), "%s/%s", shown, file) >= (int)sizeof(best->source))
            strcpy(best->source + sizeof(best->source) - 4, "..."); /* a very deep cgroup path */
    }
    return 0;
}

/* Walks from the cgroup rel (relative to the mount point, "" or "/a/b")
 * up to the mount point mnt, reading every level. */
static int cg_walk(const char *root, enum cg_version ver, const char *mnt, const char *rel, struct cg_best *best)
{
    char relbuf[PATH_MAX];
    char dir[PATH_MAX];
    char shown[PATH_MAX];
    int rc;

    tp__copy_string(relbuf, sizeof(relbuf), rel);
    for (;;) {
        size_t len = strlen(relbuf);
        /* Drop a trailing slash so "/" and "" both mean the mount point. */
        while (len > 0 && relbuf[len - 1] == '/')
            relbuf[--len] = '\0';
        if (snprintf(shown, sizeof(shown), "%s%s", mnt, relbuf) >= (int)sizeof(shown) ||
            tp__join_path(dir, sizeof(dir), root, shown) != 0)
            return 0;
        rc = cg_read_level(ver, dir, shown, best);
        if (rc != 0)
            return rc;
        if (len == 0)
            return 0;
        char *slash = strrchr(relbuf, '/');
        if (slash == NULL)
            return 0;
        *slash = '\0';
    }
}

/* The process path seen from a mount whose root field is mroot: strips
 * mroot when the path is under it (on a component boundary); otherwise
 * returns "" (the mount point itself). */
static const char *cg_relative(const char *cgpath, const char *mroot)
{
    size_t rl = strlen(mroot);

    while (rl > 0 && mroot[rl - 1] == '/')
        rl--;
    if (rl == 0)
        return cgpath; /* root "/" */
    if (strncmp(cgpath, mroot, rl) == 0 && (cgpath[rl] == '\0' || cgpath[rl] == '/'))
        return cgpath + rl;
    return "";
}

/* The fields of one /proc/self/mountinfo line that name a cgroup mount. */
struct mount_line {
    char *root;        /* field 4: the mount's root within its file system */
    char *mount_point; /* field 5 */
    char *fstype;      /* after " - " */
    char *superopts;   /* the super block options, after the source */
};

/* Splits line in place: "36 35 98:0 /mnt1 /mnt/a rw,noatime master:1 - ext3 /dev/root rw,errors=continue".
 * Returns 0, or -1 for a line without those fields. */
static int parse_mount_line(char *line, struct mount_line *m)
{
    char *field[5], *save = NULL, *p;
    int nf = 0;
    char *sep = strstr(line, " - ");
    if (sep == NULL)
        return -1;
    *sep = '\0';
    for (p = strtok_r(line, " ", &save); p != NULL && nf < 5; p = strtok_r(NULL, " ", &save))
        field[nf++] = p;
    if (nf < 5)
        return -1;
    save = NULL;
    m->fstype = strtok_r(sep + 3, " ", &save);
    if (m->fstype == NULL || strtok_r(NULL, " ", &save) == NULL)
        return -1;
    m->superopts = strtok_r(NULL, " ", &save);
    if (m->superopts == NULL)
        return -1;
    m->root = field[3];
    m->mount_point = field[4];
    return 0;
}

int tp__cgroup_cpu_quota(const char *fs_root, double *cpus, char *source, size_t source_len)
{
    const char *root = fs_root != NULL ? fs_root : "";
    struct cg_paths *cp = NULL;
    struct cg_best *best = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *f = NULL;
    int rc = 0;

    if (cpus == NULL)
        return -EINVAL;
    *cpus = 0;
    if (source != NULL && source_len > 0)
        source[0] = '\0';

    /* Two PATH_MAX buffers each: keep them off the caller's stack. */
    cp = malloc(sizeof(*cp));
    best = calloc(1, sizeof(*best));
    if (cp == NULL || best == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    cg_read_self(root, cp);
    if (!cp->has_v1 && !cp->has_v2)
        goto out;
    f = tp__fopen_under(root, "/proc/self/mountinfo");
    if (f == NULL)
        goto out; /* no mount table: no cgroup to read */

    while ((n = getline(&line, &cap, f)) > 0) {
        struct mount_line m;
        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        if (parse_mount_line(line, &m) != 0)
            continue;
        enum cg_version ver;
        const char *cgpath;
        if (strcmp(m.fstype, "cgroup2") == 0 && cp->has_v2) {
            ver = CG_V2;
            cgpath = cp->v2;
        } else if (strcmp(m.fstype, "cgroup") == 0 && cp->has_v1 && list_has_token(m.superopts, "cpu")) {
            ver = CG_V1;
            cgpath = cp->v1;
        } else {
            continue;
        }
        unescape_mount_field(m.root);
        unescape_mount_field(m.mount_point);
        rc = cg_walk(root, ver, m.mount_point, cg_relative(cgpath, m.root), best);
        if (rc != 0)
            goto out;
    }

    *cpus = best->cpus;
    if (source != NULL && source_len > 0)
        snprintf(source, source_len, "%s", best->source);

out:
    free(line);
    if (f != NULL)
        fclose(f);
    free(best);
    free(cp);
    return rc;
}
