/* json_build.c - building JSON with jansson: numbers that are null when not finite, builders that keep the first failure. */
#include <math.h>
#include <stddef.h>

#include "json_build.h"

void tp__jput(struct tp__jb *b, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || obj == NULL || json_object_set_new(obj, key, v) != 0) {
        if (obj == NULL)
            json_decref(v);
        b->ok = 0;
    }
}

void tp__jpush(struct tp__jb *b, json_t *arr, json_t *v)
{
    if (v == NULL || arr == NULL || json_array_append_new(arr, v) != 0) {
        if (arr == NULL)
            json_decref(v);
        b->ok = 0;
    }
}

json_t *tp__json_num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

json_t *tp__json_num_if(int known, double x) { return known ? tp__json_num(x) : json_null(); }

json_t *tp__json_str_or_null(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return json_null();
    json_t *v = json_string(s);
    if (v != NULL)
        return v;
    char clean[512];
    size_t n = 0;
    for (; *s && n + 1 < sizeof clean; s++)
        clean[n++] = (unsigned char)*s < 0x80 ? *s : '?';
    clean[n] = '\0';
    return json_string(clean);
}
