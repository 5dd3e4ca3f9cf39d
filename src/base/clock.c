/* clock.c - the timer slack of threads that wait on timers (the clocks themselves are inline in clock.h). */
#include <sys/prctl.h>

#include "clock.h"

void tp__timer_slack_min(void) { (void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }
