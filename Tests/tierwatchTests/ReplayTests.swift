import Dashboard
import Escalation
import Foundation
import IncidentStore
import Surface
import Testing

/// Replay shows what the NOC could see at an instant: its frame equals the
/// live dashboard's drawn with the clock at that instant from a store that
/// holds only the events recorded by then (the twin).
@Suite struct Replaying {
    final class Now: @unchecked Sendable {
        var date: Date
        init(_ d: Date) { date = d }
    }

    static let t0 = Date(timeIntervalSince1970: 1_796_000_000)

    /// An incident recorded over 40 minutes, with one action recorded late
    /// (a call made at +12m, recorded at +30m).
    static func makeStore(_ dir: String) throws -> (id: String, recorded: [Date]) {
        let now = Now(t0)
        let store = IncidentStore(path: dir, host: "noc1", clock: Clock { now.date })
        let opened = try store.openIncident(Opening(title: "SIP trunk down", customer: "acme", severity: .sev1, policyYAML: Policy.builtInYAML,
                                                    policyDigest: Policy.digest(of: Policy.builtInYAML)), operatorName: "alice")
        let id = opened.incident
        var recorded = [t0]
        func at(_ minutes: Double, _ action: Action, dated: Double? = nil) throws {
            now.date = t0.addingTimeInterval(minutes * 60)
            recorded.append(now.date)
            _ = try store.record(on: id, operatorName: "bob", at: dated.map { t0.addingTimeInterval($0 * 60) }) { _, _, _ in action }
        }
        try at(2, .acknowledged)
        try at(5, .contactOutcome(tier: "management", contact: "am", outcome: .reached, person: CalledPerson(nil)))
        try at(9, .customerUpdate(message: "engineers are on it"))
        try at(14, .escalated(toTier: "technical"))
        try at(30, .contactOutcome(tier: "management", contact: "vp-cx", outcome: .voicemail, person: CalledPerson(nil)), dated: 12)
        try at(40, .resolved(message: "carrier fixed the trunk"))
        return (id, recorded)
    }

    /// The twin: a store of the records recorded by `instant`, read as a
    /// viewer's dashboard with its clock at `instant`.
    static func twinFrame(of dir: String, at instant: Date, width: Int, height: Int) throws -> Frame {
        let twin = dir + "-twin-\(Int(instant.timeIntervalSince1970))"
        try FileManager.default.createDirectory(atPath: twin + "/events", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: twin) }
        for name in try FileManager.default.contentsOfDirectory(atPath: dir + "/events") {
            let text = try String(contentsOfFile: dir + "/events/" + name, encoding: .utf8)
            let kept = text.split(separator: "\n").filter { line in
                guard let e = try? RecordCodec.decode(Array(line.utf8)) else { return false }
                return e.recordedAt <= instant
            }
            try (kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).write(toFile: twin + "/events/" + name, atomically: false, encoding: .utf8)
        }
        let store = IncidentStore(path: twin, host: "viewer", clock: .fixed(instant))
        store.refresh()
        var m = Model(now: instant, storePath: dir, operatorName: "viewer", readOnly: true)
        m.showResolved = true
        _ = m.update(.store(incidents: store.state.incidents, policies: store.state.policies, badRecords: 0))
        _ = m.update(.tick(instant))
        return m.view(width: width, height: height)
    }

    @Test func aReplayFrameIsTheLiveFrameOfTheEventsRecordedByThen() throws {
        let dir = NSTemporaryDirectory() + "/tierwatch-replay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (id, recorded) = try Replaying.makeStore(dir)
        let store = IncidentStore(path: dir, host: "viewer", clock: .fixed(Replaying.t0.addingTimeInterval(3600)))
        store.refresh()
        let events = Array(try #require(store.state.incidents[id]).events)
        let template = Model(now: Replaying.t0, storePath: dir, operatorName: "viewer", readOnly: true)
        let (w, h) = (120, 28)
        // Before and after each event, between the late call's time and its recording, and the end.
        let instants = (recorded.flatMap { [$0, $0.addingTimeInterval(59)] } + [Replaying.t0.addingTimeInterval(20 * 60)]).filter { $0 <= recorded.last! }
        for instant in instants {
            let replay = Replay(events: events, onCall: [], directory: nil, at: instant, now: Replaying.t0.addingTimeInterval(3600),
                                template: template, returnsToLive: true)
            #expect(replay.at == instant)
            let frame = replay.view(width: w, height: h)
            let twin = try Replaying.twinFrame(of: dir, at: instant, width: w, height: h)
            // All but the first row (REPLAY and the instant) and the last (the time bar).
            let mine = frame.text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast()
            let theirs = twin.text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast()
            #expect(Array(mine) == Array(theirs), "at +\(Int(instant.timeIntervalSince(Replaying.t0)))s")
            for row in 1..<(h - 1) { #expect(frame.roles(row: row) == twin.roles(row: row), "colours, row \(row)") }
            #expect(frame.text.hasPrefix(" REPLAY"))
        }
        // The late call: not there at +20m (made at +12m, recorded at +30m), there from +30m with its time.
        let at20 = Replay(events: events, onCall: [], directory: nil, at: Replaying.t0.addingTimeInterval(20 * 60), now: Date(),
                          template: template, returnsToLive: true).view(width: w, height: h).text
        #expect(!at20.contains("voicemail"))
        let at30 = Replay(events: events, onCall: [], directory: nil, at: Replaying.t0.addingTimeInterval(30 * 60), now: Date(),
                          template: template, returnsToLive: true).view(width: w, height: h).text
        #expect(at30.contains("voicemail"))
    }

    @Test func theKeysMoveThroughTheIncidentsLife() throws {
        let dir = NSTemporaryDirectory() + "/tierwatch-replay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (id, recorded) = try Replaying.makeStore(dir)
        let store = IncidentStore(path: dir, host: "viewer")
        store.refresh()
        var replay = Replay(events: Array(store.state.incidents[id]!.events), onCall: [], directory: nil, at: nil, now: Date(),
                            template: Model(now: Date(), storePath: dir, operatorName: "v", readOnly: true), returnsToLive: true)
        let t0 = Replaying.t0
        #expect(replay.at == t0 && replay.from == t0 && replay.to == recorded.last!)
        _ = replay.update(.key(.right))
        #expect(replay.at == t0.addingTimeInterval(60))
        _ = replay.update(.key(.shiftRight))
        #expect(replay.at == t0.addingTimeInterval(660))
        _ = replay.update(.key(.char("]")))
        #expect(replay.at == t0.addingTimeInterval(14 * 60), "the next event: the escalation at +14m")
        _ = replay.update(.key(.char("[")))
        #expect(replay.at == t0.addingTimeInterval(9 * 60))
        _ = replay.update(.key(.char("5")))
        #expect(replay.at == t0.addingTimeInterval(20 * 60), "half of 40 minutes")
        _ = replay.update(.key(.shiftLeft)); _ = replay.update(.key(.shiftLeft)); _ = replay.update(.key(.shiftLeft))
        #expect(replay.at == t0, "never before the opening")
        // Space plays at 60x: two seconds of wall time are two minutes.
        _ = replay.update(.key(.char(" ")))
        let wall = Date()
        _ = replay.update(.tick(wall))
        _ = replay.update(.tick(wall.addingTimeInterval(2)))
        #expect(replay.playing && replay.at == t0.addingTimeInterval(120))
        _ = replay.update(.tick(wall.addingTimeInterval(3600)))
        #expect(!replay.playing && replay.at == replay.to, "it stops at the end")
        // Actions are refused: the screen inside is a viewer's.
        #expect(replay.update(.key(.char("a"))).isEmpty)
        #expect(replay.update(.key(.escape)) == [.endReplay])
        // Store changes do not reach the past.
        let before = replay.view(width: 120, height: 40)
        _ = replay.update(.store(incidents: [:], policies: PolicyBook(), badRecords: 0))
        #expect(replay.view(width: 120, height: 40) == before)
    }

    @Test func replayOnTheCommandLineAndFromTheDashboard() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("SIP trunk down")
        s.tw("ack", id)
        let unknown = s.tw("replay", "ZZZZ")
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown incident 'ZZZZ'"), "as show says it: \(unknown.stderr)")
        let env = ["TIERWATCH_STORE": s.path, "TIERWATCH_OPERATOR": "alice", "TERM": "xterm-256color", "LANG": "C.UTF-8"]
        for (w, h) in [(80, 24), (120, 40)] {
            let t = Tmux(width: w, height: h, command: "\(Binary.tierwatch) replay \(id)", env: env)
            #expect(t.wait(for: "REPLAY"), "\(w)x\(h): \(t.screen)")
            #expect(t.wait(for: "SIP trunk down"))
            t.send("q")
            #expect(t.wait(for: "EXIT=0") && t.terminalRestored)
        }
        // In the dashboard: P replays the selected incident, Esc is live again.
        let t = Tmux(command: Binary.tierwatch, env: env)
        #expect(t.wait(for: "read-write"))
        t.send("P")
        #expect(t.wait(for: "REPLAY"), "\(t.screen)")
        t.send("a")  // refused: nothing is written from a replay
        // The advice is the replay's (Esc), not the viewer's.
        #expect(t.wait(for: "cannot acknowledge: this is a replay of the past; Esc returns to the live dashboard"), "\(t.screen)")
        #expect(!t.screen.contains("without 'view'"))
        t.send("Escape")
        #expect(t.waitUntilGone("REPLAY") && t.wait(for: "read-write"), "\(t.screen)")
        let lines = s.tw("export", "--events").stdout.split(separator: "\n")
        #expect(lines.count == 2, "the opening and the ack: the replay wrote nothing")
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }
}
