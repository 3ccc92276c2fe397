import Foundation

/// The table: every figure beside its baseline from the same run and its target.
enum Benchmarks {
    static func run(quick: Bool, json: Bool) {
        var figures: [Figure] = []
        let syncCount = quick ? 50 : 1000
        func progress(_ s: String) { FileHandle.standardError.write(Data("bench: \(s)\n".utf8)) }
        do {
            progress("sync latency, \(syncCount) events each: bare inotify reader, follower with inotify, follower polling")
            let bare = try SyncBench.measure(count: syncCount, followerArgs: ["bare-follow"])
            let inotify = try SyncBench.measure(count: syncCount, followerArgs: ["follow"])
            let polling = try SyncBench.measure(count: quick ? 20 : 200, followerArgs: ["follow", "--poll", "--poll-interval", "0.1"])
            let ratio = inotify.fromWrite.p99 / Swift.max(bare.fromWrite.p99, 0.001)
            figures.append(Figure(
                name: "sync latency, inotify (append fsync'd -> follower state)",
                value: "p50 \(fmt(inotify.fromFsync.median)) ms, p99 \(fmt(inotify.fromFsync.p99)) ms, max \(fmt(inotify.fromFsync.max)) ms",
                baseline: "bare inotify reader from write: p50 \(fmt(bare.fromWrite.median)) ms, p99 \(fmt(bare.fromWrite.p99)) ms; follower from write: p99 \(fmt(inotify.fromWrite.p99)) ms (\(fmt(ratio, 1))x bare)",
                target: "p99 <= 5 ms, <= 12x bare",
                verdict: inotify.fromFsync.p99 <= 5 && ratio <= 12 ? "met" : "MISSED",
                json: ["p50_ms": inotify.fromFsync.median, "p99_ms": inotify.fromFsync.p99, "max_ms": inotify.fromFsync.max,
                       "from_write_p99_ms": inotify.fromWrite.p99, "bare_p50_ms": bare.fromWrite.median,
                       "bare_p99_ms": bare.fromWrite.p99, "ratio_p99": ratio, "events": syncCount]))
            figures.append(Figure(
                name: "sync latency, polling every 100 ms",
                value: "p50 \(fmt(polling.fromFsync.median)) ms, p99 \(fmt(polling.fromFsync.p99)) ms",
                baseline: "the poll interval: 100 ms",
                target: "p99 <= interval + 5 ms",
                verdict: polling.fromFsync.p99 <= 105 ? "met" : "MISSED",
                json: ["p50_ms": polling.fromFsync.median, "p99_ms": polling.fromFsync.p99, "interval_ms": 100]))

            let sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000]
            var loads: [Int: LoadBench.Load] = [:]
            for n in sizes {
                progress("cold load of \(n) events")
                loads[n] = try LoadBench.cold(events: n, runs: quick ? 2 : 5)
            }
            let smallest = loads[sizes[0]]!
            for n in sizes {
                let l = loads[n]!
                let isTarget = n == 100_000
                figures.append(Figure(
                    name: "cold load, \(l.events) events (read, check, fold, ladders)",
                    value: "median \(fmt(l.ms.median, 1)) ms (min \(fmt(l.ms.percentile(0), 1)), max \(fmt(l.ms.max, 1))), peak RSS \(fmt(l.rssMiB, 1)) MiB",
                    baseline: "\(smallest.events) events: \(fmt(smallest.ms.median, 1)) ms, \(fmt(smallest.rssMiB, 1)) MiB",
                    target: isTarget ? "<= 300 ms, <= 64 MB" : "-",
                    verdict: isTarget ? (l.ms.median <= 300 && l.rssMiB * 1.048576 <= 64 ? "met" : "MISSED") : "-",
                    json: ["events": l.events, "median_ms": l.ms.median, "max_ms": l.ms.max, "peak_rss_mib": l.rssMiB]))
            }

            let big = quick ? 10_000 : 100_000
            progress("update cost at 100 and \(big) events")
            let small = try LoadBench.update(events: 100, samples: quick ? 50 : 300)
            let large = try LoadBench.update(events: big, samples: quick ? 50 : 300)
            let growth = large.median / small.median
            figures.append(Figure(
                name: "one update (read, check, fold) at \(big) events",
                value: "median \(fmt(large.median, 1)) us, p99 \(fmt(large.p99, 1)) us",
                baseline: "at 100 events: median \(fmt(small.median, 1)) us (ratio \(fmt(growth)))",
                target: "ratio <= 1.5",
                verdict: growth <= 1.5 ? "met" : "MISSED",
                json: ["events": big, "median_us": large.median, "baseline_median_us": small.median, "ratio": growth]))
        } catch {
            FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
            exit(1)
        }
        if json {
            let data = try! JSONSerialization.data(withJSONObject: figures.map { ["name": $0.name, "verdict": $0.verdict, "figures": $0.json] as [String: Any] },
                                                   options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            print(table(figures))
        }
    }

    static func table(_ figures: [Figure]) -> String {
        var out = "| figure | measured | baseline (same run) | target | |\n|---|---|---|---|---|\n"
        for f in figures { out += "| \(f.name) | \(f.value) | \(f.baseline) | \(f.target) | \(f.verdict) |\n" }
        return out
    }
}
