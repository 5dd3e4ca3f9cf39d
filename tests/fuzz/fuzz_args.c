/* fuzz_args.c - libFuzzer target: the whole command line (tp_cli_parse_args), argv split from the input. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

/* The input, split on NUL and newline, is argv[1..]; argv[0] is the
 * program. A parse must end in 0 or -EINVAL with a message, never crash,
 * and leave options that tp_cli_opts_free releases. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "tune-pool";
    char *p = buf, *end = buf + size;
    while (p <= end && argc < MAX_ARGS + 1) {
        char *q = p;
        while (q < end && *q != '\0' && *q != '\n')
            q++;
        *q = '\0';
        argv[argc++] = p;
        p = q + 1;
    }
    argv[argc] = NULL;

    struct tp_cli_opts o;
    char err[512];
    err[0] = '\0';
    tp_cli_opts_init(&o);
    int rc = tp_cli_parse_args(argc, argv, &o, err, sizeof err);
    if (rc != 0 && (rc != -EINVAL || err[0] == '\0'))
        abort(); /* a refusal always says why */
    if (rc == 0 && o.multipliers != NULL && o.n_multipliers == 0)
        abort();
    tp_cli_opts_free(&o);
    free(buf);
    return 0;
}
