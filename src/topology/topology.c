/* topology.c - effective core count: hwloc, affinity, cgroup CPU quota, override. */
#include <stdint.h>
#include <time.h>
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

#include "error.h"
#include "file.h"
#include "format.h"
#include "cgroup.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* ------------------------------------------------------------------------
 * Small string and file helpers.
 * ---------------------------------------------------------------------- */

/* Appends a formatted note to out->warning, separated by "; ". Truncates
 * silently when the buffer is full: the warning is informational. */
static void add_warning(struct tp_topology *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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
        tp__copy_string(out->cpu_model, sizeof(out->cpu_model), model);

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
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *f;

    f = tp__fopen_under(root, "/proc/cpuinfo");
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
        tp__copy_string(out->cpu_model, sizeof(out->cpu_model), v);
        break;
    }
    free(line);
    fclose(f);
}

/* MemTotal and MemAvailable (kB) from <root>/proc/meminfo; 0 when absent. */
static void read_meminfo(const char *root, struct tp_topology *out)
{
    char *line = NULL;
    size_t cap = 0;
    FILE *f;

    f = tp__fopen_under(root, "/proc/meminfo");
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

/* hwloc first; on failure (or disabled) the affinity mask stands in and a
 * warning says why. */
static void detect_cpus(struct tp_topology *out, const struct tp_topology_opts *opts)
{
    const char *why = NULL;
    if (opts->disable_hwloc) {
        add_warning(out, "hwloc disabled: using sched_getaffinity");
        return;
    }
    int rc = detect_hwloc(out, opts->hwloc_synthetic, &why);
    if (rc == 0)
        out->hwloc_ok = 1;
    else if (rc == TP_EHWLOC)
        add_warning(out, "hwloc failed (%s): using sched_getaffinity", why);
    else
        add_warning(out, "hwloc failed (%s: %s): using sched_getaffinity", why, tp_strerror(rc));
}

/* The cgroup's CPU quota, rounded up to whole cores. */
static void detect_quota(struct tp_topology *out, const struct tp_topology_opts *opts)
{
    /* The quota is a time budget, not a CPU set: hwloc never sees it. */
    int rc = tp__cgroup_cpu_quota(opts->fs_root, &out->quota_cpus, out->quota_source, sizeof(out->quota_source));
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
}

/* The effective count: the allowed cores, capped by the quota, or the override. */
static void decide_cores(struct tp_topology *out)
{
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
}

/* Fills every field of *out. Returns 0; -EINVAL for a NULL out or an
 * unknown unit; or the sched_getaffinity error when hwloc is not usable
 * either. A failing hwloc or a malformed cgroup file only adds a warning. */
int tp_topology_detect(struct tp_topology *out, const struct tp_topology_opts *opts)
{
    static const struct tp_topology_opts defaults = { 0 };
    if (out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if (opts == NULL)
        opts = &defaults;
    if (opts->unit != TP_UNIT_PU && opts->unit != TP_UNIT_CORE)
        return -EINVAL;
    const char *root = opts->fs_root != NULL ? opts->fs_root : "";
    out->unit = opts->unit;
    out->cores_override = opts->cores_override > 0 ? opts->cores_override : 0;

    detect_cpus(out, opts);
    int aff = affinity_count();
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
    detect_quota(out, opts);
    decide_cores(out);

    if (out->cpu_model[0] == '\0')
        read_cpuinfo_model(root, out);
    read_meminfo(root, out);
    return 0;
}
