import Escalation
import Foundation
import IncidentStore

/// Cold load (every record read, checked and folded) and the cost of one
/// update as the store grows.
enum LoadBench {
    /// Child: loads a store, prints `loaded MS EVENTS INCIDENTS RSS_MIB`.
    static func loadChild(store path: String) -> Never {
        let t = monotonic()
        let store = IncidentStore(path: path, host: "bench")
        store.refresh()
        let state = store.state
        // Folding is the whole job of a cold start: also build the board of
        // open incidents, as the first frame does.
        let open = Board(state.incidents, policies: state.policies, now: Date(), includeResolved: false).entries.count
        let ms = (monotonic() - t) * 1000
        withExtendedLifetime(open) {}  // the board is the work measured, not a result
        SyncBench.emit("loaded \(fmt(ms, 3)) \(state.eventCount) \(state.incidents.count) \(fmt(peakRSSMiB(), 1))")
        exit(0)
    }

    struct Load {
        var ms: Sample
        var rssMiB: Double
        var events: Int
    }

    /// Generates a store of `events` and loads it in `runs` fresh processes.
    static func cold(events: Int, runs: Int) throws -> Load {
        let dir = makeTempDir("load")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: events)
        var times: [Double] = []
        var rss = 0.0
        var count = 0
        for _ in 0..<runs {
            let text = try SyncBench.runSelf(["load", dir]).output
            let f = text.split(separator: " ")
            guard f.count == 5, f[0] == "loaded" else { throw BenchError("load child said: \(text)") }
            times.append(Double(f[1])!)
            count = Int(f[2])!
            rss = Swift.max(rss, Double(f[4].trimmingCharacters(in: .whitespacesAndNewlines))!)
        }
        return Load(ms: Sample(times), rssMiB: rss, events: count)
    }

    /// Time to read, check and fold one new event written by another host,
    /// in stores that already hold each of `sizes` events; `samples`
    /// single-event updates per store, taken in turn (one in each store, then
    /// the next), so that a noisy second slows every size alike and the
    /// ratio between them compares like with like.
    static func update(sizes: [Int], samples: Int) throws -> [Sample] {
        struct Target {
            var dir: String
            var store: IncidentStore
            var incident: String
            var log: FileHandle
            var seq: Int
            var times: [Double] = []
        }
        var targets: [Target] = []
        defer { for t in targets { try? t.log.close(); try? FileManager.default.removeItem(atPath: t.dir) } }
        for events in sizes {
            let dir = makeTempDir("update")
            try StoreGenerator.generate(store: dir, events: events, openIncidents: 5)
            let store = IncidentStore(path: dir, host: "bench")
            store.refresh()
            let incident = store.state.incidents.values.first { $0.state != .resolved }!.id
            let log = FileHandle(forWritingAtPath: dir + "/events/noc1.log")!
            log.seekToEndOfFile()
            targets.append(Target(dir: dir, store: store, incident: incident, log: log, seq: (store.state.lastSequence["noc1"] ?? 0) + 1000))
        }
        for n in 0..<samples {
            for k in targets.indices {
                targets[k].seq += 1
                let store = targets[k].store, target = targets[k].incident
                let now = Date()
                let e = IncidentEvent(id: EventID(host: "noc1", sequence: targets[k].seq), hlc: HLC.next(after: store.state.maxHLC, now: now),
                                      incident: target, operatorName: "bench", unixUser: "bench", at: now, recordedAt: now,
                                      baseVersion: store.state.incidents[target]!.version, action: .note(message: "update \(n)"))
                targets[k].log.write(Data(RecordCodec.encode(e)))
                let t = monotonic()
                let change = store.refresh()
                targets[k].times.append((monotonic() - t) * 1e6)
                guard change.incidents == [target] else { throw BenchError("update was not seen") }
            }
        }
        return targets.map { Sample($0.times) }
    }
}
