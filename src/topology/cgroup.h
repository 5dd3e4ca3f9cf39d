/* cgroup.h - the CPU quota of this process's cgroups (v2 cpu.max, v1 cfs quota), which hwloc does not read. */
#ifndef TP_TOPOLOGY_CGROUP_H
#define TP_TOPOLOGY_CGROUP_H

#include <stddef.h>

/* Reads the tightest CPU quota that applies to this process from cgroup v2
 * cpu.max and cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us, walking from
 * the process's cgroup up to the root of each hierarchy. fs_root prefixes
 * every path ("" = the real machine). Stores quota/period in *cpus (0 when no
 * limit) and the file it came from in source, as a path on the machine
 * described (without the fs_root prefix), "" when there is no limit.
 * Missing or unreadable files and directories mean no limit. Returns 0 (also
 * when there is no cgroup at all), TP_ECGROUP for a file that exists but
 * cannot be parsed, -EINVAL for a NULL cpus or -ENOMEM. */
int tp__cgroup_cpu_quota(const char *fs_root, double *cpus, char *source, size_t source_len);

#endif
