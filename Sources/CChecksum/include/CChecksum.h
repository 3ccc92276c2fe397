#ifndef TIERWATCH_CCHECKSUM_H
#define TIERWATCH_CCHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU computes CRC-32C in hardware (SSE 4.2 on x86-64, the CRC
/// extension on 64-bit ARM). When it does not, the Swift table code is used.
int tw_crc32c_hardware(void);

/// Continues a CRC-32C over `n` bytes with the CPU's instruction. `crc` is the
/// running register value (start with 0xFFFFFFFF, invert the result).
/// Only call it when tw_crc32c_hardware() is true.
uint32_t tw_crc32c_update(uint32_t crc, const uint8_t *bytes, size_t n);

#endif
