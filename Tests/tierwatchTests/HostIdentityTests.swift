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

    @Test func aConflictCopyWithOtherEventsIsKeptAndEveryReaderSaysSo() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        // The other machine's first record, as a sync engine's conflict copy: same host, same number.
        let copy = s.path + "/events/noc1.sync-conflict-20261130-070000-ABCDEFG.log"
        FileManager.default.createFile(atPath: copy, contents: record(.opened(Opening(title: "Other site's incident", customer: nil, severity: .sev2,
            policyYAML: Policy.builtInYAML, policyDigest: Policy.digest(of: Policy.builtInYAML))), incident: "Q7Q7", seq: 1, writer: "0badf00d"))
        let list = s.tw("list", "--json")
        #expect(list.status == 0 && list.stdout.contains(id) && list.stdout.contains("Q7Q7"), "both kept")
        #expect(list.stderr.contains("two writers use host name 'noc1': 1 event of one kept apart"), "\(list.stderr)")
        let doctor = s.tw("doctor")
        #expect(doctor.status == 1 && doctor.stdout.contains("two writers use host name 'noc1'"))
        #expect(doctor.stdout.contains("this writer: host noc1, machine \(IncidentStore.machineID)"))
    }
}
