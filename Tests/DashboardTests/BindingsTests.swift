import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// Issue 33, rebindable keys: one table the keys, the key bar, the help and
/// the guide are read from; the config file's `keys:` rebinds it.
@Suite struct KeyBindings {
    func configured(_ yaml: String) -> (bindings: Bindings, warnings: [String]) {
        Bindings.configured(ConfigFile(text: yaml, file: "/home/ana/.config/tierwatch/config.yaml").keys)
    }

    @Test func everyActionHasAKeyAndNoKeyDoesTwoThingsInOnePlace() {
        let b = Bindings.defaults
        for a in KeyAction.allCases { #expect(!b.keys(a).isEmpty, "\(a) has no key") }
        for contacts in [false, true] {
            let keys = b.table.filter { $0.contactsOnly == contacts }.flatMap(\.keys)
            #expect(Set(keys.map(Bindings.name)).count == keys.count, "a key bound twice: \(keys.map(Bindings.name))")
        }
        // In the contacts pane r is reached; elsewhere it resolves.
        #expect(b.action(for: .char("r"), inContacts: true) == .reached && b.action(for: .char("r"), inContacts: false) == .resolve)
        #expect(b.action(for: .function(4), inContacts: true) == .resolve)
    }

    /// The names the config file's `keys:` binds: a contract with every
    /// config written, each once, the panels' among them.
    @Test func theActionsKeepTheirNamesEachOnce() {
        let names = KeyAction.allCases.map(\.rawValue)
        #expect(names == ["up", "down", "page_up", "page_down", "top", "bottom", "next_pane", "previous_pane", "acknowledge", "escalate",
                          "resolve", "update", "note", "new", "reached", "voicemail", "no_answer", "call", "open", "command", "filter",
                          "clear_filter", "sort", "show_resolved", "on_call", "report", "handover", "replay", "help", "quit"])
        #expect(Set(names).count == names.count)
        #expect(KeyAction(rawValue: "on_call") == .onCall && KeyAction(rawValue: "handover") == .handover && KeyAction(rawValue: "oncall") == nil)
    }

    @Test func keyNamesReadAndPrintTheSameWay() {
        for name in ["a", "A", "?", "F1", "F12", "C-x", "Up", "PgDn", "S-Tab", "Enter", "Esc", "Space", "Home", "Del"] {
            let key = Bindings.key(named: name)
            #expect(key != nil, "\(name)")
            #expect(key.flatMap { Bindings.key(named: Bindings.name($0) == "↑" ? "Up" : Bindings.name($0) == "^X" ? "C-x" : Bindings.name($0)) } == key, "\(name)")
        }
        for bad in ["", "F13", "F0", "Ctrl-x", "ab", "C-m", "\u{7}"] { #expect(Bindings.key(named: bad) == nil, "\(bad)") }
    }

    @Test func theConfigRebindsAndWarnsWithThePlaceOfWhatItCannotTake() {
        let (b, warnings) = configured("""
        theme: light
        keys:
          acknowledge: K
          quit: [x, F10]
          sort: A
          nonsense: z
          note: Ctl-n
        """)
        #expect(b.keys(.acknowledge) == [.char("K")] && b.action(for: .char("K"), inContacts: false) == .acknowledge)
        #expect(b.action(for: .char("a"), inContacts: false) == nil, "a no longer acknowledges")
        #expect(b.keys(.quit) == [.char("x"), .function(10)] && b.action(for: .char("q"), inContacts: false) == nil)
        #expect(b.keys(.note) == [.char("m"), .function(6)], "a bad key name leaves the action's keys as they were")
        #expect(b.sources[.acknowledge] == "/home/ana/.config/tierwatch/config.yaml:3:3" && b.sources[.up] == nil)
        #expect(warnings.contains("/home/ana/.config/tierwatch/config.yaml:6:3: warning: no action 'nonsense' to bind (ignored)"), "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("/home/ana/.config/tierwatch/config.yaml:7:9: warning: 'Ctl-n' is not a key") }, "\(warnings)")
        // A taken key that leaves its action with no key at all is said.
        #expect(warnings.contains("/home/ana/.config/tierwatch/config.yaml:5:3: warning: A was show_resolved's only key; show_resolved now has none"), "\(warnings)")
        #expect(warnings.count == 3, "\(warnings)")
    }

    @Test func aReboundKeyActsAndShowsInTheKeyBarAndTheHelp() {
        var m = Scenes.several()  // 20AJ selected, acknowledged; TSF2 not yet
        m.bindings = configured("keys: { acknowledge: K, help: [F1, '!'] }").bindings
        _ = m.update(.key(.char("j")))
        let id = m.selectedID!
        let version = m.incidents[id]!.version
        #expect(m.update(.key(.char("a"))).isEmpty)
        #expect(m.update(.key(.char("K"))) == [.record(incident: id, action: .acknowledged, baseVersion: version)])
        let bar = m.view(width: 120, height: 40).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(bar.hasPrefix("F1 Help K Ack e Escalate"), "\(bar)")
        _ = m.update(.key(.char("!")))
        let help = m.view(width: 120, height: 40).text
        #expect(help.contains("│ K            acknowledge the selected incident") && help.contains("│ F1 !  q F10  this help · quit"), "\(help)")
    }

    @Test func theGuidesKeyTableIsTheTable() throws {
        let guide = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/guide.md").path, encoding: .utf8)
        let start = try #require(guide.range(of: "<!-- keys: made by `tierwatch config keys`"))
        let end = try #require(guide.range(of: "<!-- /keys -->"))
        let block = guide[start.upperBound..<end.lowerBound].drop { $0 != "\n" }.dropFirst()
        #expect(String(block) == Bindings.defaults.markdown, "docs/guide.md's key table is not the bindings': run tierwatch config keys")
    }
}
