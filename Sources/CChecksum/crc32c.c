// CRC-32C with the CPU's own instruction. Swift cannot name these
// intrinsics, and a cold start checksums every byte of the store, where the
// instruction is much faster than any table (PERFORMANCE.md measures starts).
#include "CChecksum.h"
#include <string.h>

#if defined(__x86_64__)

int tw_crc32c_hardware(void) { return __builtin_cpu_supports("sse4.2"); }

__attribute__((target("sse4.2")))
uint32_t tw_crc32c_update(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p++);
        n--;
    }
    return c32;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>

#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif

int tw_crc32c_hardware(void) { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }

__attribute__((target("crc")))
uint32_t tw_crc32c_update(uint32_t crc, const uint8_t *p, size_t n) {
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        crc = __builtin_arm_crc32cd(crc, v);
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        crc = __builtin_arm_crc32cb(crc, *p++);
        n--;
    }
    return crc;
}

#else

int tw_crc32c_hardware(void) { return 0; }

uint32_t tw_crc32c_update(uint32_t crc, const uint8_t *p, size_t n) {
    (void)p;
    (void)n;
    return crc;
}

#endif
