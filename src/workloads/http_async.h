/* http_async.h - the http workload on the event loops: libcurl's multi interface, one multi handle per loop. */
#ifndef TP_SRC_HTTP_ASYNC_H
#define TP_SRC_HTTP_ASYNC_H

#include "evloop.h"

/* The http kind's async steps; their ctx is the opened workload, whose
 * state is its struct tp__http_req (http.c's setup). */
extern const struct tp__evloop_task_ops tp__http_async;

#endif
