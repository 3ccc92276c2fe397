import Escalation
import Foundation
import IncidentStore
import Testing

/// Two writers that use one host name (two machines called alike, a cloned
/// container), as a sync engine's conflict copy brings them together.
@Suite struct HostClash {
    /// Writer A's and writer B's records: the same host and sequence
    /// numbers, different events.
    func records(_ titles: [String], clockOffset: Double) -> [IncidentEvent] {
        titles.enumerated().map { k, title in
            var e = event(opening(title), incident: "K\(k)A\(title.count % 10)", seq: k + 1, minutes: Double(k) + clockOffset)
            e.hlc = HLC(millis: Int64((t0.timeIntervalSince1970 + Double(k) * 60 + clockOffset) * 1000), counter: 0)
            return e
        }
    }

    func bytes(_ events: [IncidentEvent], writer: String) -> [UInt8] { events.flatMap { RecordCodec.encode($0, writer: writer) } }

    @Test func differentRecordsWithOneHostAndSequenceAreBothKeptAndTheClashIsCounted() {
        let dir = TempDir(); defer { dir.cleanup() }
        let a = records(["Trunk down", "Fax gone", "Voicemail late"], clockOffset: 0)
        let b = records(["Portal slow", "SMS delayed", "Queue stuck"], clockOffset: 0.25)
        dir.write("events/noc1.log", bytes(a, writer: "aaaaaaaa"))
        dir.write("events/noc1.sync-conflict-20261130-070000-ABCDEFG.log", bytes(b, writer: "bbbbbbbb"))
        let store = IncidentStore(path: dir.path, host: "reader")
        store.refresh()
        #expect(store.state.incidents.count == 6, "nothing lost")
        #expect(store.state.clashes == ["noc1": 3])
        #expect(store.state.duplicateCount == 0)
        let kept = store.state.incidents.values.flatMap(\.events).map(\.id.host)
        #expect(kept.filter { $0 == "noc1" }.count == 3 && kept.filter { $0.hasPrefix("noc1~") }.count == 3)
    }

    @Test func theFoldIsTheSameWhicheverCopyIsReadFirst() {
        // One incident, acted on by both writers with clashing numbers.
        let open = event(opening("Trunk down"), incident: "K3F9", host: "noc0", seq: 1)
        var ack = event(.acknowledged, incident: "K3F9", host: "noc1", seq: 1, minutes: 1)
        var resolve = event(.resolved(message: "fixed"), incident: "K3F9", host: "noc1", seq: 1, minutes: 2)
        ack.hlc = HLC(millis: ack.hlc.millis, counter: 0)
        resolve.hlc = HLC(millis: resolve.hlc.millis, counter: 0)
        func crc(_ e: IncidentEvent, _ w: String) -> UInt32 { RecordCodec.checksum(ofEncoded: RecordCodec.encode(e, writer: w)) }
        var first = StoreState()
        first.ingest([open, ack, resolve], crcs: [crc(open, "x"), crc(ack, "a"), crc(resolve, "b")])
        var second = StoreState()
        second.ingest([open, resolve, ack], crcs: [crc(open, "x"), crc(resolve, "b"), crc(ack, "a")])
        let (i, j) = (first.incidents["K3F9"]!, second.incidents["K3F9"]!)
        #expect(i.state == .resolved && j.state == .resolved)
        #expect(i.acknowledged?.at == j.acknowledged?.at && i.acknowledged != nil)
        #expect(i.events.map(\.action.typeName) == j.events.map(\.action.typeName))
        #expect(first.clashes == ["noc1": 1] && second.clashes == ["noc1": 1])
    }

    @Test func anIdenticalCopyIsADuplicateNotAClash() {
        let dir = TempDir(); defer { dir.cleanup() }
        let a = records(["Trunk down", "Fax gone"], clockOffset: 0)
        dir.write("events/noc1.log", bytes(a, writer: "aaaaaaaa"))
        dir.write("events/noc1.sync-conflict-20261130-070000-ABCDEFG.log", bytes(a, writer: "aaaaaaaa"))
        let store = IncidentStore(path: dir.path, host: "reader")
        store.refresh()
        #expect(store.state.incidents.count == 2 && store.state.clashes.isEmpty && store.state.duplicateCount == 2)
    }

    @Test func aWriterRefusesALogAnotherMachineExtendedUnderItsName() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let store = IncidentStore(path: dir.path, host: "noc1")
        try store.append { _ in IncidentStore.Draft(incident: "K3F9", action: opening(), operatorName: "alice", baseVersion: 0) }
        // Its own records pass; then another machine appends under "noc1".
        try store.append { _ in IncidentStore.Draft(incident: "K3F9", action: .acknowledged, operatorName: "alice", baseVersion: 1) }
        dir.append("events/noc1.log", RecordCodec.encode(event(.note(message: "from elsewhere"), seq: 3, minutes: 5), writer: "0badf00d"))
        let before = dir.read("events/noc1.log")
        #expect {
            try store.append { _ in IncidentStore.Draft(incident: "K3F9", action: .note(message: "mine"), operatorName: "alice", baseVersion: 3) }
        } throws: { error in
            "\(error)".contains("refusing to append: its last record was written by another machine (writer 0badf00d) under the same host name 'noc1'")
        }
        #expect(dir.read("events/noc1.log") == before, "nothing written")
    }

    @Test func theDefaultHostIsTheMachinesNameAndADigestOfMachineAndUser() {
        let host = IncidentStore.defaultHost
        #expect(host.hasPrefix(IncidentStore.fileSafeHost(IncidentStore.machineHostName) + "-"))
        #expect(host.split(separator: "-").last?.count == 4 && IncidentStore.machineID.count == 8)
    }
}
