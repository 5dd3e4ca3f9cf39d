/* plugin.c - the plugin workload: the user's own task from a shared object (tunepool/plugin.h), loaded with dlopen. */

/*
 * DESIGN
 * The sweep's process loads the plugin once to check it (file, symbol,
 * ABI version, name, task) and unloads it: nothing of the user's code stays
 * resident in tune-pool itself. Each point's process (a fork) loads it again
 * and runs it: setup on the measuring thread, thread_init/thread_fini on
 * each worker (through the per-thread states of workload.c), task on the
 * workers, teardown after the workers have exited. A crash or a hang in the
 * plugin ends that point's process only: measure.c records the signal or
 * the timeout and the sweep goes on.
 */
#include <stdint.h>
#include <time.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "workload.h"

int tp__plugin_check(struct tp_workload_params *p, char *err, size_t errlen);

struct plugin_state {
    void *handle;
    const struct tp_plugin *plugin;
    void *user; /* the plugin's own state from its setup() */
};

/* Loads path and finds a valid tp_plugin_v1. Returns 0 (the caller
 * dlcloses *handle) or TP_EPLUGIN / a negative errno with the reason in err. */
static int plugin_load(const char *path, void **handle, const struct tp_plugin **out, char *err, size_t errlen)
{
    *handle = NULL;
    *out = NULL;
    struct stat st;
    if (path[0] == '\0') {
        snprintf(err, errlen, "--workload=plugin:PATH: no PATH given");
        return -EINVAL;
    }
    if (stat(path, &st) != 0) {
        int rc = tp__from_errno();
        snprintf(err, errlen, "--workload=plugin:%s: %s", path, strerror(-rc));
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "--workload=plugin:%s: not a regular file", path);
        return TP_EPLUGIN;
    }
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        snprintf(err, errlen, "--workload=plugin:%s: cannot load it as a shared object: %s", path,
                 why != NULL ? why : "unknown dlopen error");
        return TP_EPLUGIN;
    }
    dlerror();
    const struct tp_plugin *pl = dlsym(h, TP_PLUGIN_SYMBOL);
    int rc = 0;
    if (pl == NULL) {
        snprintf(err, errlen,
                 "--workload=plugin:%s: no '%s' symbol: define it with TP_PLUGIN_EXPORT const struct tp_plugin "
                 "%s = {...} (see tunepool/plugin.h)", path, TP_PLUGIN_SYMBOL, TP_PLUGIN_SYMBOL);
        rc = TP_EPLUGIN;
    } else if (pl->abi_version != TP_PLUGIN_ABI_VERSION) {
        snprintf(err, errlen, "--workload=plugin:%s: ABI version %u, this tune-pool supports version %d: rebuild "
                 "the plugin against this tune-pool's tunepool/plugin.h", path, (unsigned)pl->abi_version,
                 TP_PLUGIN_ABI_VERSION);
        rc = TP_EPLUGIN;
    } else if (pl->task == NULL) {
        snprintf(err, errlen, "--workload=plugin:%s: %s.task is NULL: a plugin must have a task", path,
                 TP_PLUGIN_SYMBOL);
        rc = TP_EPLUGIN;
    } else if (pl->name == NULL || pl->name[0] == '\0') {
        snprintf(err, errlen, "--workload=plugin:%s: %s.name is NULL or empty", path, TP_PLUGIN_SYMBOL);
        rc = TP_EPLUGIN;
    }
    if (rc < 0) {
        dlclose(h);
        return rc;
    }
    *handle = h;
    *out = pl;
    return 0;
}

int tp__plugin_check(struct tp_workload_params *p, char *err, size_t errlen)
{
    void *h;
    const struct tp_plugin *pl;
    int rc = plugin_load(p->plugin_path, &h, &pl, err, errlen);
    if (rc < 0)
        return rc;
    snprintf(p->plugin_name, sizeof p->plugin_name, "%s", pl->name);
    dlclose(h);
    return 0;
}

static int plugin_validate(const struct tp_workload_params *p)
{
    return p->plugin_path[0] != '\0' ? 0 : -EINVAL;
}

static int plugin_sweep_setup(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen)
{
    (void)res;
    return tp__plugin_check(p, err, errlen);
}

/* A plugin's nonzero return as our code: a negative errno stays itself. */
static int plugin_rc(int rc)
{
    return rc < 0 && rc > -4096 ? rc : TP_EPLUGIN;
}

static int plugin_setup(struct tp__workload *w)
{
    struct plugin_state *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    char err[512];
    int rc = plugin_load(w->params.plugin_path, &s->handle, &s->plugin, err, sizeof err);
    if (rc < 0) {
        free(s);
        return rc;
    }
    if (s->plugin->setup != NULL) {
        rc = s->plugin->setup(w->params.plugin_arg, &s->user);
        if (rc != 0) {
            dlclose(s->handle);
            free(s);
            return plugin_rc(rc);
        }
    }
    w->state = s;
    return 0;
}

static void plugin_teardown(struct tp__workload *w)
{
    struct plugin_state *s = w->state;
    if (s == NULL)
        return;
    if (s->plugin->teardown != NULL)
        s->plugin->teardown(s->user);
    /* Not dlclosed: the plugin's own threads or TLS destructors may still
     * refer to its code; the point's process ends right after. */
    free(s);
    w->state = NULL;
}

static int plugin_thread_init(struct tp__workload *w, struct tp__wthread *t)
{
    const struct plugin_state *s = w->state;
    if (s->plugin->thread_init == NULL)
        return 0;
    int rc = s->plugin->thread_init(s->user, t->worker, &t->data);
    return rc == 0 ? 0 : plugin_rc(rc);
}

static void plugin_thread_fini(struct tp__workload *w, struct tp__wthread *t)
{
    const struct plugin_state *s = w->state;
    if (s->plugin->thread_fini != NULL)
        s->plugin->thread_fini(s->user, t->data);
    t->data = NULL;
}

static void plugin_task(struct tp__workload *w, uint64_t index)
{
    const struct plugin_state *s = w->state;
    struct tp__wthread *t = tp__wthread_get(w);
    if (t->init_rc != 0) {
        atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
        return;
    }
    int64_t r = s->plugin->task(s->user, t->data, index);
    if (r < 0) {
        atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&t->ops, 1, memory_order_relaxed);
    if (r > 0)
        atomic_fetch_add_explicit(&t->bytes, (uint64_t)r, memory_order_relaxed);
}

const struct tp__workload_ops tp__workload_plugin_ops = {
    .kind = TP_WORKLOAD_PLUGIN,
    .name = "plugin",
    .validate = plugin_validate,
    .setup = plugin_setup,
    .task = plugin_task,
    .teardown = plugin_teardown,
    .thread_init = plugin_thread_init,
    .thread_fini = plugin_thread_fini,
    .sweep_setup = plugin_sweep_setup,
};
