/* http.h - the http workload: one HTTP request per task with libcurl; its option parsers and the request set-up both executors share. */
#ifndef TP_SRC_HTTP_H
#define TP_SRC_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "tunepool/tunepool.h"
#include "workload.h"

/* Statuses 0 .. TP__HTTP_STATUS_MAX - 1 (a status beyond never succeeds). */
#define TP__HTTP_STATUS_MAX 1000

/* The statuses that count as success, one bit per status. */
struct tp__http_ok {
    uint64_t bits[(TP__HTTP_STATUS_MAX + 63) / 64];
};

/* Parses an --ok-status list: comma-separated statuses and ranges
 * ("200-299,304"), each 100 .. 999, a range's low end not above its high
 * end; "" is TP_HTTP_DEFAULT_OK. Returns 0, or -EINVAL with a reason in
 * why (may be NULL). */
int tp__http_parse_ok(const char *list, struct tp__http_ok *ok, char *why, size_t whylen);

/* 1 when status succeeds by ok. */
int tp__http_status_ok(const struct tp__http_ok *ok, long status);

/* Checks one --header value: "Name: value", a name of token characters,
 * no CR or LF anywhere. Returns 0, or -EINVAL with a reason in why. */
int tp__http_header_check(const char *line, char *why, size_t whylen);

/* The request body of an --body value: "@FILE" reads FILE whole, anything
 * else is the body itself; "" is none (*body = NULL, *len = 0). On success
 * *body is the caller's to free. Returns 0, -ENOMEM, or -errno of reading
 * the file (with a reason naming it in why), -EFBIG past 64 MiB. */
int tp__http_body_load(const char *spec, char **body, size_t *len, char *why, size_t whylen);

/* One point's request, made by setup and shared read-only by every easy
 * handle of the point. */
struct tp__http_req {
    struct tp__http_ok ok;
    void *headers; /* struct curl_slist *; NULL = none */
    char *body;    /* NULL = no body */
    size_t body_len;
    long timeout_ms, connect_timeout_ms;
};

/* Builds req from p (after validate). Returns 0 or a negative code with a
 * reason in why. tp__http_req_free releases it (also a zeroed one). */
int tp__http_req_init(struct tp__http_req *req, const struct tp_workload_params *p, char *why, size_t whylen);
void tp__http_req_free(struct tp__http_req *req);

/* Sets the easy handle (a CURL *) up for req's request to p's URL; the
 * bytes of each response body are added to *bytes. Returns 0 or -ENOMEM
 * (libcurl refused an option). */
int tp__http_easy_setup(void *easy, const struct tp__http_req *req, const struct tp_workload_params *p,
                        uint64_t *bytes);

/* Counts one finished request of the easy handle on thread t's counters:
 * its status under the keyed counts (0 when the transfer failed), and a
 * success when the transfer completed with a status req accepts (bytes:
 * the body's). */
void tp__http_count(struct tp__wthread *t, const struct tp__http_req *req, void *easy, int transfer_ok, uint64_t bytes);

/* libcurl's process-wide initialisation, once (thread-safe). 0 or -ENOMEM. */
int tp__http_global_init(void);

#endif
