import Escalation
import Foundation
import Testing

/// The JSON shapes are types (`Wire.Incident`, …): their fields are read
/// from the types here and held to docs/openapi.json's schemas, field for
/// field, type for type and null for null. A property added to a type and
/// not to the document (or the other way round) fails this.
@Suite struct WireSchema {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/openapi.json")

    @Test(arguments: [
        ("Incident", Shape.of(Wire.Incident.self)), ("Tier", Shape.of(Wire.Tier.self)), ("Contact", Shape.of(Wire.Contact.self)),
        ("Person", Shape.of(Wire.Person.self)), ("TimelineEntry", Shape.of(Wire.TimelineEntry.self)),
        ("Report", Shape.of(Wire.Report.self)), ("Percentiles", Shape.of(Wire.Percentiles.self)), ("Clocks", Shape.of(Wire.Clocks.self)),
        ("Handover", Shape.of(Wire.Handover.self)), ("HandoverIncident", Shape.of(Wire.HandoverIncident.self)),
        ("OnCall", Shape.of(Wire.OnCall.self)), ("OnCallHandoffs", Shape.of(Wire.OnCallHandoffs.self)), ("Override", Shape.of(Wire.Override.self)),
        ("Error", Shape.of(Wire.Refusal.self)), ("IntakeResult", Shape.of(Wire.IntakeResult.self)), ("HookPayload", Shape.of(Wire.HookPayload.self)),
        ("Health", Shape.of(Wire.Health.self)), ("IncidentSummary", Shape.of(Wire.IncidentSummary.self)),
        ("StreamEvent", Shape.of(Wire.StreamEvent.self)), ("StreamOnCall", Shape.of(Wire.StreamOnCall.self)),
        ("StreamOverruled", Shape.of(Wire.StreamOverruled.self)), ("StreamDeadline", Shape.of(Wire.StreamDeadline.self)),
        ("Keepalive", Shape.of(Wire.Keepalive.self)),
    ])
    func eachTypeIsItsSchema(name: String, shape: Shape) throws {
        let doc = try #require(JSONValue.parse(try Data(contentsOf: Self.document)))
        let schemas = try #require(doc["components"]?["schemas"])
        var problems: [String] = []
        let documented = Shape(schema: try #require(schemas[name], "no schema \(name)"), in: schemas, at: name, problems: &problems)
        #expect(problems.isEmpty, "\(problems)")
        for difference in shape.differences(from: documented, at: name) { Issue.record("\(difference)") }
    }

    @Test func aChangedTypeIsCaught() {
        struct Renamed: Codable { var id: String; var title: String? }
        let documented = Shape.object(["id": .string, "title": .string])
        #expect(Shape.of(Renamed.self).differences(from: documented, at: "x") == ["x.title: the type says string or null, the document string"])
        struct Added: Codable { var id: String; var title: String; var extra: [Date] }
        #expect(Shape.of(Added.self).differences(from: documented, at: "x") == ["x.extra: in the type, not in the document"])
    }

    /// Every member is written, an absent one as null; a time as ISO-8601.
    @Test func absentValuesAreNullAndTimesAreISO() {
        let p = Escalation.Person(id: "ana", name: "Ana Lima")
        let json = String(decoding: JSONText.data(Board.Entry.json(person: p), pretty: false), as: UTF8.self)
        #expect(json == #"{"email":null,"id":"ana","name":"Ana Lima","note":null,"phones":[],"zone":null}"#)
        // Every optional, of every width, is written as null when absent.
        struct Optionals: Encodable {
            var a: Int8?, b: Int16?, c: Int32?, d: Int64?, e: UInt?, f: UInt8?, g: UInt16?, h: UInt32?, i: UInt64?, j: Float?
            var k: Int?, l: Double?, m: Bool?, n: String?, o: [String]?
        }
        guard case let .object(members) = Wire.value(Optionals()) else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o"] && members.allSatisfy { $0.1 == .null })
        struct When: Codable { var at: Date; var then: Date? }
        let when = Wire.value(When(at: Date(timeIntervalSince1970: 1_796_644_800), then: nil))
        #expect(String(decoding: JSONText.data(when, pretty: false), as: UTF8.self) == #"{"at":"2026-12-07T12:00:00Z","then":null}"#)
    }
}

/// A JSON shape: what a type writes, or what a schema allows.
indirect enum Shape: Equatable, CustomStringConvertible, Sendable {
    case string, integer, number, boolean, dateTime
    /// Any object (a JSONValue: the stream's record, which the store format describes).
    case anyObject
    case array(Shape)
    case object([String: Shape])
    case nullable(Shape)

    var description: String {
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
        }
    }

    /// What `T` writes, read from its Decodable conformance (the same
    /// coding keys its Encodable one writes).
    static func of<T: Decodable>(_ type: T.Type) -> Shape {
        let d = ShapeDecoder()
        _ = try? T(from: d)
        return d.shape ?? .object([:])
    }

    /// Where this shape and a documented one part, as sentences.
    func differences(from doc: Shape, at path: String) -> [String] {
        switch (self, doc) {
        case let (.object(a), .object(b)):
            var out: [String] = []
            for key in Set(a.keys).union(b.keys).sorted() {
                switch (a[key], b[key]) {
                case let (x?, y?): out += x.differences(from: y, at: "\(path).\(key)")
                case (_?, nil): out.append("\(path).\(key): in the type, not in the document")
                default: out.append("\(path).\(key): in the document, not in the type")
                }
            }
            return out
        case let (.array(a), .array(b)): return a.differences(from: b, at: path + "[]")
        case let (.nullable(a), .nullable(b)): return a.differences(from: b, at: path)
        default: return self == doc ? [] : ["\(path): the type says \(self), the document \(doc)"]
        }
    }

    /// A JSON Schema's shape (`$ref`s resolved in `schemas`); what it says
    /// that a type could not (a member not required) goes to `problems`.
    init(schema: JSONValue, in schemas: JSONValue, at path: String, problems: inout [String]) {
        if let ref = schema["$ref"]?.stringValue, let name = ref.split(separator: "/").last.map(String.init), let s = schemas[name] {
            self.init(schema: s, in: schemas, at: name, problems: &problems)
            return
        }
        if let options = schema["oneOf"]?.elements, options.count == 2, let k = options.firstIndex(where: { $0["type"]?.stringValue == "null" }) {
            self = .nullable(Shape(schema: options[1 - k], in: schemas, at: path, problems: &problems))
            return
        }
        let types = schema["type"]?.elements?.compactMap(\.stringValue) ?? schema["type"]?.stringValue.map { [$0] } ?? []
        let base: Shape
        switch types.first {
        case "string": base = schema["format"]?.stringValue == "date-time" ? .dateTime : .string
        case "integer": base = .integer
        case "number": base = .number
        case "boolean": base = .boolean
        case "array": base = .array(Shape(schema: schema["items"] ?? [:], in: schemas, at: path + "[]", problems: &problems))
        case "object" where schema["properties"] == nil:
            base = .anyObject
        case "object":
            var members: [String: Shape] = [:]
            for (key, value) in schema["properties"]?.members ?? [] {
                members[key] = Shape(schema: value, in: schemas, at: "\(path).\(key)", problems: &problems)
            }
            let required = Set(schema["required"]?.elements?.compactMap(\.stringValue) ?? [])
            if required != Set(members.keys) { problems.append("\(path): every member is written, so every one is required") }
            base = .object(members)
        default:
            problems.append("\(path): no type the check knows (\(types))")
            base = .object([:])
        }
        self = types.contains("null") ? .nullable(base) : base
    }
}

/// A Decoder that builds a type's shape instead of a value: each key the
/// type asks for, with the type it asks for it as (`decodeIfPresent`: or null).
final class ShapeDecoder: Decoder {
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var shape: Shape?
    var members: [String: Shape] = [:] { didSet { shape = .object(members) } }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        shape = .object(members)
        return KeyedDecodingContainer(Keyed<Key>(decoder: self))
    }

    func unkeyedContainer() -> UnkeyedDecodingContainer { Unkeyed(decoder: self) }
    func singleValueContainer() -> SingleValueDecodingContainer { Single(decoder: self) }

    /// A value of `T` (any will do) and its shape.
    static func sample<T: Decodable>(_ type: T.Type) throws -> (T, Shape) {
        switch type {
        case is String.Type: return ("" as! T, .string)
        case is Int.Type: return (0 as! T, .integer)
        case is Double.Type: return (0.0 as! T, .number)
        case is Bool.Type: return (false as! T, .boolean)
        case is Date.Type: return (Date(timeIntervalSince1970: 0) as! T, .dateTime)
        case is JSONValue.Type: return (JSONValue.object([]) as! T, .anyObject)
        default:
            let d = ShapeDecoder()
            let v = try T(from: d)
            return (v, d.shape ?? .object([:]))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: ShapeDecoder
        var codingPath: [CodingKey] { [] }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let (v, s) = try ShapeDecoder.sample(type)
            decoder.members[key.stringValue] = s
            return v
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            let (v, s) = try ShapeDecoder.sample(type)
            decoder.members[key.stringValue] = .nullable(s)
            return v
        }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { decoder.members[key.stringValue] = .boolean; return false }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { decoder.members[key.stringValue] = .string; return "" }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { decoder.members[key.stringValue] = .number; return 0 }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { decoder.members[key.stringValue] = .number; return 0 }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { decoder.members[key.stringValue] = .integer; return 0 }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { decoder.members[key.stringValue] = .integer; return 0 }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { decoder.members[key.stringValue] = .nullable(.boolean); return false }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { decoder.members[key.stringValue] = .nullable(.string); return "" }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { decoder.members[key.stringValue] = .nullable(.number); return 0 }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { decoder.members[key.stringValue] = .nullable(.number); return 0 }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { decoder.members[key.stringValue] = .nullable(.integer); return 0 }
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
        mutating func decode(_ type: Bool.Type) throws -> Bool { decoder.shape = .array(.boolean); currentIndex += 1; return false }
        mutating func decode(_ type: String.Type) throws -> String { decoder.shape = .array(.string); currentIndex += 1; return "" }
        mutating func decode(_ type: Double.Type) throws -> Double { decoder.shape = .array(.number); currentIndex += 1; return 0 }
        mutating func decode(_ type: Float.Type) throws -> Float { decoder.shape = .array(.number); currentIndex += 1; return 0 }
        mutating func decode(_ type: Int.Type) throws -> Int { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: UInt.Type) throws -> UInt { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { decoder.shape = .array(.integer); currentIndex += 1; return 0 }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (v, s) = try ShapeDecoder.sample(type)
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
        func decode(_ type: Bool.Type) throws -> Bool { decoder.shape = .boolean; return false }
        func decode(_ type: String.Type) throws -> String { decoder.shape = .string; return "" }
        func decode(_ type: Double.Type) throws -> Double { decoder.shape = .number; return 0 }
        func decode(_ type: Float.Type) throws -> Float { decoder.shape = .number; return 0 }
        func decode(_ type: Int.Type) throws -> Int { decoder.shape = .integer; return 0 }
        func decode(_ type: Int8.Type) throws -> Int8 { decoder.shape = .integer; return 0 }
        func decode(_ type: Int16.Type) throws -> Int16 { decoder.shape = .integer; return 0 }
        func decode(_ type: Int32.Type) throws -> Int32 { decoder.shape = .integer; return 0 }
        func decode(_ type: Int64.Type) throws -> Int64 { decoder.shape = .integer; return 0 }
        func decode(_ type: UInt.Type) throws -> UInt { decoder.shape = .integer; return 0 }
        func decode(_ type: UInt8.Type) throws -> UInt8 { decoder.shape = .integer; return 0 }
        func decode(_ type: UInt16.Type) throws -> UInt16 { decoder.shape = .integer; return 0 }
        func decode(_ type: UInt32.Type) throws -> UInt32 { decoder.shape = .integer; return 0 }
        func decode(_ type: UInt64.Type) throws -> UInt64 { decoder.shape = .integer; return 0 }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (v, s) = try ShapeDecoder.sample(type)
            decoder.shape = s
            return v
        }
    }
}
