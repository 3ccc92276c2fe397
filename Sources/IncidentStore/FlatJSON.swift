#if canImport(Glibc)
import Glibc
#endif

/// The store's records are flat JSON objects of strings, integers and nulls.
/// This reads and writes exactly that, byte by byte, because a general JSON
/// decoder costs several microseconds per record and a cold start reads every
/// record in the store. Anything else (nesting, floats, bad escapes) is an
/// error, which the reader reports as a bad record.
enum FlatJSON {
    struct Writer {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        private var first = true

        mutating func key(_ k: String) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendString(k)
            bytes.append(UInt8(ascii: ":"))
        }

        mutating func field(_ k: String, _ v: String) {
            key(k)
            appendString(v)
        }

        mutating func field(_ k: String, _ v: String?) {
            guard let v else { return }
            field(k, v)
        }

        mutating func field(_ k: String, _ v: Int64) {
            key(k)
            bytes.append(contentsOf: String(v).utf8)
        }

        mutating func appendString(_ s: String) {
            bytes.append(UInt8(ascii: "\""))
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
                case 10: bytes.append(contentsOf: [92, 110])
                case 13: bytes.append(contentsOf: [92, 114])
                case 9: bytes.append(contentsOf: [92, 116])
                case 0..<0x20, 0x7F:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
                default: bytes.append(b)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    struct ParseError: Error {
        var offset: Int
        var message: String
    }

    /// A value as found in the buffer: strings stay byte ranges until asked
    /// for, so a field nobody reads (or one already known, like a policy text
    /// seen in an earlier record) costs no allocation.
    enum Raw {
        case string(Range<Int>, escaped: Bool)
        case int(Int64)
        case null
    }

    /// Scans one flat object that must fill the whole buffer, calling `field`
    /// with each key's bytes and its raw value, in order.
    static func scan(_ b: UnsafeBufferPointer<UInt8>,
                     _ field: (UnsafeBufferPointer<UInt8>, Raw) throws(ParseError) -> Void) throws(ParseError) {
        var s = Scanner(b: b)
        s.skipSpace()
        guard s.i < b.count, b[s.i] == 123 else { throw s.fail("expected '{'") }
        s.i += 1
        s.skipSpace()
        if s.i < b.count, b[s.i] == 125 { s.i += 1 } else {
            while true {
                s.skipSpace()
                let (key, _) = try s.string()
                s.skipSpace()
                guard s.i < b.count, b[s.i] == 58 else { throw s.fail("expected ':'") }
                s.i += 1
                s.skipSpace()
                try field(UnsafeBufferPointer(rebasing: b[key]), try s.value())
                s.skipSpace()
                guard s.i < b.count else { throw s.fail("unterminated object") }
                if b[s.i] == 44 { s.i += 1; continue }
                if b[s.i] == 125 { s.i += 1; break }
                throw s.fail("expected ',' or '}'")
            }
        }
        s.skipSpace()
        guard s.i == b.count else { throw s.fail("trailing bytes after the object") }
    }

    /// Where `scan` is in the buffer, and the values it reads there.
    private struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        func fail(_ m: String) -> ParseError { ParseError(offset: i, message: m) }

        @inline(__always) mutating func skipSpace() { while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 } }

        /// A value: a string, null or an integer (a flat record has no other).
        mutating func value() throws(ParseError) -> Raw {
            guard i < b.count else { throw fail("missing value") }
            switch b[i] {
            case 34:
                let (range, escaped) = try string()
                return .string(range, escaped: escaped)
            case 110:
                guard i + 4 <= b.count, b[i + 1] == 117, b[i + 2] == 108, b[i + 3] == 108 else { throw fail("bad literal") }
                i += 4
                return .null
            case 45, 48...57:
                return .int(try integer())
            default:
                throw fail("unsupported value")
            }
        }

        mutating func integer() throws(ParseError) -> Int64 {
            var neg = false
            if b[i] == 45 { neg = true; i += 1 }
            var n: Int64 = 0
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 48))
                guard !o1, !o2 else { throw fail("number too large") }
                n = a
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw fail("bad number") }
            return neg ? -n : n
        }

        /// A string's byte range and whether it holds escapes. Most strings
        /// (keys, ids, names, times) end within a few bytes, where a plain
        /// loop beats calling memchr; past 64 bytes (a message, a policy
        /// text) memchr finds the closing quote rather than a byte-by-byte
        /// loop over every policy text (PERFORMANCE.md measures starts).
        mutating func string() throws(ParseError) -> (Range<Int>, Bool) {
            guard i < b.count, b[i] == 34 else { throw fail("expected a string") }
            i += 1
            let start = i
            let base = b.baseAddress!
            let n = b.count
            var escaped = false
            let short = min(n, i + 64)
            while i < short {
                let c = base[i]
                if c == 34 {
                    i += 1
                    return (start..<i - 1, escaped)
                }
                if c == 92 {
                    escaped = true
                    i += 2  // the escaped byte cannot end the string
                } else {
                    i += 1
                }
            }
            while true {
                guard i < n, let q = memchr(base + i, 34, n - i) else { throw fail("unterminated string") }
                let end = UnsafePointer(q.assumingMemoryBound(to: UInt8.self)) - base
                // A quote preceded by an odd run of backslashes is escaped.
                var slashes = 0
                while end - slashes - 1 >= start, b[end - slashes - 1] == 92 { slashes += 1 }
                if !escaped, memchr(base + i, 92, end - i) != nil { escaped = true }
                i = end + 1
                if slashes % 2 == 0 { return (start..<end, escaped) }
            }
        }
    }

    /// The text of a string value found by `scan`.
    static func string(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, escaped: Bool) throws(ParseError) -> String {
        guard escaped else { return String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var j = range.lowerBound
        let end = range.upperBound
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= end else { return nil }
            var v: UInt32 = 0
            for k in at..<at + 4 {
                let c = b[k]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 97...102: d = UInt32(c - 87)
                case 65...70: d = UInt32(c - 55)
                default: return nil
                }
                v = v * 16 + d
            }
            return v
        }
        while j < end {
            let c = b[j]
            guard c == 92 else { out.append(c); j += 1; continue }
            guard j + 1 < end else { throw ParseError(offset: j, message: "bad escape") }
            let e = b[j + 1]
            j += 2
            switch e {
            case 34, 92, 47: out.append(e)
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117:
                guard var u = hex4(j) else { throw ParseError(offset: j, message: "bad \\u escape") }
                j += 4
                if (0xD800..<0xDC00).contains(u), j + 6 <= end, b[j] == 92, b[j + 1] == 117,
                   let lo = hex4(j + 2), (0xDC00..<0xE000).contains(lo) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    j += 6
                }
                let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw ParseError(offset: j - 1, message: "bad escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
