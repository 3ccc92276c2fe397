import Escalation
import Foundation

/// Why an import stopped before writing anything: a file that cannot be
/// read, is not JSON, is not what it claims to be, or holds a value of the
/// wrong type. Each names the file and, for a value, its JSON path.
public struct ImportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A JSON value read from one file, with the path it was found at, so that
/// every complaint about it names `FILE: $.schedule.schedule_layers[0].start`.
public struct Doc: Sendable {
    public let value: JSONValue
    public let file: String
    public let path: String

    /// The largest file an import reads: the exports of a big organisation
    /// are a few megabytes; anything far larger is not one.
    public static let maxBytes = 64 << 20

    public init(value: JSONValue, file: String, path: String = "$") {
        self.value = value
        self.file = file
        self.path = path
    }

    /// Reads and parses one file (or a pipe: `<(curl …)`).
    public static func read(_ file: String) throws(ImportError) -> Doc {
        guard let h = FileHandle(forReadingAtPath: file) else { throw ImportError("\(file): cannot read it (no such file, or no permission)") }
        defer { try? h.close() }
        var data = Data()
        while true {
            guard let chunk = try? h.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
            data += chunk
            if data.count > maxBytes {
                throw ImportError("\(file): more than \(maxBytes >> 20) MiB, far larger than any export; is it the right file?")
            }
        }
        guard !data.isEmpty else { throw ImportError("\(file): empty: save the API's response into it") }
        return try parse(data, file: file)
    }

    public static func parse(_ data: Data, file: String) throws(ImportError) -> Doc {
        do {
            return Doc(value: try JSONDecoder().decode(Raw.self, from: data).value, file: file)
        } catch let DecodingError.dataCorrupted(context) {
            let why = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            throw ImportError("\(file): not JSON: \(why)")
        } catch {
            throw ImportError("\(file): not JSON: \(error)")
        }
    }

    // MARK: Reading members

    public subscript(key: String) -> Doc {
        var found = JSONValue.null
        if case let .object(members) = value, let m = members.first(where: { $0.0 == key }) { found = m.1 }
        return Doc(value: found, file: file, path: path + "." + key)
    }

    public var isNull: Bool { value == .null }

    public func has(_ key: String) -> Bool {
        guard case let .object(members) = value else { return false }
        return members.contains { $0.0 == key }
    }

    var kind: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    func wrong(_ expected: String) -> ImportError {
        ImportError("\(file): \(path) must be \(expected), not \(kind)")
    }

    /// An array's items; null or missing is empty.
    public func array() throws(ImportError) -> [Doc] {
        switch value {
        case .null: return []
        case let .array(items): return items.enumerated().map { Doc(value: $1, file: file, path: "\(path)[\($0)]") }
        default: throw wrong("an array")
        }
    }

    /// A string; nil when null or missing. Text from outside: control
    /// characters become visible, so they never reach a terminal.
    public func string() throws(ImportError) -> String? {
        switch value {
        case .null: return nil
        case let .string(s): return s.sanitized
        default: throw wrong("a string")
        }
    }

    public func required() throws(ImportError) -> String {
        guard let s = try string(), !s.isEmpty else { throw ImportError("\(file): \(path) is missing") }
        return s
    }

    /// A whole number; nil when null or missing. Within ±10^12: no count,
    /// length or delay of these services comes near it, and arithmetic on
    /// it cannot overflow.
    public func int() throws(ImportError) -> Int? {
        let n: Int
        switch value {
        case .null: return nil
        case let .int(v): n = v
        case let .double(d) where d == d.rounded() && abs(d) < 1e15: n = Int(d)
        case let .string(s) where Int(s) != nil: n = Int(s)!
        default: throw wrong("a whole number")
        }
        guard abs(n) <= 1_000_000_000_000 else { throw ImportError("\(file): \(path): \(n) is out of range") }
        return n
    }

    public func bool() throws(ImportError) -> Bool? {
        switch value {
        case .null: return nil
        case let .bool(b): return b
        default: throw wrong("true or false")
        }
    }

    /// An ISO-8601 instant.
    public func time() throws(ImportError) -> Date? {
        guard let s = try string() else { return nil }
        guard let d = ISOTime.parse(s) else { throw ImportError("\(file): \(path) must be an ISO-8601 time like 2026-03-02T09:00:00-05:00, not '\(s)'") }
        return d
    }

    /// A time zone from the tz database.
    public func zone() throws(ImportError) -> TimeZone? {
        guard let s = try string() else { return nil }
        guard Clock.zoneName(s) != nil, let z = TimeZone(identifier: s) else { throw ImportError("\(file): \(path): '\(s)' is not a time zone of the tz database") }
        return z
    }

    /// A one-line summary of the value, for a report.
    var where_: String { "\(file) \(path)" }
}

/// JSON as JSONDecoder reads it, turned into tierwatch's own value.
private struct Raw: Decodable {
    let value: JSONValue

    init(from decoder: Decoder) throws {
        if var a = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            if let n = a.count { items.reserveCapacity(n) }
            while !a.isAtEnd { items.append(try a.decode(Raw.self).value) }
            value = .array(items)
            return
        }
        if let o = try? decoder.container(keyedBy: Key.self) {
            value = .object(try o.allKeys.map { ($0.stringValue, try o.decode(Raw.self, forKey: $0).value) }.sorted { $0.0 < $1.0 })
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { value = .null }
        else if let b = try? c.decode(Bool.self) { value = .bool(b) }
        else if let n = try? c.decode(Int.self) { value = .int(n) }
        else if let d = try? c.decode(Double.self) { value = .double(d) }
        else { value = .string(try c.decode(String.self)) }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
