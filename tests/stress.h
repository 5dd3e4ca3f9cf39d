/* stress.h - what the plain-program stress tests share: CHECK, the watchdog, a PRNG, a sleep. Define STRESS_NAME first. */
#ifndef TP_TESTS_STRESS_H
#define TP_TESTS_STRESS_H

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#ifndef STRESS_NAME
#error "define STRESS_NAME (the program's name, a string) before including stress.h"
#endif

#define WATCHDOG_S 60 /* a lost wake-up or a lost worker shows up as a hang: fail instead */

static _Atomic int failures; /* seq_cst: any thread may fail a check */

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, STRESS_NAME ": %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
            failures++;                                                   \
        }                                                                 \
    } while (0)

static void on_alarm(int sig)
{
    static const char msg[] = STRESS_NAME ": watchdog: a phase hung (lost wake-up or lost worker?)\n";
    (void)sig;
    if (write(2, msg, sizeof msg - 1) < 0) {
        /* nothing more to do */
    }
    _exit(3);
}

/* Arms the watchdog: the whole program must end within WATCHDOG_S. */
static inline void stress_watchdog(void)
{
    signal(SIGALRM, on_alarm);
    alarm(WATCHDOG_S);
}

static inline uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static inline void sleep_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

#endif
