import Escalation
import Foundation
import IncidentStore

#if canImport(Glibc)
import Glibc
#endif

/// Years of history: a start from the checkpoint against a full read of
/// the same store, in the same run (`tierwatch-bench history [--quick] [--long]`).
enum HistoryBench {
    /// Runs `tierwatch ARGS` to the end; its wall time (ms) and peak RSS (MiB).
    static func run(_ args: [String], env: [String: String]) throws -> (ms: Double, rssMiB: Double) {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([ScreenBench.tierwatch] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let t0 = monotonic()
        guard posix_spawn(&pid, ScreenBench.tierwatch, &actions, nil, argv, envp) == 0 else { throw BenchError("cannot run tierwatch") }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { throw BenchError("wait4 failed") }
        return ((monotonic() - t0) * 1000, Double(usage.ru_maxrss) / 1024)
    }

    static func figures(quick: Bool, long: Bool, progress: (String) -> Void) throws -> [Figure] {
        let events = long ? 10_000_000 : quick ? 20_000 : 1_000_000
        let runs = quick ? 2 : long ? 3 : 5
        let store = makeTempDir("history")
        let cache = makeTempDir("history-cache")
        defer {
            try? FileManager.default.removeItem(atPath: store)
            try? FileManager.default.removeItem(atPath: cache)
        }
        progress("history: generating a store of \(events) events")
        // In a child process: a child's peak RSS (wait4) starts from its
        // parent's, so this process must stay small.
        let (generated, status) = try SyncBench.runSelf(["generate", store, String(events)])
        // "DIR: N events, M incidents (K open)"
        let words = generated.split(separator: " ")
        guard status == 0, words.count >= 6, let n = Int(words[1]), let open = Int(words[5].dropFirst()) else {
            throw BenchError("generate said: \(generated)")
        }
        let summary = (events: n, open: open)
        var env = ScreenBench.env(store)
        env["TIERWATCH_CACHE"] = cache
        var off = env
        off["TIERWATCH_CACHE"] = "off"

        progress("history: full reads")
        let full = try (0..<runs).map { _ in try run(["list"], env: off) }
        // The dashboard's first frame in a pseudo-terminal.
        func frame(_ e: [String: String]) throws -> Double? {
            let t0 = monotonic()
            let p = try PTYProcess(ScreenBench.tierwatch, [], env: e, width: 120, height: 40)
            // A full read draws nothing until it is done: wait as long as it takes.
            let r = p.drain(quiet: long ? 300 : 60, timeout: long ? 300 : 60, until: ScreenBench.firstFrame)
            p.stop()
            guard let last = r.last, PTYProcess.contains(r.bytes, ScreenBench.firstFrame) else { return nil }
            return (last - t0) * 1000
        }
        progress("history: first frame of the dashboard with no checkpoint (the start writes one), and with a full read")
        var rebuilds: [Double] = []
        for _ in 0..<runs {
            try? FileManager.default.removeItem(atPath: cache)
            if let ms = try frame(env) { rebuilds.append(ms) }
        }
        let rebuild = Sample(rebuilds)
        let frameFull = Sample(try (0..<runs).compactMap { _ in try frame(off) })
        _ = try run(["list"], env: env)  // the checkpoint is there (a dashboard stopped early may not have finished it)
        progress("history: starts from the checkpoint")
        let fast = try (0..<runs).map { _ in try run(["list"], env: env) }
        let frameFast = Sample(try (0..<runs).compactMap { _ in try frame(env) })

        // A resolved incident's timeline on demand, in this process.
        let reader = IncidentStore(path: store, host: "bench")
        reader.checkpointPath = Checkpoint.path(forStore: store, environment: env)
        reader.archiveAfter = 86400
        reader.checkpointEvery = .max
        reader.refresh()
        let ids = Array(reader.state.archive.ids.shuffled().prefix(quick ? 20 : 200))
        var onDemand: [Double] = []
        for id in ids {
            let t0 = monotonic()
            guard let i = reader.state.incident(id), !i.events.isEmpty else { throw BenchError("archived incident \(id) not read back") }
            onDemand.append((monotonic() - t0) * 1000)
        }
        let demand = Sample(onDemand)
        progress("history: show of an archived incident, both ways")
        let showFast = Sample(try (0..<runs).map { k in try run(["show", ids[k % ids.count]], env: env).ms })
        let showFull = Sample(try (0..<runs).map { k in try run(["show", ids[k % ids.count]], env: off).ms })

        progress("history: the compliance report over a year")
        let report = Sample(try (0..<runs).map { _ in try run(["report", "--since", "365d"], env: env).ms })
        let reportFull = Sample(try (0..<runs).map { _ in try run(["report", "--since", "365d"], env: off).ms })

        // Every incident as JSON (hundreds of MB of it) against the same
        // list as text: both a full read, so the difference is the JSON.
        progress("history: list --all --json and list --all, full reads")
        let jsonRuns = quick ? 2 : 5
        let listJSON = Sample(try (0..<jsonRuns).map { _ in try run(["list", "--all", "--json"], env: off).ms })
        let listText = Sample(try (0..<jsonRuns).map { _ in try run(["list", "--all"], env: off).ms })

        var bytes = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: store + "/events")) ?? [] {
            bytes += ((try? FileManager.default.attributesOfItem(atPath: store + "/events/" + name))?[.size] as? Int) ?? 0
        }
        let perEvent = Double(bytes) / Double(summary.events)
        let fastMs = Sample(fast.map(\.ms)), fullMs = Sample(full.map(\.ms))
        let fastRSS = fast.map(\.rssMiB).max() ?? 0, fullRSS = full.map(\.rssMiB).max() ?? 0
        let label = "\(summary.events) events, \(summary.open) open"
        let startTarget = long ? 300.0 : 150.0, rssTarget = long ? 64.0 : 48.0
        let big = !quick
        return [
            Figure(name: "cold start to first frame from the checkpoint, \(label)",
                   value: "median \(fmt(frameFast.median, 1)) ms (max \(fmt(frameFast.max, 1)))",
                   baseline: "full read: median \(fmt(frameFull.median, 1)) ms (ratio \(fmt(frameFast.median / max(frameFull.median, 1e-9), 3)))",
                   target: big ? "<= \(Int(startTarget)) ms" : "-",
                   verdict: big ? (frameFast.median <= startTarget ? "met" : "MISSED") : "-",
                   json: ["events": summary.events, "median_ms": frameFast.median, "full_read_median_ms": frameFull.median]),
            Figure(name: "tierwatch list from the checkpoint, \(label)",
                   value: "median \(fmt(fastMs.median, 1)) ms, peak RSS \(fmt(fastRSS, 1)) MiB",
                   baseline: "full read: median \(fmt(fullMs.median, 1)) ms, peak RSS \(fmt(fullRSS, 1)) MiB (RSS ratio \(fmt(fastRSS / max(fullRSS, 1e-9), 3)))",
                   target: big ? "peak RSS <= \(Int(rssTarget)) MB" : "-",
                   verdict: big ? (fastRSS * 1.048576 <= rssTarget ? "met" : "MISSED") : "-",
                   json: ["median_ms": fastMs.median, "peak_rss_mib": fastRSS, "full_median_ms": fullMs.median, "full_peak_rss_mib": fullRSS]),
            Figure(name: "cold start to first frame with the checkpoint deleted (a full read; the checkpoint is written after the frame), \(label)",
                   value: "median \(fmt(rebuild.median, 1)) ms (max \(fmt(rebuild.max, 1)))",
                   baseline: "full read, no checkpoint kept: median \(fmt(frameFull.median, 1)) ms (ratio \(fmt(rebuild.median / max(frameFull.median, 1e-9), 3)))",
                   target: "<= the full read's time (x1.1)", verdict: rebuild.median <= frameFull.median * 1.1 ? "met" : "MISSED",
                   json: ["median_ms": rebuild.median, "full_read_median_ms": frameFull.median]),
            Figure(name: "a resolved incident's timeline read back from the archive (in process)",
                   value: "median \(fmt(demand.median, 3)) ms, max \(fmt(demand.max, 3)) ms (\(ids.count) incidents)",
                   baseline: "tierwatch show: \(fmt(showFast.median, 1)) ms from the checkpoint, \(fmt(showFull.median, 1)) ms with a full read",
                   target: "<= 20 ms", verdict: demand.max <= 20 ? "met" : "MISSED",
                   json: ["median_ms": demand.median, "max_ms": demand.max, "show_ms": showFast.median, "show_full_ms": showFull.median]),
            Figure(name: "tierwatch report --since 365d, \(label)",
                   value: "median \(fmt(report.median, 1)) ms (max \(fmt(report.max, 1)))",
                   baseline: "the same report with no checkpoint (a full read): median \(fmt(reportFull.median, 1)) ms (ratio \(fmt(report.median / max(reportFull.median, 1e-9), 3))); list, full read: \(fmt(fullMs.median, 1)) ms",
                   target: big ? "<= 1000 ms" : "-", verdict: big ? (report.median <= 1000 ? "met" : "MISSED") : "-",
                   json: ["median_ms": report.median, "no_checkpoint_median_ms": reportFull.median, "full_read_median_ms": fullMs.median]),
            Figure(name: "tierwatch list --all --json (every incident's tiers, contacts and timeline), \(label)",
                   value: "median \(fmt(listJSON.median, 1)) ms (max \(fmt(listJSON.max, 1)))",
                   baseline: "list --all as text, same read: median \(fmt(listText.median, 1)) ms (ratio \(fmt(listJSON.median / max(listText.median, 1e-9), 2))); report with no checkpoint (the same full read): median \(fmt(reportFull.median, 1)) ms (ratio \(fmt(listJSON.median / max(reportFull.median, 1e-9), 2)))",
                   target: "<= 2.5x the report's full read", verdict: listJSON.median <= 2.5 * reportFull.median ? "met" : "MISSED",
                   json: ["median_ms": listJSON.median, "text_median_ms": listText.median, "report_full_read_median_ms": reportFull.median]),
            Figure(name: "bytes per event on disk",
                   value: "\(fmt(perEvent, 0)) B (\(bytes / 1_048_576) MiB for \(summary.events) events)",
                   baseline: "-", target: "<= 200 B", verdict: perEvent <= 200 ? "met" : "MISSED",
                   json: ["bytes_per_event": perEvent]),
        ]
    }
}
