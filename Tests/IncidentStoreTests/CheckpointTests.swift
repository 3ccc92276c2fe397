import Escalation
import Foundation
@testable import IncidentStore
import Testing

/// A start from a checkpoint (and every update after it) must hold what a
/// full read of the logs holds: random stores from several hosts, with
/// late and back-dated events, reopened incidents long archived, damaged
/// and torn records, logs replaced by a sync engine or cut short, compared
/// after every step.
@Suite struct CheckpointAgainstAFullRead {
    final class Now: @unchecked Sendable {
        var date: Date
        init(_ d: Date) { date = d }
    }

    struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return Int((z ^ (z >> 31)) % UInt64(max(1, n)))
        }
    }

    /// Writes records as hosts would: each host numbers its own, clocks
    /// move on; `at` may be back-dated.
    struct World {
        let dir: TempDir
        var rng: Rng
        var clock: Date
        var seq: [String: Int] = [:]
        var open: [String] = []
        var resolved: [String] = []
        var counter = 0
        let hosts = ["noc1", "noc2", "noc3"]

        mutating func write(_ action: Action, incident: String, host: String, at: Date? = nil) {
            seq[host, default: 0] += 1
            let e = IncidentEvent(id: EventID(host: host, sequence: seq[host]!),
                                  hlc: HLC(millis: Int64(clock.timeIntervalSince1970 * 1000), counter: 0),
                                  incident: incident, operatorName: "op", unixUser: "op", at: at ?? clock,
                                  recordedAt: clock, baseVersion: 0, action: action)
            let log = "events/\(host).log"
            if FileManager.default.fileExists(atPath: dir.path + "/" + log) {
                dir.append(log, RecordCodec.encode(e))
            } else {
                dir.write(log, RecordCodec.encode(e))
            }
        }

        var host: String { mutating get { hosts[rng.next(hosts.count)] } }

        /// One random step; returns what it did.
        mutating func step() -> String {
            clock = clock.addingTimeInterval(Double(60 + rng.next(6 * 3600)))
            switch rng.next(20) {
            case 0..<5:
                counter += 1
                let id = String(format: "I%03d", counter)
                write(opening("incident \(counter)"), incident: id, host: host)
                open.append(id)
                return "open \(id)"
            case 5..<8 where !open.isEmpty:
                // What the report counts: acknowledgements, calls that
                // reach (or miss) each tier's contacts, escalations,
                // customer updates; sometimes back-dated.
                let id = open[rng.next(open.count)]
                let calls: [(String, String)] = [("management", "am"), ("management", "director-support"), ("management", "vp-cx"),
                                                 ("technical", "telecom"), ("ceo", "ceo")]
                let (tier, contact) = calls[rng.next(calls.count)]
                let actions: [Action] = [.acknowledged, .note(message: "working"), .customerUpdate(message: "on it"),
                                         .escalated(toTier: "technical"),
                                         .contactOutcome(tier: tier, contact: contact, outcome: rng.next(3) == 0 ? .noAnswer : .reached, person: nil)]
                let back = rng.next(4) == 0 ? clock.addingTimeInterval(-Double(rng.next(3600))) : nil
                write(actions[rng.next(actions.count)], incident: id, host: host, at: back)
                return "touch \(id)"
            case 8..<12 where !open.isEmpty:
                let id = open.remove(at: rng.next(open.count))
                write(.resolved(message: "fixed"), incident: id, host: host)
                resolved.append(id)
                return "resolve \(id)"
            case 12 where !resolved.isEmpty:
                let id = resolved.remove(at: rng.next(resolved.count))
                write(.reopened, incident: id, host: host)
                open.append(id)
                return "reopen \(id)"
            case 13 where !resolved.isEmpty:
                let id = resolved[rng.next(resolved.count)]
                write(.note(message: "back-dated"), incident: id, host: host, at: clock.addingTimeInterval(-Double(rng.next(40 * 86400))))
                return "late note \(id)"
            case 14:
                write(.onCallOverride(OverrideRequest(schedule: "platform", person: PersonRef(id: "ben", name: "Ben"), phone: nil,
                                                      from: clock, to: clock.addingTimeInterval(3600), replacing: nil)),
                      incident: OverrideLog.key, host: host)
                return "override"
            case 15:
                // A torn record, then the rest of the line (a bad record),
                // or garbage appended.
                let log = "events/\(host).log"
                guard FileManager.default.fileExists(atPath: dir.path + "/" + log) else { return "nothing" }
                dir.append(log, rng.next(2) == 0 ? Array(#"{"v":1,"host":"torn"#.utf8) : Array("garbage\n".utf8))
                if rng.next(2) == 0 { dir.append(log, [10]) }
                return "damage appended"
            case 16:
                // A sync engine replaces a log by a copy of it: a new inode.
                let log = "events/\(host).log"
                let bytes = dir.read(log)
                guard !bytes.isEmpty else { return "nothing" }
                dir.write(log + ".tmp", bytes)
                rename(dir.path + "/" + log + ".tmp", dir.path + "/" + log)
                return "replaced \(log)"
            case 17 where rng.next(3) == 0:
                // A log cut short (a restore from an old backup).
                let log = "events/\(host).log"
                let bytes = dir.read(log)
                guard bytes.count > 10 else { return "nothing" }
                truncate(dir.path + "/" + log, off_t(bytes.count - 1 - rng.next(bytes.count / 3)))
                return "truncated \(log)"
            case 18 where rng.next(2) == 0:
                // A record of an open incident, or the last of a log,
                // damaged in place.
                let log = "events/\(host).log"
                var bytes = dir.read(log)
                guard bytes.count > 40 else { return "nothing" }
                let at = bytes.count - 2 - rng.next(min(200, bytes.count - 40))
                bytes[at] ^= 0x20
                let fd = Glibc.open(dir.path + "/" + log, O_WRONLY)
                _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + at, 1, off_t(at)) }
                close(fd)
                return "flipped a byte near the end of \(log)"
            default:
                counter += 1
                let id = String(format: "I%03d", counter)
                write(opening("incident \(counter)"), incident: id, host: host)
                // Management told at once (its step met on time), or not.
                if rng.next(2) == 0 {
                    for c in ["am", "director-support", "vp-cx"] {
                        write(.contactOutcome(tier: "management", contact: c, outcome: .reached, person: nil), incident: id, host: host)
                    }
                }
                write(.resolved(message: "quick"), incident: id, host: host)
                resolved.append(id)
                return "open and resolve \(id)"
            }
        }
    }

    /// A store that starts from (and writes, after every read) the
    /// checkpoint at `cache`, archiving incidents resolved over a day ago.
    static func store(_ path: String, host: String, clock: Clock, cache: String) -> IncidentStore {
        let s = IncidentStore(path: path, host: host, clock: clock)
        s.checkpointPath = cache
        s.archiveAfter = 86400
        s.checkpointEvery = 1
        return s
    }

    /// What differs between a store started (or kept up) the fast way
    /// and a full read.
    static func differences(_ fast: IncidentStore, _ full: IncidentStore) -> [String] {
        let a = fast.state, b = full.state
        var out: [String] = []
        if a.needsFullRead { out.append("needs a full read") }
        if a.eventCount != b.eventCount { out.append("events \(a.eventCount) vs \(b.eventCount)") }
        if a.orphanCount != b.orphanCount { out.append("orphans \(a.orphanCount) vs \(b.orphanCount)") }
        if a.policies.onCall.events != b.policies.onCall.events { out.append("on-call events \(a.policies.onCall.events.count) vs \(b.policies.onCall.events.count)") }
        if fast.badRecordCount != full.badRecordCount { out.append("bad records \(fast.badRecordCount) vs \(full.badRecordCount)") }
        if a.lastSequence != b.lastSequence { out.append("sequences \(a.lastSequence) vs \(b.lastSequence)") }
        let all = a.allIncidents()
        if all.count != b.incidents.count { out.append("incidents \(all.count) vs \(b.incidents.count)") }
        for (id, i) in b.incidents where all[id] != i { out.append("incident \(id) differs") }
        // The report's figures: archived incidents' as the archive (or the
        // checkpoint) kept them, against every incident's derived now.
        let now = full.clock.now()
        if let kept = a.complianceFacts(openedFrom: .distantPast, to: .distantFuture, now: now)?.sorted(by: { $0.id < $1.id }) {
            let derived = b.complianceFacts(openedFrom: .distantPast, to: .distantFuture, now: now)!.sorted { $0.id < $1.id }
            if kept != derived {
                let wrong = zip(kept, derived).first { $0 != $1 }.map { "\($0.0.id)" } ?? "count \(kept.count) vs \(derived.count)"
                out.append("report figures differ (\(wrong))")
            }
        } else {
            out.append("the report's figures could not be read")
        }
        return out
    }

    static func expectSame(_ fast: IncidentStore, _ full: IncidentStore, _ context: String) {
        let d = differences(fast, full)
        if !d.isEmpty { Issue.record("\(d.joined(separator: "; ")): \(context)") }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func aStartFromTheCheckpointAndEveryUpdateHoldWhatAFullReadHolds(seed: UInt64) {
        let dir = TempDir(); defer { dir.cleanup() }
        let cache = dir.path + "-cache/checkpoint"
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-cache") }
        var world = World(dir: dir, rng: Rng(state: seed), clock: t0)
        let now = Now(t0)
        let clock = Clock { now.date }
        func fastStore() -> IncidentStore { CheckpointAgainstAFullRead.store(dir.path, host: "reader", clock: clock, cache: cache) }
        // A screen that stays up: started once, updated after every step.
        var running: IncidentStore?
        var fromCheckpoint = 0, archived = 0, steps: [String] = []
        for round in 0..<12 {
            for _ in 0..<25 {
                let step = world.step()
                steps.append(step)
                now.date = world.clock.addingTimeInterval(60)
                // A running reader keeps what it has read when a log later
                // loses it (cut short, or damaged in place), as it always
                // has; only a new start follows the logs there.
                if step.hasPrefix("truncated") || step.hasPrefix("flipped") { running = nil }
                guard let live = running else { continue }
                live.refresh()
                IncidentStore.waitForCheckpoints()
                let full = IncidentStore(path: dir.path, host: "reader", clock: clock)
                full.refresh()
                CheckpointAgainstAFullRead.expectSame(live, full, "seed \(seed), round \(round), running, after \(steps.suffix(3))")
            }
            let fast = fastStore()
            fast.refresh()
            IncidentStore.waitForCheckpoints()
            if fast.startNote?.hasPrefix("from the checkpoint") == true { fromCheckpoint += 1 }
            archived = max(archived, fast.state.archive.count)
            let full = IncidentStore(path: dir.path, host: "reader", clock: clock)
            full.refresh()
            CheckpointAgainstAFullRead.expectSame(fast, full, "seed \(seed), round \(round), start (\(fast.startNote ?? "-")), after \(steps.suffix(3))")
            if round % 4 == 0 { running = fast }
        }
        // Not a vacuous test: starts did use checkpoints, and incidents
        // were archived and read back.
        #expect(fromCheckpoint >= 4, "starts from a checkpoint: \(fromCheckpoint)")
        #expect(archived >= 5, "incidents archived: \(archived)")
    }

    @Test func aCheckpointOfAnotherStoreOrDamagedIsNotUsed() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let cache = dir.path + "-cache/checkpoint"
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-cache") }
        var world = World(dir: dir, rng: Rng(state: 9), clock: t0)
        for _ in 0..<60 { _ = world.step() }
        let clock = Clock.fixed(world.clock)
        let first = IncidentStore(path: dir.path, host: "reader", clock: clock)
        first.checkpointPath = cache
        first.archiveAfter = 86400
        first.refresh()
        #expect(first.writeCheckpoint())
        var bytes = [UInt8](FileManager.default.contents(atPath: cache)!)
        bytes[Checkpoint.headerSize + 40] ^= 1
        writeFixture(atPath: cache, contents: Data(bytes))
        let second = IncidentStore(path: dir.path, host: "reader", clock: clock)
        second.checkpointPath = cache
        second.archiveAfter = 86400
        second.refresh()
        #expect(second.startNote == "a full read (checksum mismatch)")
        #expect(second.state.eventCount == first.state.eventCount)
        #expect(second.writeCheckpoint())
        // Cut short (a crash while it was written, before the rename made it whole).
        let whole = [UInt8](FileManager.default.contents(atPath: cache)!)
        for cut in [1, 20, whole.count / 2] {
            writeFixture(atPath: cache, contents: Data(whole.dropLast(cut)))
            let short = IncidentStore(path: dir.path, host: "reader", clock: clock)
            short.checkpointPath = cache
            short.archiveAfter = 86400
            short.refresh()
            #expect(short.startNote?.hasPrefix("a full read (") == true && short.state.eventCount == first.state.eventCount, "cut \(cut): \(short.startNote ?? "-")")
        }
        writeFixture(atPath: cache, contents: Data(whole))
        // Another store's checkpoint (a copy of the store elsewhere) is not this one's.
        let copy = TempDir(); defer { copy.cleanup() }
        copy.write("events/noc1.log", dir.read("events/noc1.log"))
        let other = IncidentStore(path: copy.path, host: "reader", clock: clock)
        other.checkpointPath = cache
        other.refresh()
        #expect(other.startNote == "a full read (another store's)")
    }

    @Test func theWritersOwnAppendsAreKeptByLocationAndAnArchivedIncidentCanBeReopened() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let cache = dir.path + "-cache/checkpoint"
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-cache") }
        let now = Now(t0)
        let clock = Clock { now.date }
        func store() -> IncidentStore { CheckpointAgainstAFullRead.store(dir.path, host: "desk", clock: clock, cache: cache) }
        let writer = store()
        let opened = try writer.openIncident(Opening(title: "Old trouble", customer: "acme", severity: .sev2, policyYAML: Policy.builtInYAML,
                                                     policyDigest: Policy.digest(of: Policy.builtInYAML)), operatorName: "alice")
        _ = try writer.record(on: opened.incident, operatorName: "alice", at: nil) { _, _, _ in .resolved(message: "done") }
        #expect(writer.writeCheckpoint())
        now.date = t0.addingTimeInterval(3 * 86400)
        let later = store()
        later.refresh()
        IncidentStore.waitForCheckpoints()
        #expect(later.startNote?.hasPrefix("from the checkpoint") == true)
        // Resolved three days ago: archived at this start, read back on demand.
        let started = later.state
        #expect(started.incidents[opened.incident] == nil)
        #expect(started.archive.contains(opened.incident))
        #expect(started.incident(opened.incident)?.title == "Old trouble")
        _ = try later.record(on: opened.incident, operatorName: "bob", at: nil) { _, _, _ in .reopened }
        #expect(later.state.incidents[opened.incident]?.state == .open)
        #expect(later.state.incidents[opened.incident]?.events.count == 3)
        let full = IncidentStore(path: dir.path, host: "desk", clock: clock)
        full.refresh()
        CheckpointAgainstAFullRead.expectSame(later, full, "after the reopen")
        IncidentStore.waitForCheckpoints()
        let again = store()
        again.refresh()
        CheckpointAgainstAFullRead.expectSame(again, full, "a start after the reopen")
        if case .matches = Checkpoint.verify(path: cache, against: full, archiveAfter: 86400) {} else {
            Issue.record("doctor's check does not match")
        }
    }

    /// Two writers with one host name met after a start from a checkpoint:
    /// which record is renamed depends on the order of reading, so the
    /// store reads in full, as every other full read does, and keeps no
    /// checkpoint while the clash lasts.
    @Test func aHostNameClashAfterACheckpointStartMeansAFullRead() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let cache = dir.path + "-cache/checkpoint"
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-cache") }
        var world = World(dir: dir, rng: Rng(state: 5), clock: t0)
        for _ in 0..<40 { _ = world.step() }
        let clock = Clock.fixed(world.clock.addingTimeInterval(60))
        let first = CheckpointAgainstAFullRead.store(dir.path, host: "reader", clock: clock, cache: cache)
        first.refresh()
        IncidentStore.waitForCheckpoints()
        let fast = CheckpointAgainstAFullRead.store(dir.path, host: "reader", clock: clock, cache: cache)
        fast.refresh()
        #expect(fast.startNote?.hasPrefix("from the checkpoint") == true)
        // Another machine's noc1 wrote its own record 1 (a sync engine's conflict copy).
        let other = IncidentEvent(id: EventID(host: "noc1", sequence: 1), hlc: HLC(millis: Int64(t0.timeIntervalSince1970 * 1000) + 5, counter: 0),
                                  incident: "ZZ01", operatorName: "eve", unixUser: "eve", at: t0, recordedAt: t0, baseVersion: 0, action: opening("other machine"))
        dir.write("events/noc1.sync-conflict-20261130-000000-ABCDEFG.log", RecordCodec.encode(other))
        fast.refresh()
        IncidentStore.waitForCheckpoints()
        #expect(fast.startNote == "a full read: two writers use one host name")
        #expect(!fast.state.clashes.isEmpty)
        let full = IncidentStore(path: dir.path, host: "reader", clock: clock)
        full.refresh()
        CheckpointAgainstAFullRead.expectSame(fast, full, "after the clash")
        #expect(!FileManager.default.fileExists(atPath: cache), "no checkpoint is kept while two writers share a name")
    }

    @Test func theReportsFiguresOfArchivedIncidentsAreKeptAndAreCheckedWhenRead() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let cache = dir.path + "-cache/checkpoint"
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-cache") }
        var world = World(dir: dir, rng: Rng(state: 21), clock: t0)
        for _ in 0..<300 { _ = world.step() }
        let clock = Clock.fixed(world.clock.addingTimeInterval(60))
        let first = CheckpointAgainstAFullRead.store(dir.path, host: "reader", clock: clock, cache: cache)
        first.checkpointEvery = .max  // only the write below (see the test after this one)
        first.refresh()
        #expect(first.writeCheckpoint())
        let full = IncidentStore(path: dir.path, host: "reader", clock: clock)
        full.refresh()
        let derived = full.state.complianceFacts(openedFrom: .distantPast, to: .distantFuture, now: clock.now())!.sorted { $0.id < $1.id }
        #expect(derived.contains { f in f.steps.contains { $0.outcome == .late } } && derived.contains { f in f.steps.contains { $0.outcome == .met } },
                "the store has steps met on time and late")
        // A start from the checkpoint reads no archived incident for them.
        let fast = CheckpointAgainstAFullRead.store(dir.path, host: "reader", clock: clock, cache: cache)
        fast.checkpointEvery = .max  // no background write over the damaged bytes below
        fast.refresh()
        #expect(fast.startNote?.hasPrefix("from the checkpoint") == true)
        #expect(fast.state.archive.count > 20, "archived: \(fast.state.archive.count)")
        #expect(fast.state.complianceFacts(openedFrom: .distantPast, to: .distantFuture, now: clock.now())?.sorted { $0.id < $1.id } == derived)
        // A period: only the incidents opened in it.
        let from = t0.addingTimeInterval(20 * 86400), to = t0.addingTimeInterval(40 * 86400)
        let period = fast.state.complianceFacts(openedFrom: from, to: to, now: clock.now())!
        #expect(!period.isEmpty && period.allSatisfy { $0.opened >= from && $0.opened < to })
        #expect(period.count == derived.filter { $0.opened >= from && $0.opened < to }.count)
        // A byte of the figures' section damaged: the start is still
        // taken (the figures are not read then), but they are not
        // believed when a report asks; a full read gives them again.
        var bytes = [UInt8](FileManager.default.contents(atPath: cache)!)
        bytes[bytes.count - 3] ^= 0x10
        writeFixture(atPath: cache, contents: Data(bytes))
        let damaged = CheckpointAgainstAFullRead.store(dir.path, host: "reader", clock: clock, cache: cache)
        damaged.checkpointEvery = .max
        damaged.refresh()
        #expect(damaged.startNote?.hasPrefix("from the checkpoint") == true)
        #expect(damaged.state.complianceFacts(openedFrom: .distantPast, to: .distantFuture, now: clock.now()) == nil)
        // Nor is a new checkpoint written from it: it is removed, so the
        // next start reads in full and writes a whole one.
        #expect(!damaged.writeCheckpoint())
        #expect(!FileManager.default.fileExists(atPath: cache))
        damaged.readInFull(because: "test")
        #expect(damaged.state.complianceFacts(openedFrom: .distantPast, to: .distantFuture, now: clock.now())?.sorted { $0.id < $1.id } == derived)
    }

    @Test func anArchivedIncidentsFiguresDoNotChangeWithTheClock() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var world = World(dir: dir, rng: Rng(state: 5), clock: t0)
        for _ in 0..<200 { _ = world.step() }
        let store = IncidentStore(path: dir.path, host: "reader", clock: .fixed(world.clock))
        store.refresh()
        let resolved = store.state.incidents.values.filter { $0.state == .resolved }
        #expect(resolved.count > 10)
        for i in resolved {
            let policy = store.state.policy(for: i)
            let a = IncidentFacts(i, policy: policy, at: i.resolved!.at.addingTimeInterval(86400 * 2))
            let b = IncidentFacts(i, policy: policy, at: world.clock.addingTimeInterval(86400 * 400))
            #expect(a == b, "\(i.id)")
            // The same figures as the board's entry gives.
            let e = Escalation.Board.Entry(i, policies: store.state.policies, at: world.clock.addingTimeInterval(86400 * 400))
            #expect(IncidentFacts(e) == b, "\(i.id)")
        }
    }

    @Test func theFiguresKeepTierIndexesBeyondAByteAndAHeaderOfHugeSizesIsRefused() throws {
        // A policy of 300 tiers (nothing limits their number): a step of
        // tier 299 and a furthest tier of 255 read back as written.
        let tiers = ComplianceTiers((0..<300).map { ComplianceTiers.Tier(id: "t\($0)", name: "Tier \($0)", rule: "within 5m of its start") })
        let f = IncidentFacts(id: "K3F9", title: "SIP trunk down", customer: "acme", severity: .sev1, opened: t0, tiers: tiers,
                              steps: [.init(tier: 299, outcome: .late, lateSeconds: 90), .init(tier: 3, outcome: .missed, lateSeconds: 600)],
                              furthestTier: 255, acknowledgedAfter: 60, resolvedAfter: nil, engagedAfter: nil,
                              updateIntervals: 2, updatesOnTime: 1, longestSilence: 1200)
        var codec = FactsCodec()
        let at = codec.add(f)
        #expect(codec.facts("K3F9", at: at) == f)
        #expect(FactsCodec.decode(codec.encoded(), ids: ["K3F9"]) == [f])
        #expect(FactsCodec.decode(codec.encoded(), ids: ["K3F9", "K3FA"]) == nil, "fewer records than ids")
        // The tier "time to engage" measures is kept with the table.
        let engaging = IncidentFacts(id: "K3FB", title: "t", customer: nil, severity: .sev2, opened: t0,
                                     tiers: ComplianceTiers(Array(tiers.tiers.prefix(4)), engage: 2), steps: [], furthestTier: 2,
                                     acknowledgedAfter: nil, resolvedAfter: nil, engagedAfter: 480, updateIntervals: 0, updatesOnTime: 0, longestSilence: nil)
        var two = FactsCodec()
        two.add(f)
        two.add(engaging)
        let back = FactsCodec.decode(two.encoded(), ids: ["K3F9", "K3FB"])
        #expect(back == [f, engaging] && back?[1].tiers.engage == 2 && back?[0].tiers.engage == nil)

        // A header whose sizes do not fit (it has no checksum of its own): a full read, not a crash.
        let dir = TempDir(); defer { dir.cleanup() }
        let cache = dir.path + "-cache/checkpoint"
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-cache") }
        var world = World(dir: dir, rng: Rng(state: 3), clock: t0)
        for _ in 0..<40 { _ = world.step() }
        let clock = Clock.fixed(world.clock)
        let first = CheckpointAgainstAFullRead.store(dir.path, host: "reader", clock: clock, cache: cache)
        // Only the write below: a background one started by the read could
        // land after a hostile header is written (seen under load in CI).
        first.checkpointEvery = .max
        first.refresh()
        #expect(first.writeCheckpoint())
        var bytes = [UInt8](FileManager.default.contents(atPath: cache)!)
        for field in [8, 24, 40] {  // the body's, the locations' and the figures' sizes
            var hostile = bytes
            for k in field..<(field + 8) { hostile[k] = 0xFF }
            writeFixture(atPath: cache, contents: Data(hostile))
            let s = CheckpointAgainstAFullRead.store(dir.path, host: "reader", clock: clock, cache: cache)
            s.checkpointEvery = .max
            s.refresh()
            #expect(s.startNote?.hasPrefix("a full read (") == true && s.state.eventCount == first.state.eventCount, "field \(field): \(s.startNote ?? "-")")
        }
        bytes = []
    }
}
