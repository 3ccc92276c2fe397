import Foundation

/// The one JSON writer: every JSON tierwatch prints or sends (the CLI's
/// `--json`, the HTTP API, hook payloads, the event stream, heartbeats) is
/// a `JSONValue` written here, keys sorted by their bytes and slashes not
/// escaped: the text Foundation's `JSONSerialization` writes with
/// `.sortedKeys` and `.withoutEscapingSlashes` (and `.prettyPrinted`) for
/// tierwatch's keys ([a-z_0-9], where a locale's order and the bytes' agree),
/// a test compares the two. Foundation's writer on Linux sorts keys
/// through `NSString.compare` with a locale, which made `list --all --json`
/// of a large store take minutes (PERFORMANCE.md, "Years of history").
public enum JSONText {
    /// A JSONValue's text (always writable: its keys are checked as it is
    /// written, and any other key order is sorted as Foundation's is not
    /// needed, since tierwatch's keys are [a-z_]).
    public static func data(_ value: JSONValue, pretty: Bool) -> Data {
        var w = Writer(pretty: pretty)
        w.write(value)
        return Data(w.bytes)
    }

    /// `writeArray` for JSONValues: the same text, written as it is made.
    public static func writeArray<S: Sequence>(values elements: S, pretty: Bool = true, to out: (Data) -> Void) where S.Element == JSONValue {
        var w = Writer(pretty: pretty)
        w.bytes.append(UInt8(ascii: "["))
        if pretty { w.bytes.append(0x0A) }
        w.depth = 1
        var first = true
        for e in elements {
            if !first { w.bytes.append(UInt8(ascii: ",")); if pretty { w.bytes.append(0x0A) } }
            first = false
            if pretty { w.indent() }
            w.write(e)
            if w.bytes.count > 1 << 20 { out(Data(w.bytes)); w.bytes.removeAll(keepingCapacity: true) }
        }
        if pretty { w.bytes.append(0x0A) }
        w.bytes.append(UInt8(ascii: "]"))
        out(Data(w.bytes))
    }

    /// `writeArray(values:)` for a long list, the same text: each element's
    /// value is made and written on every core, a chunk of elements at a
    /// time, and the chunks are put out in order. Only the chunks in flight
    /// are held at once, never the whole text or every tree.
    public static func writeArray<Element: Sendable>(_ items: [Element], pretty: Bool = true, value: @escaping @Sendable (Element) -> JSONValue,
                                                    to out: (Data) -> Void) {
        let size = 64
        let inFlight = max(2, ProcessInfo.processInfo.activeProcessorCount * 4)
        var pending: [Chunk] = []
        var next = 0
        func start() {
            guard next < items.count else { return }
            let chunk = Chunk(next..<min(items.count, next + size))
            next = chunk.range.upperBound
            pending.append(chunk)
            DispatchQueue.global(qos: .userInitiated).async {
                var w = Writer(pretty: pretty)
                w.depth = 1
                for i in chunk.range {
                    if i > 0 { w.bytes.append(UInt8(ascii: ",")); if pretty { w.bytes.append(0x0A) } }
                    if pretty { w.indent() }
                    w.write(value(items[i]))
                }
                chunk.bytes = w.bytes
                chunk.done.signal()
            }
        }
        out(Data(pretty ? "[\n".utf8 : "[".utf8))
        while pending.count < inFlight && next < items.count { start() }
        while !pending.isEmpty {
            let chunk = pending.removeFirst()
            chunk.done.wait()
            out(Data(chunk.bytes))
            start()
        }
        out(Data(pretty ? "\n]".utf8 : "]".utf8))  // as the one-core writer: "[\n\n]" when empty
    }

    /// One chunk of `writeArray(_:value:)`: its text, set once, then signalled.
    private final class Chunk: @unchecked Sendable {
        let range: Range<Int>
        var bytes: [UInt8] = []
        let done = DispatchSemaphore(value: 0)
        init(_ range: Range<Int>) { self.range = range }
    }

    struct Writer {
        let pretty: Bool
        var bytes: [UInt8] = []
        var depth = 0

        init(pretty: Bool) {
            self.pretty = pretty
            bytes.reserveCapacity(1 << 16)
        }

        mutating func indent() {
            bytes.append(contentsOf: repeatElement(0x20, count: 2 * depth))
        }

        /// A literal's bytes, copied at once (no array made for them).
        mutating func literal(_ s: StaticString) {
            s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        /// Between a key and its value.
        mutating func colon() {
            if pretty { literal(" : ") } else { bytes.append(UInt8(ascii: ":")) }
        }

        /// An integer's digits, with no String made for them.
        mutating func int(_ n: Int) {
            guard n != 0 else { bytes.append(UInt8(ascii: "0")); return }
            if n < 0 { bytes.append(UInt8(ascii: "-")) }
            var m = n.magnitude
            let start = bytes.count
            while m > 0 { bytes.append(UInt8(ascii: "0") + UInt8(m % 10)); m /= 10 }
            bytes[start...].reverse()
        }

        /// A JSONValue: no casts, and an object's members sorted by their
        /// keys' bytes (Foundation's order for [a-z_] keys; other keys are
        /// ordered the same way, which only tierwatch's own keys reach).
        mutating func write(_ value: JSONValue) {
            switch value {
            case .null: literal("null")
            case let .bool(b): b ? literal("true") : literal("false")
            case let .int(n): int(n)
            case let .double(d): double(d)
            case let .string(s): string(s)
            case let .array(a):
                bytes.append(UInt8(ascii: "["))
                if pretty { bytes.append(0x0A); depth += 1 }
                for k in a.indices {
                    let v = a[k]
                    if k > 0 { bytes.append(UInt8(ascii: ",")); if pretty { bytes.append(0x0A) } }
                    if pretty { indent() }
                    write(v)
                }
                if pretty { bytes.append(0x0A); depth -= 1; indent() }
                bytes.append(UInt8(ascii: "]"))
            case let .object(members):
                bytes.append(UInt8(ascii: "{"))
                if pretty { bytes.append(0x0A); depth += 1 }
                // Written in order already (the incident's shape is), or
                // sorted here. String's order is its scalars' order, which is
                // UTF-8's byte order (Foundation's for [a-z_] keys), and
                // compares ASCII literals without walking their views.
                var inOrder = true
                for k in members.indices.dropFirst() where !(members[k - 1].0 < members[k].0) { inOrder = false; break }
                let sorted = inOrder ? members : members.sorted { $0.0 < $1.0 }
                for k in sorted.indices {
                    if k > 0 { bytes.append(UInt8(ascii: ",")); if pretty { bytes.append(0x0A) } }
                    if pretty { indent() }
                    string(sorted[k].0)
                    colon()
                    write(sorted[k].1)
                }
                if pretty { bytes.append(0x0A); depth -= 1; indent() }
                bytes.append(UInt8(ascii: "}"))
            }
        }

        /// A Double as Foundation writes it: its shortest form without ".0";
        /// an exponent form (never in tierwatch's values) through Foundation.
        mutating func double(_ d: Double) {
            var text = d.isFinite ? d.description : "null"
            if text.hasSuffix(".0") { text.removeLast(2) }
            if text.contains("e"), let data = try? JSONSerialization.data(withJSONObject: [d]) {
                bytes.append(contentsOf: data.dropFirst().dropLast())
                return
            }
            bytes.append(contentsOf: text.utf8)
        }

        mutating func string(_ s: String) {
            bytes.append(UInt8(ascii: "\""))
            // Most strings need no escape: their bytes go in at once.
            var s = s
            let plain = s.withUTF8 { utf8 in
                guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == 0x5C }) else { return false }
                bytes.append(contentsOf: utf8)
                return true
            }
            if plain { bytes.append(UInt8(ascii: "\"")); return }
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, UInt8(ascii: "\"")])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)]])
                default: bytes.append(b)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }
}
