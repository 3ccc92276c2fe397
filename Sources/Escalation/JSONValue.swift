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

    /// The same value as Foundation's tree (`[String: Any]`, `[Any]`, `NSNull`…).
    public var any: Any {
        switch self {
        case .null: NSNull()
        case let .bool(b): b
        case let .int(n): n
        case let .double(d): d
        case let .string(s): s
        case let .array(a): a.map(\.any)
        case let .object(members): Dictionary(members.map { ($0.0, $0.1.any) }, uniquingKeysWith: { $1 })
        }
    }

    /// The object without the members named (nil if this is not an object).
    public func removing(_ keys: Set<String>) -> JSONValue {
        guard case let .object(members) = self else { return self }
        return .object(members.filter { !keys.contains($0.0) })
    }
}
