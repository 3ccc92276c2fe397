import Foundation

/// Little-endian fields for the checkpoint file.
struct BinaryWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func location(_ l: RecordLocation) {
        u64(l.offset)
        u32(l.length)
        u32(l.file)
        u32(l.crc)
    }

    /// Many locations at once: a checkpoint holds one per event.
    mutating func locations(_ list: ArraySlice<RecordLocation>) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: list.count * ArchiveFile.locationSize))
        bytes.withUnsafeMutableBytes { raw in
            var at = start
            for l in list {
                raw.storeBytes(of: l.offset.littleEndian, toByteOffset: at, as: UInt64.self)
                raw.storeBytes(of: l.length.littleEndian, toByteOffset: at + 8, as: UInt32.self)
                raw.storeBytes(of: l.file.littleEndian, toByteOffset: at + 12, as: UInt32.self)
                raw.storeBytes(of: l.crc.littleEndian, toByteOffset: at + 16, as: UInt32.self)
                at += ArchiveFile.locationSize
            }
        }
    }

    /// Many checksums at once.
    mutating func sums(_ list: ArraySlice<UInt32>) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: list.count * 4))
        bytes.withUnsafeMutableBytes { raw in
            var at = start
            for s in list {
                raw.storeBytes(of: s.littleEndian, toByteOffset: at, as: UInt32.self)
                at += 4
            }
        }
    }
}

struct BinaryReader {
    struct Short: Error {}
    private let bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { at == bytes.count }

    mutating func skip(_ n: Int) { at += n }

    private mutating func take(_ n: Int) throws(Short) -> Int {
        guard n >= 0, at + n <= bytes.count else { throw Short() }
        defer { at += n }
        return at
    }

    mutating func u8() throws(Short) -> UInt8 { bytes[try take(1)] }

    mutating func u16() throws(Short) -> UInt16 {
        let k = try take(2)
        return UInt16(bytes[k]) | UInt16(bytes[k + 1]) << 8
    }

    mutating func u32() throws(Short) -> UInt32 {
        let k = try take(4)
        var v: UInt32 = 0
        for i in (0..<4).reversed() { v = v << 8 | UInt32(bytes[k + i]) }
        return v
    }

    mutating func u64() throws(Short) -> UInt64 {
        let k = try take(8)
        var v: UInt64 = 0
        for i in (0..<8).reversed() { v = v << 8 | UInt64(bytes[k + i]) }
        return v
    }

    mutating func i64() throws(Short) -> Int64 { Int64(bitPattern: try u64()) }

    /// A u64 that must fit an Int (a file whose checksums hold with a
    /// larger one is malformed, not a crash).
    mutating func int() throws(Short) -> Int {
        guard let n = Int(exactly: try u64()) else { throw Short() }
        return n
    }

    /// A count of items, each at least a byte: no more than remain.
    mutating func count() throws(Short) -> Int {
        let n = try u64()
        guard n <= UInt64(bytes.count - at) else { throw Short() }
        return Int(n)
    }

    mutating func string() throws(Short) -> String {
        let n = Int(try u32())
        let k = try take(n)
        return String(decoding: bytes[k..<(k + n)], as: UTF8.self)
    }

    mutating func location() throws(Short) -> RecordLocation {
        let offset = try u64(), length = try u32(), file = try u32(), crc = try u32()
        return RecordLocation(file: file, offset: offset, length: length, crc: crc)
    }

    /// `n` little-endian integers of one width (the bitmap's words, the checksums).
    mutating func integers<T: FixedWidthInteger>(_ n: Int, as: T.Type) throws(Short) -> [T] {
        let size = MemoryLayout<T>.size
        let k = try take(n * size)
        return (0..<n).map { i in
            var v: T = 0
            for b in (0..<size).reversed() { v = v << 8 | T(bytes[k + i * size + b]) }
            return v
        }
    }
}
