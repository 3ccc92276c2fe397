import Escalation
import Foundation
import IncidentStore
import Testing

/// Two machines with one host name: refused at the writer, kept and said at
/// every reader.
@Suite struct HostIdentity {
    func record(_ action: Action, incident: String, seq: Int, writer: String) -> Data {
        let t = Date()
        let e = IncidentEvent(id: EventID(host: "noc1", sequence: seq), hlc: HLC(millis: Int64(t.timeIntervalSince1970 * 1000), counter: 0),
                              incident: incident, operatorName: "eve", unixUser: "eve", at: t, recordedAt: t, baseVersion: 1, action: action)
        return Data(RecordCodec.encode(e, writer: writer))
    }

    @Test func aLogExtendedByAnotherMachineIsRefusedWithTheFix() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()  // as host noc1, this machine
        let log = s.path + "/events/noc1.log"
        let h = try #require(FileHandle(forWritingAtPath: log))
        h.seekToEndOfFile()
        h.write(record(.note(message: "from the other noc1"), incident: id, seq: 2, writer: "0badf00d"))
        try h.close()
        let before = FileManager.default.contents(atPath: log)
        let r = s.tw("note", id, "--message", "mine")
        #expect(r.status == 2, "a setup problem, not a refused action")
        #expect(r.stderr.contains("refusing to append: its last record was written by another machine (writer 0badf00d) under the same host name 'noc1'"))
        #expect(r.stderr.contains("Set TIERWATCH_HOST to a name unique to this machine"))
        #expect(FileManager.default.contents(atPath: log) == before, "nothing written")
        // With a name of its own the same machine writes again.
        #expect(s.tw("note", id, "--message", "mine", env: ["TIERWATCH_HOST": "noc1-east"]).status == 0)
    }

    /// The check read only the log's last 4 KiB: a long last record (a
    /// long note) put its writer's id out of sight, and the append went on.
    @Test func aLongLastRecordByAnotherMachineIsRefusedToo() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let log = s.path + "/events/noc1.log"
        let h = try #require(FileHandle(forWritingAtPath: log))
        h.seekToEndOfFile()
        h.write(record(.note(message: String(repeating: "long note from the other noc1 ", count: 400)), incident: id, seq: 2, writer: "0badf00d"))
        try h.close()
        let before = FileManager.default.contents(atPath: log)
        let r = s.tw("note", id, "--message", "mine")
        #expect(r.status == 2 && r.stderr.contains("writer 0badf00d"), "\(r.stderr)")
        #expect(FileManager.default.contents(atPath: log) == before, "nothing written")
    }

    @Test func aConflictCopyWithOtherEventsIsKeptAndEveryReaderSaysSo() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        // The other machine's first record, as a sync engine's conflict copy: same host, same number.
        let copy = s.path + "/events/noc1.sync-conflict-20261130-070000-ABCDEFG.log"
        writeFixture(atPath: copy, contents: record(.opened(Opening(title: "Other site's incident", customer: nil, severity: .sev2,
            policyYAML: Policy.builtInYAML, policyDigest: Policy.digest(of: Policy.builtInYAML))), incident: "Q7Q7", seq: 1, writer: "0badf00d"))
        let list = s.tw("list", "--json")
        #expect(list.status == 0 && list.stdout.contains(id) && list.stdout.contains("Q7Q7"), "both kept")
        #expect(list.stderr.contains("two writers use host name 'noc1': 1 event of one kept apart"), "\(list.stderr)")
        let doctor = s.tw("doctor")
        #expect(doctor.status == 1 && doctor.stdout.contains("two writers use host name 'noc1'"))
        #expect(doctor.stdout.contains("this writer: host noc1, machine \(IncidentStore.machineID)"))
    }

    @Test func aSilentPeerAndAnExpectedOneNeverSeenAreSaidByEveryReader() throws {
        let s = TempStore(); defer { s.cleanup() }
        s.raise()
        let policy = s.tw("policy", "show", "--yaml").stdout + "sites: { expected: [site-c], silent_after: 2m }\n"
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8))
        try FileManager.default.createDirectory(atPath: s.path + "/heartbeats", withIntermediateDirectories: true)
        let old = ISOTime.format(Date().addingTimeInterval(-300))
        let fresh = ISOTime.format(Date().addingTimeInterval(-10))
        writeFixture(atPath: s.path + "/heartbeats/site-b.json", contents: Data(#"{"host":"site-b","machine":"m","at":"\#(old)","process":"dashboard"}"#.utf8))
        writeFixture(atPath: s.path + "/heartbeats/site-d.json", contents: Data(#"{"host":"site-d","machine":"m","at":"\#(fresh)","process":"serve"}"#.utf8))
        let list = s.tw("list")
        #expect(list.stderr.contains("site-b: no sign for 5m — its actions may be missing"), "\(list.stderr)")
        #expect(list.stderr.contains("site-c: expected, never seen — its actions may be missing"))
        #expect(!list.stderr.contains("site-d"), "a peer that gave a sign 10 s ago is fine")
        let doctor = s.tw("doctor", "--json")
        #expect(doctor.status == 1)
        let peers = ((try JSONSerialization.jsonObject(with: Data(doctor.stdout.utf8)) as? [String: Any])?["peers"] as? [[String: Any]]) ?? []
        #expect(peers.map { $0["host"] as? String } == ["site-b", "site-c", "site-d"])
        #expect(peers.map { $0["silent"] as? Bool } == [true, true, false])
    }

    @Test func aReadWriteDashboardLeavesAHeartbeatAndShowsASilentPeer() throws {
        let s = TempStore(); defer { s.cleanup() }
        s.raise()
        try FileManager.default.createDirectory(atPath: s.path + "/heartbeats", withIntermediateDirectories: true)
        let old = ISOTime.format(Date().addingTimeInterval(-600))
        writeFixture(atPath: s.path + "/heartbeats/site-b.json", contents: Data(#"{"host":"site-b","machine":"m","at":"\#(old)","process":"dashboard"}"#.utf8))
        let t = Tmux(command: Binary.tierwatch, env: ["TIERWATCH_STORE": s.path, "TIERWATCH_HOST": "site-a", "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(t.wait(for: "site-b: no sign for 10m — its actions may be missing"), "\(t.screen)")
        let beat = FileManager.default.contents(atPath: s.path + "/heartbeats/site-a.json").map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(beat.contains(#""host":"site-a""#) && beat.contains(#""process":"dashboard""#))
        // site-b comes back: the warning goes by itself.
        writeFixture(atPath: s.path + "/heartbeats/site-b.json", contents: Data(#"{"host":"site-b","machine":"m","at":"\#(ISOTime.format(Date()))","process":"dashboard"}"#.utf8))
        #expect(t.waitUntilGone("site-b: no sign"))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
        #expect(!FileManager.default.fileExists(atPath: s.path + "/heartbeats/site-a.json"), "a clean quit is no silent peer")
    }
}
