/* plugin_test.c - test plugins for tune-pool: one that crashes, aborts, hangs or fails on command, and broken ones. */

/*
 * Built by tests/CMakeLists.txt as several modules from this one file:
 *   tp_test_plugin          the working plugin; --workload-arg commands,
 *                           comma-separated:
 *                             segv:W   a task on worker W writes to an unmapped address
 *                             abort:W  a task on worker W calls abort()
 *                             hang:W   a task on worker W sleeps forever
 *                             fail:N   every N-th task returns an error
 *                             setupfail  setup returns -EACCES
 *                           so that "segv:3" crashes every pool of 4 threads
 *                           or more and leaves the smaller ones alone.
 *   tp_test_plugin_badabi   abi_version 99
 *   tp_test_plugin_notask   task == NULL
 *   tp_test_plugin_nosym    exports no tp_plugin_v1
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tunepool/plugin.h"

struct test_state {
    int segv_worker, abort_worker, hang_worker;
    unsigned fail_every;
};

__attribute__((unused)) static int worker_arg(const char *arg, const char *key)
{
    const char *p = strstr(arg, key);
    return p != NULL ? atoi(p + strlen(key)) : -1;
}

__attribute__((unused)) static int test_setup(const char *arg, void **state)
{
    if (strstr(arg, "setupfail") != NULL)
        return -EACCES;
    struct test_state *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    s->segv_worker = worker_arg(arg, "segv:");
    s->abort_worker = worker_arg(arg, "abort:");
    s->hang_worker = worker_arg(arg, "hang:");
    int f = worker_arg(arg, "fail:");
    s->fail_every = f > 0 ? (unsigned)f : 0;
    *state = s;
    return 0;
}

__attribute__((unused)) static int test_thread_init(void *state, int worker, void **thread_state)
{
    (void)state;
    int *w = malloc(sizeof(*w));
    if (w == NULL)
        return -ENOMEM;
    *w = worker;
    *thread_state = w;
    return 0;
}

__attribute__((unused)) static int64_t test_task(void *state, void *thread_state, uint64_t index)
{
    const struct test_state *s = state;
    int worker = *(const int *)thread_state;
    if (worker == s->segv_worker) {
        /* An unmapped address just above NULL: a real SIGSEGV, which
         * UBSan's null check (halt_on_error in the ASan suite) leaves to
         * the kernel, as a user's broken plugin would. */
        volatile uintptr_t addr = 16;
        *(volatile int *)addr = 1;
    }
    if (worker == s->abort_worker)
        abort();
    if (worker == s->hang_worker)
        for (;;)
            pause();
    usleep(200); /* a small real wait, so that more threads help */
    if (s->fail_every > 0 && index % s->fail_every == 0)
        return -1;
    return 100;
}

__attribute__((unused)) static void test_thread_fini(void *state, void *thread_state)
{
    (void)state;
    free(thread_state);
}

__attribute__((unused)) static void test_teardown(void *state) { free(state); }

#if defined(TP_TEST_NOSYM)
TP_PLUGIN_EXPORT const struct tp_plugin tp_plugin_v0 = { 0 };
#else
TP_PLUGIN_EXPORT const struct tp_plugin tp_plugin_v1 = {
#if defined(TP_TEST_BADABI)
    .abi_version = 99,
#else
    .abi_version = TP_PLUGIN_ABI_VERSION,
#endif
    .name = "test",
    .setup = test_setup,
    .thread_init = test_thread_init,
#if !defined(TP_TEST_NOTASK)
    .task = test_task,
#endif
    .thread_fini = test_thread_fini,
    .teardown = test_teardown,
};
#endif
