#ifndef CSPAWN_H
#define CSPAWN_H
#include <spawn.h>

/// Closes every descriptor from `fd` up in the spawned program (glibc's
/// posix_spawn_file_actions_addclosefrom_np, which Swift cannot see).
int tw_spawn_close_from(posix_spawn_file_actions_t *actions, int fd);

/// The kernel's clock discipline (adjtimex, which Swift's Glibc module does
/// not export): the return value is adjtimex's state (5, TIME_ERROR, means
/// the clock is not synchronised; -1 an error, errno set); `esterror_us`
/// gets the estimated error in microseconds.
int tw_clock_state(long *esterror_us);

#endif
