import Escalation
import Foundation
import Testing

/// JSONText writes what JSONSerialization writes (sorted keys, slashes
/// unescaped), byte for byte, only faster: the slow twin is the reference.
@Suite struct JSONTextIsFoundationsText {
    static var trees: [Any] { [
        [String: Any](),
        [Any](),
        ["id": "K3F9", "n": 42, "neg": -7, "yes": true, "no": false, "none": NSNull()] as [String: Any],
        ["b": 1, "a": 2, "_x": 4, "a_b": 5, "ab": 6, "a__b": 7, "b_": 8, "ba": 9, "abc_def": 10, "abc": 11] as [String: Any],
        ["text": "quote \" backslash \\ slash / tab \t newline \n cr \r bell \u{07} esc \u{1B} nul \u{0} del \u{7F}"] as [String: Any],
        ["unicode": "Tomás · 東京 · 🚨 · \u{202E}rtl"] as [String: Any],
        ["nested": [["tiers": [], "contacts": [String: Any](), "deep": [[1, 2, [3]], ["x": NSNull()]]]]] as [String: Any],
        [["a": 1], ["b": [true, false]], [], "s", 0] as [Any],
        // Typed arrays as the incident's JSON holds them (written by their exact type).
        ["phones": ["+1 555 0101", "a \"b\""] as [String], "contacts": [["id": "am", "n": 1], [:]] as [[String: Any]],
         "flags": [true] as [Any], "none": [NSNull()] as [Any]] as [String: Any],
        ["progress": [0.0, 1.0, 0.745, 0.1, 0.333, -2.5, 123456.789, 0.5, 1.0 / 3, 2.0 / 3, 1e14]] as [String: Any],
    ] }

    @Test(arguments: [false, true])
    func everyTreeIsWrittenAsFoundationWritesIt(pretty: Bool) throws {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        for tree in Self.trees {
            let mine = try #require(JSONText.data(tree, pretty: pretty))
            let theirs = try JSONSerialization.data(withJSONObject: tree, options: options)
            #expect(mine == theirs, "\(String(decoding: mine, as: UTF8.self))\n---\n\(String(decoding: theirs, as: UTF8.self))")
        }
    }

    @Test func anArrayWrittenElementByElementIsTheSameText() throws {
        for elements in [Self.trees, [], [["tiny": 1e-7] as [String: Any], ["a": "b"] as [String: Any]]] as [[Any]] {
            var out = Data()
            JSONText.writeArray(elements) { out.append($0) }
            let theirs = try JSONSerialization.data(withJSONObject: elements, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            #expect(out == theirs, "\(String(decoding: out, as: UTF8.self))\n---\n\(String(decoding: theirs, as: UTF8.self))")
        }
    }

    @Test func whatItDoesNotWriteItLeavesToFoundation() {
        #expect(JSONText.data(["ratio": 1e-7] as [String: Any], pretty: true) == nil)
        #expect(JSONText.data(["at": Date()] as [String: Any], pretty: false) == nil)
        // Foundation orders these by a locale ("_x 9 10 a A a_b a.b"): left to it.
        for key in ["9", "A", "a.b", "p50"] { #expect(JSONText.data([key: 1, "a": 2] as [String: Any], pretty: true) == nil) }
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
                var tree = e.jsonObject(now: now)
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
