import Escalation
import Foundation
import IncidentStore
import Testing

/// Whether what was read is the whole store: what decides that no screen
/// shows ALL CLEAR while a log could not be read.
@Suite struct StoreHealthTests {
    @Test func aMissingStoreIsMissingAndNotComplete() {
        let d = TempDir(); defer { d.cleanup() }
        let store = IncidentStore(path: d.path + "/later", host: "noc1")
        store.refresh()
        let h = store.health
        #expect(h.access == .missing && !h.isComplete && h.cannotRead)
        #expect(h.problems == ["no store at \(d.path)/later: it does not exist"])
    }

    @Test func aFileIsNotAStore() {
        let d = TempDir(); defer { d.cleanup() }
        d.write("file", [1])
        let h = IncidentStore(path: d.path + "/file", host: "noc1").health
        #expect(h.access == .notADirectory && h.cannotRead)
    }

    @Test func aStoreWithNothingRecordedIsCompleteButEmpty() {
        let d = TempDir(); defer { d.cleanup() }
        let store = IncidentStore(path: d.path, host: "noc1")
        store.refresh()
        #expect(store.health.isComplete && !store.health.hasEvents && store.health.problems.isEmpty)
    }

    @Test func logsThatCannotBeOpenedAreNamedWithTheReasonAndForgottenWhenFixed() throws {
        let d = TempDir(); defer { d.cleanup() }
        d.write("events/noc1.log", lines([event(opening(), seq: 1)]))
        try FileManager.default.createDirectory(atPath: d.path + "/events/noc2.log", withIntermediateDirectories: true)
        symlink("/etc/hostname", d.path + "/events/noc3.log")
        let store = IncidentStore(path: d.path, host: "noc1")
        store.refresh()
        let h = store.health
        #expect(store.state.incidents.count == 1)
        #expect(!h.isComplete && !h.cannotRead)
        #expect(h.unreadable.map(\.name) == ["events/noc2.log", "events/noc3.log"])
        #expect(h.problems == ["events/noc2.log unreadable: not a regular file — incidents may be missing",
                               "events/noc3.log unreadable: a symbolic link (never followed) — incidents may be missing"])
        // Put right: the next read sees the whole store again.
        try FileManager.default.removeItem(atPath: d.path + "/events/noc2.log")
        unlink(d.path + "/events/noc3.log")
        d.write("events/noc2.log", lines([event(opening("other"), incident: "ABCD", host: "noc2", seq: 1)]))
        store.refresh()
        #expect(store.health.isComplete && store.state.incidents.count == 2)
    }

    @Test func theParallelColdStartNamesWhatItCannotOpenToo() throws {
        let d = TempDir(); defer { d.cleanup() }
        d.write("events/noc1.log", lines((1...200).map { event(.note(message: "n\($0)"), seq: $0 + 1, minutes: Double($0)) }
            .reduce(into: [event(opening(), seq: 1)]) { $0.append($1) }))
        symlink("/etc/hostname", d.path + "/events/noc9.log")
        var reader = LogReader(directory: d.path + "/events", parallelAbove: 1, minimumPiece: 64)
        let events = reader.readNew()
        #expect(events.count == 201)
        #expect(reader.unreadable == ["events/noc9.log": "a symbolic link (never followed)"])
    }
}
