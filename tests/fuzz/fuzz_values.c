/* fuzz_values.c - libFuzzer target: the CLI's value parsers (durations, sizes, whole numbers, numbers, lists). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first byte picks the parser; the rest, as a C string, is its input.
 * Each parser must return 0 / -EINVAL / -ERANGE, and on success give a
 * value inside the bounds it was asked for. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = malloc(size);
    if (s == NULL)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    uint64_t u = 0;
    long l = 0;
    double d = 0, *list = NULL;
    size_t n = 0;
    int rc;
    switch (data[0] % 6) {
    case 0:
        rc = tp_cli_parse_duration(s, 60ull * 1000000000ull, &u);
        if (rc == 0 && u > 60ull * 1000000000ull)
            abort();
        break;
    case 1:
        rc = tp_cli_parse_size(s, 1ull << 30, &u);
        if (rc == 0 && u > (1ull << 30))
            abort();
        break;
    case 2:
        rc = tp_cli_parse_long(s, -5, 65536, &l);
        if (rc == 0 && (l < -5 || l > 65536))
            abort();
        break;
    case 3:
        rc = tp_cli_parse_double(s, 0, 1, 1, &d);
        if (rc == 0 && !(d > 0 && d < 1))
            abort();
        break;
    case 4:
        rc = tp_cli_parse_double(s, 0.5, 1, 0, &d);
        if (rc == 0 && !(d >= 0.5 && d <= 1))
            abort();
        break;
    default:
        rc = tp_cli_parse_list(s, 256, &list, &n);
        if (rc == 0) {
            if (n < 1 || n > 256)
                abort();
            for (size_t i = 0; i < n; i++) {
                if (!isfinite(list[i]) || !(list[i] > 0))
                    abort();
                for (size_t j = 0; j < i; j++)
                    if (list[i] == list[j])
                        abort();
            }
            free(list);
        }
        break;
    }
    if (rc != 0 && rc != -EINVAL && rc != -ERANGE && rc != -ENOMEM)
        abort();
    free(s);
    return 0;
}
