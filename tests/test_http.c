/* test_http.c - the http workload's option parsers (--ok-status, --header, --body), its checks, and the keyed counts. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "workload.h"

static int ok_list(const char *list, long status)
{
    struct tp__http_ok ok;
    cr_assert_eq(tp__http_parse_ok(list, &ok, NULL, 0), 0, "'%s'", list);
    return tp__http_status_ok(&ok, status);
}

Test(http, ok_status_default_is_200_to_399)
{
    cr_assert(ok_list("", 200));
    cr_assert(ok_list(NULL, 399));
    cr_assert_not(ok_list("", 199));
    cr_assert_not(ok_list("", 400));
    cr_assert_not(ok_list("", 500));
    cr_assert_not(ok_list("", 0), "a transport error (status 0) never succeeds");
}

Test(http, ok_status_lists_and_ranges)
{
    cr_assert(ok_list("200-299,304", 204));
    cr_assert(ok_list("200-299,304", 304));
    cr_assert_not(ok_list("200-299,304", 301));
    cr_assert(ok_list("500", 500));
    cr_assert_not(ok_list("500", 200));
    cr_assert(ok_list("100-999", 999));
    cr_assert(ok_list("404,200-200", 200));
    cr_assert_not(ok_list("200", 1000), "beyond the table: never");
    cr_assert_not(ok_list("200", -1));
}

Test(http, ok_status_malformed)
{
    const char *bad[] = { "2000", "20",   "099",  "abc",     "200-",     "-200", "300-200", "200,",
                          ",200", "200 ", " 200", "200;300", "200--300", "1e3",  "200-2999" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tp__http_ok ok;
        char why[256] = "";
        cr_assert_eq(tp__http_parse_ok(bad[i], &ok, why, sizeof why), -EINVAL, "'%s'", bad[i]);
        cr_assert_not_null(strstr(why, "--ok-status: malformed list"), "%s", why);
        cr_assert_not(tp__http_status_ok(&ok, 200), "nothing succeeds after a failed parse");
    }
}

Test(http, header_lines)
{
    char why[256];
    cr_assert_eq(tp__http_header_check("Content-Type: application/json", why, sizeof why), 0);
    cr_assert_eq(tp__http_header_check("X-Empty:", why, sizeof why), 0, "an empty value removes a header in curl");
    cr_assert_eq(tp__http_header_check("Authorization: Bearer a:b", why, sizeof why), 0, "a colon in the value");
    const char *bad[] = { "no colon", ": no name", "Bad Name: x", "X-A: 1\r\nX-B: 2", "X(y): z", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        cr_assert_eq(tp__http_header_check(bad[i], why, sizeof why), -EINVAL, "'%s'", bad[i]);
        cr_assert_not_null(strstr(why, "--header: malformed header"), "%s", why);
    }
}

Test(http, body_string_file_and_missing)
{
    char *body;
    size_t len;
    char why[256];
    cr_assert_eq(tp__http_body_load("", &body, &len, why, sizeof why), 0);
    cr_assert_null(body);
    cr_assert_eq(len, 0);
    cr_assert_eq(tp__http_body_load("a=1&b=2", &body, &len, why, sizeof why), 0);
    cr_assert_eq(len, 7);
    cr_assert_str_eq(body, "a=1&b=2");
    free(body);

    char path[] = "/tmp/tp-test-http-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "{\"k\":\0\"v\"}", 10), 10, "a NUL inside: the file's bytes, all of them");
    close(fd);
    char spec[64];
    snprintf(spec, sizeof spec, "@%s", path);
    cr_assert_eq(tp__http_body_load(spec, &body, &len, why, sizeof why), 0);
    cr_assert_eq(len, 10);
    cr_assert_eq(memcmp(body, "{\"k\":\0\"v\"}", 10), 0);
    free(body);
    unlink(path);

    why[0] = '\0';
    cr_assert_eq(tp__http_body_load(spec, &body, &len, why, sizeof why), -ENOENT);
    cr_assert_null(body);
    cr_assert_not_null(strstr(why, "--body: cannot read"), "%s", why);
    cr_assert_eq(tp__http_body_load("@/tmp", &body, &len, why, sizeof why), -EINVAL, "a directory is no body");
}

static struct tp_workload_params http_params(const char *url)
{
    struct tp_workload_params p;
    memset(&p, 0, sizeof p);
    cr_assert_eq(tp_workload_parse_spec("http", &p), 0);
    snprintf(p.http_url, sizeof p.http_url, "%s", url);
    return p;
}

Test(http, check_options_name_the_option)
{
    char err[512];
    struct tp_workload_params p = http_params("");
    cr_assert_eq(tp_workload_check_options(&p, 0, err, sizeof err), -EINVAL);
    cr_assert_not_null(strstr(err, "--url"), "%s", err);
    p = http_params("http://127.0.0.1:1/");
    cr_assert_eq(tp_workload_check_options(&p, 0, err, sizeof err), 0, "%s", err);
    cr_assert_eq(tp_workload_check_options(&p, 1, err, sizeof err), -EINVAL, "no --latency for http");
    snprintf(p.http_method, sizeof p.http_method, "get");
    cr_assert_eq(tp_workload_check_options(&p, 0, err, sizeof err), -EINVAL);
    cr_assert_not_null(strstr(err, "--method"), "%s", err);
    p = http_params("http://127.0.0.1:1/");
    snprintf(p.http_headers, sizeof p.http_headers, "X-A: 1\nbroken");
    cr_assert_eq(tp_workload_check_options(&p, 0, err, sizeof err), -EINVAL);
    cr_assert_not_null(strstr(err, "'broken'"), "the second line is named: %s", err);
    p = http_params("http://127.0.0.1:1/");
    snprintf(p.http_ok_status, sizeof p.http_ok_status, "2xx");
    cr_assert_eq(tp_workload_check_options(&p, 0, err, sizeof err), -EINVAL);
}

Test(http, check_refuses_an_unreachable_url, .timeout = 30)
{
    char err[512];
    struct tp_workload_params p = http_params("http://127.0.0.1:1/");
    cr_assert_lt(tp_workload_check(&p, err, sizeof err), 0);
    cr_assert_str_eq(err, "http: cannot reach http://127.0.0.1:1/: Couldn't connect to server");
}

Test(http, description_and_async_path)
{
    char buf[512];
    struct tp_workload_params p = http_params("http://127.0.0.1:8080/x");
    snprintf(p.http_body, sizeof p.http_body, "@req.json");
    cr_assert_eq(tp_workload_describe(&p, buf, sizeof buf), 0);
    cr_assert_not_null(strstr(buf, "http: POST http://127.0.0.1:8080/x"), "a body makes it a POST: %s", buf);
    cr_assert_eq(tp_executor_check(TP_EXECUTOR_ASYNC, &p, buf, sizeof buf), 0, "libcurl's multi interface");
}

/* The keyed counts behind the status counts: per key, sorted, the overflow
 * under TP_WORK_COUNT_OTHER, and the arithmetic the sweep does on them. */
Test(http, keyed_counts)
{
    struct tp__wthread t;
    memset(&t, 0, sizeof t);
    for (uint32_t k = 0; k < TP_WORK_COUNTS + 3; k++)
        tp__wthread_count_key(&t, 100 + k);
    tp__wthread_count_key(&t, 100);
    tp__wthread_count_key(&t, 0);
    cr_assert_eq(atomic_load(&t.keys[0]), 101, "key + 1 stored");
    cr_assert_eq(atomic_load(&t.keyed[0]), 2);
    cr_assert_eq(atomic_load(&t.keys[TP_WORK_COUNTS - 1]), TP_WORK_COUNT_OTHER);
    cr_assert_eq(atomic_load(&t.keyed[TP_WORK_COUNTS - 1]), 5, "4 keys past the room, and key 0");

    struct tp_work_count a[TP_WORK_COUNTS] = { { 0, 2 }, { 200, 10 }, { 500, 3 } }, b[] = { { 200, 4 }, { 500, 3 } };
    int n = 3;
    tp__work_counts_sub(a, &n, b, 2);
    cr_assert_eq(n, 2, "500 reached 0 and is dropped");
    cr_assert_eq(a[1].key, 200);
    cr_assert_eq(a[1].n, 6);
    struct tp_work_count c[] = { { 404, 1 }, { 100, 7 } };
    tp__work_counts_add(a, &n, c, 2);
    cr_assert_eq(n, 4);
    cr_assert_eq(a[0].key, 0);
    cr_assert_eq(a[1].key, 100);
    cr_assert_eq(a[2].key, 200);
    cr_assert_eq(a[3].key, 404);
}
