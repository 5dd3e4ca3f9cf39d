/* options_workload.c - tune-pool's workload options: file, net, mixed and plugin parameters, checked per kind. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

#define MAX_MSG_SIZE (64ull << 20)
#define MAX_FILE_SIZE (64ull << 30)
#define MAX_DELAY_NS TP_MAX_DELAY_NS

/* Which kind each option belongs to. */
static const struct {
    const char *name;
    enum tp_workload_kind kind;
} owners[] = {
    {"workload-arg", TP_WORKLOAD_PLUGIN}, {"io-fraction", TP_WORKLOAD_MIXED}, {"file-size", TP_WORKLOAD_FILE},
    {"block-size", TP_WORKLOAD_FILE},     {"file-dir", TP_WORKLOAD_FILE},     {"direct", TP_WORKLOAD_FILE},
    {"server-delay", TP_WORKLOAD_NET},    {"reply-size", TP_WORKLOAD_NET},    {"request-size", TP_WORKLOAD_NET},
};

int tp_cli_workload_option(const char *name, const char *arg, struct tp_cli_opts *o, const char **seen, char *err,
                           size_t errlen)
{
    struct tp_workload_params *w = &o->workload;
    uint64_t u;
    double d;
    int rc;
    for (size_t i = 0; i < sizeof owners / sizeof owners[0]; i++)
        if (strcmp(owners[i].name, name) == 0 && (int)owners[i].kind < TP_CLI_N_KIND_OPTS &&
            seen[owners[i].kind] == NULL)
            seen[owners[i].kind] = owners[i].name;

    if (strcmp(name, "workload-arg") == 0) {
        if (strlen(arg) >= sizeof w->plugin_arg)
            return tp_cli_bad(err, errlen, "--workload-arg: longer than %zu bytes", sizeof w->plugin_arg - 1);
        snprintf(w->plugin_arg, sizeof w->plugin_arg, "%s", arg);
    } else if (strcmp(name, "io-fraction") == 0) {
        if ((rc = tp_cli_parse_double(arg, 0, 1, 0, &d)) < 0)
            return tp_cli_bad(err, errlen, "--io-fraction: %s value '%s' (expected a number from 0 to 1, e.g. 0.5)", tp_cli_why(rc),
                       arg);
        w->io_fraction = d;
    } else if (strcmp(name, "file-size") == 0) {
        if ((rc = tp_cli_parse_size(arg, MAX_FILE_SIZE, &u)) < 0 || u == 0)
            return tp_cli_bad(err, errlen, "--file-size: %s size '%s' (expected 1 to 64G, e.g. 64M)",
                       rc < 0 ? tp_cli_why(rc) : "out of range", arg);
        w->file_size = u;
    } else if (strcmp(name, "block-size") == 0) {
        if ((rc = tp_cli_parse_size(arg, MAX_MSG_SIZE, &u)) < 0 || u == 0)
            return tp_cli_bad(err, errlen, "--block-size: %s size '%s' (expected 1 to 64M, e.g. 4K)",
                       rc < 0 ? tp_cli_why(rc) : "out of range", arg);
        w->block_size = (uint32_t)u;
    } else if (strcmp(name, "file-dir") == 0) {
        if (arg[0] == '\0' || strlen(arg) >= sizeof w->file_dir - 32)
            return tp_cli_bad(err, errlen, "--file-dir: %s directory name", arg[0] ? "too long a" : "empty");
        snprintf(w->file_dir, sizeof w->file_dir, "%s", arg);
    } else if (strcmp(name, "direct") == 0) {
        w->direct = 1;
    } else if (strcmp(name, "server-delay") == 0) {
        if ((rc = tp_cli_parse_duration(arg, MAX_DELAY_NS, &u)) < 0)
            return tp_cli_bad(err, errlen, "--server-delay: %s duration '%s' (expected 0 to 60s, e.g. 1ms)", tp_cli_why(rc), arg);
        w->server_delay_ns = u;
    } else if (strcmp(name, "reply-size") == 0 || strcmp(name, "request-size") == 0) {
        if ((rc = tp_cli_parse_size(arg, MAX_MSG_SIZE, &u)) < 0 || u == 0)
            return tp_cli_bad(err, errlen, "--%s: %s size '%s' (expected 1 to 64M, e.g. 1K)", name,
                       rc < 0 ? tp_cli_why(rc) : "out of range", arg);
        if (name[2] == 'p')
            w->reply_size = (uint32_t)u;
        else
            w->request_size = (uint32_t)u;
    } else {
        return tp_cli_bad(err, errlen, "--%s: not a workload option", name);
    }
    return 0;
}

int tp_cli_workload_check(struct tp_cli_opts *o, const char **seen, int seen_latency, char *err, size_t errlen)
{
    struct tp_workload_params *w = &o->workload;
    for (int k = 0; k < TP_CLI_N_KIND_OPTS; k++) {
        if (seen[k] != NULL && k != (int)w->kind) {
            const char *kn = tp_workload_name((enum tp_workload_kind)k);
            return tp_cli_bad(err, errlen, "--%s: only the %s workload uses it (add --workload=%s%s)", seen[k], kn, kn,
                       k == TP_WORKLOAD_PLUGIN ? ":PATH.so" : "");
        }
    }
    switch (w->kind) {
    case TP_WORKLOAD_FILE:
        if (w->file_size < w->block_size)
            return tp_cli_bad(err, errlen, "--file-size: %llu bytes is smaller than --block-size=%u",
                       (unsigned long long)w->file_size, (unsigned)w->block_size);
        if (w->direct && w->block_size % 512 != 0)
            return tp_cli_bad(err, errlen, "--block-size: O_DIRECT (--direct) reads whole sectors: give a multiple of 512 "
                       "(e.g. 4K), not %u", (unsigned)w->block_size);
        break;
    case TP_WORKLOAD_MIXED:
        if (w->io_fraction > 0 && w->latency_ns == 0)
            return tp_cli_bad(err, errlen, "--latency: the mixed workload's waiting tasks need a wait (e.g. 2ms)");
        if (w->io_fraction < 1 && w->compute_ns == 0)
            return tp_cli_bad(err, errlen, "--compute: the mixed workload's computing tasks need CPU time (e.g. 100us)");
        break;
    case TP_WORKLOAD_NET:
    case TP_WORKLOAD_NOOP:
    case TP_WORKLOAD_PLUGIN:
        if (seen_latency)
            return tp_cli_bad(err, errlen, "--latency: the %s workload has no modelled wait (only io and mixed do)",
                       tp_workload_name(w->kind));
        break;
    default:
        break;
    }
    return 0;
}
