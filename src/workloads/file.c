/* file.c - the file workload: pread of random blocks of a temporary file the sweep creates and removes. */

/*
 * DESIGN
 * The sweep (its own process, once) creates the data file with mkstemp in
 * the chosen directory, opens it (with O_DIRECT when asked: a file system
 * that refuses it, such as tmpfs, is reported here, naming the directory),
 * and unlinks it at once: the name is gone before the first point runs, so
 * nothing is left behind even if tune-pool is killed. The open descriptor
 * is what the points' processes inherit through fork and read with pread
 * (no shared file offset). The data is written, synced and dropped from the
 * page cache (POSIX_FADV_DONTNEED) so that the first reads reach the
 * device; without O_DIRECT later reads may be served from the page cache,
 * which is what a real service reading a hot file sees.
 * Each worker has its own aligned buffer and its own random sequence of
 * block offsets.
 */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "error.h"
#include "registry.h"
#include "vec.h"
#include "workload.h"

#define MAX_BLOCK (64u << 20)
#define MAX_FILE (64ull << 30)
#define DIRECT_ALIGN 4096u
#define FILL_CHUNK (1u << 20)

static uint64_t file_size(const struct tp_workload_params *p)
{
    return p->file_size ? p->file_size : TP_FILE_DEFAULT_SIZE;
}

static uint32_t block_size(const struct tp_workload_params *p)
{
    return p->block_size ? p->block_size : TP_FILE_DEFAULT_BLOCK;
}

static const char *file_dir(const struct tp_workload_params *p)
{
    if (p->file_dir[0] != '\0')
        return p->file_dir;
    const char *t = getenv("TMPDIR");
    return t != NULL && t[0] != '\0' ? t : "/tmp";
}

static int file_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    uint32_t bs = block_size(p);
    uint64_t fs = file_size(p);
    if (bs > MAX_BLOCK || fs > MAX_FILE)
        return -EINVAL;
    if (fs < bs) {
        if (err != NULL)
            snprintf(err, errlen, "--file-size: %llu bytes is smaller than --block-size=%u", (unsigned long long)fs,
                     (unsigned)bs);
        return -EINVAL;
    }
    if (p->direct && bs % 512 != 0) {
        if (err != NULL)
            snprintf(err, errlen,
                     "--block-size: O_DIRECT (--direct) reads whole sectors: give a multiple of 512 "
                     "(e.g. 4K), not %u",
                     (unsigned)bs);
        return -EINVAL;
    }
    return 0;
}

static int file_check_options(const struct tp_workload_params *p, int latency_given, char *err, size_t errlen)
{
    (void)latency_given; /* file ignores --latency */
    return file_validate(p, err, errlen);
}

/* Creates, opens and unlinks the data file; returns the descriptor to read
 * or a negative code with the reason in err. */
static int create_file(const struct tp_workload_params *p, int fill, char *err, size_t errlen)
{
    const char *dir = file_dir(p);
    char path[TP_WORKLOAD_PATH_MAX + 32];
    if (snprintf(path, sizeof path, "%s/tune-pool-data.XXXXXX", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "--file-dir: '%s' is too long", dir);
        return -ENAMETOOLONG;
    }
    int wfd = mkostemp(path, O_CLOEXEC);
    if (wfd < 0) {
        int rc = tp__from_errno();
        snprintf(err, errlen, "--file-dir: cannot create a file in '%s': %s", dir, strerror(-rc));
        return rc;
    }
    int rfd = wfd, rc = 0;
    if (p->direct) {
        rfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
        if (rfd < 0) {
            rc = tp__from_errno();
            if (rc == -EINVAL)
                snprintf(err, errlen,
                         "--direct: the file system of '%s' does not support O_DIRECT (tmpfs does not): "
                         "give --file-dir a directory on a disk, or drop --direct",
                         dir);
            else
                snprintf(err, errlen, "--direct: cannot open a file in '%s' with O_DIRECT: %s", dir, strerror(-rc));
        }
    }
    unlink(path); /* gone from the directory now; the descriptors keep it */
    if (rc < 0) {
        close(wfd);
        return rc;
    }
    if (fill) {
        uint64_t total = file_size(p), done = 0, x = 0x66696c65ull;
        char *chunk = malloc(FILL_CHUNK);
        if (chunk == NULL) {
            rc = -ENOMEM;
        } else {
            /* Data that does not compress or dedupe: a file system cannot
             * shortcut the reads. */
            for (size_t i = 0; i + 8 <= FILL_CHUNK; i += 8) {
                x = tp__mix64(x);
                memcpy(chunk + i, &x, 8);
            }
            while (done < total && rc == 0) {
                size_t n = total - done < FILL_CHUNK ? (size_t)(total - done) : FILL_CHUNK;
                memcpy(chunk, &done, sizeof done);
                ssize_t w = pwrite(wfd, chunk, n, (off_t)done);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    rc = w < 0 ? tp__from_errno() : -EIO;
                else
                    done += (uint64_t)w;
            }
            free(chunk);
        }
        if (rc == 0 && fdatasync(wfd) != 0)
            rc = tp__from_errno();
        if (rc < 0)
            snprintf(err, errlen, "--file-size: cannot write %llu bytes in '%s': %s", (unsigned long long)total, dir,
                     strerror(-rc));
        else
            posix_fadvise(wfd, 0, 0, POSIX_FADV_DONTNEED);
    }
    if (rfd != wfd)
        close(wfd);
    if (rc < 0) {
        close(rfd);
        return rc;
    }
    return rfd;
}

/* tp_workload_check: the directory exists and takes the file (with
 * O_DIRECT when asked); nothing is left behind. */
static int file_check(struct tp_workload_params *p, char *err, size_t errlen)
{
    const char *dir = file_dir(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--file-dir: '%s' is not a directory", dir);
        return -ENOTDIR;
    }
    int fd = create_file(p, 0, err, errlen);
    if (fd < 0)
        return fd;
    close(fd);
    return 0;
}

static int file_sweep_setup(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen)
{
    int fd = create_file(p, 1, err, errlen);
    if (fd < 0)
        return fd;
    snprintf(p->file_dir, sizeof p->file_dir, "%s", file_dir(p));
    res->fd = fd;
    p->file_fd = fd;
    p->file_ready = 1;
    return 0;
}

static void file_sweep_teardown(struct tp_workload_params *p, struct tp__sweep_res *res)
{
    if (res->fd >= 0)
        close(res->fd);
    res->fd = -1;
    p->file_ready = 0;
    p->file_fd = 0;
}

struct file_state {
    int fd;
    int own; /* 1: this point created the file (no sweep did) */
    uint64_t n_blocks;
};

static int file_setup(struct tp__workload *w)
{
    struct file_state *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    if (w->params.file_ready) {
        s->fd = w->params.file_fd;
    } else {
        /* Used alone (tests, a caller of tp__measure_point_inline): make
         * the file for this point. */
        char err[256];
        s->fd = create_file(&w->params, 1, err, sizeof err);
        if (s->fd < 0) {
            int rc = s->fd;
            free(s);
            return rc;
        }
        s->own = 1;
    }
    s->n_blocks = file_size(&w->params) / block_size(&w->params);
    w->state = s;
    return 0;
}

static void file_teardown(struct tp__workload *w)
{
    struct file_state *s = w->state;
    if (s != NULL && s->own)
        close(s->fd);
    free(s);
    w->state = NULL;
}

struct file_thread {
    uint64_t rng;
    void *buf;
};

static int file_thread_init(struct tp__workload *w, struct tp__wthread *t)
{
    struct file_thread *ft = calloc(1, sizeof(*ft));
    if (ft == NULL)
        return -ENOMEM;
    size_t bs = block_size(&w->params);
    if (posix_memalign(&ft->buf, DIRECT_ALIGN, (bs + DIRECT_ALIGN - 1) / DIRECT_ALIGN * DIRECT_ALIGN) != 0) {
        free(ft);
        return -ENOMEM;
    }
    ft->rng = tp__mix64(0x7468726561ull + (uint64_t)t->worker);
    t->data = ft;
    return 0;
}

static void file_thread_fini(struct tp__workload *w, struct tp__wthread *t)
{
    (void)w;
    struct file_thread *ft = t->data;
    if (ft != NULL)
        free(ft->buf);
    free(ft);
    t->data = NULL;
}

static void file_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    const struct file_state *s = w->state;
    struct tp__wthread *t = tp__wthread_get(w);
    struct file_thread *ft = t->data;
    if (ft == NULL) {
        tp__wthread_count(t, 0, 0);
        return;
    }
    ft->rng = tp__mix64(ft->rng);
    size_t bs = block_size(&w->params);
    off_t off = (off_t)((ft->rng % s->n_blocks) * bs);
    ssize_t r;
    do
        r = pread(s->fd, ft->buf, bs, off);
    while (r < 0 && errno == EINTR);
    tp__wthread_count(t, r == (ssize_t)bs, r == (ssize_t)bs ? (uint64_t)r : 0);
}

static void file_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    char a[32], b[32];
    tp__workload_fmt_bytes(a, sizeof a, block_size(p));
    tp__workload_fmt_bytes(b, sizeof b, file_size(p));
    snprintf(buf, len, "file: pread of a %s block at a random offset of a %s temporary file in %s (%s)", a, b,
             p->file_dir[0] ? p->file_dir : "$TMPDIR", p->direct ? "O_DIRECT" : "page cache allowed");
}

static int file_report_json(json_t *wl, const struct tp_workload_params *p)
{
    int bad = 0;
    bad |= json_object_set_new(wl, "file_dir", json_string(p->file_dir[0] ? p->file_dir : "$TMPDIR"));
    bad |= json_object_set_new(wl, "file_size", json_integer((json_int_t)file_size(p)));
    bad |= json_object_set_new(wl, "block_size", json_integer(block_size(p)));
    bad |= json_object_set_new(wl, "direct", json_boolean(p->direct));
    return bad ? -1 : 0;
}

#define FIELD(f) \
    .offset = offsetof(struct tp_workload_params, f), .field_size = sizeof(((struct tp_workload_params *)0)->f)

static const struct tp_workload_option file_options[] = {
    { .name = "file-size",
      .type = TP_OPTION_SIZE,
      .min = 1,
      .max = (double)MAX_FILE,
      .expected = "1 to 64G, e.g. 64M",
      .value_name = "SIZE",
      .help = "file: size of the temporary file",
      FIELD(file_size) },
    { .name = "block-size",
      .type = TP_OPTION_SIZE,
      .min = 1,
      .max = MAX_BLOCK,
      .expected = "1 to 64M, e.g. 4K",
      .value_name = "SIZE",
      .help = "file: bytes per read",
      FIELD(block_size) },
    /* Room left for the file's name (tune-pool-data.XXXXXX) after the directory. */
    { .name = "file-dir",
      .type = TP_OPTION_STRING,
      .min = 1,
      .max = TP_WORKLOAD_PATH_MAX - 33,
      .expected = "directory name",
      .value_name = "DIR",
      .help = "file: where the file is made (and removed at once; the sweep keeps it open)",
      FIELD(file_dir) },
    { .name = "direct",
      .type = TP_OPTION_FLAG,
      .help = "file: O_DIRECT reads, bypassing the page cache",
      FIELD(direct) },
};

const struct tp__workload_ops tp__workload_file_ops = {
    .kind = TP_WORKLOAD_FILE,
    .name = "file",
    .options = file_options,
    .n_options = TP__ARRAY_LEN(file_options),
    .check_options = file_check_options,
    .validate = file_validate,
    .check = file_check,
    .describe = file_describe,
    .setup = file_setup,
    .task = file_task,
    .teardown = file_teardown,
    .thread_init = file_thread_init,
    .thread_fini = file_thread_fini,
    .sweep_setup = file_sweep_setup,
    .sweep_teardown = file_sweep_teardown,
    .no_async = "file: its reads are blocking pread() calls and tune-pool has no asynchronous read path "
                "(io_uring or POSIX AIO); running them on helper threads would be a thread pool in disguise",
    .work_noun = "reads",
    .report_json = file_report_json,
};
