import Foundation
import Testing

/// Keys that must never do something by surprise, in a real terminal.
@Suite(.serialized) struct OperatorKeys {
    func env(_ s: TempStore) -> [String: String] {
        ["TIERWATCH_STORE": s.path, "TIERWATCH_OPERATOR": "bob", "TIERWATCH_HOST": "noc1", "TERM": "xterm-256color", "LANG": "C.UTF-8"]
    }

    func contacts(_ s: TempStore, _ id: String) throws -> [String: String] {
        let tiers = try s.json("show", id)["tiers"] as! [[String: Any]]
        var out: [String: String] = [:]
        for c in (tiers[1]["contacts"] as! [[String: Any]]) { out[c["id"] as! String] = c["outcome"] as? String ?? "-" }
        return out
    }

    @Test func inTheContactsPaneRVAndNRecordCallsAndNothingElse() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("Calls to record", customer: "acme")
        let t = Tmux(command: "\(Binary.tierwatch) --store \(s.path)", env: env(s))
        #expect(t.wait(for: "Calls to record"))
        t.send("Tab", "Tab")  // the contacts pane, on the person to call next
        #expect(t.wait(for: "r Reached"))
        t.send("r")
        #expect(t.wait(for: "Jane Roe (Management notified): reached", timeout: 5))
        t.send("j", "n")
        #expect(t.wait(for: "Director of Customer Support (Management notified): no answer", timeout: 5))
        t.send("j", "v")
        #expect(t.wait(for: "VP of Customer Experience (Management notified): voicemail", timeout: 5))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
        #expect(try contacts(s, id) == ["am": "reached", "director-support": "no_answer", "vp-cx": "voicemail"])
        let list = try JSONSerialization.jsonObject(with: Data(s.tw("list", "--json").stdout.utf8)) as! [[String: Any]]
        #expect(list.count == 1 && list[0]["state"] as? String == "open", "nothing resolved, nothing opened")
    }

    @Test func aQuestionTakesOnlyItsAnswersAndStrayKeysAreEaten() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("Do not touch by accident")
        let t = Tmux(command: "\(Binary.tierwatch)", env: env(s))
        #expect(t.wait(for: "Do not touch by accident"))
        let before = s.snapshot()
        t.send("e")
        #expect(t.wait(for: "now? y yes"))
        t.send("s", "a", "u", "Enter", "x")  // stray typing: none of it may act
        usleep(300_000)
        #expect(t.screen.contains("now? y yes"))
        t.send("n")
        #expect(t.wait(for: "escalation cancelled"))
        t.send("r", "fixed", "Enter")
        #expect(t.wait(for: "Every timer stops. y yes"))
        t.send("a", "m", "Escape")
        #expect(t.wait(for: "not resolved"))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
        // Nothing written but the screen's own sign of life (taken away at quit).
        let events = { (snap: [String: Data]) in snap.filter { !$0.key.hasPrefix("heartbeats") } }
        #expect(events(s.snapshot()) == events(before), "nothing written")
        #expect(try s.json("show", id)["state"] as? String == "open")
    }

    @Test func aNewBreachTakesTheWallsBigPanel() {
        let s = TempStore(); defer { s.cleanup() }
        let old = s.raise("Forgotten since this morning", extra: ["--at", "-3h", "--severity", "sev3"])
        let t = Tmux(width: 120, height: 40, command: "\(Binary.tierwatch) --store \(s.path) wall", env: env(s))
        #expect(t.wait(for: "\(old) · "))
        // Opened once the wall is up, 10 s short of its deadline: timed from
        // the wall, not from a start-up a loaded machine makes slow. Listed
        // first, not yet featured: the breached sev3 keeps the big panel.
        let fresh = s.raise("About to breach", extra: ["--at", "-9m50s", "--severity", "sev1"])
        #expect(t.wait(for: "About to breach"))
        #expect(!t.screen.contains("\(fresh) · ") && t.screen.contains("\(old) · "), "\(t.screen)")
        #expect(t.wait(for: "\(fresh) · ", timeout: 20), "the new breach is featured")
        #expect(t.screen.contains("About to breach") && t.screen.contains("BREACHED"))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }

    @Test func theStoreMayBeNamedBeforeTheSubcommand() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("Named before the verb")
        var e = env(s)
        e["TIERWATCH_STORE"] = "/nonexistent"
        let t = Tmux(command: "\(Binary.tierwatch) --store \(s.path) view", env: e)
        #expect(t.wait(for: id) && t.screen.contains("Named before the verb") && t.screen.contains("READ-ONLY"))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }
}
