import Foundation

/// The JSON Schema of the `Wire` types, read from the types themselves:
/// each key a type's Decodable conformance asks for (the same coding keys
/// its Encodable one writes), with the type it asks for it as, and null
/// when it asks with `decodeIfPresent`. `Tests/tools/update-openapi.py`
/// writes docs/openapi.json's schemas from these (`tierwatch-bench
/// wire-schemas`), adding what a type cannot say (descriptions, enums,
/// bounds), so a new field is one property; `WireSchemaTests` holds the
/// document to the types.
extension Wire {
    /// The types docs/openapi.json names, by the names it gives them.
    public static let documented: [(name: String, type: any Decodable.Type)] = [
        ("Incident", Wire.Incident.self), ("Tier", Wire.Tier.self), ("Contact", Wire.Contact.self), ("Person", Wire.Person.self),
        ("TimelineEntry", Wire.TimelineEntry.self), ("IncidentSummary", Wire.IncidentSummary.self),
        ("Report", Wire.Report.self), ("Percentiles", Wire.Percentiles.self), ("Clocks", Wire.Clocks.self),
        ("Handover", Wire.Handover.self), ("HandoverIncident", Wire.HandoverIncident.self),
        ("OnCall", Wire.OnCall.self), ("OnCallHandoffs", Wire.OnCallHandoffs.self), ("Override", Wire.Override.self),
        ("Error", Wire.Refusal.self), ("IntakeResult", Wire.IntakeResult.self), ("Health", Wire.Health.self),
        ("HookPayload", Wire.HookPayload.self),
        ("StreamEvent", Wire.StreamEvent.self), ("StreamOnCall", Wire.StreamOnCall.self), ("StreamOverruled", Wire.StreamOverruled.self),
        ("StreamDeadline", Wire.StreamDeadline.self), ("Keepalive", Wire.Keepalive.self),
    ]

    /// A JSON shape: what a type writes.
    public indirect enum Shape: Equatable, CustomStringConvertible, Sendable {
        case string, integer, number, boolean, dateTime
        /// Any object (a JSONValue: the stream's record, which the store format describes).
        case anyObject
        case array(Shape)
        case object([String: Shape])
        case nullable(Shape)
        /// A documented type (`Wire.documented`), written as a `$ref` to its schema.
        case named(String, Shape)

        public var description: String {
            switch self {
            case .string: "string"
            case .integer: "integer"
            case .number: "number"
            case .boolean: "boolean"
            case .dateTime: "date-time"
            case .anyObject: "any object"
            case let .array(e): "array of \(e)"
            case .object: "object"
            case let .nullable(s): "\(s) or null"
            case let .named(_, s): s.description
            }
        }

        /// The shape with documented types written out in full.
        public var resolved: Shape {
            switch self {
            case let .named(_, s): s.resolved
            case let .array(e): .array(e.resolved)
            case let .nullable(s): .nullable(s.resolved)
            case let .object(m): .object(m.mapValues(\.resolved))
            default: self
            }
        }

        /// What `T` writes; a member of a documented type other than `T`
        /// itself is `.named`. A type that cannot be read this way (its
        /// decoding refuses the sample values) is an error, never a shape
        /// cut short.
        public static func of<T: Decodable>(_ type: T.Type) throws -> Shape {
            let d = ShapeDecoder()
            _ = try T(from: d)
            return d.shape ?? .object([:])
        }

        /// The shape as a JSON Schema (OpenAPI 3.1), every member required
        /// and no other allowed, documented types as `$ref`s.
        public var schema: JSONValue {
            func type(_ t: String) -> JSONValue { ["type": .string(t)] }
            switch self {
            case .string: return type("string")
            case .integer: return type("integer")
            case .number: return type("number")
            case .boolean: return type("boolean")
            case .dateTime: return ["format": "date-time", "type": "string"]
            case .anyObject: return type("object")
            case let .array(e): return ["items": e.schema, "type": "array"]
            case let .object(m):
                return ["additionalProperties": false, "properties": .object(m.sorted { $0.key < $1.key }.map { ($0.key, $0.value.schema) }),
                        "required": .array(m.keys.sorted().map { .string($0) }), "type": "object"]
            case let .named(name, _): return ["$ref": .string("#/components/schemas/\(name)")]
            case let .nullable(s):
                let inner = s.schema
                if case let .string(t)? = inner["type"], inner["properties"] == nil, inner["items"] == nil {
                    var out = inner
                    out["type"] = [.string(t), "null"]
                    return out
                }
                return ["oneOf": [inner, ["type": "null"]]]
            }
        }
    }

    /// Every documented type's schema, by name.
    public static func schemas() throws -> JSONValue { .object(try documented.map { ($0.name, try shape(of: $0.type).schema) }) }

    /// What a type writes (see `Shape.of`).
    public static func shape(of type: any Decodable.Type) throws -> Shape {
        func open<T: Decodable>(_ t: T.Type) throws -> Shape { try Shape.of(t) }
        return try open(type)
    }
}

/// A Decoder that builds a type's shape instead of a value: each key the
/// type asks for, with the type it asks for it as (`decodeIfPresent`: or null).
final class ShapeDecoder: Decoder {
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var shape: Wire.Shape?
    var members: [String: Wire.Shape] = [:] { didSet { shape = .object(members) } }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        shape = .object(members)
        return KeyedDecodingContainer(Keyed<Key>(decoder: self))
    }

    func unkeyedContainer() -> UnkeyedDecodingContainer { Unkeyed(decoder: self) }
    func singleValueContainer() -> SingleValueDecodingContainer { Single(decoder: self) }

    /// A value of `T` (any will do) and its shape.
    func sample<T: Decodable>(_ type: T.Type) throws -> (T, Wire.Shape) {
        switch type {
        case is String.Type: return ("" as! T, .string)
        case is Bool.Type: return (false as! T, .boolean)
        case is Date.Type: return (Date(timeIntervalSince1970: 0) as! T, .dateTime)
        case is JSONValue.Type: return (JSONValue.object([]) as! T, .anyObject)
        case is Double.Type: return (0.0 as! T, .number)
        case is Float.Type: return (Float(0) as! T, .number)
        case is Int.Type: return (0 as! T, .integer)
        case let int as any FixedWidthInteger.Type: return (int.zero as! T, .integer)
        case let optional as any SampledOptional.Type:
            // An optional inside an array or a value of its own: null too.
            let (v, s) = try optional.sampleWrapped(self)
            return (v as! T, .nullable(s))
        default:
            let d = ShapeDecoder()
            let v = try T(from: d)
            let s = d.shape ?? .object([:])
            if let name = Wire.documented.first(where: { $0.type == T.self })?.name { return (v, .named(name, s)) }
            return (v, s)
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: ShapeDecoder
        var codingPath: [CodingKey] { [] }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let (v, s) = try decoder.sample(type)
            decoder.members[key.stringValue] = s
            return v
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try optional(type, key) }
        // The protocol's own implementations of these would ask for the
        // value as present: each is said to be optional, as the one above.
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, key) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, key) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, key) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, key) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, key) }
        private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
            let (v, s) = try decoder.sample(type)
            decoder.members[key.stringValue] = .nullable(s)
            return v
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.dataCorrupted(.init(codingPath: [key], debugDescription: "nested containers: not a wire shape"))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
            throw DecodingError.dataCorrupted(.init(codingPath: [key], debugDescription: "nested containers: not a wire shape"))
        }
        func superDecoder() throws -> Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> Decoder { decoder }
    }

    /// An array: one element, whose shape is the items'.
    struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: ShapeDecoder
        var codingPath: [CodingKey] { [] }
        var count: Int? { 1 }
        var currentIndex = 0
        var isAtEnd: Bool { currentIndex > 0 }
        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (v, s) = try decoder.sample(type)
            decoder.shape = .array(s)
            currentIndex += 1
            return v
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "nested containers: not a wire shape"))
        }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "nested containers: not a wire shape"))
        }
        mutating func superDecoder() throws -> Decoder { decoder }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: ShapeDecoder
        var codingPath: [CodingKey] { [] }
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (v, s) = try decoder.sample(type)
            decoder.shape = s
            return v
        }
    }
}

/// An Optional's wrapped type, sampled (see `ShapeDecoder.sample`).
protocol SampledOptional {
    static func sampleWrapped(_ d: ShapeDecoder) throws -> (Any, Wire.Shape)
}

extension Optional: SampledOptional where Wrapped: Decodable {
    static func sampleWrapped(_ d: ShapeDecoder) throws -> (Any, Wire.Shape) {
        let (v, s) = try d.sample(Wrapped.self)
        return (Optional(v) as Any, s)
    }
}
