import Escalation
import Foundation
import IncidentStore
import Testing

@Suite struct ReadingTheLog {
    @Test func aCorruptRecordInTheMiddleIsSkippedCountedAndLocated() {
        let dir = TempDir(); defer { dir.cleanup() }
        let a = RecordCodec.encode(event(opening(), seq: 1))
        var b = RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1, base: 1))
        let c = RecordCodec.encode(event(.note(message: "after"), seq: 3, minutes: 2, base: 2))
        b[30] ^= 0x04
        dir.write("events/noc1.log", a + b + c)
        var reader = LogReader(directory: dir.path + "/events")
        let events = reader.readNew()
        #expect(events.map(\.id.sequence) == [1, 3])
        #expect(reader.badRecordCount == 1)
        #expect(reader.badRecords.first?.file == "noc1.log" && reader.badRecords.first?.offset == a.count)
        #expect(reader.badRecords.first?.reason.contains("checksum mismatch") == true)
    }

    @Test func aZeroedBlockLosesOnlyTheRecordsItTouches() {
        for start in [0, 700, 2048, 2300, 5000] {
            let dir = TempDir(); defer { dir.cleanup() }
            var bytes: [UInt8] = []
            var ranges: [Int: Range<Int>] = [:]
            for n in 1...40 {
                let record = RecordCodec.encode(n == 1 ? event(opening(), seq: 1) : event(.note(message: "note \(n)"), seq: n, minutes: Double(n)))
                ranges[n] = bytes.count..<bytes.count + record.count
                bytes += record
            }
            let block = start..<start + 512
            for i in block { bytes[i] = 0 }
            dir.write("events/noc1.log", bytes)
            var reader = LogReader(directory: dir.path + "/events")
            let seqs = Set(reader.readNew().map(\.id.sequence))
            let lost = (1...40).filter { !seqs.contains($0) }
            #expect(lost == (1...40).filter { ranges[$0]!.overlaps(block) }, "block at \(start)")
            #expect(reader.badRecordCount >= 1)
            #expect(reader.badRecords.allSatisfy { $0.offset <= block.upperBound && $0.offset + $0.length >= block.lowerBound })
        }
    }

    @Test func readsOnlyWhatWasAppendedSinceLastTime() {
        let dir = TempDir(); defer { dir.cleanup() }
        let first = RecordCodec.encode(event(opening(), seq: 1))
        dir.write("events/noc1.log", first)
        var reader = LogReader(directory: dir.path + "/events")
        #expect(reader.readNew().count == 1)
        #expect(reader.readNew().isEmpty)
        let h = FileHandle(forWritingAtPath: dir.path + "/events/noc1.log")!
        h.seekToEndOfFile()
        h.write(Data(RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1))))
        try? h.close()
        #expect(reader.readNew().map(\.id.sequence) == [2])
    }

    @Test func aPartialLastLineWaitsUntilItIsComplete() {
        let dir = TempDir(); defer { dir.cleanup() }
        let whole = RecordCodec.encode(event(opening(), seq: 1))
        let next = RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1))
        dir.write("events/noc1.log", whole + next.prefix(20))
        var reader = LogReader(directory: dir.path + "/events")
        #expect(reader.readNew().count == 1 && reader.badRecordCount == 0)
        dir.append("events/noc1.log", Array(next.dropFirst(20)))
        #expect(reader.readNew().map(\.id.sequence) == [2] && reader.badRecordCount == 0)
    }

    @Test func aReplacedOrTruncatedFileIsReadAgain() {
        let dir = TempDir(); defer { dir.cleanup() }
        let a = RecordCodec.encode(event(opening(), seq: 1))
        let b = RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1))
        dir.write("events/noc1.log", a + b)
        var reader = LogReader(directory: dir.path + "/events")
        #expect(reader.readNew().count == 2)
        // Replaced by rename, as editors and sync engines do.
        dir.write("events/tmp", a + b + RecordCodec.encode(event(.note(message: "x"), seq: 3, minutes: 2)))
        rename(dir.path + "/events/tmp", dir.path + "/events/noc1.log")
        #expect(reader.readNew().map(\.id.sequence) == [1, 2, 3])
        // Shrunk in place.
        truncate(dir.path + "/events/noc1.log", off_t(a.count))
        #expect(reader.readNew().map(\.id.sequence) == [1])
    }

    @Test func anOversizedLineIsSkippedWithoutLoadingItWhole() {
        let dir = TempDir(); defer { dir.cleanup() }
        let a = RecordCodec.encode(event(opening(), seq: 1))
        let huge = [UInt8](repeating: UInt8(ascii: "x"), count: RecordCodec.maxRecordBytes * 3)
        let b = RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1))
        dir.write("events/noc1.log", a + huge)
        var reader = LogReader(directory: dir.path + "/events")
        #expect(reader.readNew().count == 1 && reader.badRecordCount == 0)
        dir.append("events/noc1.log", [10] + b)
        #expect(reader.readNew().map(\.id.sequence) == [2])
        #expect(reader.badRecordCount == 1 && reader.badRecords[0].offset == a.count)
        #expect(reader.badRecords[0].reason.contains("longer than"))
    }

    @Test func syncLitterIsIgnoredAndConflictCopiesAreRead() {
        let dir = TempDir(); defer { dir.cleanup() }
        dir.write("events/noc1.log", RecordCodec.encode(event(opening(), seq: 1)))
        dir.write("events/noc1.sync-conflict-20261126-175000-ABCDEFG.log",
                  RecordCodec.encode(event(opening(), seq: 1)) + RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1)))
        dir.write("events/.syncthing.noc1.log.tmp", Array("garbage\n".utf8))
        dir.write("events/noc1.log~", Array("garbage\n".utf8))
        var reader = LogReader(directory: dir.path + "/events")
        var state = StoreState()
        state.ingest(reader.readNew())
        #expect(reader.badRecordCount == 0)
        #expect(state.incidents["K3F9"]?.state == .acknowledged && state.duplicateCount == 1)
    }

    @Test func aMissingStoreReadsAsEmpty() {
        var reader = LogReader(directory: "/nonexistent/tierwatch/events")
        #expect(reader.readNew().isEmpty && reader.badRecordCount == 0)
    }
}

@Suite struct MergingHosts {
    /// Three hosts' events, folded whole in one order, must equal any other
    /// order, any split into batches, with duplicates.
    @Test func sameEventsInAnyOrderGiveTheSameState() {
        var all: [IncidentEvent] = [event(opening(), seq: 1)]
        all.append(event(opening("second", customer: nil), incident: "AB12", host: "noc2", seq: 1, minutes: 0.5))
        for n in 2...30 {
            let host = ["noc1", "noc2", "noc3"][n % 3]
            let inc = n % 2 == 0 ? "K3F9" : "AB12"
            let action: Action = [.note(message: "n\(n)"), .acknowledged, .customerUpdate(message: "u\(n)"),
                                  .contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil),
                                  .resolved(message: nil), .reopened][n % 6]
            all.append(event(action, incident: inc, host: host, seq: n, minutes: Double(n), base: n / 2))
        }
        var reference = StoreState()
        reference.ingest(all)
        var rng = SeededRandom(seed: 42)
        for _ in 0..<50 {
            var shuffled = (all + all.prefix(5)).shuffled(using: &rng)
            var state = StoreState()
            while !shuffled.isEmpty {
                let n = Int.random(in: 1...max(1, shuffled.count), using: &rng)
                state.ingest(Array(shuffled.prefix(n)))
                shuffled.removeFirst(n)
            }
            #expect(state.incidents == reference.incidents)
        }
    }

    @Test func eventsOfAnIncidentWhoseOpeningIsLateWaitAsOrphans() {
        var state = StoreState()
        state.ingest([event(.acknowledged, seq: 2, minutes: 1)])
        #expect(state.incidents.isEmpty && state.orphanCount == 1)
        state.ingest([event(opening(), seq: 1)])
        #expect(state.incidents["K3F9"]?.state == .acknowledged && state.orphanCount == 0)
    }
}

struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

@Suite struct ReadingLargeStores {
    /// Past a few MiB, a cold start reads the hosts' logs in parallel and
    /// merges them in log order; it must find exactly what reading them one
    /// by one finds, bad records included.
    @Test func readingLogsInParallelFindsWhatReadingThemOneByOneFinds() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var seq = 0
        for host in ["noc1", "noc2", "noc3"] {
            var bytes: [UInt8] = []
            for n in 0..<6000 {
                seq += 1
                let e = n == 0 ? event(opening(), incident: "I\(host)", host: host, seq: seq)
                    : event(.note(message: "note \(n) from \(host), long enough to make the logs large: " + String(repeating: "x", count: 120)),
                            incident: "I\(host)", host: host, seq: seq, minutes: Double(n))
                bytes += RecordCodec.encode(e)
            }
            bytes[bytes.count / 2] ^= 0x10  // one flipped bit per log
            dir.write("events/\(host).log", bytes)
        }
        var parallel = LogReader(directory: dir.path + "/events")
        let all = parallel.readNew()
        var oneByOne = LogReader(directory: dir.path + "/events")
        var each: [IncidentEvent] = []
        for host in ["noc1", "noc2", "noc3"] { oneByOne.readNew(files: ["\(host).log"]) { e, _ in each.append(e) } }
        // Merged in log order across the hosts (each host's log is in order).
        var merged = each
        IncidentEvent.sortInLogOrder(&merged)
        #expect(all.count > 17_000)
        #expect(all.map(\.id) == merged.map(\.id))
        #expect(all == merged, "the same events, field for field")
        #expect(parallel.badRecordCount == 3 && parallel.badRecords == oneByOne.badRecords)
        // And it goes on incrementally from where the parallel read stopped.
        dir.append("events/noc2.log", RecordCodec.encode(event(.acknowledged, incident: "Inoc2", host: "noc2", seq: 99_999, minutes: 9999)))
        #expect(parallel.readNew().map(\.id.sequence) == [99_999])
    }

    /// The parallel path cuts logs into pieces at line ends. With pieces of
    /// about one record, every awkward line lands on a cut somewhere: a bad
    /// record, an oversized line, a partial last line, a conflict copy. The
    /// result must equal one thread's, and so must the next incremental read.
    @Test func logsCutIntoTinyPiecesReadLikeOneThread() {
        let dir = TempDir(); defer { dir.cleanup() }
        for (k, host) in ["noc1", "noc2"].enumerated() {
            var bytes = RecordCodec.encode(event(opening(), incident: "I\(k)", host: host, seq: 1))
            for n in 2...40 { bytes += RecordCodec.encode(event(.note(message: "n\(n)"), incident: "I\(k)", host: host, seq: n, minutes: Double(n))) }
            bytes[bytes.count / 3] ^= 0x01
            bytes += [UInt8](repeating: UInt8(ascii: "x"), count: RecordCodec.maxRecordBytes + 10) + [10]
            bytes += RecordCodec.encode(event(.acknowledged, incident: "I\(k)", host: host, seq: 41, minutes: 41))
            bytes += Array(RecordCodec.encode(event(.note(message: "torn"), incident: "I\(k)", host: host, seq: 42, minutes: 42)).prefix(30))
            dir.write("events/\(host).log", bytes)
        }
        dir.write("events/noc1.sync-conflict-20261126-1.log", RecordCodec.encode(event(.note(message: "copy"), incident: "I0", seq: 43, minutes: 43)))
        var pieces = LogReader(directory: dir.path + "/events", parallelAbove: 0, minimumPiece: 1)
        var single = LogReader(directory: dir.path + "/events", parallelAbove: .max)
        let a = pieces.readNew()
        var b = single.readNew()
        IncidentEvent.sortInLogOrder(&b)  // the pieces come merged in log order
        #expect(a.count == 2 * 40 + 1 && a.map(\.id) == b.map(\.id) && a == b)
        // Folded as they come (merged: applied one by one) or in file order
        // (late events re-folded), the state is the same.
        var merged = StoreState(), fileOrder = StoreState()
        merged.ingest(a)
        fileOrder.ingest(b.reversed())
        #expect(merged.incidents == fileOrder.incidents && merged.incidents.count == 2)
        #expect(pieces.badRecordCount == 4 && pieces.badRecords == single.badRecords)
        // The torn tail completes, and the next read goes on from there.
        dir.append("events/noc2.log", Array(RecordCodec.encode(event(.note(message: "torn"), incident: "I1", host: "noc2", seq: 42, minutes: 42)).dropFirst(30)))
        #expect(pieces.readNew().map(\.id) == [EventID(host: "noc2", sequence: 42)])
        #expect(single.readNew().map(\.id) == [EventID(host: "noc2", sequence: 42)])
    }
}
