#ifndef CSPAWN_H
#define CSPAWN_H
#include <spawn.h>

/// Closes every descriptor from `fd` up in the spawned program (glibc's
/// posix_spawn_file_actions_addclosefrom_np, which Swift cannot see).
int tw_spawn_close_from(posix_spawn_file_actions_t *actions, int fd);

#endif
