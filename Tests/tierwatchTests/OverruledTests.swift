import Escalation
import Foundation
import IncidentStore
import Testing

/// An action that looked successful at its own site and was overruled by
/// another site's earlier event arriving later through the sync engine.
@Suite(.serialized) struct Overruled {
    /// Site B's resolve, clocked a millisecond before the ack whose clock
    /// is `ackHLC`, as the sync engine delivers it late into
    /// `events/site-b.log`.
    func lateResolve(_ s: TempStore, _ id: String, ackHLC: Int64) {
        let t = Date(timeIntervalSince1970: Double(ackHLC - 1) / 1000)
        let e = IncidentEvent(id: EventID(host: "site-b", sequence: 1), hlc: HLC(millis: ackHLC - 1, counter: 0),
                              incident: id, operatorName: "bob@site-b", unixUser: "bob", at: t, recordedAt: t, baseVersion: 1,
                              action: .resolved(message: "fixed at B"))
        writeFixture(atPath: s.path + "/events/site-b.log", contents: Data(RecordCodec.encode(e, writer: "0000000b")))
    }

    @Test func theOperatorsDashboardAndWatchSayTheirAckWasNotApplied() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let out = s.path + ".watch.jsonl"
        defer { unlink(out) }
        let env = ["TIERWATCH_STORE": s.path, "TIERWATCH_HOST": "site-a", "TIERWATCH_OPERATOR": "alice", "TERM": "xterm-256color", "LANG": "C.UTF-8"]
        let dash = Tmux(command: Binary.tierwatch, env: env)
        let watch = Tmux(command: "\(Binary.tierwatch) watch --json > \(out)", env: env)
        defer { withExtendedLifetime(watch) {} }  // its tmux server runs the watcher to the end of the test
        #expect(dash.wait(for: id))
        // The watcher has read the store (it says so on stderr) before
        // anything happens: under load it started after the late resolve
        // and had nothing to report (seen once in CI's faked-date runs).
        #expect(watch.wait(for: "tierwatch: watching"), "\(watch.screen)")
        let acked = s.tw("ack", id, env: ["TIERWATCH_HOST": "site-a"])
        #expect(acked.status == 0, "the ack succeeds where it is typed")
        let ackLine = try #require(s.tw("export", "--events").stdout.split(separator: "\n").first { $0.contains("\"acknowledged\"") })
        let ack = try #require(try JSONSerialization.jsonObject(with: Data(ackLine.utf8)) as? [String: Any])
        // Format 2 leaves `hlc` out when it is `at` in milliseconds.
        let atText = try #require(ack["at"] as? String)
        let at = try #require(ISOTime.parse(atText))
        let ackHLC = (ack["hlc"] as? NSNumber)?.int64Value ?? Int64((at.timeIntervalSince1970 * 1000).rounded())
        lateResolve(s, id, ackHLC: ackHLC)
        #expect(dash.wait(for: "your ack of \(id) was not applied: resolved by bob@site-b at"), "\(dash.screen)")
        let shown = try s.json("show", id)
        let timeline = shown["timeline"] as? [[String: Any]] ?? []
        #expect(timeline.contains { $0["type"] as? String == "acknowledged" && $0["stale"] as? Bool == true }, "the timeline marks it")
        #expect(shown["state"] as? String == "resolved")
        // watch --json emits it.
        var lines: [String] = []
        for _ in 0..<50 {
            lines = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
            if lines.contains(where: { $0.contains("\"overruled\"") }) { break }
            usleep(100_000)
        }
        let overruled = try #require(lines.first { $0.contains("\"overruled\"") }, "\(lines)")
        let obj = try JSONSerialization.jsonObject(with: Data(overruled.utf8)) as? [String: Any]
        #expect((obj?["overruled"] as? [String: Any])?["type"] as? String == "acknowledged")
        #expect((obj?["reason"] as? String)?.contains("resolved by bob@site-b") == true)
        dash.send("q")
        #expect(dash.wait(for: "EXIT=0"))
    }
}
