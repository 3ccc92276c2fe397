import Escalation
import Foundation
import IncidentStore
import Testing

@Suite struct AppendingToTheStore {
    func draft(_ id: String, _ action: Action, base: Int = 0) -> IncidentStore.Draft {
        IncidentStore.Draft(incident: id, action: action, operatorName: "alice", baseVersion: base)
    }

    @Test func appendsAreReadBackByAnotherReader() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let store = IncidentStore(path: dir.path + "/s", host: "noc1")
        let opened = try store.append { _ in draft("K3F9", opening()) }
        try store.append { s in draft("K3F9", .acknowledged, base: s.incidents["K3F9"]!.version) }
        // Record 1 of a host's log is the policy's text, before the first opening that names it.
        #expect(opened.id == EventID(host: "noc1", sequence: 2))
        let other = IncidentStore(path: dir.path + "/s", host: "noc2")
        other.refresh()
        #expect(other.state.incidents["K3F9"]?.state == .acknowledged)
        #expect(other.state.incidents["K3F9"]?.timeline.map(\.event.id.sequence) == [2, 3])
        #expect(other.state.incidents["K3F9"]?.timeline[1].event.unixUser == IncidentStore.unixUser)
    }

    @Test func theStoreIsCreatedForOwnerAndGroupOnly() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let old = umask(0o022); defer { umask(old) }
        let store = IncidentStore(path: dir.path + "/s", host: "noc1")
        try store.append { _ in draft("K3F9", opening()) }
        var st = stat()
        stat(dir.path + "/s", &st)
        #expect(st.st_mode & 0o7777 == 0o770)
        stat(store.logPath, &st)
        #expect(st.st_mode & 0o7777 == 0o660)
    }

    @Test func aRefusedActionWritesNothing() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let store = IncidentStore(path: dir.path + "/s", host: "noc1")
        try store.append { _ in draft("K3F9", opening()) }
        let before = dir.read("s/events/noc1.log")
        #expect(throws: StoreError.refused("no")) { try store.append { _ in throw StoreError.refused("no") } }
        #expect(dir.read("s/events/noc1.log") == before)
    }

    @Test func aTornTailIsTrimmedNotGluedToTheNextRecord() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let store = IncidentStore(path: dir.path + "/s", host: "noc1")
        try store.append { _ in draft("K3F9", opening()) }
        let torn = RecordCodec.encode(event(.note(message: "half written"), seq: 2, minutes: 1)).prefix(40)
        let h = FileHandle(forWritingAtPath: store.logPath)!
        h.seekToEndOfFile(); h.write(Data(torn)); try? h.close()

        let fresh = IncidentStore(path: dir.path + "/s", host: "noc1")
        fresh.refresh()
        #expect(fresh.badRecordCount == 0, "a partial tail is not yet a bad record")
        try fresh.append { s in draft("K3F9", .acknowledged, base: s.incidents["K3F9"]!.version) }

        let reader = IncidentStore(path: dir.path + "/s", host: "x")
        reader.refresh()
        #expect(reader.state.incidents["K3F9"]?.state == .acknowledged)
        #expect(reader.badRecordCount == 0, "the torn bytes were trimmed, not glued to the new record")
        let log = dir.read("s/events/noc1.log")
        #expect(log.filter { $0 == 10 }.count == 3 && log.last == 10, "the policy's text, the opening, the ack")
    }

    /// A log planted as a link to someone else's file (a symbolic link, or
    /// a hard link) is refused, and the file is left as it was.
    @Test(arguments: [("symbolic", "it is a symbolic link"), ("hard", "it has 2 hard links; a log file must have exactly one")])
    func aPlantedLinkIsNeverAppendedTo(kind: String, reason: String) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        dir.write("victim", Array("precious\n".utf8))
        try FileManager.default.createDirectory(atPath: dir.path + "/s/events", withIntermediateDirectories: true)
        if kind == "symbolic" {
            symlink(dir.path + "/victim", dir.path + "/s/events/noc1.log")
        } else {
            link(dir.path + "/victim", dir.path + "/s/events/noc1.log")
        }
        let store = IncidentStore(path: dir.path + "/s", host: "noc1")
        #expect(throws: StoreError.unsafePath(path: store.logPath, reason: reason)) {
            try store.append { _ in draft("K3F9", opening()) }
        }
        #expect(dir.read("victim") == Array("precious\n".utf8))
    }

    @Test func aSymlinkedEventsDirectoryIsRefused() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/s", withIntermediateDirectories: true)
        symlink(dir.path + "/elsewhere", dir.path + "/s/events")
        let store = IncidentStore(path: dir.path + "/s", host: "noc1")
        #expect(throws: StoreError.self) { try store.append { _ in draft("K3F9", opening()) } }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/elsewhere").isEmpty)
    }

    @Test func sequenceNumbersAndClocksKeepIncreasing() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let frozen = Date(timeIntervalSince1970: 1_800_000_000)
        let store = IncidentStore(path: dir.path + "/s", host: "noc1", clock: .fixed(frozen))
        try store.append { _ in draft("K3F9", opening()) }
        for n in 0..<5 { try store.append { s in draft("K3F9", .note(message: "\(n)"), base: s.incidents["K3F9"]!.version) } }
        let events = store.state.incidents["K3F9"]!.timeline.map(\.event)
        #expect(events.map(\.id.sequence) == [2, 3, 4, 5, 6, 7], "1 is the policy's text")
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.hlc < $1.hlc }, "a frozen wall clock still orders events")
    }

    @Test func hostNamesBecomeSafeFileNames() {
        #expect(IncidentStore.fileSafeHost("noc-1.example.com") == "noc-1.example.com")
        #expect(IncidentStore.fileSafeHost("../../etc/passwd") == "_.._etc_passwd")
        #expect(IncidentStore.fileSafeHost("") == "host")
    }
}
