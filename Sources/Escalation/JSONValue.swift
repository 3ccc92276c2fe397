import Foundation

/// A JSON value as tierwatch writes it: the incident's `--json` shape is
/// built as one of these (no dictionaries of existentials to box, hash, cast
/// and sort), written by JSONText in the bytes Foundation's writer makes,
/// and turned into Foundation's tree (`any`) only where a caller edits it.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Members in any order: written sorted by key, as `.sortedKeys` does.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.double(x), .double(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// A string, or null.
    public static func string(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    /// An integer, or null.
    public static func int(_ n: Int?) -> JSONValue { n.map { .int($0) } ?? .null }
    /// An ISO-8601 time, or null.
    public static func time(_ d: Date?) -> JSONValue { d.map { .string(ISOTime.format($0)) } ?? .null }
    /// A number, or null.
    public static func double(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }

    /// A member of an object (nil: absent, or not an object). Setting one
    /// replaces it or adds it; setting nil removes it; a value that is not
    /// an object is left as it is.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case let .object(members) = self else { return nil }
            return members.first { $0.0 == key }?.1
        }
        set {
            guard case let .object(members) = self else { return }
            self = .object(members.filter { $0.0 != key } + (newValue.map { [(key, $0)] } ?? []))
        }
    }

    /// The object without the members named (nil if this is not an object).
    public func removing(_ keys: Set<String>) -> JSONValue {
        guard case let .object(members) = self else { return self }
        return .object(members.filter { !keys.contains($0.0) })
    }
}

// Written as literals in tests and where a value is made whole: `["id": .string(id), "ok": true]`.
extension JSONValue: ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(stringInterpolation: DefaultStringInterpolation) { self = .string(String(stringInterpolation: stringInterpolation)) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}

/// Reading JSON that comes from outside (a request body, a heartbeat, a
/// record) as a JSONValue (see `JSONReader`).
extension JSONValue {
    /// The JSON text's value, or nil when it is not JSON.
    public static func parse(_ data: Data) -> JSONValue? {
        try? parsing(data).get()
    }

    /// The JSON text's value, or why it is not JSON (the parser's words).
    public static func parsing(_ data: Data) -> Result<JSONValue, NotJSON> {
        var reader = JSONReader(data)
        do {
            return .success(try reader.document())
        } catch {
            return .failure(NotJSON(reason: error.reason))
        }
    }

    public struct NotJSON: Error, Sendable {
        public var reason: String
    }

    /// The members of an object (nil: not an object).
    public var members: [(String, JSONValue)]? {
        guard case let .object(m) = self else { return nil }
        return m
    }

    /// The elements of an array (nil: not an array).
    public var elements: [JSONValue]? {
        guard case let .array(a) = self else { return nil }
        return a
    }

    /// The string (nil: not a string).
    public var stringValue: String? {
        guard case let .string(s) = self else { return nil }
        return s
    }
}

/// A JSONValue inside a Wire type (the event stream's record, which the
/// store format describes): written as the value it is. `Wire`'s encoder
/// takes it as it is; any other coder goes member by member. Decoded, a
/// whole number is `.int` (`1.0` too: JSON does not tell them apart).
extension JSONValue: Codable {
    struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case let .object(members):
            var c = encoder.container(keyedBy: MemberKey.self)
            for (k, v) in members { try c.encode(v, forKey: MemberKey(stringValue: k)) }
        case let .array(elements):
            var c = encoder.unkeyedContainer()
            for v in elements { try c.encode(v) }
        default:
            var c = encoder.singleValueContainer()
            switch self {
            case let .bool(b): try c.encode(b)
            case let .int(n): try c.encode(n)
            case let .double(d): try c.encode(d)
            case let .string(s): try c.encode(s)
            default: try c.encodeNil()
            }
        }
    }

    public init(from decoder: Decoder) throws {
        if let c = try? decoder.container(keyedBy: MemberKey.self) {
            // In key order (a decoder gives its keys in any order), as the writer writes them.
            self = .object(try c.allKeys.sorted { $0.stringValue < $1.stringValue }.map { ($0.stringValue, try c.decode(JSONValue.self, forKey: $0)) })
        } else if var c = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !c.isAtEnd { elements.append(try c.decode(JSONValue.self)) }
            self = .array(elements)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Int.self) { self = .int(n) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else { self = .string(try c.decode(String.self)) }
        }
    }
}
