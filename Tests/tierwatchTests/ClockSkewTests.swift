import Foundation
import Escalation
import IncidentStore
import Testing

/// Issue 31, first part: a host with a wrong clock, as real processes
/// under faketime on one store. Its records are dated ahead of everyone
/// else's clock: every screen says so; and a machine whose clock is behind
/// is told that, not that someone back-dated an action.
@Suite(.serialized) struct ClockSkew {
    @Test func aHostFiveMinutesAheadIsSaidOnEveryScreen() {
        let s = TempStore(); defer { s.cleanup() }
        s.raise("opened by a good clock")
        // Host b, 5 minutes fast, acknowledges: its record is dated ahead.
        let id = s.raise("also from a")
        let ack = s.tw("ack", id, env: FakeClock.offset(300).merging(["TIERWATCH_HOST": "b"]) { $1 })
        #expect(ack.status == 0, "\(ack.stderr)")
        let list = s.tw("list")
        #expect(list.stderr.contains("host b's clock is about 5m ahead of this machine's: its times are not trusted"), "\(list.stderr)")
        let e = s.env.merging(["TIERWATCH_STORE": s.path, "TIERWATCH_HOST": "noc1", "TERM": "xterm-256color", "LANG": "C.UTF-8"]) { $1 }
        for screen in ["", "view", "wall"] {
            let t = Tmux(command: "\(Binary.tierwatch) \(screen)", env: e)
            #expect(t.wait(for: "host b's clock is about 5m ahead"), "\(screen.isEmpty ? "dashboard" : screen): \(t.screen)")
            t.send("q")
        }
        // The ack's time in the timeline is marked as not trusted.
        let t = Tmux(command: Binary.tierwatch, env: e)
        #expect(t.wait(for: "host b's clock"))
        t.send("/")
        t.send(id)
        t.send("Enter")
        #expect(t.wait(for: "Z▲"), "the ack's time marked: \(t.screen)")
        #expect(t.screen.split(separator: "\n").contains { $0.contains("Z▲") && $0.contains("acknowledged") }, "\(t.screen)")
        t.send("q")
        // Host a's own clock is right: it says nothing of itself.
        #expect(!list.stderr.contains("host noc1's clock"), "\(list.stderr)")
        defer {
            // Host b's clock put right: its next record clears the warning.
            let note = s.tw("note", id, "--message", "clock fixed", env: ["TIERWATCH_HOST": "b"])
            #expect(note.status == 0, "\(note.stderr)")
            let after = s.tw("list")
            #expect(!after.stderr.contains("host b's clock"), "\(after.stderr)")
        }
        // doctor: each host with the Unix users that wrote from it, and
        // whether this machine's clock is kept synchronised.
        let doctor = s.tw("doctor")
        let user = IncidentStore.unixUser
        #expect(doctor.stdout.contains("host b: 1 events by Unix user(s) \(user)"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("this machine's clock: "), "\(doctor.stdout)")
        // (From the record's date against this clock: under CI's faked
        // dates the log's file time is real, so that check says nothing.)
        #expect(doctor.stdout.contains("host b: 1 events by Unix user(s) \(user), last recorded") &&
                doctor.stdout.contains("; clock about 5m ahead (its last record was dated 5m ahead of this machine's clock)"), "\(doctor.stdout)")
    }

    @Test func aMachineFiveMinutesBehindIsToldItsClockIsBehind() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("opened by a good clock")
        let ack = s.tw("ack", id, env: FakeClock.offset(-300).merging(["TIERWATCH_HOST": "c"]) { $1 })
        #expect(ack.status == 1, "refused: \(ack.stderr)")
        #expect(ack.stderr.contains("Nobody back-dated this") && ack.stderr.contains("about 5m before the opening host noc1 recorded")
                && ack.stderr.contains("one of the two clocks is wrong") && ack.stderr.contains("timedatectl"), "\(ack.stderr)")
        // Nothing was written.
        #expect(!s.tw("show", id).stdout.contains("acknowledged by"), "\(s.tw("show", id).stdout)")
        // An operator who back-dates on purpose gets the plain refusal.
        let backdated = s.tw("ack", id, "--at", "-1h")
        #expect(backdated.status != 0 && !backdated.stderr.contains("Nobody back-dated this"), "\(backdated.stderr)")
    }

    /// Three hosts on one store: a right, b 5 minutes fast, c 5 minutes
    /// slow. a names both; c, whom both others disagree with, refuses to
    /// write (exit 2, nothing written); the merged order stays causal.
    @Test func aHostAheadAndOneBehindOnOneStore() throws {
        let s = TempStore(); defer { s.cleanup() }
        let fast = FakeClock.offset(300).merging(["TIERWATCH_HOST": "b"]) { $1 }
        let slow = FakeClock.offset(-300).merging(["TIERWATCH_HOST": "c"]) { $1 }
        let x = s.raise("opened by a good clock")
        // c raises its own: one host against one decides nothing, so it
        // writes, and its record shows it wrote after a later time than
        // its clock said.
        let raised = s.tw("raise", "--title", "raised by a slow clock", "--customer", "acme", env: slow)
        #expect(raised.status == 0, "\(raised.stderr)")
        let y = raised.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let ack = s.tw("ack", x, env: fast)
        #expect(ack.status == 0, "\(ack.stderr)")

        let before = s.snapshot()
        let note = s.tw("note", x, "--message", "from c", env: slow)
        if ClockReading.kernelSynchronised == true {
            // A kernel that says its clock is kept is not overruled: the
            // action is refused only as one dated before the opening.
            #expect(note.status == 1 && note.stderr.contains("one of the two clocks is wrong"), "\(note.stderr)")
        } else {
            #expect(note.status == 2, "\(note.stderr)")
            #expect(note.stderr.contains("refusing to write: this machine's clock is about 5m behind b, noc1")
                    && note.stderr.contains("timedatectl") && note.stderr.contains("Nothing was written"), "\(note.stderr)")
            // Every screen of c says so, too.
            #expect(s.tw("list", env: slow).stderr.contains("this machine's clock is about 5m behind b, noc1: actions here are refused"))
        }
        #expect(s.snapshot() == before, "nothing written")

        // a names both, with their evidence.
        let list = s.tw("list")
        #expect(list.stderr.contains("host b's clock is about 5m ahead of this machine's: its times are not trusted"), "\(list.stderr)")
        #expect(list.stderr.contains("host c's clock is about 5m behind: its times are not trusted — its last record was written 5m before the latest time it had seen"), "\(list.stderr)")
        // doctor: the estimate per host with its evidence (exit 1: problems).
        let d = s.tw("doctor", "--json")
        #expect(d.status == 1, "\(d.stderr)")
        let doctor = try #require(try JSONSerialization.jsonObject(with: Data(d.stdout.utf8)) as? [String: Any])
        let clocks = try #require(doctor["clocks"] as? [String: Any])
        let offsets = Dictionary(uniqueKeysWithValues: ((clocks["hosts"] as? [[String: Any]]) ?? []).map { ($0["host"] as! String, $0["offset_seconds"] as! Double) })
        #expect(offsets.keys.sorted() == ["b", "c"], "\(clocks)")
        #expect(abs((offsets["b"] ?? 0) - 300) < 20 && abs((offsets["c"] ?? 0) + 300) < 20, "\(offsets)")
        #expect(clocks["tolerance_seconds"] as? Double == 60)
        #expect(clocks["incidents"] as? [String] == [x, y].sorted(), "doctor names the incidents resting on those clocks, as the report does")

        // The record's readers mark what rests on those times: the
        // compliance report and the handover name the incidents, the
        // postmortem marks the times.
        let report = s.tw("report")
        #expect(report.stdout.hasPrefix("CLOCKS: 2 incident(s) rest on times from host(s) whose clock is off — b (about 5m ahead), c (about 5m behind): \([x, y].sorted().joined(separator: ", "))"), "\(report.stdout)")
        let reportJSON = try #require(try JSONSerialization.jsonObject(with: Data(s.tw("report", "--json").stdout.utf8)) as? [[String: Any]])
        #expect((reportJSON.first?["clocks"] as? [String: Any])?["incidents"] as? [String] == [x, y].sorted(), "\(reportJSON)")
        #expect(s.tw("handover").stdout.contains("> **CLOCKS: 2 incident(s) rest on times from host(s) whose clock is off"))
        let postmortem = s.tw("export", x, "--markdown").stdout
        #expect(postmortem.contains("Times marked ▲ were recorded by a host whose clock is off"), "\(postmortem)")
        #expect(postmortem.split(separator: "\n").contains { $0.contains("▲") && $0.contains("acknowledged") }, "\(postmortem)")
        #expect(!postmortem.split(separator: "\n").contains { $0.contains("▲") && $0.contains("opened") }, "a's own times are not marked: \(postmortem)")

        // Nothing mis-ordered: c's raise, dated five minutes before a's,
        // comes after it in the merged log (its hybrid clock), and b's ack
        // after both.
        let events = s.tw("export", "--events").stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { ($0["type"] as? String) != "policy_text" }
        let order = events.map { "\($0["inc"] ?? "")/\($0["type"] ?? "")" }
        #expect(order == ["\(x)/opened", "\(y)/opened", "\(x)/acknowledged"], "\(order)")

        // The wall at a, in a real terminal, says both.
        let e = s.env.merging(["TIERWATCH_STORE": s.path, "TIERWATCH_HOST": "noc1", "TERM": "xterm-256color", "LANG": "C.UTF-8"]) { $1 }
        let t = Tmux(width: 200, height: 60, command: "\(Binary.tierwatch) wall", env: e)
        #expect(t.wait(for: "host c's clock is about 5m behind"), "\(t.screen)")
        #expect(t.screen.contains("host b's clock is about 5m ahead"), "\(t.screen)")
        t.send("q")
    }

    /// The tolerance is the policy's: a limit above the skew says nothing.
    @Test func theToleranceComesFromThePolicy() throws {
        let s = TempStore(); defer { s.cleanup() }
        let policy = Policy.builtInYAML + "\nsites: { clock_tolerance: 10m }\n"
        try policy.write(toFile: s.path + "/policy.yaml", atomically: true, encoding: .utf8)
        let x = s.raise("opened by a good clock")
        #expect(s.tw("ack", x, env: FakeClock.offset(300).merging(["TIERWATCH_HOST": "b"]) { $1 }).status == 0)
        let list = s.tw("list")
        #expect(list.status == 0 && !list.stderr.contains("clock"), "\(list.stderr)")
        // A tolerance under 5s is refused with its place in the file.
        try (Policy.builtInYAML + "\nsites: { clock_tolerance: 2s }\n").write(toFile: s.path + "/policy.yaml", atomically: true, encoding: .utf8)
        let check = s.tw("policy", "check", s.path + "/policy.yaml")
        #expect(check.status == 2 && check.stderr.contains("'clock_tolerance' must be at least 5s") && check.stderr.contains("policy.yaml:"), "\(check.stderr)")
    }

    /// What deadlines do when a clock is off: an event counts at the time
    /// it carries. Host b, 5 minutes fast, records T1's three calls at
    /// 10:08 (its clock: 10:13). At a, T1 stays unmet until a's clock
    /// reaches 10:13 (it falls overdue at 10:10), then counts as met late.
    @Test func aFastHostsCallsCountAtTheTimeTheyCarry() throws {
        let s = TempStore(); defer { s.cleanup() }
        // Each at its clock's whole second (`--at`): a process's own start-up
        // time under load would otherwise move the times by a second.
        let opened = s.tw("raise", "--title", "opened at 10:00", "--severity", "sev1", "--at", "2026-11-20T10:00:00Z",
                          env: FakeClock.at("2026-11-20T10:00:00Z"))
        let id = opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for contact in ["am", "director-support", "vp-cx"] {
            let r = s.tw("notify", id, contact, "--at", "2026-11-20T10:13:00Z", env: FakeClock.at("2026-11-20T10:13:00Z").merging(["TIERWATCH_HOST": "b"]) { $1 })
            #expect(r.status == 0, "\(r.stderr)")
        }
        func t1(at instant: String) throws -> [String: Any] {
            let r = s.tw("show", id, "--json", env: FakeClock.at(instant))
            let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
            return try #require((o["tiers"] as? [[String: Any]])?[1])
        }
        let before = try t1(at: "2026-11-20T10:08:00Z")
        #expect(before["status"] as? String == "active" && before["met_at"] is NSNull, "\(before)")
        #expect(s.tw("show", id, env: FakeClock.at("2026-11-20T10:08:00Z")).stderr.contains("host b's clock is about 5m ahead"))
        let overdue = try t1(at: "2026-11-20T10:11:00Z")
        #expect(overdue["status"] as? String == "overdue", "\(overdue)")
        let after = try t1(at: "2026-11-20T10:14:00Z")
        #expect(after["status"] as? String == "late" && after["met_at"] as? String == "2026-11-20T10:13:00Z", "\(after)")
        #expect(after["late_seconds"] as? Int == 180, "\(after)")
    }
}
