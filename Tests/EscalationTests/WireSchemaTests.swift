import Escalation
import Foundation
import Testing

/// The JSON shapes are types (`Wire.Incident`, …): their fields are read
/// from the types here and held to docs/openapi.json's schemas, field for
/// field, type for type and null for null. A property added to a type and
/// not to the document (or the other way round) fails this.
@Suite struct WireSchema {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/openapi.json")

    @Test(arguments: Wire.documented.map(\.name))
    func eachTypeIsItsSchema(name: String) throws {
        let shape = try Wire.shape(of: Wire.documented.first { $0.name == name }!.type)
        let doc = try #require(JSONValue.parse(try Data(contentsOf: Self.document)))
        let schemas = try #require(doc["components"]?["schemas"])
        var problems: [String] = []
        let documented = Shape(schema: try #require(schemas[name], "no schema \(name)"), in: schemas, at: name, problems: &problems)
        #expect(problems.isEmpty, "\(problems)")
        for difference in shape.differences(from: documented, at: name) { Issue.record("\(difference)") }
    }

    /// The schema written from a type (what update-openapi.py starts from)
    /// reads back as the type, documented members as `$ref`s.
    @Test func theSchemaWrittenFromEachTypeReadsBackAsIt() throws {
        let schemas = try Wire.schemas()
        for (name, type) in Wire.documented {
            var problems: [String] = []
            let back = Shape(schema: try #require(schemas[name]), in: schemas, at: name, problems: &problems)
            #expect(problems.isEmpty, "\(problems)")
            #expect(try Wire.shape(of: type).differences(from: back, at: name).isEmpty, "\(name)")
        }
        #expect(schemas["StreamEvent"]?["properties"]?["incident"] == ["$ref": "#/components/schemas/IncidentSummary"])
        #expect(schemas["Contact"]?["properties"]?["phone"] == ["type": ["string", "null"]])
        #expect(schemas["Contact"]?["properties"]?["person"] == ["oneOf": [["$ref": "#/components/schemas/Person"], ["type": "null"]]])
    }

    @Test func aChangedTypeIsCaught() throws {
        struct Renamed: Codable { var id: String; var title: String? }
        let documented = Shape.object(["id": .string, "title": .string])
        #expect(try Shape.of(Renamed.self).differences(from: documented, at: "x") == ["x.title: the type says string or null, the document string"])
        struct Added: Codable { var id: String; var title: String; var extra: [Date] }
        #expect(try Shape.of(Added.self).differences(from: documented, at: "x") == ["x.extra: in the type, not in the document"])
    }

    /// Nulls inside arrays are said; a type that refuses the sample values
    /// is an error, never a schema cut short.
    @Test func optionalElementsAndTypesThatCannotBeReadAreSaid() throws {
        struct Gaps: Codable { var marks: [Int?]; var names: [String] }
        #expect(try Shape.of(Gaps.self) == .object(["marks": .array(.nullable(.integer)), "names": .array(.string)]))
        enum Colour: String, Codable { case red }
        struct Painted: Codable { var id: String; var colour: Colour; var after: Int }
        #expect(throws: (any Error).self) { try Shape.of(Painted.self) }
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

typealias Shape = Wire.Shape

/// Reading a schema back as a shape, and comparing shapes.
extension Wire.Shape {
    /// Where this shape and a documented one part, as sentences.
    func differences(from doc: Shape, at path: String) -> [String] {
        switch (self.resolved, doc) {
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
