/* plugin.h - the C ABI of a tune-pool workload plugin: your own task, measured by `tune-pool --workload=plugin:PATH.so`. */
#ifndef TUNEPOOL_PLUGIN_H
#define TUNEPOOL_PLUGIN_H

/*
 * A plugin is a shared object that exports ONE object:
 *
 *     #include <tunepool/plugin.h>
 *
 *     static int64_t my_task(void *state, void *thread_state, uint64_t index) { ...; return bytes; }
 *
 *     TP_PLUGIN_EXPORT const struct tp_plugin tp_plugin_v1 = {
 *         .abi_version = TP_PLUGIN_ABI_VERSION,
 *         .name = "my-task",
 *         .task = my_task,
 *     };
 *
 * and is built with only this header: cc -O2 -fPIC -shared -I<include dir> -o my.so my.c
 *
 * tune-pool loads it with dlopen(RTLD_NOW | RTLD_LOCAL) once in its own
 * process to check it (a missing file, a file that is not a shared object, a
 * missing tp_plugin_v1, another abi_version, a NULL name or task are errors,
 * reported before anything is measured, exit status 2), then again in the
 * process of every measured point. Each point runs in its own process: a
 * crash, an abort or a hang in your code ends that point only; it is
 * recorded (the signal, or a timeout past --point-timeout) and the sweep goes
 * on.
 *
 * Who calls what, in one point's process:
 *
 *   setup(arg, &state)        once, on the measuring thread, before any
 *                             worker starts. arg is the --workload-arg string
 *                             ("" when none), owned by tune-pool and valid
 *                             until teardown() returns: copy what you keep.
 *                             *state starts NULL; what you store there is
 *                             yours and is passed to every other call.
 *   thread_init(state, worker, &thread_state)
 *                             once on each pool worker, on that worker, before
 *                             it runs a task. worker is its index, 0 .. N-1.
 *                             *thread_state starts NULL; it is yours (e.g. a
 *                             connection, a buffer) and is passed to the tasks
 *                             this worker runs.
 *   task(state, thread_state, index)
 *                             many times, concurrently on all workers: it
 *                             must be thread-safe with respect to state.
 *                             index numbers the tasks of a batch from 0.
 *   thread_fini(state, thread_state)
 *                             once on each worker when it exits (the pool is
 *                             destroyed at the end of the point), on that
 *                             worker: free thread_state.
 *   teardown(state)           once, on the measuring thread, after every
 *                             worker has exited: free state.
 *
 * Every function except task may be NULL (nothing to do).
 *
 * Return values: setup and thread_init return 0 on success; anything else
 * fails the point (recorded with the reason "workload plugin failed"; a
 * negative errno value is reported as that error). task returns the bytes it
 * moved (0 if that means nothing for your task), or a negative value for a
 * failed task: failures are counted per point and reported next to the
 * successful tasks and the bytes, never fatal.
 *
 * Versioning: the exported symbol carries the ABI version in its name
 * (tp_plugin_v1) and in abi_version. A future ABI adds tp_plugin_v2 with its
 * own struct; tune-pool keeps loading the older ones it knows.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_PLUGIN_ABI_VERSION 1
#define TP_PLUGIN_SYMBOL "tp_plugin_v1"

/* Makes the object visible even when the plugin is built with
 * -fvisibility=hidden, with C linkage from C++. */
#ifdef __cplusplus
#define TP_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define TP_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

struct tp_plugin {
    uint32_t abi_version; /* TP_PLUGIN_ABI_VERSION */
    const char *name;     /* short name for the report, e.g. "checksum"; not NULL */

    /* Optional: once per point before the workers start (see above). */
    int (*setup)(const char *arg, void **state);
    /* Optional: once on each worker, on that worker, before its first task. */
    int (*thread_init)(void *state, int worker, void **thread_state);
    /* Required: one task. Returns the bytes it moved (>= 0) or a negative
     * value when the task failed (counted, not fatal). */
    int64_t (*task)(void *state, void *thread_state, uint64_t index);
    /* Optional: once on each worker as it exits, on that worker. */
    void (*thread_fini)(void *state, void *thread_state);
    /* Optional: once per point after every worker has exited. */
    void (*teardown)(void *state);
};

#ifdef __cplusplus
}
#endif
#endif /* TUNEPOOL_PLUGIN_H */
