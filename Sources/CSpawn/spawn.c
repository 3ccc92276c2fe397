#define _GNU_SOURCE
#include <spawn.h>
#include "CSpawn.h"
#include <sys/timex.h>

int tw_spawn_close_from(posix_spawn_file_actions_t *actions, int fd) {
    return posix_spawn_file_actions_addclosefrom_np(actions, fd);
}

int tw_clock_state(long *esterror_us) {
    struct timex tx = {0};
    int state = adjtimex(&tx);
    if (esterror_us) *esterror_us = tx.esterror;
    return state;
}
