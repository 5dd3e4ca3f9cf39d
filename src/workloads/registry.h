/* registry.h - the workload kinds: each kind's ops (defined in its own file) and the lookups over them. */
#ifndef TP_SRC_REGISTRY_H
#define TP_SRC_REGISTRY_H

#include "workload.h"

/* The kinds, each defined in its own file (io, cpu, mixed, noop in
 * synthetic.c) and listed only by registry.c. */
extern const struct tp__workload_ops tp__workload_io_ops;
extern const struct tp__workload_ops tp__workload_cpu_ops;
extern const struct tp__workload_ops tp__workload_mixed_ops;
extern const struct tp__workload_ops tp__workload_noop_ops;
extern const struct tp__workload_ops tp__workload_file_ops;
extern const struct tp__workload_ops tp__workload_net_ops;
extern const struct tp__workload_ops tp__workload_plugin_ops;
extern const struct tp__workload_ops tp__workload_pg_ops;
extern const struct tp__workload_ops tp__workload_http_ops;

/* The kind's operations; NULL when unknown. */
const struct tp__workload_ops *tp__workload_find(enum tp_workload_kind kind);

/* The kind a --workload value names (its name, or its spec_prefix and an
 * argument); NULL when none does. */
const struct tp__workload_ops *tp__workload_find_spec(const char *spec);

#endif
