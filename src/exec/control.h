/* control.h - the online controller's internal entry point beside its public tp_ctl_* API. */
#ifndef TP_EXEC_CONTROL_H
#define TP_EXEC_CONTROL_H

#include "tunepool/tunepool.h"

/* Lowers the controller's maximum (a worker could not be started). */
void tp__ctl_limit(struct tp_ctl *ctl, int max_threads);

#endif
