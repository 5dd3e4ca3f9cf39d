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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "error.h"
#include "registry.h"
#include "vec.h"
#include "workload.h"

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
                 "%s = {...} (see tunepool/plugin.h)",
                 path, TP_PLUGIN_SYMBOL, TP_PLUGIN_SYMBOL);
        rc = TP_EPLUGIN;
    } else if (pl->abi_version != TP_PLUGIN_ABI_VERSION) {
        snprintf(err, errlen,
                 "--workload=plugin:%s: ABI version %u, this tune-pool supports version %d: rebuild "
                 "the plugin against this tune-pool's tunepool/plugin.h",
                 path, (unsigned)pl->abi_version, TP_PLUGIN_ABI_VERSION);
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

/* Loads the plugin once to check it and records its name in p; nothing
 * stays loaded. tp_workload_check and the sweep's setup. */
static int plugin_check(struct tp_workload_params *p, char *err, size_t errlen)
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

static int plugin_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    return p->plugin_path[0] != '\0' ? 0 : -EINVAL;
}

/* --workload=plugin:PATH: a PATH without '/' is taken as "./PATH" (a
 * file, not a library search). */
static int plugin_parse_arg(const char *path, struct tp_workload_params *p)
{
    if (*path == '\0')
        return -EINVAL;
    int n = snprintf(p->plugin_path, sizeof p->plugin_path, "%s%s", strchr(path, '/') ? "" : "./", path);
    if (n < 0 || (size_t)n >= sizeof p->plugin_path)
        return -ENAMETOOLONG;
    return 0;
}

static int plugin_sweep_setup(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen)
{
    (void)res;
    return plugin_check(p, err, errlen);
}

/* A plugin's nonzero return as our code: a negative errno stays itself. */
static int plugin_rc(int rc) { return rc < 0 && rc > -4096 ? rc : TP_EPLUGIN; }

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
        tp__wthread_count(t, 0, 0);
        return;
    }
    int64_t r = s->plugin->task(s->user, t->data, index);
    tp__wthread_count(t, r >= 0, r > 0 ? (uint64_t)r : 0);
}

static void plugin_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    snprintf(buf, len, "plugin %s: %s%s%s%s", p->plugin_name[0] ? p->plugin_name : "?", p->plugin_path,
             p->plugin_arg[0] ? " (arg \"" : "", p->plugin_arg, p->plugin_arg[0] ? "\")" : "");
}

static int plugin_report_json(json_t *wl, const struct tp_workload_params *p)
{
    int bad = 0;
    bad |= json_object_set_new(wl, "plugin_path", json_string(p->plugin_path));
    bad |= json_object_set_new(wl, "plugin_name", p->plugin_name[0] ? json_string(p->plugin_name) : json_null());
    bad |= json_object_set_new(wl, "plugin_arg", json_string(p->plugin_arg));
    bad |= json_object_set_new(wl, "plugin_abi", json_integer(TP_PLUGIN_ABI_VERSION));
    return bad ? -1 : 0;
}

static const struct tp_workload_option plugin_options[] = {
    { .name = "workload-arg",
      .type = TP_OPTION_STRING,
      .min = 0,
      .max = TP_WORKLOAD_PATH_MAX - 1,
      .value_name = "STR",
      .help = "plugin: the string its setup() receives",
      .offset = offsetof(struct tp_workload_params, plugin_arg),
      .field_size = sizeof(((struct tp_workload_params *)0)->plugin_arg) },
};

const struct tp__workload_ops tp__workload_plugin_ops = {
    .kind = TP_WORKLOAD_PLUGIN,
    .name = "plugin",
    .spec_prefix = "plugin:",
    .spec_usage = "plugin:PATH.so",
    .parse_arg = plugin_parse_arg,
    .options = plugin_options,
    .n_options = TP__ARRAY_LEN(plugin_options),
    .check_options = tp__workload_refuse_latency,
    .validate = plugin_validate,
    .check = plugin_check,
    .describe = plugin_describe,
    .setup = plugin_setup,
    .task = plugin_task,
    .teardown = plugin_teardown,
    .thread_init = plugin_thread_init,
    .thread_fini = plugin_thread_fini,
    .sweep_setup = plugin_sweep_setup,
    .no_async = "plugin: a plugin's task is one blocking call into its code (tunepool/plugin.h has no "
                "start/continue steps), so a loop could only run one at a time",
    .work_noun = "tasks ok",
    .report_json = plugin_report_json,
};
