import Escalation
import Foundation
import Testing

/// Foundation's tree of a JSONValue, for the slow twin: JSONSerialization
/// writing the same value is the reference JSONText is held to.
extension JSONValue {
    var any: Any {
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
}

/// JSONText writes what JSONSerialization writes (sorted keys, slashes
/// unescaped), byte for byte, only faster: the slow twin is the reference.
@Suite struct JSONTextIsFoundationsText {
    static var trees: [JSONValue] { [
        [:],
        [],
        ["id": "K3F9", "n": 42, "neg": -7, "yes": true, "no": false, "none": nil],
        ["b": 1, "a": 2, "_x": 4, "a_b": 5, "ab": 6, "a__b": 7, "b_": 8, "ba": 9, "abc_def": 10, "abc": 11, "p50": 12, "p90": 13],
        ["text": "quote \" backslash \\ slash / tab \t newline \n cr \r bell \u{07} esc \u{1B} nul \u{0} del \u{7F}"],
        ["unicode": "Tomás · 東京 · 🚨 · \u{202E}rtl"],
        ["nested": [["tiers": [], "contacts": [:], "deep": [[1, 2, [3]], ["x": nil]]]]],
        [["a": 1], ["b": [true, false]], [], "s", 0],
        ["progress": .array([0.0, 1.0, 0.745, 0.1, 0.333, -2.5, 123456.789, 0.5, 1.0 / 3, 2.0 / 3, 1e14, 1e-7].map { .double($0) })],
    ] }

    @Test(arguments: [false, true])
    func everyTreeIsWrittenAsFoundationWritesIt(pretty: Bool) throws {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        for tree in Self.trees {
            let mine = JSONText.data(tree, pretty: pretty)
            let theirs = try JSONSerialization.data(withJSONObject: tree.any, options: options.union(.fragmentsAllowed))
            #expect(mine == theirs, "\(String(decoding: mine, as: UTF8.self))\n---\n\(String(decoding: theirs, as: UTF8.self))")
        }
    }

    @Test func anArrayWrittenElementByElementIsTheSameText() throws {
        for elements in [Self.trees, [], [["tiny": .double(1e-7)], ["a": "b"]]] as [[JSONValue]] {
            var out = Data()
            JSONText.writeArray(values: elements) { out.append($0) }
            let theirs = try JSONSerialization.data(withJSONObject: elements.map(\.any), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            #expect(out == theirs, "\(String(decoding: out, as: UTF8.self))\n---\n\(String(decoding: theirs, as: UTF8.self))")
        }
    }

    /// What comes from outside is read back as the value written.
    @Test func whatItWritesReadsBackAsTheSameValue() throws {
        for tree in Self.trees where tree.members != nil {
            let back = try #require(JSONValue.parse(JSONText.data(tree, pretty: false)))
            #expect(JSONText.data(back, pretty: false) == JSONText.data(tree, pretty: false))
        }
        #expect(JSONValue.parse(Data(#"{"n":7,"b":true,"d":1.5,"s":"x","z":null}"#.utf8)) == ["b": true, "d": .double(1.5), "n": 7, "s": "x", "z": nil])
        guard case let .failure(e) = JSONValue.parsing(Data(#"{"version":"4","receiver":"#.utf8)) else { Issue.record("parsed"); return }
        #expect(!e.reason.isEmpty)
    }
}

/// What comes from outside is read by JSONReader: the value Foundation's
/// reader gives (its slow twin), in time linear in the text, and nesting
/// past 64 refused, so no body can keep serve busy.
@Suite struct ReadingJSON {
    static let texts = [
        #"{"a":1,"b":[true,false,null],"c":"x\"y\\z\/\n\t\u00e9\ud83d\udea8","d":-0.5,"e":1e3,"f":-9223372036854775808,"g":{}}"#,
        #"  [ 1 , -2 , 3.25 , "東京" , [ ] , { "k" : [ { } ] } ]  "#,
        #"{"title":"a","title":"b"}"#,
        #"{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"X"},"fingerprint":"f"}]}"#,
    ]

    @Test func validTextReadsAsFoundationReadsIt() throws {
        for text in Self.texts {
            let mine = try #require(JSONValue.parse(Data(text.utf8)), "\(text)")
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            let a = try JSONSerialization.data(withJSONObject: [mine.any], options: [.sortedKeys])
            let b = try JSONSerialization.data(withJSONObject: [theirs], options: [.sortedKeys])
            #expect(a == b, "\(text): \(String(decoding: a, as: UTF8.self)) vs \(String(decoding: b, as: UTF8.self))")
        }
        // Booleans are never numbers, and whole numbers are integers.
        #expect(JSONValue.parse(Data(#"[true,1,1.0,"1"]"#.utf8)) == [true, 1, .double(1.0), "1"])
        #expect(JSONValue.parse(Data(#"{"title":"a","title":"b"}"#.utf8))?["title"] == "b", "the last of a repeated key, as before")
        // Past 64 bits: a double (tierwatch reads no such number).
        #expect(JSONValue.parse(Data("[12345678901234567890]".utf8)) == [.double(12345678901234567890)])
    }

    @Test func whatIsNotJSONIsSaidWithWhereItStopped() {
        for (text, why) in [("{\"a\":", "a value expected at the end of the text"), ("[1,]", "unexpected character ']' at byte 3"),
                            ("{\"a\" 1}", "':' expected after a key at byte 5"), ("[01]", "a number with a leading zero"),
                            ("\"tab\tin\"", "a control character in a string"), ("[1] x", "more after the value at byte 4"),
                            ("nul", "not 'null'"), ("\"\\q\"", "a bad escape in a string")] {
            guard case let .failure(e) = JSONValue.parsing(Data(text.utf8)) else { Issue.record("\(text) was read"); continue }
            #expect(e.reason.contains(why), "\(text): \(e.reason)")
        }
    }

    /// 16 KB of nested arrays took seconds through Foundation's decoder
    /// (and ten of them tied serve up): refused at once now.
    @Test func nestingPast64IsRefused() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(JSONValue.parse(Data(ok.utf8)) != nil)
        for open in ["[", "{\"a\":"] {
            let deep = String(repeating: open, count: 8000)
            guard case let .failure(e) = JSONValue.parsing(Data(deep.utf8)) else { Issue.record("read"); continue }
            #expect(e.reason.contains("nested deeper than 64"), "\(e.reason)")
        }
    }
}

/// The incident's JSON is built as a JSONValue and written without
/// Foundation; Foundation's writer on the same tree is the slow twin.
@Suite struct IncidentJSONIsFoundationsText {
    func entries() -> [Escalation.Board.Entry] {
        var a = Scenario()
        a.add(.acknowledged, at: 2)
        a.reachManagement(at: 5)
        a.add(.escalated(toTier: "technical"), at: 6)
        a.add(.contactOutcome(tier: "technical", contact: "telecom", outcome: .voicemail, person: nil), at: 8)
        a.add(.note(message: "quote \" backslash \\ tab \t esc \u{1B} 東京"), at: 9)
        a.add(.customerUpdate(message: "on it"), at: 12)
        a.add(.resolved(message: "fixed"), at: 20)
        var b = Scenario(customer: nil)
        b.add(.contactOutcome(tier: "management", contact: "am", outcome: .noAnswer, person: nil), at: 3)
        return [(a, 25.0), (b, 31.5), (a, 7.25)].map { s, minutes in
            var book = PolicyBook()
            book.learn(s.folded)
            return Escalation.Board.Entry(s.folded, policies: book, at: Scenario.at(minutes))
        }
    }

    @Test(arguments: [false, true])
    func everyIncidentIsWrittenAsFoundationWritesItsTree(pretty: Bool) throws {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        for e in entries() {
            let value = e.json(now: Scenario.at(40))
            let mine = JSONText.data(value, pretty: pretty)
            let theirs = try JSONSerialization.data(withJSONObject: value.any, options: options)
            #expect(mine == theirs, "\(String(decoding: mine, as: UTF8.self).prefix(600))\n---\n\(String(decoding: theirs, as: UTF8.self).prefix(600))")
        }
        // And as an array written as it is made.
        var out = Data()
        JSONText.writeArray(values: entries().map { $0.json(now: Scenario.at(40)) }, pretty: pretty) { out.append($0) }
        let theirs = try JSONSerialization.data(withJSONObject: entries().map { $0.json(now: Scenario.at(40)).any }, options: options)
        #expect(out == theirs)
    }

    /// The list written on every core, a chunk at a time, is the text
    /// Foundation writes for the whole array: every element once, in order,
    /// across chunk boundaries (64 elements), and the empty list too.
    @Test(arguments: [0, 1, 63, 64, 65, 300])
    func aLongListWrittenOnEveryCoreIsFoundationsTextInOrder(count: Int) throws {
        let base = entries()
        let items = (0..<count).map { n in (n, base[n % base.count]) }
        let now = Scenario.at(40)
        for pretty in [false, true] {
            var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
            if pretty { options.insert(.prettyPrinted) }
            var out = Data()
            var pieces = 0
            JSONText.writeArray(items, pretty: pretty, value: { n, e in
                // Each element tells its place, so an order slip shows.
                guard case let .object(members) = e.json(now: now) else { return .null }
                return .object([("n", .int(n))] + members)
            }) { out.append($0); pieces += 1 }
            let theirs = try JSONSerialization.data(withJSONObject: items.map { n, e in
                var tree = e.json(now: now).any as! [String: Any]
                tree["n"] = n
                return tree
            }, options: options)
            #expect(out == theirs, "\(count) elements, pretty \(pretty)")
            #expect(pieces >= 2 + (count + 63) / 64)  // opening, each chunk, closing: written as made
        }
    }

    @Test func membersOutOfOrderAreSortedAsFoundationSortsThem() throws {
        let value = JSONValue.object([("b", .int(1)), ("a_b", .array([.double(0.745), .double(1), .null, .bool(true)])), ("a", .string("x"))])
        let theirs = try JSONSerialization.data(withJSONObject: value.any, options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(JSONText.data(value, pretty: false) == theirs)
    }
}
