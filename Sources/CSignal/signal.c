#include "irsl_signal.h"
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t received = 0;

static void on_stop(int sig) { received = sig; }

void irsl_install_stop_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGUSR1, &action, NULL);
}

int irsl_stop_signal(void) { return received; }
