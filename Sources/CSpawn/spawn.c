#define _GNU_SOURCE
#include <spawn.h>
#include "CSpawn.h"

int tw_spawn_close_from(posix_spawn_file_actions_t *actions, int fd) {
    return posix_spawn_file_actions_addclosefrom_np(actions, fd);
}
