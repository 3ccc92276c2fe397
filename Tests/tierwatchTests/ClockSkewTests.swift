import Foundation
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
        #expect(doctor.stdout.contains("its last record was dated 5m ahead of this machine's clock when read"), "\(doctor.stdout)")
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
}
