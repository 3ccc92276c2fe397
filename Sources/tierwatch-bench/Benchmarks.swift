import Escalation
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
            let updates = try LoadBench.update(sizes: [100, big], samples: quick ? 50 : 500)
            let (small, large) = (updates[0], updates[1])
            let growth = large.median / small.median
            figures.append(Figure(
                name: "one update (read, check, fold) at \(big) events",
                value: "median \(fmt(large.median, 1)) us, p99 \(fmt(large.p99, 1)) us",
                baseline: "at 100 events: median \(fmt(small.median, 1)) us (ratio \(fmt(growth)))",
                target: "ratio <= 1.5",
                verdict: growth <= 1.5 ? "met" : "MISSED",
                json: ["events": big, "median_us": large.median, "baseline_median_us": small.median, "ratio": growth]))

            progress("key to screen through a pseudo-terminal")
            let keys = try ScreenBench.keyToScreen(keys: quick ? 20 : 200)
            figures.append(Figure(
                name: "key to screen (dashboard in a pty, 120x40)",
                value: "last byte of the redraw: p50 \(fmt(keys.last.median)) ms, p99 \(fmt(keys.last.p99)) ms",
                baseline: "first byte: p50 \(fmt(keys.first.median)) ms, p99 \(fmt(keys.first.p99)) ms",
                target: "<= 10 ms",
                verdict: keys.last.p99 <= 10 ? "met" : "MISSED",
                json: ["p50_ms": keys.last.median, "p99_ms": keys.last.p99, "first_byte_p50_ms": keys.first.median, "keys": keys.last.count]))

            var starts: [Int: Sample] = [:]
            for n in sizes {
                progress("cold start to first frame, \(n) events")
                starts[n] = try ScreenBench.coldStart(events: n, runs: quick ? 2 : 5)
            }
            for n in sizes {
                let c = starts[n]!
                figures.append(Figure(
                    name: "cold start to first frame, \(n) events",
                    value: "median \(fmt(c.median, 1)) ms (max \(fmt(c.max, 1)))",
                    baseline: "\(sizes[0]) events: \(fmt(starts[sizes[0]]!.median, 1)) ms",
                    target: n == 100_000 ? "<= 300 ms" : "-",
                    verdict: n == 100_000 ? (c.median <= 300 ? "met" : "MISSED") : "-",
                    json: ["events": n, "median_ms": c.median, "max_ms": c.max]))
            }

            progress("frame compose with 1000 open incidents")
            let compose = try ScreenBench.compose(open: 1000, sizes: [(80, 24), (240, 67)], runs: quick ? 5 : 50)
            figures.append(Figure(
                name: "frame compose (view), 1000 open incidents, 240x67",
                value: "median \(fmt(compose[1].median)) ms, p99 \(fmt(compose[1].p99)) ms",
                baseline: "80x24: median \(fmt(compose[0].median)) ms",
                target: "<= 2 ms",
                verdict: compose[1].median <= 2 ? "met" : "MISSED",
                json: ["median_ms_240x67": compose[1].median, "median_ms_80x24": compose[0].median]))

            let seconds = quick ? 3.0 : 60.0
            progress("idle wall with 50 open incidents, and htop, \(Int(seconds)) s each")
            let idle = try ScreenBench.wallIdle(seconds: seconds)
            let htopText = idle.htop.map { "htop -d 10: CPU \(fmt($0.cpuPercent, 2))%, \(fmt($0.bytesPerSecond, 0)) B/s" } ?? "htop not installed (apt-get install htop)"
            let cpuOK = idle.htop.map { idle.wall.cpuPercent <= $0.cpuPercent / 2 }
            let bytesOK = idle.wall.bytesPerSecond <= 2 * idle.changedCellsPerSecond * 3  // a cell is up to 3 UTF-8 bytes
            figures.append(Figure(
                name: "idle wall, 50 open incidents, 200x60, \(Int(seconds)) s",
                value: "CPU \(fmt(idle.wall.cpuPercent, 2))%, \(fmt(idle.wall.bytesPerSecond, 0)) B/s to the terminal; \(fmt(idle.changedCellsPerSecond, 0)) cells change per second",
                baseline: htopText,
                target: "CPU <= half of htop's; bytes within 2x of the changed characters",
                verdict: (cpuOK ?? true) && bytesOK ? (cpuOK == nil ? "bytes met; no htop" : "met") : "MISSED",
                json: ["cpu_percent": idle.wall.cpuPercent, "bytes_per_second": idle.wall.bytesPerSecond,
                       "changed_cells_per_second": idle.changedCellsPerSecond,
                       "htop_cpu_percent": idle.htop?.cpuPercent, "htop_bytes_per_second": idle.htop?.bytesPerSecond]))
            progress("on-call: the whole board with every contact resolved to the person on call")
            figures.append(OnCallBench.figure(quick: quick))
            figures += try StormBench.figures(quick: quick, progress: progress)
        } catch {
            FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
            exit(1)
        }
        report(figures, json: json)
    }

    /// Only the storm section (`tierwatch-bench storm [--quick] [--json]`).
    static func storm(quick: Bool, json: Bool) {
        do {
            report(try StormBench.figures(quick: quick) { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) }, json: json)
        } catch {
            FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func report(_ figures: [Figure], json: Bool) {
        if json {
            let data = JSONText.data(.array(figures.map { f in
                ["name": .string(f.name), "verdict": .string(f.verdict), "figures": .object(f.json.map { ($0.key, $0.value.json) })]
            }), pretty: true)
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
