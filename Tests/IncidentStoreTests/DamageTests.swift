import Escalation
import Foundation
import IncidentStore
import Testing

@Suite struct SurvivingDamage {
    func records(_ n: Int) -> [IncidentEvent] {
        [event(opening(), seq: 1)] + (2...n).map { event(.note(message: "note number \($0)"), seq: $0, minutes: Double($0)) }
    }

    @Test func aTornTailAtEveryByteOffsetLosesNothingElse() throws {
        let good = records(5)
        let prefix = lines(good)
        let last = RecordCodec.encode(event(.acknowledged, seq: 6, minutes: 9))
        for k in 0..<last.count {
            let dir = TempDir(); defer { dir.cleanup() }
            dir.write("s/events/noc1.log", prefix + last.prefix(k))
            // The resolve is recorded an hour after the fixture's events
            // (the system clock could be anywhere: before t0 it would be
            // a back-dated action, refused).
            let store = IncidentStore(path: dir.path + "/s", host: "noc1", clock: .fixed(t0.addingTimeInterval(3600)))
            store.refresh()
            #expect(store.state.eventCount == 5 && store.badRecordCount == 0, "torn at \(k)")
            // The next append terminates the torn record instead of gluing onto it.
            try store.append { s in IncidentStore.Draft(incident: "K3F9", action: .resolved(message: nil), operatorName: "bob", baseVersion: s.incidents["K3F9"]!.version) }
            let again = IncidentStore(path: dir.path + "/s", host: "other")
            again.refresh()
            // Torn bytes are trimmed, unless they are the whole record but its newline: then it is kept.
            let kept = k == last.count - 1
            #expect(again.state.eventCount == (kept ? 7 : 6) && again.state.incidents["K3F9"]?.state == .resolved, "torn at \(k)")
            #expect(again.badRecordCount == 0, "torn at \(k)")
            #expect(again.state.incidents["K3F9"]!.timeline.map(\.event.id.sequence) == (kept ? [1, 2, 3, 4, 5, 6, 7] : [1, 2, 3, 4, 5, 6]))
        }
    }

    /// Random bit flips anywhere in a log: the reader never crashes, never
    /// accepts an event that was not written, and reports what it skips.
    @Test func randomBitFlipsNeverInventEvents() {
        let originals = records(60)
        let clean = lines(originals)
        let byID = Dictionary(uniqueKeysWithValues: originals.map { ($0.id, $0) })
        var rng = SeededRandom(seed: 7)
        for round in 0..<100 {
            var bytes = clean
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            }
            let dir = TempDir(); defer { dir.cleanup() }
            dir.write("events/noc1.log", bytes)
            var reader = LogReader(directory: dir.path + "/events")
            let read = reader.readNew()
            #expect(read.allSatisfy { byID[$0.id] == $0 }, "round \(round): an event was invented")
            #expect(read.count + reader.badRecordCount >= originals.count - 8 || reader.badRecordCount > 0, "round \(round)")
            if bytes != clean { #expect(read.count < originals.count || reader.badRecordCount == 0) }
        }
    }

    @Test func aFileThatIsNotTextIsReportedNotFatal() {
        let dir = TempDir(); defer { dir.cleanup() }
        var rng = SeededRandom(seed: 3)
        dir.write("events/junk.log", (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) })
        dir.write("events/empty.log", [])
        dir.write("events/noc1.log", lines(records(3)))
        var reader = LogReader(directory: dir.path + "/events")
        #expect(reader.readNew().count == 3)
        #expect(reader.badRecordCount > 0 && reader.badRecords.allSatisfy { $0.file == "junk.log" })
    }

    /// The same events, spread over host files and a sync conflict copy in
    /// random splits and orders, load to the same state.
    @Test func hostFilesInAnyArrangementConverge() {
        var events = [event(opening(), host: "noc1", seq: 1), event(opening("other", customer: nil), incident: "AB12", host: "noc2", seq: 1)]
        for n in 2...40 {
            let host = ["noc1", "noc2", "noc3"][n % 3]
            events.append(event([.note(message: "\(n)"), .acknowledged, .resolved(message: nil), .reopened][n % 4],
                                incident: n % 2 == 0 ? "K3F9" : "AB12", host: host, seq: n, minutes: Double(n), base: n))
        }
        var reference = StoreState()
        reference.ingest(events)
        var rng = SeededRandom(seed: 11)
        for _ in 0..<20 {
            let dir = TempDir(); defer { dir.cleanup() }
            var byHost: [String: [IncidentEvent]] = [:]
            for e in events.shuffled(using: &rng) { byHost[e.id.host, default: []].append(e) }
            for (host, es) in byHost { dir.write("s/events/\(host).log", lines(es)) }
            // A conflict copy holding part of noc1's events again.
            let copy = byHost["noc1"]!.prefix(Int.random(in: 0...byHost["noc1"]!.count, using: &rng))
            dir.write("s/events/noc1.sync-conflict-20261126-120000-XYZ.log", lines(Array(copy)))
            let store = IncidentStore(path: dir.path + "/s", host: "reader")
            store.refresh()
            #expect(store.state.incidents == reference.incidents)
            #expect(store.state.duplicateCount == copy.count)
        }
    }

    @Test func eventsFromAHostWithABrokenClockAreFlagged() {
        var state = StoreState()
        let now = t0.addingTimeInterval(3600)
        state.ingest([event(opening(), seq: 1), event(.note(message: "from tomorrow"), host: "broken", seq: 1, minutes: 24 * 60)], now: now)
        #expect(state.futureEvents.map(\.id) == [EventID(host: "broken", sequence: 1)])
        #expect(state.incidents["K3F9"]?.timeline.last?.event.id.host == "broken", "it still sorts after what it claims to follow")
    }

    /// Event ids are checked in a bitmap per host; a number far beyond what
    /// the host has written (damage, or a hostile record) goes to a set.
    /// Either way a second copy of an id is a duplicate, including one first
    /// seen out of the bitmap's reach and seen again once the bitmap grew.
    @Test func everyEventIdIsSeenOnceWhateverItsNumber() {
        var state = StoreState()
        let far = [70_000, Int.max, 1 << 40]
        state.ingest(far.map { event(.note(message: "far"), seq: $0) })
        state.ingest((1..<70_000).map { event(.note(message: "n"), seq: $0) })
        #expect(state.eventCount == 69_999 + 3 && state.duplicateCount == 0)
        state.ingest(far.map { event(.note(message: "again"), seq: $0) } + [event(.note(message: "again"), seq: 5)])
        state.ingest([event(.note(message: "other host"), host: "noc2", seq: 5)])
        #expect(state.duplicateCount == 4 && state.eventCount == 69_999 + 4)
        #expect(state.lastSequence == ["noc1": Int.max, "noc2": 5])
    }
}
