/* vec.h - small containers: the length of a fixed array, growing a dynamic one. */
#ifndef TP_BASE_VEC_H
#define TP_BASE_VEC_H

#include <stddef.h>

#define TP__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Makes room for at least `need` elements of `elem` bytes in the array *p of
 * capacity *cap, doubling it (at least 16). On success *p and *cap are
 * updated; on failure both are unchanged and the old array is intact.
 * Returns 0, -ENOMEM, or -EOVERFLOW when the size does not fit. */
int tp__vec_reserve(void **p, size_t *cap, size_t need, size_t elem);

#endif
