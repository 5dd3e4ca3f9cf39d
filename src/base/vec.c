/* vec.c - growing a dynamic array by doubling, with overflow checks. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "vec.h"

int tp__vec_reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    if (elem == 0 || need > SIZE_MAX / elem)
        return -EOVERFLOW;
    size_t n = *cap < 16 ? 16 : *cap;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    if (n > SIZE_MAX / elem)
        n = need;
    void *grown = realloc(*p, n * elem);
    if (grown == NULL)
        return -ENOMEM;
    *p = grown;
    *cap = n;
    return 0;
}
