#ifndef IRSL_SIGNAL_H
#define IRSL_SIGNAL_H
/*
 * Stop requests for long fits. SIGTERM, SIGINT and SIGUSR1 (what Slurm and
 * mpirun send before a kill) only set a flag here: a signal handler may do
 * nothing else safely. The fit loop polls the flag at iteration boundaries
 * and agrees on it across ranks with a collective.
 */
void irsl_install_stop_handlers(void);
/* The signal number received, or 0. */
int irsl_stop_signal(void);
#endif
