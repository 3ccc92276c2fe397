import Foundation

/// tierwatch's JSON shapes are Codable types (`Wire.Incident`, …) whose
/// properties are the fields, named as the JSON names them; this turns one
/// into the `JSONValue` that `JSONText`, the one writer, writes. Every
/// member is written: nil as null (a shape's absent values are null, never
/// missing keys); a `Date` as ISO-8601 UTC; numbers and strings as they are.
/// A test reads the same types back through a Decoder (Tests/EscalationTests/
/// WireSchemaTests.swift) and holds them to the repository's OpenAPI document.
public enum Wire {
    /// The value's JSON.
    public static func value<T: Encodable>(_ v: T) -> JSONValue {
        let e = WireEncoder()
        do {
            try encode(v, into: e)
        } catch {
            // The types are tierwatch's own and throw nothing; said, not hidden.
            return .object([("error", .string("not encodable: \(error)"))])
        }
        return e.result
    }

    /// An integer of any width: exact when it fits an Int, else a double.
    static func number<I: FixedWidthInteger>(_ n: I) -> JSONValue { Int(exactly: n).map { .int($0) } ?? .double(Double(n)) }

    /// A value written as it is, without an encoder of its own: the
    /// primitives and a Date. Told by the type (a pointer comparison), not
    /// by casting the value: this runs for every member of every incident.
    static func plain<T: Encodable>(_ v: T) -> JSONValue? {
        if T.self == Date.self { return .time(unsafeBitCast(v, to: Date.self)) }
        if T.self == String.self { return .string(unsafeBitCast(v, to: String.self)) }
        if T.self == Int.self { return .int(unsafeBitCast(v, to: Int.self)) }
        if T.self == Bool.self { return .bool(unsafeBitCast(v, to: Bool.self)) }
        if T.self == Double.self { return .double(unsafeBitCast(v, to: Double.self)) }
        if T.self == JSONValue.self { return unsafeBitCast(v, to: JSONValue.self) }
        return nil
    }

    static func encode<T: Encodable>(_ v: T, into e: WireEncoder) throws {
        if let p = plain(v) { e.set(p); return }
        try v.encode(to: e)
    }
}

/// An Encoder into a JSONValue tree (see `Wire`).
final class WireEncoder: Encoder {
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    private enum Slot {
        case value(JSONValue)
        case object(ObjectBox)
        case array(ArrayBox)
    }
    private var slot: Slot = .value(.null)

    var result: JSONValue {
        switch slot {
        case let .value(v): v
        case let .object(o): o.value
        case let .array(a): a.value
        }
    }

    func set(_ v: JSONValue) { slot = .value(v) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: ObjectBox
        if case let .object(o) = slot { box = o } else { box = ObjectBox(); slot = .object(box) }
        return KeyedEncodingContainer(Keyed<Key>(box: box))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        let box: ArrayBox
        if case let .array(a) = slot { box = a } else { box = ArrayBox(); slot = .array(box) }
        return Unkeyed(box: box)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { Single(encoder: self) }

    /// An object's members as they are encoded: a value, or an encoder for
    /// a nested one, read when the whole is.
    final class ObjectBox {
        var members: [(String, Member)] = []
        var value: JSONValue { .object(members.map { ($0.0, $0.1.value) }) }
        /// Each key once (a key encoded twice is a fault: trapped in debug
        /// builds), kept in key order as it comes, so the writer finds the
        /// object in order (a hand-written `encode(to:)`, such as the
        /// incident's, adds its own keys after the brief's).
        func put(_ key: String, _ v: JSONValue) { add(key, .value(v)) }
        func child(_ key: String) -> WireEncoder {
            let e = WireEncoder()
            add(key, .nested(e))
            return e
        }
        private func add(_ key: String, _ m: Member) {
            var k = members.count
            while k > 0, key < members[k - 1].0 { k -= 1 }
            assert(k == 0 || members[k - 1].0 != key, "\(key) encoded twice")
            members.insert((key, m), at: k)
        }
        func put<T: Encodable>(_ key: String, _ v: T) throws {
            if let j = Wire.plain(v) { put(key, j) } else { try Wire.encode(v, into: child(key)) }
        }
    }

    enum Member {
        case value(JSONValue)
        case nested(WireEncoder)
        var value: JSONValue {
            switch self {
            case let .value(v): v
            case let .nested(e): e.result
            }
        }
    }

    final class ArrayBox {
        var elements: [Member] = []
        var value: JSONValue { .array(elements.map(\.value)) }
        func put(_ v: JSONValue) { elements.append(.value(v)) }
        func child() -> WireEncoder {
            let e = WireEncoder()
            elements.append(.nested(e))
            return e
        }
        func put<T: Encodable>(_ v: T) throws {
            if let j = Wire.plain(v) { put(j) } else { try Wire.encode(v, into: child()) }
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: ObjectBox
        var codingPath: [CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { box.put(key.stringValue, .null) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { box.put(key.stringValue, .bool(value)) }
        mutating func encode(_ value: String, forKey key: Key) throws { box.put(key.stringValue, .string(value)) }
        mutating func encode(_ value: Double, forKey key: Key) throws { box.put(key.stringValue, .double(value)) }
        mutating func encode(_ value: Int, forKey key: Key) throws { box.put(key.stringValue, .int(value)) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { box.put(key.stringValue, Wire.number(value)) }
        mutating func encode(_ value: Float, forKey key: Key) throws { box.put(key.stringValue, .double(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try box.put(key.stringValue, value) }
        // An absent value is null, not a missing key.
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { box.put(key.stringValue, value.map { .bool($0) } ?? .null) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { box.put(key.stringValue, .string(value)) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { box.put(key.stringValue, .double(value)) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { box.put(key.stringValue, .int(value)) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { box.put(key.stringValue, value.map(Wire.number) ?? .null) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { box.put(key.stringValue, .double(value.map(Double.init))) }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try box.put(key.stringValue, value) } else { box.put(key.stringValue, .null) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            box.child(key.stringValue).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer { box.child(key.stringValue).unkeyedContainer() }
        mutating func superEncoder() -> Encoder { box.child("super") }
        mutating func superEncoder(forKey key: Key) -> Encoder { box.child(key.stringValue) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: ArrayBox
        var codingPath: [CodingKey] { [] }
        var count: Int { box.elements.count }

        mutating func encodeNil() throws { box.put(.null) }
        mutating func encode(_ value: Bool) throws { box.put(.bool(value)) }
        mutating func encode(_ value: String) throws { box.put(.string(value)) }
        mutating func encode(_ value: Double) throws { box.put(.double(value)) }
        mutating func encode(_ value: Int) throws { box.put(.int(value)) }
        mutating func encode(_ value: Int8) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: Int16) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: Int32) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: Int64) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: UInt) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: UInt8) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: UInt16) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: UInt32) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: UInt64) throws { box.put(Wire.number(value)) }
        mutating func encode(_ value: Float) throws { box.put(.double(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { try box.put(value) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            box.child().container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { box.child().unkeyedContainer() }
        mutating func superEncoder() -> Encoder { box.child() }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: WireEncoder
        var codingPath: [CodingKey] { [] }

        mutating func encodeNil() throws { encoder.set(.null) }
        mutating func encode(_ value: Bool) throws { encoder.set(.bool(value)) }
        mutating func encode(_ value: String) throws { encoder.set(.string(value)) }
        mutating func encode(_ value: Double) throws { encoder.set(.double(value)) }
        mutating func encode(_ value: Int) throws { encoder.set(.int(value)) }
        mutating func encode(_ value: Int8) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: Int16) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: Int32) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: Int64) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: UInt) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: UInt8) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: UInt16) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: UInt32) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: UInt64) throws { encoder.set(Wire.number(value)) }
        mutating func encode(_ value: Float) throws { encoder.set(.double(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { try Wire.encode(value, into: encoder) }
    }
}
