/* main.c - the consumer project's program: prints the pool size its build was configured with. */
#include <stdio.h>

#include <tunepool/tunepool.h>

int main(void)
{
#ifndef TUNEPOOL_THREADS
#error "tunepool_recommend(... TARGET app) did not define TUNEPOOL_THREADS"
#endif
    printf("threads=%d library=%s\n", TUNEPOOL_THREADS, tp_version());
    return 0;
}
