/* checksum.c - an example tune-pool plugin: each task opens a file, reads it whole and checksums it (FNV-1a). */

/*
 * What a user recognises: a service that reads a template or a config file
 * per request and hashes it. Each task does real syscalls (open, read,
 * close) and real CPU work (the hash), so the best pool size depends on
 * this machine's file cache, disk and cores: measure it.
 *
 * Build (only the header is needed, no library):
 *   cc -O2 -fPIC -shared -I/path/to/tune-pool/include -o checksum.so checksum.c
 * Run:
 *   tune-pool --workload=plugin:./checksum.so --workload-arg=/etc/services
 * --workload-arg is the file to read (default /etc/services).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tunepool/plugin.h>

#define BUF_SIZE (64 * 1024)

struct checksum_state {
    char path[4096]; /* our copy of --workload-arg */
};

/* Once per point, before the workers start: keep the path, check it opens. */
static int checksum_setup(const char *arg, void **state)
{
    struct checksum_state *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    strncpy(s->path, arg != NULL && arg[0] != '\0' ? arg : "/etc/services", sizeof(s->path) - 1);
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = -errno;
        free(s);
        return err; /* the point fails with this errno */
    }
    close(fd);
    *state = s;
    return 0;
}

/* On each worker: its own read buffer, so tasks share nothing. */
static int checksum_thread_init(void *state, int worker, void **thread_state)
{
    (void)state;
    (void)worker;
    *thread_state = malloc(BUF_SIZE);
    return *thread_state != NULL ? 0 : -ENOMEM;
}

/* One task: open, read all, hash, close. Returns the bytes read. */
static int64_t checksum_task(void *state, void *thread_state, uint64_t index)
{
    const struct checksum_state *s = state;
    unsigned char *buf = thread_state;
    (void)index;
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1; /* counted as an error; the sweep goes on */
    uint64_t hash = 1469598103934665603ull;
    int64_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, BUF_SIZE)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            hash = (hash ^ buf[i]) * 1099511628211ull;
        total += n;
    }
    close(fd);
    if (n < 0)
        return -1;
    /* Keep the hash observable so the compiler cannot drop the loop. */
    __atomic_fetch_xor(&buf[0], (unsigned char)hash, __ATOMIC_RELAXED);
    return total;
}

static void checksum_thread_fini(void *state, void *thread_state)
{
    (void)state;
    free(thread_state);
}

static void checksum_teardown(void *state) { free(state); }

TP_PLUGIN_EXPORT const struct tp_plugin tp_plugin_v1 = {
    .abi_version = TP_PLUGIN_ABI_VERSION,
    .name = "checksum",
    .setup = checksum_setup,
    .thread_init = checksum_thread_init,
    .task = checksum_task,
    .thread_fini = checksum_thread_fini,
    .teardown = checksum_teardown,
};
