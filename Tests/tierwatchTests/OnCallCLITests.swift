import Foundation
import Escalation
import Testing

/// `tierwatch oncall`, overrides recorded in the store, and the person on
/// call on the dashboard and the wall, with the real binary and tmux.
@Suite(.serialized) struct OnCallEndToEnd {
    /// A store whose policy is the example one (people and rotations).
    func exampleStore() -> TempStore {
        let s = TempStore()
        let example = s.tw("policy", "show", "--example")
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(example.stdout.utf8))
        return s
    }

    func jsonArray(_ r: Binary.Result) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [[String: Any]] ?? []
    }

    @Test func oncallSaysWhoIsOnUntilWhenWhoIsNextAndTheHandoffsAhead() {
        let s = exampleStore(); defer { s.cleanup() }
        s.raise()  // the store exists
        // Tuesday 2026-12-01: the 48th week since 2026-01-05, Cho's (ana, ben, cho).
        let r = s.tw("oncall", "--at", "2026-12-01T12:00:00Z", "--json")
        #expect(r.status == 0, "\(r.stderr)")
        let platform = jsonArray(r).first { ($0["schedule"] as? [String: Any])?["id"] as? String == "platform" }
        #expect((platform?["person"] as? [String: Any])?["name"] as? String == "Cho Min-jun")
        #expect((platform?["person"] as? [String: Any])?["phones"] as? [String] == ["+1 555 0142"])
        #expect(platform?["until"] as? String == "2026-12-07T08:00:00Z", "Monday 09:00 Berlin time")
        #expect((platform?["next"] as? [String: Any])?["id"] as? String == "ana")
        let text = s.tw("oncall", "--at", "2026-12-01T12:00:00Z")
        #expect(text.stdout.contains("platform") && text.stdout.contains("Cho Min-jun") && text.stdout.contains("Mon 09:00 Europe/Berlin"))
        // The handoffs: weekly on Monday 09:00 in Berlin, in winter 08:00Z.
        let next = s.tw("oncall", "platform", "--next", "14d", "--at", "2026-12-01T12:00:00Z")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("Mon 2026-12-07 09:00 Europe/Berlin (2026-12-07T08:00:00Z)  Ana Lima +1 555 0140"), "\(next.stdout)")
        #expect(next.stdout.contains("Mon 2026-12-14 09:00 Europe/Berlin (2026-12-14T08:00:00Z)  Ben Okafor +1 555 0141"))
        // Bad input: a clear message and a distinct exit code.
        let unknown = s.tw("oncall", "platfrom")
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown schedule 'platfrom'; did you mean 'platform'?"))
        // Shell completion offers the schedules and people of the store's policy.
        let schedules = Binary.run(["---completion", "oncall", "override", "--", "positional@0", "5", "0", "tierwatch", "--store", s.path, "oncall", "override", "p"])
        #expect(schedules.stdout.split(separator: "\n").contains("platform") && schedules.stdout.contains("netops"))
        // Global options before a two-word command stay with it.
        #expect(Binary.run(["--store", s.path, "oncall", "overrides"]).stdout.contains("No overrides"))
        let badSpan = s.tw("oncall", "platform", "--next", "soon")
        #expect(badSpan.status == 2 && badSpan.stderr.contains("--next 'soon'"))
    }

    @Test func overridesAreCheckedRecordedListedAndCancelled() {
        let s = exampleStore(); defer { s.cleanup() }
        s.raise()
        let nobody = s.tw("oncall", "override", "platform", "--person", "zed", "--to", "+8h")
        #expect(nobody.status == 1 && nobody.stderr.contains("unknown person 'zed': not in the policy's directory"), "\(nobody.stderr)")
        let backwards = s.tw("oncall", "override", "platform", "--person", "kai", "--from", "+2h", "--to", "-30m")
        #expect(backwards.status == 1 && backwards.stderr.contains("must be after --from"))
        let past = s.tw("oncall", "override", "platform", "--person", "kai", "--from", "-2h", "--to", "+3h")
        #expect(past.status == 1 && past.stderr.contains("is in the past: an override changes who is on call from now on"))
        let notInRotation = s.tw("oncall", "override", "platform", "--person", "kai", "--to", "+1h", "--replacing", "ruth")
        #expect(notInRotation.status == 1 && notInRotation.stderr.contains("not in any rotation of schedule platform"))
        #expect(!FileManager.default.contents(atPath: s.path + "/events/noc1.log")!.contains(Data("oncall".utf8)), "nothing refused was written")

        let made = s.tw("oncall", "override", "platform", "--person", "Kai Weber", "--to", "+8h", "--json")
        #expect(made.status == 0, "\(made.stderr)")
        let o = (try? JSONSerialization.jsonObject(with: Data(made.stdout.utf8))) as? [String: Any]
        let id = o?["id"] as? String ?? "?"
        #expect(id.hasPrefix("noc1/") && (o?["person"] as? [String: Any])?["id"] as? String == "kai" && o?["by"] as? String == "alice")
        let now = jsonArray(s.tw("oncall", "--json")).first { ($0["schedule"] as? [String: Any])?["id"] as? String == "platform" }
        #expect((now?["person"] as? [String: Any])?["id"] as? String == "kai")
        #expect((now?["override"] as? [String: Any])?["id"] as? String == id)
        #expect(s.tw("oncall").stdout.contains("Kai Weber (override \(id))"))
        // The record is an event like any other: operator, host, checksum.
        let log = String(decoding: FileManager.default.contents(atPath: s.path + "/events/noc1.log")!, as: UTF8.self)
        #expect(log.contains("\"type\":\"oncall_override\"") && log.contains("\"inc\":\"@oncall\"") && log.contains("\"op\":\"alice\""))

        #expect(jsonArray(s.tw("oncall", "overrides", "--json")).count == 1)
        #expect(s.tw("export", "--events").stdout.contains("\"type\":\"oncall_override\""), "the merged log has it")
        let cancel = s.tw("oncall", "cancel", id)
        #expect(cancel.status == 0 && cancel.stdout.contains("override \(id) cancelled"))
        let again = s.tw("oncall", "cancel", id)
        #expect(again.status == 1 && again.stderr.contains("already cancelled"))
        #expect(s.tw("oncall", "overrides").stdout.contains("No overrides in force or to come"))
        #expect(s.tw("oncall", "overrides", "--all").stdout.contains("cancelled"))
        let platform = jsonArray(s.tw("oncall", "--json")).first { ($0["schedule"] as? [String: Any])?["id"] as? String == "platform" }
        #expect((platform?["person"] as? [String: Any])?["id"] as? String != "kai", "back to the rotation")
    }

    @Test func aCallRecordsWhoWasOnCallAndShowSaysWhoToCallNow() throws {
        var s = exampleStore(); defer { s.cleanup() }
        // Thursday noon: Ana's platform week, no handoff for days.
        s.env = FakeClock.at("2026-12-10T12:00:00Z")
        let id = s.raise("Trunk down", customer: "umbrella")
        s.tw("escalate", id, "--to", "technical")
        let onNow = jsonArray(s.tw("oncall", "--json")).first { ($0["schedule"] as? [String: Any])?["id"] as? String == "platform" }
        let person = (onNow?["person"] as? [String: Any])?["id"] as? String
        #expect(person == "ana", "the example policy's platform rotation, week 48")
        let shown = try s.json("notify", id, "platform-engineering", "--outcome", "voicemail")
        let tiers = shown["tiers"] as? [[String: Any]] ?? []
        let c = (tiers[2]["contacts"] as? [[String: Any]])?.first { $0["id"] as? String == "platform-engineering" }
        #expect((c?["called_person"] as? [String: Any])?["id"] as? String == person)
        #expect((c?["person"] as? [String: Any])?["id"] as? String == person && c?["phone"] as? String != nil && c?["on_call_until"] as? String != nil)
        #expect((c?["on_call_at_start"] as? [String: Any])?["id"] as? String == person)
        let am = (tiers[1]["contacts"] as? [[String: Any]])?.first { $0["id"] as? String == "am" }
        #expect((am?["person"] as? [String: Any])?["name"] as? String == "Kim Park" && am?["phone"] as? String == "+1 555 0120")
        let text = s.tw("show", id).stdout
        #expect(text.contains("on call when T2 started"), "\(text)")
        #expect(text.contains("Kim Park (Account Manager)") && text.contains("+1 555 0120"))
    }

    @Test func aCorrectedNumberInThePolicyReachesIncidentsAlreadyOpen() throws {
        let s = exampleStore(); defer { s.cleanup() }
        let id = s.raise("Trunk down", customer: "umbrella")
        #expect(s.tw("show", id).stdout.contains("+1 555 0120"), "Kim Park's number as the incident opened")
        let file = s.path + "/policy.yaml"
        let text = String(decoding: FileManager.default.contents(atPath: file)!, as: UTF8.self)
        let edited = text.replacingOccurrences(of: "+1 555 0120", with: "+1 555 0199").replacingOccurrences(of: "notify_within: 10m", with: "notify_within: 30m")
        writeFixture(atPath: file, contents: Data(edited.utf8))
        let shown = s.tw("show", id).stdout
        #expect(shown.contains("Kim Park (Account Manager)") && shown.contains("+1 555 0199") && !shown.contains("+1 555 0120"), "\(shown)")
        // Deadlines stay the incident's own: the opening carries its policy.
        let json = try s.json("show", id)
        let opened = ISOTime.parse(json["opened_at"] as? String ?? "")
        let due = ISOTime.parse(((json["tiers"] as? [[String: Any]])?[1]["due_at"] as? String) ?? "")
        #expect(opened != nil && due.map { $0.timeIntervalSince(opened!) } == 600, "T1 still due 10 minutes after opening")
    }

    @Test func aPolicyWhoseDirectoryDoesNotParseIsNamedByFileLineAndColumn() {
        let s = exampleStore(); defer { s.cleanup() }
        s.raise()
        let text = String(decoding: FileManager.default.contents(atPath: s.path + "/policy.yaml")!, as: UTF8.self)
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(text.replacingOccurrences(of: "[ana, ben, cho]", with: "[ana, bem, cho]").utf8))
        let r = s.tw("oncall")
        #expect(r.status == 2 && r.stderr.contains(s.path + "/policy.yaml:") && r.stderr.contains("unknown person 'bem'"), "\(r.stderr)")
        let check = s.tw("policy", "check", s.path + "/policy.yaml")
        #expect(check.status == 2 && check.stderr.contains("error: unknown person 'bem'; did you mean 'ben'"), "\(check.stderr)")
    }

    @Test func theReadmesOnCallExampleIsAValidPolicy() throws {
        let readme = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/oncall.md").path, encoding: .utf8)
        let section = try #require(readme.range(of: "## Who is on call"))
        let start = try #require(readme.range(of: "```yaml\n", range: section.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let s = TempStore(); defer { s.cleanup() }
        let file = s.path + "/example.yaml"
        try String(readme[start.upperBound..<end.lowerBound]).write(toFile: file, atomically: true, encoding: .utf8)
        let r = s.tw("policy", "check", file)
        #expect(r.status == 0 && r.stdout.contains("ok: policy my-desk"), "\(r.stdout)\(r.stderr)")
    }

    let env = ["TIERWATCH_OPERATOR": "carol", "TERM": "xterm-256color", "LANG": "C.UTF-8"]

    @Test func anOverrideRecordedOnOneHostShowsOnAnotherHostsDashboardAndOnCallView() {
        var s = exampleStore(); defer { s.cleanup() }
        // Tuesday 03:00Z: Jon's netops week (Kai is on every other week), so
        // Kai is on no screen until the override.
        s.env = FakeClock.at("2026-12-08T03:00:00Z")
        let id = s.raise("Trunk down", customer: "umbrella")
        s.tw("escalate", id, "--to", "technical")
        let t = Tmux(command: "\(Binary.tierwatch)", env: env.merging(["TIERWATCH_STORE": s.path, "TIERWATCH_HOST": "noc2"].merging(s.env) { $1 }) { $1 })
        #expect(t.wait(for: "Kim Park  +1 555 0120"), "the account manager by name and number")
        #expect(t.wait(for: "Jon Berg (Network Operations)"), "Jon's netops week: \(t.screen)")
        #expect(!t.screen.contains("Kai Weber"))
        let made = s.tw("oncall", "override", "platform", "--person", "kai", "--to", "+8h")  // host noc1
        #expect(made.status == 0, "\(made.stderr)")
        #expect(t.wait(for: "Kai Weber (Platform Engineering) +1 555 0172"), "noc2 shows noc1's override: \(t.screen)")
        t.send("o")
        #expect(t.wait(for: "Platform Engineering on call: Kai Weber  +1 555 0172 (override noc1/"))
        #expect(t.screen.contains("Overrides in force or to come"))
        t.send("x", "q")
        #expect(t.wait(for: "EXIT=0"))
    }

    @Test func theWallsCallLineNamesTheOnCallPersonAndTheirNumber() {
        let s = exampleStore(); defer { s.cleanup() }
        let id = s.raise("Trunk down", customer: "umbrella")
        let t = Tmux(command: "\(Binary.tierwatch) wall", env: env.merging(["TIERWATCH_STORE": s.path, "TIERWATCH_HOST": "noc1"]) { $1 })
        #expect(t.wait(for: "Call Kim Park (Account Manager) +1 555 0120"), "\(t.screen)")
        for c in ["am", "director-support", "vp-cx"] { s.tw("notify", id, c) }
        s.tw("escalate", id, "--to", "technical")
        s.tw("oncall", "override", "platform", "--person", "kai", "--to", "+8h")
        #expect(t.wait(for: "Call Kai Weber (Platform Engineering) +1 555 0172"), "\(t.screen)")
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }
}
