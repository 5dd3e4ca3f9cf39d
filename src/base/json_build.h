/* json_build.h - building JSON with jansson: numbers that are null when not finite, builders that keep the first failure. */
#ifndef TP_BASE_JSON_BUILD_H
#define TP_BASE_JSON_BUILD_H

#include <jansson.h>

/* A builder: every call below records a failure in ok (set it to 1 first)
 * instead of the caller checking each one. */
struct tp__jb {
    int ok;
};

/* Sets obj[key] = v, taking v. A NULL v or obj (an earlier allocation
 * failure) or a failed set clears b->ok; v is freed when obj is NULL. */
void tp__jput(struct tp__jb *b, json_t *obj, const char *key, json_t *v);
/* Appends v to arr, taking v; failures as for tp__jput. */
void tp__jpush(struct tp__jb *b, json_t *arr, json_t *v);

/* A real, or null when x is not finite (JSON has no NaN or infinity). NULL
 * only when out of memory. */
json_t *tp__json_num(double x);
/* tp__json_num(x) when known, else null. */
json_t *tp__json_num_if(int known, double x);
/* A string, or null when s is NULL or empty; bytes that are not valid UTF-8
 * (e.g. in a CPU model name) become '?'. */
json_t *tp__json_str_or_null(const char *s);

#endif
