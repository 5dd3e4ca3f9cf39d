/* registry.c - the workload kinds: the one list of their ops, and the lookups by kind, by name and by option. */
#include <errno.h>
#include <string.h>

#include "registry.h"
#include "vec.h"

/* Every kind tune-pool has. Adding one: its ops in its own file, a line
 * here, its enum value in tunepool.h. */
static const struct tp__workload_ops *const kinds[] = {
    &tp__workload_io_ops,     &tp__workload_cpu_ops, &tp__workload_mixed_ops,
    &tp__workload_file_ops,   &tp__workload_net_ops, &tp__workload_noop_ops,
    &tp__workload_plugin_ops, &tp__workload_pg_ops,  &tp__workload_http_ops,
};

const struct tp__workload_ops *tp__workload_find(enum tp_workload_kind kind)
{
    for (size_t i = 0; i < TP__ARRAY_LEN(kinds); i++)
        if (kinds[i]->kind == kind)
            return kinds[i];
    return NULL;
}

const struct tp__workload_ops *tp__workload_find_spec(const char *spec)
{
    for (size_t i = 0; spec != NULL && i < TP__ARRAY_LEN(kinds); i++) {
        const char *prefix = kinds[i]->spec_prefix;
        if (prefix != NULL ? strncmp(spec, prefix, strlen(prefix)) == 0 : strcmp(spec, kinds[i]->name) == 0)
            return kinds[i];
    }
    return NULL;
}

const char *tp_workload_name(enum tp_workload_kind kind)
{
    const struct tp__workload_ops *ops = tp__workload_find(kind);
    return ops != NULL ? ops->name : NULL;
}

const char *tp_workload_usage(enum tp_workload_kind kind)
{
    const struct tp__workload_ops *ops = tp__workload_find(kind);
    if (ops == NULL)
        return NULL;
    return ops->spec_usage != NULL ? ops->spec_usage : ops->name;
}

int tp_workload_parse(const char *name, enum tp_workload_kind *out)
{
    const struct tp__workload_ops *ops = tp__workload_find_spec(name);
    if (ops == NULL || out == NULL)
        return -EINVAL;
    *out = ops->kind;
    return 0;
}

int tp_workload_parse_spec(const char *spec, struct tp_workload_params *p)
{
    const struct tp__workload_ops *ops = tp__workload_find_spec(spec);
    if (ops == NULL || p == NULL)
        return -EINVAL;
    if (ops->parse_arg != NULL) {
        int rc = ops->parse_arg(spec + (ops->spec_prefix != NULL ? strlen(ops->spec_prefix) : strlen(spec)), p);
        if (rc < 0)
            return rc;
    }
    p->kind = ops->kind;
    return 0;
}

const struct tp_workload_option *tp_workload_options(enum tp_workload_kind kind, size_t *n)
{
    const struct tp__workload_ops *ops = tp__workload_find(kind);
    if (n != NULL)
        *n = ops != NULL ? ops->n_options : 0;
    return ops != NULL && ops->n_options > 0 ? ops->options : NULL;
}

const struct tp_workload_option *tp_workload_option_find(const char *name, enum tp_workload_kind *kind)
{
    for (size_t i = 0; name != NULL && i < TP__ARRAY_LEN(kinds); i++) {
        for (size_t j = 0; j < kinds[i]->n_options; j++) {
            if (strcmp(kinds[i]->options[j].name, name) == 0) {
                if (kind != NULL)
                    *kind = kinds[i]->kind;
                return &kinds[i]->options[j];
            }
        }
    }
    return NULL;
}
