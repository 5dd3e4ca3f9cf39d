/* topology.c - effective core count: hwloc, affinity, cgroup CPU quota, override. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

#include "common.h"
#include "topology.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* ------------------------------------------------------------------------
 * Small string and file helpers.
 * ---------------------------------------------------------------------- */

/* Appends a formatted note to out->warning, separated by "; ". Truncates
 * silently when the buffer is full: the warning is informational. */
static void add_warning(struct tp_topology *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_warning(struct tp_topology *out, const char *fmt, ...)
{
    size_t len = strlen(out->warning);
    size_t cap = sizeof(out->warning);
    va_list ap;

    if (len > 0 && len + 2 < cap) {
        memcpy(out->warning + len, "; ", 3);
        len += 2;
    }
    if (len + 1 >= cap)
        return;
    va_start(ap, fmt);
    vsnprintf(out->warning + len, cap - len, fmt, ap);
    va_end(ap);
}

/* Copies src into dst (size dst_len, may be 0), always terminated. */
static void copy_string(char *dst, size_t dst_len, const char *src)
{
    if (dst_len == 0)
        return;
    snprintf(dst, dst_len, "%s", src);
}

/* Builds "<root><path>" into buf. Returns 0 or -ENAMETOOLONG. */
static int join_root(char *buf, size_t len, const char *root, const char *path)
{
    int n = snprintf(buf, len, "%s%s", root, path);
    if (n < 0 || (size_t)n >= len)
        return -ENAMETOOLONG;
    return 0;
}

/* Reads a small file (at most len - 1 bytes) into buf, terminated.
 * Returns 0, or a negative errno when it cannot be opened or read. */
static int read_small_file(const char *path, char *buf, size_t len)
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
    double cpus;       /* quota / period; 0 = none yet */
    char source[PATH_MAX];
};

/* Parses <root>/proc/self/cgroup. A missing file leaves both paths unset. */
static void cg_read_self(const char *root, struct cg_paths *cp)
{
    char path[PATH_MAX];
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *f;

    memset(cp, 0, sizeof(*cp));
    if (join_root(path, sizeof(path), root, "/proc/self/cgroup") != 0)
        return;
    f = fopen(path, "re");
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
            copy_string(cp->v2, sizeof(cp->v2), cgpath);
            cp->has_v2 = 1;
        } else if (!cp->has_v1 && list_has_token(c1 + 1, "cpu")) {
            copy_string(cp->v1, sizeof(cp->v1), cgpath);
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
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
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

    if (read_small_file(path, buf, sizeof(buf)) != 0)
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
static int cg_read_level(enum cg_version ver, const char *dir, const char *shown,
                         struct cg_best *best)
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
        if (read_small_file(path, buf, sizeof(buf)) != 0)
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
static int cg_walk(const char *root, enum cg_version ver, const char *mnt, const char *rel,
                   struct cg_best *best)
{
    char relbuf[PATH_MAX];
    char dir[PATH_MAX];
    char shown[PATH_MAX];
    int rc;

    copy_string(relbuf, sizeof(relbuf), rel);
    for (;;) {
        size_t len = strlen(relbuf);
        /* Drop a trailing slash so "/" and "" both mean the mount point. */
        while (len > 0 && relbuf[len - 1] == '/')
            relbuf[--len] = '\0';
        if (snprintf(shown, sizeof(shown), "%s%s", mnt, relbuf) >= (int)sizeof(shown) ||
            join_root(dir, sizeof(dir), root, shown) != 0)
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

int tp__cgroup_cpu_quota(const char *fs_root, double *cpus, char *source, size_t source_len)
{
    const char *root = fs_root != NULL ? fs_root : "";
    struct cg_paths *cp = NULL;
    struct cg_best *best = NULL;
    char path[PATH_MAX];
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *f = NULL;
    int rc = 0;

    if (cpus == NULL)
        return -EINVAL;
    *cpus = 0;
    if (source != NULL)
        copy_string(source, source_len, "");

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
    if (join_root(path, sizeof(path), root, "/proc/self/mountinfo") != 0)
        goto out;
    f = fopen(path, "re");
    if (f == NULL)
        goto out; /* no mount table: no cgroup to read */

    /* "36 35 98:0 /mnt1 /mnt/a rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
    while ((n = getline(&line, &cap, f)) > 0) {
        char *field[5], *fstype, *superopts, *sep, *save = NULL, *p;
        int nf = 0;

        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        sep = strstr(line, " - ");
        if (sep == NULL)
            continue;
        *sep = '\0';
        for (p = strtok_r(line, " ", &save); p != NULL && nf < 5; p = strtok_r(NULL, " ", &save))
            field[nf++] = p;
        if (nf < 5)
            continue;
        save = NULL;
        fstype = strtok_r(sep + 3, " ", &save);
        if (fstype == NULL || strtok_r(NULL, " ", &save) == NULL)
            continue;
        superopts = strtok_r(NULL, " ", &save);
        if (superopts == NULL)
            continue;

        enum cg_version ver;
        const char *cgpath;
        if (strcmp(fstype, "cgroup2") == 0 && cp->has_v2) {
            ver = CG_V2;
            cgpath = cp->v2;
        } else if (strcmp(fstype, "cgroup") == 0 && cp->has_v1 &&
                   list_has_token(superopts, "cpu")) {
            ver = CG_V1;
            cgpath = cp->v1;
        } else {
            continue;
        }
        unescape_mount_field(field[3]);
        unescape_mount_field(field[4]);
        rc = cg_walk(root, ver, field[4], cg_relative(cgpath, field[3]), best);
        if (rc != 0)
            goto out;
    }

    *cpus = best->cpus;
    if (source != NULL)
        copy_string(source, source_len, best->source);

out:
    free(line);
    if (f != NULL)
        fclose(f);
    free(best);
    free(cp);
    return rc;
}

/* ------------------------------------------------------------------------
 * hwloc, affinity, /proc.
 * ---------------------------------------------------------------------- */

/* Counts the objects of type whose cpuset meets set (a core with one of
 * its two PUs allowed still counts as an allowed core). */
static int count_in_set(hwloc_topology_t topo, hwloc_const_cpuset_t set, hwloc_obj_type_t type)
{
    hwloc_obj_t obj = NULL;
    int count = 0;

    while ((obj = hwloc_get_next_obj_by_type(topo, type, obj)) != NULL)
        if (obj->cpuset != NULL && hwloc_bitmap_intersects(obj->cpuset, set))
            count++;
    return count;
}

/* Loads the topology (real or synthetic) and counts the cores and PUs this
 * process may use. For the real machine that is the allowed cpuset (hwloc
 * already drops what a cgroup cpuset forbids, as INCLUDE_DISALLOWED is not
 * set) intersected with the calling thread's binding, the mask that
 * sched_getaffinity(0) and any thread it creates see: taskset or
 * sched_setaffinity narrow it, and hwloc does not apply that by itself.
 * A synthetic machine is unrelated to our binding, so it is counted whole.
 * Returns 0 or a negative code; why is set to the failing hwloc call. */
static int detect_hwloc(struct tp_topology *out, const char *synthetic, const char **why)
{
    hwloc_topology_t topo = NULL;
    hwloc_bitmap_t set = NULL;
    hwloc_obj_t pkg;
    const char *model;
    int rc = 0;

    *why = "hwloc_topology_init";
    if (hwloc_topology_init(&topo) != 0) {
        topo = NULL;
        rc = tp__from_errno();
        goto out;
    }
    *why = "hwloc_topology_set_flags";
    if (hwloc_topology_set_flags(topo, 0) != 0) {
        rc = tp__from_errno();
        goto out;
    }
    if (synthetic != NULL) {
        *why = "hwloc_topology_set_synthetic";
        if (hwloc_topology_set_synthetic(topo, synthetic) != 0) {
            rc = tp__from_errno();
            goto out;
        }
    }
    *why = "hwloc_topology_load";
    if (hwloc_topology_load(topo) != 0) {
        rc = tp__from_errno();
        goto out;
    }

    *why = "hwloc_bitmap_dup";
    set = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
    if (set == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    if (synthetic == NULL) {
        hwloc_bitmap_t bind = hwloc_bitmap_alloc();
        *why = "hwloc_get_cpubind";
        if (bind == NULL) {
            rc = -ENOMEM;
            goto out;
        }
        if (hwloc_get_cpubind(topo, bind, HWLOC_CPUBIND_THREAD) != 0) {
            rc = tp__from_errno();
            hwloc_bitmap_free(bind);
            goto out;
        }
        hwloc_bitmap_and(set, set, bind);
        hwloc_bitmap_free(bind);
    }

    out->hwloc_pus = count_in_set(topo, set, HWLOC_OBJ_PU);
    out->hwloc_cores = count_in_set(topo, set, HWLOC_OBJ_CORE);
    if (out->hwloc_pus == 0) {
        *why = "no PU inside the CPU binding";
        rc = TP_EHWLOC;
        goto out;
    }
    if (out->hwloc_cores == 0) /* hwloc may expose no Core level: a PU is one */
        out->hwloc_cores = out->hwloc_pus;

    pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    model = pkg != NULL ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    if (model != NULL)
        copy_string(out->cpu_model, sizeof(out->cpu_model), model);

out:
    if (rc != 0) {
        out->hwloc_pus = 0;
        out->hwloc_cores = 0;
    }
    hwloc_bitmap_free(set);
    if (topo != NULL)
        hwloc_topology_destroy(topo);
    return rc;
}

/* CPU_COUNT of the calling thread's affinity mask, growing the mask for
 * machines with more than CPU_SETSIZE CPUs. Returns the count or a negative
 * errno. */
static int affinity_count(void)
{
    for (size_t ncpus = CPU_SETSIZE; ncpus <= (1u << 20); ncpus *= 2) {
        cpu_set_t *mask = CPU_ALLOC(ncpus);
        size_t size = CPU_ALLOC_SIZE(ncpus);
        int count;

        if (mask == NULL)
            return -ENOMEM;
        CPU_ZERO_S(size, mask);
        if (sched_getaffinity(0, size, mask) != 0) {
            int rc = tp__from_errno();
            CPU_FREE(mask);
            if (rc == -EINVAL)
                continue; /* the kernel's mask is wider: try a bigger one */
            return rc;
        }
        count = CPU_COUNT_S(size, mask);
        CPU_FREE(mask);
        return count;
    }
    return -EINVAL;
}

/* "model name : AMD EPYC" from <root>/proc/cpuinfo into out->cpu_model. */
static void read_cpuinfo_model(const char *root, struct tp_topology *out)
{
    char path[PATH_MAX];
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *f;

    if (join_root(path, sizeof(path), root, "/proc/cpuinfo") != 0)
        return;
    f = fopen(path, "re");
    if (f == NULL)
        return;
    while ((n = getline(&line, &cap, f)) > 0) {
        char *colon, *v;

        if (strncmp(line, "model name", 10) != 0)
            continue;
        colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        v[strcspn(v, "\n")] = '\0';
        copy_string(out->cpu_model, sizeof(out->cpu_model), v);
        break;
    }
    free(line);
    fclose(f);
}

/* MemTotal and MemAvailable (kB) from <root>/proc/meminfo; 0 when absent. */
static void read_meminfo(const char *root, struct tp_topology *out)
{
    char path[PATH_MAX];
    char *line = NULL;
    size_t cap = 0;
    FILE *f;

    if (join_root(path, sizeof(path), root, "/proc/meminfo") != 0)
        return;
    f = fopen(path, "re");
    if (f == NULL)
        return;
    while (getline(&line, &cap, f) > 0) {
        long kb;

        if (sscanf(line, "MemTotal: %ld kB", &kb) == 1)
            out->mem_total_kb = kb;
        else if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
            out->mem_available_kb = kb;
    }
    free(line);
    fclose(f);
}

/* ------------------------------------------------------------------------
 * Public API.
 * ---------------------------------------------------------------------- */

const char *tp_cores_source_name(enum tp_cores_source s)
{
    switch (s) {
    case TP_CORES_HWLOC: return "hwloc";
    case TP_CORES_AFFINITY: return "affinity";
    case TP_CORES_QUOTA: return "quota";
    case TP_CORES_OVERRIDE: return "override";
    }
    return "unknown";
}

/* Fills every field of *out. Returns 0; -EINVAL for a NULL out or an
 * unknown unit; or the sched_getaffinity error when hwloc is not usable
 * either. A failing hwloc or a malformed cgroup file only adds a warning. */
int tp_topology_detect(struct tp_topology *out, const struct tp_topology_opts *opts)
{
    static const struct tp_topology_opts defaults = {0};
    const char *root;
    const char *why = NULL;
    int rc, aff;

    if (out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if (opts == NULL)
        opts = &defaults;
    if (opts->unit != TP_UNIT_PU && opts->unit != TP_UNIT_CORE)
        return -EINVAL;
    root = opts->fs_root != NULL ? opts->fs_root : "";
    out->unit = opts->unit;
    out->cores_override = opts->cores_override > 0 ? opts->cores_override : 0;

    /* hwloc first; on failure the affinity mask stands in. */
    if (opts->disable_hwloc) {
        add_warning(out, "hwloc disabled: using sched_getaffinity");
    } else {
        rc = detect_hwloc(out, opts->hwloc_synthetic, &why);
        if (rc == 0)
            out->hwloc_ok = 1;
        else if (rc == TP_EHWLOC)
            add_warning(out, "hwloc failed (%s): using sched_getaffinity", why);
        else
            add_warning(out, "hwloc failed (%s: %s): using sched_getaffinity", why,
                        tp_strerror(rc));
    }

    aff = affinity_count();
    if (aff < 0) {
        if (!out->hwloc_ok)
            return aff;
        add_warning(out, "sched_getaffinity failed: %s", tp_strerror(aff));
        aff = 0;
    }
    out->affinity_cpus = aff;

    long online = sysconf(_SC_NPROCESSORS_ONLN);
    out->online_cpus = online > 0 && online <= INT_MAX ? (int)online : 0;

    if (out->hwloc_ok) {
        out->allowed_cores = out->unit == TP_UNIT_CORE ? out->hwloc_cores : out->hwloc_pus;
        out->source = TP_CORES_HWLOC;
    } else {
        if (out->unit == TP_UNIT_CORE)
            add_warning(out, "physical cores are unknown without hwloc: counting PUs");
        out->allowed_cores = out->affinity_cpus;
        out->source = TP_CORES_AFFINITY;
    }

    /* The quota is a time budget, not a CPU set: hwloc never sees it. */
    rc = tp__cgroup_cpu_quota(opts->fs_root, &out->quota_cpus, out->quota_source,
                              sizeof(out->quota_source));
    if (rc != 0) {
        add_warning(out, "CPU quota ignored: %s", tp_strerror(rc));
        out->quota_cpus = 0;
        out->quota_source[0] = '\0';
    }
    /* Round up: a quota of 1.5 CPUs still lets 2 threads run in parallel for
     * part of every period, and rounding down would turn 0.5 into 0 cores.
     * The JVM's container support and Go (1.25+, GOMAXPROCS) round up too. */
    if (out->quota_cpus > 0) {
        double c = ceil(out->quota_cpus);
        out->quota_cores = c > INT_MAX ? INT_MAX : (int)c;
    }

    out->effective_cores = out->allowed_cores;
    if (out->quota_cores > 0 && out->quota_cores < out->allowed_cores) {
        out->effective_cores = out->quota_cores;
        out->source = TP_CORES_QUOTA;
    }
    if (out->effective_cores < 1)
        out->effective_cores = 1;
    if (out->cores_override > 0) {
        out->effective_cores = out->cores_override;
        out->source = TP_CORES_OVERRIDE;
    }

    if (out->cpu_model[0] == '\0')
        read_cpuinfo_model(root, out);
    read_meminfo(root, out);
    return 0;
}
