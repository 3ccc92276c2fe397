import Foundation

/// Reads JSON text (RFC 8259) into a JSONValue in one pass over its bytes:
/// the cost is linear in the text, and nesting deeper than `maxDepth` is
/// refused, so no request body can keep a reader busy (a hostile 16 KB of
/// nested arrays cost seconds through Foundation's decoder's retries).
/// Objects keep the last of a repeated key and are sorted by key; numbers
/// are integers when written without a fraction or exponent and they fit,
/// else doubles; true and false are booleans, never numbers.
struct JSONReader {
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var at = 0

    init(_ data: Data) { bytes = [UInt8](data) }

    struct Failure: Error {
        var reason: String
    }

    /// The value of the whole text, or why it is not JSON (with the byte it stopped at).
    mutating func document() throws(Failure) -> JSONValue {
        skipSpace()
        let v = try value(depth: 0)
        skipSpace()
        guard at == bytes.count else { throw fail("more after the value") }
        return v
    }

    private func fail(_ why: String) -> Failure {
        Failure(reason: at < bytes.count ? "\(why) at byte \(at)" : "\(why) at the end of the text")
    }

    private mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard at < bytes.count else { throw fail("a value expected") }
        switch bytes[at] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[at])))'")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard at + n <= bytes.count, word.withUTF8Buffer({ Array($0) }) == Array(bytes[at..<at + n]) else { throw fail("not '\(word)'") }
        at += n
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth)") }
        at += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object([]) }
        while true {
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("a key (a string) expected") }
            let key = try string()
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("':' expected after a key") }
            at += 1
            skipSpace()
            members[key] = try value(depth: depth)
            skipSpace()
            guard at < bytes.count else { throw fail("'}' expected") }
            if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
            guard bytes[at] == UInt8(ascii: "}") else { throw fail("',' or '}' expected") }
            at += 1
            return .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth)") }
        at += 1
        var elements: [JSONValue] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array([]) }
        while true {
            skipSpace()
            elements.append(try value(depth: depth))
            skipSpace()
            guard at < bytes.count else { throw fail("']' expected") }
            if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
            guard bytes[at] == UInt8(ascii: "]") else { throw fail("',' or ']' expected") }
            at += 1
            return .array(elements)
        }
    }

    private mutating func string() throws(Failure) -> String {
        at += 1  // the opening quote
        let start = at
        // Most strings have no escape: their bytes are taken at once.
        while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") {
            guard bytes[at] >= 0x20 else { throw fail("a control character in a string") }
            at += 1
        }
        guard at < bytes.count else { throw fail("an unterminated string") }
        var out = [UInt8](bytes[start..<at])
        while bytes[at] != UInt8(ascii: "\"") {
            // An escape.
            at += 1
            guard at < bytes.count else { throw fail("an unterminated string") }
            let e = bytes[at]
            at += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") {
                    at += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate in a string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                // A lone surrogate becomes U+FFFD, as Foundation's reader makes it.
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
            default:
                throw fail("a bad escape in a string")
            }
            while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") {
                guard bytes[at] >= 0x20 else { throw fail("a control character in a string") }
                out.append(bytes[at])
                at += 1
            }
            guard at < bytes.count else { throw fail("an unterminated string") }
        }
        at += 1  // the closing quote
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard at + 4 <= bytes.count else { throw fail("a short \\u escape") }
        var v: UInt32 = 0
        for b in bytes[at..<at + 4] {
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw fail("a bad \\u escape")
            }
            v = v << 4 | UInt32(d)
        }
        at += 4
        return v
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = at
        if bytes[at] == UInt8(ascii: "-") { at += 1 }
        func digits() -> Int {
            let from = at
            while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
            return at - from
        }
        let whole = digits()
        guard whole > 0 else { throw fail("a number expected") }
        guard !(whole > 1 && bytes[at - whole] == UInt8(ascii: "0")) else { throw fail("a number with a leading zero") }
        var integral = true
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            integral = false
            guard digits() > 0 else { throw fail("digits expected after '.'") }
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            at += 1
            integral = false
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { throw fail("digits expected in an exponent") }
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if integral, let n = Int(text) { return .int(n) }
        guard let d = Double(text) else { throw fail("a number out of range") }
        return .double(d)
    }
}
