/* test_topology.c - tests of the core count: hwloc (synthetic), affinity, cgroup quota trees, override. */
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tunepool/tunepool.h"
#include "cgroup.h"

#define SYNTH "pack:1 core:4 pu:2" /* 4 cores, 8 PUs */

/* A fresh fake filesystem root per test (Criterion runs each test in its
 * own process, so a global is private to the test). */
static char g_root[64];

static void make_root(void)
{
    snprintf(g_root, sizeof(g_root), "/tmp/tp_topo_XXXXXX");
    cr_assert_not_null(mkdtemp(g_root));
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_root(void)
{
    if (g_root[0] != '\0')
        nftw(g_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(topology, .init = make_root, .fini = remove_root, .timeout = 30);

/* Writes content to <root>/<rel>, creating the directories on the way. */
static void put(const char *rel, const char *content)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", g_root, rel);
    for (char *p = path + strlen(g_root) + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0)
                cr_assert_eq(errno, EEXIST, "mkdir %s: %s", path, strerror(errno));
            *p = '/';
        }
    }
    f = fopen(path, "w");
    cr_assert_not_null(f, "fopen %s", path);
    fputs(content, f);
    fclose(f);
}

/* A cgroup v1 host whose cpu controller is mounted with cpuacct. */
static void v1_host(const char *cgpath)
{
    char line[512];
    snprintf(line, sizeof(line), "5:memory:/\n4:cpu,cpuacct:%s\n2:pids:/\n", cgpath);
    put("proc/self/cgroup", line);
    put("proc/self/mountinfo",
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
}

/* A pure cgroup v2 host. */
static void v2_host(const char *cgpath)
{
    char line[512];
    snprintf(line, sizeof(line), "0::%s\n", cgpath);
    put("proc/self/cgroup", line);
    put("proc/self/mountinfo",
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
}

static struct tp_topology_opts synth_opts(void)
{
    struct tp_topology_opts o = { 0 };
    o.hwloc_synthetic = SYNTH;
    o.fs_root = g_root;
    return o;
}

static int affinity_cpus_now(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
    return CPU_COUNT(&set);
}

/* ---------------------------------------------------------------- quota */

Test(topology, cgroup_v1_quota_and_period)
{
    double cpus = -1;
    char src[256];

    v1_host("/");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "150000\n");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 1.5, 1e-9);
    cr_assert_str_eq(src, "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us");
}

Test(topology, cgroup_v1_quota_rounds_up_to_cores)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    v1_host("/");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "150000\n");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_float_eq(t.quota_cpus, 1.5, 1e-9);
    cr_assert_eq(t.quota_cores, 2);
    cr_assert_eq(t.effective_cores, 2);
    cr_assert_eq(t.source, TP_CORES_QUOTA);
    cr_assert_str_eq(t.quota_source, "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us");
    cr_assert_str_eq(t.warning, "");
}

Test(topology, cgroup_v1_minus_one_is_no_quota)
{
    double cpus = -1;
    char src[256] = "junk";

    v1_host("/");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 0.0, 1e-12);
    cr_assert_str_eq(src, "");
}

Test(topology, cgroup_v2_max_is_no_quota)
{
    double cpus = -1;
    char src[256];

    v2_host("/user.slice");
    put("sys/fs/cgroup/user.slice/cpu.max", "max 100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 0.0, 1e-12);
    cr_assert_str_eq(src, "");
}

Test(topology, cgroup_v2_half_cpu_gives_one_core)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;
    double cpus;
    char src[256];

    v2_host("/app");
    put("sys/fs/cgroup/app/cpu.max", "50000 100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 0.5, 1e-9);
    cr_assert_str_eq(src, "/sys/fs/cgroup/app/cpu.max");

    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.quota_cores, 1);
    cr_assert_eq(t.effective_cores, 1);
    cr_assert_eq(t.source, TP_CORES_QUOTA);
}

Test(topology, cgroup_nested_parent_tighter_wins)
{
    double cpus;
    char src[256];

    v2_host("/a/b/c");
    put("sys/fs/cgroup/a/b/c/cpu.max", "300000 100000\n");
    put("sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
    put("sys/fs/cgroup/a/cpu.max", "100000 100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 1.0, 1e-9);
    cr_assert_str_eq(src, "/sys/fs/cgroup/a/cpu.max");
}

Test(topology, cgroup_nested_child_tighter_wins)
{
    double cpus;
    char src[256];

    v1_host("/a/b");
    put("sys/fs/cgroup/cpu,cpuacct/a/b/cpu.cfs_quota_us", "25000\n");
    put("sys/fs/cgroup/cpu,cpuacct/a/b/cpu.cfs_period_us", "100000\n");
    put("sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_quota_us", "400000\n");
    put("sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_period_us", "100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 0.25, 1e-9);
    cr_assert_str_eq(src, "/sys/fs/cgroup/cpu,cpuacct/a/b/cpu.cfs_quota_us");
}

Test(topology, cgroup_container_mount_root_is_stripped)
{
    double cpus;
    char src[256];

    /* Inside a container the mount point holds the container's own cgroup. */
    put("proc/self/cgroup", "3:cpu,cpuacct:/docker/abc123/worker\n");
    put("proc/self/mountinfo",
        "600 500 0:40 /docker/abc123 /sys/fs/cgroup/cpu ro,nosuid - cgroup cpu rw,cpu,cpuacct\n");
    put("sys/fs/cgroup/cpu/worker/cpu.cfs_quota_us", "-1\n");
    put("sys/fs/cgroup/cpu/worker/cpu.cfs_period_us", "100000\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "200000\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 2.0, 1e-9);
    cr_assert_str_eq(src, "/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
}

Test(topology, cgroup_path_outside_mount_root_uses_mount_point)
{
    double cpus;
    char src[256];

    /* The mount root "/docker/abc" must not match "/docker/abcdef". */
    put("proc/self/cgroup", "0::/docker/abcdef\n");
    put("proc/self/mountinfo", "600 500 0:40 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    put("sys/fs/cgroup/cpu.max", "75000 100000\n");
    put("sys/fs/cgroup/docker/abcdef/cpu.max", "10000 100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 0.75, 1e-9);
    cr_assert_str_eq(src, "/sys/fs/cgroup/cpu.max");
}

Test(topology, cgroup_cpuacct_alone_is_not_cpu)
{
    double cpus;
    char src[256];

    put("proc/self/cgroup", "2:cpuacct:/x\n");
    put("proc/self/mountinfo", "33 31 0:30 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n");
    put("sys/fs/cgroup/cpuacct/x/cpu.cfs_quota_us", "50000\n");
    put("sys/fs/cgroup/cpuacct/x/cpu.cfs_period_us", "100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 0.0, 1e-12);
    cr_assert_str_eq(src, "");
}

Test(topology, cgroup_hybrid_checks_v1_and_v2)
{
    double cpus;
    char src[256];

    /* Hybrid host: v1 cpu controller plus a unified mount; v2 is tighter. */
    put("proc/self/cgroup", "1:cpu:/svc\n0::/svc\n");
    put("proc/self/mountinfo", "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
                               "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    put("sys/fs/cgroup/cpu/svc/cpu.cfs_quota_us", "300000\n");
    put("sys/fs/cgroup/cpu/svc/cpu.cfs_period_us", "100000\n");
    put("sys/fs/cgroup/unified/svc/cpu.max", "120000 100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 1.2, 1e-9);
    cr_assert_str_eq(src, "/sys/fs/cgroup/unified/svc/cpu.max");
}

Test(topology, cgroup_mount_point_escapes_are_decoded)
{
    double cpus;
    char src[256];

    put("proc/self/cgroup", "0::/\n");
    put("proc/self/mountinfo", "30 22 0:26 / /my\\040cgroup rw - cgroup2 cgroup2 rw\n");
    put("my cgroup/cpu.max", "200000 100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 2.0, 1e-9);
    cr_assert_str_eq(src, "/my cgroup/cpu.max");
}

Test(topology, cgroup_malformed_v2_is_ecgroup)
{
    double cpus = -1;
    char src[256];

    v2_host("/app");
    put("sys/fs/cgroup/app/cpu.max", "lots 100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), TP_ECGROUP);
    cr_assert_float_eq(cpus, 0.0, 1e-12);
    cr_assert_str_eq(src, "");
}

Test(topology, cgroup_malformed_v1_is_ecgroup)
{
    double cpus;

    v1_host("/");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "12x\n");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, NULL, 0), TP_ECGROUP);
}

Test(topology, cgroup_v1_quota_without_period_is_ecgroup)
{
    double cpus;

    v1_host("/");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "50000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, NULL, 0), TP_ECGROUP);
}

Test(topology, cgroup_v2_zero_period_is_ecgroup)
{
    double cpus;

    v2_host("/");
    put("sys/fs/cgroup/cpu.max", "50000 0\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, NULL, 0), TP_ECGROUP);
}

Test(topology, detect_malformed_quota_warns_and_succeeds)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    v2_host("/app");
    put("sys/fs/cgroup/app/cpu.max", "lots 100000\n");
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.quota_cores, 0);
    cr_assert_float_eq(t.quota_cpus, 0.0, 1e-12);
    cr_assert_str_eq(t.quota_source, "");
    cr_assert_eq(t.effective_cores, 8);
    cr_assert_eq(t.source, TP_CORES_HWLOC);
    cr_assert_not_null(strstr(t.warning, "quota"), "warning: %s", t.warning);
}

Test(topology, cgroup_no_files_is_no_quota)
{
    double cpus = -1;
    char src[256] = "junk";

    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, src, sizeof(src)), 0);
    cr_assert_float_eq(cpus, 0.0, 1e-12);
    cr_assert_str_eq(src, "");
}

Test(topology, cgroup_missing_mountinfo_is_no_quota)
{
    double cpus = -1;

    put("proc/self/cgroup", "0::/app\n");
    put("sys/fs/cgroup/app/cpu.max", "50000 100000\n");
    cr_assert_eq(tp__cgroup_cpu_quota(g_root, &cpus, NULL, 0), 0);
    cr_assert_float_eq(cpus, 0.0, 1e-12);
}

Test(topology, cgroup_null_cpus_is_einval) { cr_assert_eq(tp__cgroup_cpu_quota(g_root, NULL, NULL, 0), -EINVAL); }

/* ---------------------------------------------------------------- hwloc */

Test(topology, synthetic_counts_cores_and_pus)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.hwloc_ok, 1);
    cr_assert_eq(t.hwloc_cores, 4);
    cr_assert_eq(t.hwloc_pus, 8);
    cr_assert_eq(t.unit, TP_UNIT_PU);
    cr_assert_eq(t.allowed_cores, 8);
    cr_assert_eq(t.effective_cores, 8);
    cr_assert_eq(t.source, TP_CORES_HWLOC);
    cr_assert_eq(t.quota_cores, 0);
    cr_assert_eq(t.cores_override, 0);
    cr_assert_str_eq(t.warning, "");
    cr_assert_geq(t.affinity_cpus, 1); /* always filled, from the real process */
}

Test(topology, unit_core_counts_physical_cores)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.unit = TP_UNIT_CORE;
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.unit, TP_UNIT_CORE);
    cr_assert_eq(t.allowed_cores, 4);
    cr_assert_eq(t.effective_cores, 4);
    cr_assert_eq(t.source, TP_CORES_HWLOC);
}

Test(topology, quota_smaller_than_allowed_wins)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    v2_host("/");
    put("sys/fs/cgroup/cpu.max", "300000 100000\n");
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.allowed_cores, 8);
    cr_assert_eq(t.quota_cores, 3);
    cr_assert_eq(t.effective_cores, 3);
    cr_assert_eq(t.source, TP_CORES_QUOTA);
}

Test(topology, quota_equal_to_allowed_keeps_hwloc)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.unit = TP_UNIT_CORE;
    v2_host("/");
    put("sys/fs/cgroup/cpu.max", "350000 100000\n"); /* 3.5 -> 4 == 4 cores */
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.quota_cores, 4);
    cr_assert_eq(t.effective_cores, 4);
    cr_assert_eq(t.source, TP_CORES_HWLOC);
}

Test(topology, override_replaces_effective_and_keeps_fields)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.cores_override = 13;
    v2_host("/");
    put("sys/fs/cgroup/cpu.max", "200000 100000\n");
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.cores_override, 13);
    cr_assert_eq(t.effective_cores, 13);
    cr_assert_eq(t.source, TP_CORES_OVERRIDE);
    cr_assert_eq(t.hwloc_cores, 4);
    cr_assert_eq(t.hwloc_pus, 8);
    cr_assert_eq(t.allowed_cores, 8);
    cr_assert_eq(t.quota_cores, 2);
    cr_assert_str_eq(t.quota_source, "/sys/fs/cgroup/cpu.max");
}

Test(topology, negative_override_is_ignored)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.cores_override = -2;
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.cores_override, 0);
    cr_assert_eq(t.effective_cores, 8);
    cr_assert_eq(t.source, TP_CORES_HWLOC);
}

Test(topology, disable_hwloc_falls_back_to_affinity)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.disable_hwloc = 1;
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.hwloc_ok, 0);
    cr_assert_eq(t.hwloc_cores, 0);
    cr_assert_eq(t.hwloc_pus, 0);
    cr_assert_eq(t.affinity_cpus, affinity_cpus_now());
    cr_assert_eq(t.allowed_cores, t.affinity_cpus);
    cr_assert_eq(t.effective_cores, t.affinity_cpus);
    cr_assert_eq(t.source, TP_CORES_AFFINITY);
    cr_assert_not_null(strstr(t.warning, "sched_getaffinity"), "warning: %s", t.warning);
}

Test(topology, disable_hwloc_unit_core_warns_pus_used)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.disable_hwloc = 1;
    o.unit = TP_UNIT_CORE;
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.allowed_cores, t.affinity_cpus);
    cr_assert_not_null(strstr(t.warning, "physical cores are unknown"), "warning: %s", t.warning);
}

Test(topology, bad_synthetic_falls_back_with_warning)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.hwloc_synthetic = "not a machine";
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.hwloc_ok, 0);
    cr_assert_eq(t.source, TP_CORES_AFFINITY);
    cr_assert_eq(t.allowed_cores, t.affinity_cpus);
    cr_assert_not_null(strstr(t.warning, "hwloc failed"), "warning: %s", t.warning);
}

Test(topology, fallback_quota_still_applies)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.disable_hwloc = 1;
    v1_host("/");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "50000\n");
    put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.quota_cores, 1);
    cr_assert_eq(t.effective_cores, 1);
    cr_assert_eq(t.source, t.affinity_cpus > 1 ? TP_CORES_QUOTA : TP_CORES_AFFINITY);
}

Test(topology, meminfo_and_cpuinfo_from_fs_root)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    put("proc/meminfo", "MemTotal:        4810528 kB\nMemFree:  100 kB\n"
                        "MemAvailable:    3000000 kB\n");
    put("proc/cpuinfo", "processor\t: 0\nvendor_id\t: Fake\nmodel name\t: Fake CPU 9000\n"
                        "processor\t: 1\nmodel name\t: Fake CPU 9000\n");
    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.mem_total_kb, 4810528);
    cr_assert_eq(t.mem_available_kb, 3000000);
    /* A synthetic package has no CPUModel: /proc/cpuinfo is the fallback. */
    cr_assert_str_eq(t.cpu_model, "Fake CPU 9000");
}

Test(topology, missing_proc_files_give_zero_and_empty)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    cr_assert_eq(tp_topology_detect(&t, &o), 0);
    cr_assert_eq(t.mem_total_kb, 0);
    cr_assert_eq(t.mem_available_kb, 0);
    cr_assert_str_eq(t.cpu_model, "");
}

Test(topology, null_out_is_einval) { cr_assert_eq(tp_topology_detect(NULL, NULL), -EINVAL); }

Test(topology, unknown_unit_is_einval)
{
    struct tp_topology_opts o = synth_opts();
    struct tp_topology t;

    o.unit = (enum tp_core_unit)7;
    cr_assert_eq(tp_topology_detect(&t, &o), -EINVAL);
}

Test(topology, source_names)
{
    cr_assert_str_eq(tp_cores_source_name(TP_CORES_HWLOC), "hwloc");
    cr_assert_str_eq(tp_cores_source_name(TP_CORES_AFFINITY), "affinity");
    cr_assert_str_eq(tp_cores_source_name(TP_CORES_QUOTA), "quota");
    cr_assert_str_eq(tp_cores_source_name(TP_CORES_OVERRIDE), "override");
    cr_assert_str_eq(tp_cores_source_name((enum tp_cores_source)42), "unknown");
}

/* ---------------------------------------------------------------- real */

Test(topology, real_machine_with_null_opts)
{
    struct tp_topology t;

    cr_assert_eq(tp_topology_detect(&t, NULL), 0);
    cr_assert_geq(t.effective_cores, 1);
    cr_assert_geq(t.affinity_cpus, 1);
    cr_assert_geq(t.online_cpus, 1);
    cr_assert_eq(t.unit, TP_UNIT_PU);
    cr_assert_gt(t.mem_total_kb, 0);
    if (t.hwloc_ok) {
        cr_assert_geq(t.hwloc_pus, t.hwloc_cores);
        cr_assert_eq(t.hwloc_pus, t.affinity_cpus);
        cr_assert_eq(t.allowed_cores, t.hwloc_pus);
    }
    cr_assert_leq(t.effective_cores, t.allowed_cores);
}

Test(topology, real_affinity_one_cpu_sees_one_pu)
{
    cpu_set_t saved, one;
    struct tp_topology t;
    struct tp_topology_opts o = { 0 };
    int cpu = -1;

    cr_assert_eq(sched_getaffinity(0, sizeof(saved), &saved), 0);
    for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
        if (CPU_ISSET(i, &saved))
            cpu = i;
    cr_assert_geq(cpu, 0);
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);

    int rc = tp_topology_detect(&t, &o);
    o.unit = TP_UNIT_CORE;
    struct tp_topology tc;
    int rc_core = tp_topology_detect(&tc, &o);
    sched_setaffinity(0, sizeof(saved), &saved);

    cr_assert_eq(rc, 0);
    cr_assert_eq(rc_core, 0);
    cr_assert_eq(t.affinity_cpus, 1);
    cr_assert_eq(t.effective_cores, 1);
    if (t.hwloc_ok) {
        cr_assert_eq(t.hwloc_pus, 1);
        cr_assert_eq(t.hwloc_cores, 1);
        cr_assert_eq(t.allowed_cores, 1);
        cr_assert_eq(tc.allowed_cores, 1);
    }
}
