import CChecksum

/// CRC-32C (Castagnoli), the checksum of every store record: it catches every
/// burst error up to 32 bits and the bit flips and zeroed blocks a crash or a
/// bad disk leaves.
///
/// A cold start checksums every byte of the store, so this uses the CPU's
/// CRC-32C instruction where there is one (CChecksum), else slicing-by-8,
/// eight bytes per step through eight tables rather than one byte through
/// one (PERFORMANCE.md measures starts). The tests check both against a
/// bitwise definition.
enum CRC32C {
    /// tables[k][i]: the CRC of byte i followed by k zero bytes.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// Whether the CPU has a CRC-32C instruction (SSE 4.2, ARMv8 CRC).
    static let hardware = tw_crc32c_hardware() != 0

    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        update(0xFFFFFFFF, bytes) ^ 0xFFFFFFFF
    }

    /// Continues a running CRC-32C register over `bytes` (start with
    /// 0xFFFFFFFF; the checksum is the register inverted): for data read
    /// or written a piece at a time.
    static func update(_ crc: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
        return hardware ? tw_crc32c_update(crc, base, bytes.count) : tableUpdate(crc, bytes)
    }

    /// Where the CPU has no instruction for it: eight bytes per step through
    /// eight tables.
    static func tableChecksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        tableUpdate(0xFFFFFFFF, bytes) ^ 0xFFFFFFFF
    }

    private static func tableUpdate(_ start: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc = start
        guard let base = bytes.baseAddress else { return crc }
        let n = bytes.count
        var i = 0
        tables.withUnsafeBufferPointer { t in
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let lo = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt32(base[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
        }
        return crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { checksum($0) }
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}

/// Internals the tests check directly.
public enum IncidentStoreTestHooks {
    public static func crc32c(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 { CRC32C.checksum(bytes) }
    public static func tableCRC32C(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 { CRC32C.tableChecksum(bytes) }
    public static var hardwareCRC32C: Bool { CRC32C.hardware }
}
