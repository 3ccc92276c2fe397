import Dashboard
import Escalation
import Foundation
import IncidentStore
import Surface

/// Alert storms: what a screen spends on one store change, however long the
/// selected incident's timeline and however large the store; and the real
/// dashboard and wall in pseudo-terminals while writer processes append
/// at a fixed rate: their CPU, how stale the screen is, and how fast a key
/// is answered.
enum StormBench {
    // MARK: One change, in process

    struct PerChange {
        /// Read, fold and the screen's update, per change (ms of this thread's CPU).
        var dashboard: Sample
        var wall: Sample
        /// One frame of the dashboard at 200x60 (drawn at most 30 times a second).
        var frame: Sample
    }

    /// A store of `storeEvents` events with 30 open incidents, plus one
    /// overdue sev1 incident (selected: the most urgent) with `timeline`
    /// notes. Each sample appends a note to it from a writer in this
    /// process (not timed), then times what a screen does with the change.
    static func perChange(storeEvents: Int, timeline: Int, samples: Int) throws -> PerChange {
        let dir = makeTempDir("storm")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: storeEvents, openIncidents: 30)
        try writeLongIncident(dir: dir, id: "L0NG", notes: timeline)
        let reader = IncidentStore(path: dir, host: "reader")
        reader.refresh()
        let writer = IncidentStore(path: dir, host: "w")
        var model = Model(now: Date(), storePath: dir, operatorName: "bench", readOnly: false)
        var wall = Wall(now: Date())
        let full = Message.store(incidents: reader.state.incidents, policies: reader.state.policies, badRecords: 0)
        _ = model.update(full)
        _ = wall.update(full)
        guard model.selection(in: model.entries)?.incident.id == "L0NG" else { throw BenchError("the long incident is not selected") }
        _ = model.view(width: 200, height: 60)
        var dash: [Double] = [], walls: [Double] = [], frames: [Double] = []
        for n in 0..<samples {
            try writer.append { state in
                IncidentStore.Draft(incident: "L0NG", action: .note(message: "storm note \(n)"), operatorName: "storm",
                                    baseVersion: state.incidents["L0NG"]?.version ?? 0)
            }
            // Each screen's process reads and folds the change, then updates
            // its screen: both costs count for each.
            let t0 = threadCPU()
            let change = reader.refresh(only: ["w.log"])
            let message = Message.changed(incidents: change.incidents.compactMap { reader.state.incidents[$0] },
                                          policies: reader.state.policies, badRecords: 0)
            let t1 = threadCPU()
            _ = model.update(message)
            let t2 = threadCPU()
            _ = wall.update(message)
            let t3 = threadCPU()
            _ = model.view(width: 200, height: 60)
            let t4 = threadCPU()
            dash.append((t2 - t0) * 1000)
            walls.append((t1 - t0 + t3 - t2) * 1000)
            frames.append((t4 - t3) * 1000)
        }
        return PerChange(dashboard: Sample(dash), wall: Sample(walls), frame: Sample(frames))
    }

    /// Appends an overdue sev1 incident with `notes` notes as the store's
    /// own records, in one write (no fsync per record).
    static func writeLongIncident(dir: String, id: String, notes: Int) throws {
        let host = "long"
        let start = Date().addingTimeInterval(-3600)
        var lines: [UInt8] = []
        var seq = 0
        func add(_ action: Action, at: Date) {
            seq += 1
            let e = IncidentEvent(id: EventID(host: host, sequence: seq),
                                  hlc: HLC(millis: Int64(at.timeIntervalSince1970 * 1000), counter: 0),
                                  incident: id, operatorName: "storm", unixUser: "storm", at: at, recordedAt: at,
                                  baseVersion: seq - 1, action: action)
            lines += RecordCodec.encode(e)
        }
        add(.opened(Opening(title: "Carrier outage: every trunk group flapping", customer: "acme", severity: .sev1,
                            policyYAML: Policy.builtInYAML, policyDigest: Policy.digest(of: Policy.builtInYAML))), at: start)
        for n in 0..<notes {
            add(.note(message: "alert \(n): trunk group \(n % 17) flapped"), at: start.addingTimeInterval(Double(n) * 3000 / Double(max(1, notes))))
        }
        try Data(lines).write(to: URL(fileURLWithPath: dir + "/events/\(host).log"))
    }

    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: The storm, end to end

    struct Storm {
        var rate: Int
        var seconds: Double
        var written: Int
        var dashboardCPU: Double
        var wallCPU: Double
        /// Append (fsync'd) to the effect on the screen, ms.
        var dashboardStale: Sample
        var wallStale: Sample
        var missedProbes: Int
        /// "?" written to the help on the screen, ms.
        var keys: Sample
        /// The same, before the storm: the baseline.
        var quietKeys: Sample
    }

    /// `writers` processes append notes at `rate` events a second in all
    /// for `seconds` to the long incident (selected on the dashboard); the
    /// dashboard and the wall run at 200x60 in pseudo-terminals. Probes: an
    /// overdue incident with a token in its title, one at a time, every
    /// 250 ms at most (staleness: append to its title on each screen), and
    /// the help key on the dashboard every 250 ms (key to screen).
    static func storm(rate: Int, seconds: Double, writers: Int = 4) throws -> Storm {
        let dir = makeTempDir("storm-e2e")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: 2000, openIncidents: 30)
        try writeLongIncident(dir: dir, id: "L0NG", notes: 1000)
        let env = ScreenBench.env(dir)
        let dash = try PTYProcess(ScreenBench.tierwatch, [], env: env, width: 200, height: 60)
        defer { dash.stop() }
        let wall = try PTYProcess(ScreenBench.tierwatch, ["wall"], env: env, width: 200, height: 60)
        defer { wall.stop() }
        guard dash.drain(quiet: 0.3, timeout: 10, until: ScreenBench.firstFrame).bytes.count > 0 else { throw BenchError("no dashboard") }
        _ = wall.drain(quiet: 0.5, timeout: 5)
        // Hold the selection on the long incident: the probes below open
        // more urgent incidents, which would otherwise take the top row.
        dash.send("j")
        dash.send("k")
        _ = dash.drain(quiet: 0.2, timeout: 2)
        let quietKeys = try keyProbes(dash, count: 20)

        let prober = IncidentStore(path: dir, host: "probe")
        let cpu0 = (dash.cpuSeconds(), wall.cpuSeconds())
        let t0 = monotonic()
        var children: [pid_t] = []
        for w in 0..<writers {
            let perWriter = max(1, rate / writers)
            let count = Int(Double(perWriter) * seconds)
            children.append(try spawn(SyncBench.selfPath, ["writer", "--store", dir, "--host", "storm\(w)", "--incident", "L0NG",
                                                          "--count", "\(count)", "--rate", "\(perWriter)"]))
        }
        var dashBuf: [UInt8] = [], wallBuf: [UInt8] = [], keyBuf: [UInt8] = []
        // One probe at a time: an incident opened three hours back, so it is
        // overdue at once and the most urgent of all: the top row of the
        // dashboard's list (its selection stays on the long incident) and,
        // as a new breach, the wall's big panel with its title. Resolved
        // once both screens show it (or after 2 s, counted as missed).
        var current: (token: [UInt8], id: String, at: Double, dash: Double?, wall: Double?)?
        var dashStale: [Double] = [], wallStale: [Double] = [], keys: [Double] = []
        var missed = 0
        var nextProbe = t0, nextKey = t0 + 0.125
        var probe = 0
        var keySent: Double?
        while monotonic() - t0 < seconds {
            let now = monotonic()
            if current == nil, now >= nextProbe {
                probe += 1
                let title = "PROBE " + token(probe)
                let e = try prober.append { state in
                    var rng = SystemRandomNumberGenerator()
                    let id = IncidentID.generate(avoiding: { state.incidents[$0] != nil }, using: &rng)
                    return IncidentStore.Draft(incident: id, action: .opened(Opening(title: title, customer: "probe", severity: .sev1,
                                               policyYAML: Policy.builtInYAML, policyDigest: Policy.digest(of: Policy.builtInYAML))),
                                               operatorName: "probe", at: Date().addingTimeInterval(-3 * 3600), baseVersion: 0)
                }
                // Looked for without "PROBE ": the terminal is sent only the
                // cells that changed, and the word stays where it was.
                current = (Array(token(probe).utf8), e.incident, monotonic(), nil, nil)
                dashBuf = []
                wallBuf = []
                nextProbe = now + 0.25
            }
            if keySent == nil, now >= nextKey {
                dash.send("?")
                keySent = monotonic()
                keyBuf = []
                nextKey = now + 0.25
            }
            // Sleep until either screen writes (or 5 ms), rather than spin.
            var fds = [pollfd(fd: dash.master, events: Int16(POLLIN), revents: 0), pollfd(fd: wall.master, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, 5)
            let fresh = readAvailable(dash)
            dashBuf += fresh
            keyBuf += fresh
            wallBuf += readAvailable(wall)
            let seen = monotonic()
            if var c = current {
                if c.dash == nil, PTYProcess.contains(dashBuf, c.token) { c.dash = seen; dashStale.append((seen - c.at) * 1000) }
                if c.wall == nil, PTYProcess.contains(wallBuf, c.token) { c.wall = seen; wallStale.append((seen - c.at) * 1000) }
                current = c
                if (c.dash != nil && c.wall != nil) || seen - c.at > 2 {
                    missed += (c.dash == nil ? 1 : 0) + (c.wall == nil ? 1 : 0)
                    try prober.append { state in
                        IncidentStore.Draft(incident: c.id, action: .resolved(message: nil), operatorName: "probe",
                                            baseVersion: state.incidents[c.id]?.version ?? 0)
                    }
                    current = nil
                }
            }
            if let sent = keySent, PTYProcess.contains(keyBuf, help) {
                keys.append((seen - sent) * 1000)
                keySent = nil
                dash.send("x")  // any key closes the help
            } else if let sent = keySent, seen - sent > 2 {
                missed += 1
                keySent = nil
            }
            for b in [0, 1, 2] {
                switch b {
                case 0: if dashBuf.count > 1 << 18 { dashBuf.removeFirst(dashBuf.count - 4096) }
                case 1: if wallBuf.count > 1 << 18 { wallBuf.removeFirst(wallBuf.count - 4096) }
                default: if keyBuf.count > 1 << 18 { keyBuf.removeFirst(keyBuf.count - 4096) }
                }
            }
        }
        let elapsed = monotonic() - t0
        let cpu = ((dash.cpuSeconds() - cpu0.0) / elapsed * 100, (wall.cpuSeconds() - cpu0.1) / elapsed * 100)
        var written = 0
        for c in children {
            var status: Int32 = 0
            waitpid(c, &status, 0)
        }
        let check = IncidentStore(path: dir, host: "check")
        check.refresh()
        written = check.state.incidents["L0NG"]?.version ?? 0
        return Storm(rate: rate, seconds: elapsed, written: written, dashboardCPU: cpu.0, wallCPU: cpu.1,
                     dashboardStale: Sample(dashStale), wallStale: Sample(wallStale), missedProbes: missed,
                     keys: Sample(keys), quietKeys: quietKeys)
    }

    static let help = Array("Any key closes this help".utf8)

    /// A token no line near it on screen shares a character with at the
    /// same column: capitals only (the writers' notes are lower case and
    /// digits), from A-M for odd probes and N-Z for even ones. The terminal
    /// is sent only cells that changed, so a token that shared a column
    /// with what was there before would never arrive whole.
    static func token(_ n: Int) -> String {
        let base = n % 2 == 0 ? 78 : 65  // "N" or "A"
        var v = n &* 2_654_435_761
        var out = ""
        for _ in 0..<8 {
            out.unicodeScalars.append(Unicode.Scalar(UInt8(base + Int(v % 13))))
            v /= 13
        }
        return out
    }

    /// "?" to the help text on the screen, then any key closes it: ms each.
    static func keyProbes(_ p: PTYProcess, count: Int) throws -> Sample {
        var out: [Double] = []
        for _ in 0..<count {
            let t = monotonic()
            p.send("?")
            let r = p.drain(quiet: 5, timeout: 2, until: help)
            if PTYProcess.contains(r.bytes, help), let last = r.last { out.append((last - t) * 1000) }
            p.send("x")
            _ = p.drain(quiet: 0.05, timeout: 1)
        }
        return Sample(out)
    }

    static func readAvailable(_ p: PTYProcess) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            var fds = [pollfd(fd: p.master, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, 0) > 0 else { break }
            let n = read(p.master, &buf, buf.count)
            guard n > 0 else { break }
            out += buf[0..<n]
        }
        return out
    }

    static func spawn(_ path: String, _ args: [String]) throws -> pid_t {
        var pid: pid_t = 0
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { throw BenchError("cannot start \(path)") }
        return pid
    }
}

extension StormBench {
    /// The storm section of the table, each figure beside its same-run baseline.
    static func figures(quick: Bool, progress: (String) -> Void) throws -> [Figure] {
        var out: [Figure] = []
        let long = quick ? 6_000 : 60_000
        let bigStore = quick ? 20_000 : 1_000_000
        let samples = quick ? 30 : 300
        progress("storm: one change with a 10-entry and a \(long)-entry timeline selected")
        let short = try perChange(storeEvents: 2_000, timeline: 10, samples: samples)
        let longT = try perChange(storeEvents: 2_000, timeline: long, samples: samples)
        let dRatio = longT.dashboard.median / max(short.dashboard.median, 1e-9)
        out.append(Figure(
            name: "dashboard CPU per store change (read, fold, update), selected incident with \(long) timeline entries",
            value: "median \(fmt(longT.dashboard.median, 3)) ms, p99 \(fmt(longT.dashboard.p99, 3)) ms",
            baseline: "10 entries: median \(fmt(short.dashboard.median, 3)) ms (ratio \(fmt(dRatio)))",
            target: "<= 0.3 ms, ratio <= 1.5",
            verdict: longT.dashboard.median <= 0.3 && dRatio <= 1.5 ? "met" : "MISSED",
            json: ["median_ms": longT.dashboard.median, "p99_ms": longT.dashboard.p99, "baseline_median_ms": short.dashboard.median,
                   "ratio": dRatio, "timeline": long]))
        let wRatio = longT.wall.median / max(short.wall.median, 1e-9)
        out.append(Figure(
            name: "wall CPU per store change (read, fold, update), \(long)-entry incident",
            value: "median \(fmt(longT.wall.median, 3)) ms, p99 \(fmt(longT.wall.p99, 3)) ms",
            baseline: "10 entries: median \(fmt(short.wall.median, 3)) ms (ratio \(fmt(wRatio)))",
            target: "<= 0.2 ms",
            verdict: longT.wall.median <= 0.2 ? "met" : "MISSED",
            json: ["median_ms": longT.wall.median, "p99_ms": longT.wall.p99, "baseline_median_ms": short.wall.median, "ratio": wRatio]))
        let fRatio = longT.frame.median / max(short.frame.median, 1e-9)
        out.append(Figure(
            name: "dashboard frame 200x60 with the \(long)-entry incident selected (at most 30 a second in a storm)",
            value: "median \(fmt(longT.frame.median, 3)) ms",
            baseline: "10 entries: median \(fmt(short.frame.median, 3)) ms (ratio \(fmt(fRatio)))",
            target: "ratio <= 1.5 (draws only the rows on screen)",
            verdict: fRatio <= 1.5 ? "met" : "MISSED",
            json: ["median_ms": longT.frame.median, "baseline_median_ms": short.frame.median, "ratio": fRatio]))

        // Day one against year five: the baseline has the same ~30 open
        // incidents and next to no history (400 events); a store of 100
        // events holds only a dozen incidents, fewer open ones than the
        // big store, and would flatter the ratio's other side.
        progress("storm: one change in a store of 400 (day one) and of \(bigStore) events, about 30 open incidents each")
        let small = try perChange(storeEvents: 400, timeline: 10, samples: samples)
        let big = try perChange(storeEvents: bigStore, timeline: 10, samples: samples)
        let sRatio = big.dashboard.median / max(small.dashboard.median, 1e-9)
        out.append(Figure(
            name: "dashboard CPU per store change, \(bigStore) events in the store",
            value: "median \(fmt(big.dashboard.median, 3)) ms (wall \(fmt(big.wall.median, 3)) ms)",
            baseline: "400 events (day one, same open incidents): median \(fmt(small.dashboard.median, 3)) ms (ratio \(fmt(sRatio)); wall \(fmt(small.wall.median, 3)) ms)",
            target: "ratio <= 1.5",
            verdict: sRatio <= 1.5 ? "met" : "MISSED",
            json: ["median_ms": big.dashboard.median, "baseline_median_ms": small.dashboard.median, "ratio": sRatio,
                   "wall_median_ms": big.wall.median, "wall_baseline_median_ms": small.wall.median, "events": bigStore]))

        let rate = quick ? 200 : 1000
        let seconds = quick ? 4.0 : 60.0
        progress("storm: \(rate) events/s for \(Int(seconds)) s from 4 writers, dashboard and wall in ptys")
        let s = try storm(rate: rate, seconds: seconds)
        let met = s.dashboardStale.p99 <= 100 && s.wallStale.p99 <= 100 && s.keys.p99 <= 50 && s.dashboardCPU <= 50 && s.wallCPU <= 50
            && s.missedProbes == 0
        out.append(Figure(
            name: "storm: \(rate) events/s for \(Int(seconds)) s from 4 writer processes (\(s.written) events), 200x60",
            value: "stale (append to screen) p99: dashboard \(fmt(s.dashboardStale.p99, 1)) ms, wall \(fmt(s.wallStale.p99, 1)) ms; key to screen p99 \(fmt(s.keys.p99, 1)) ms; CPU dashboard \(fmt(s.dashboardCPU, 1))%, wall \(fmt(s.wallCPU, 1))%; \(s.missedProbes) probes missed",
            baseline: "key to screen before the storm: p99 \(fmt(s.quietKeys.p99, 1)) ms (median \(fmt(s.quietKeys.median, 1)))",
            target: "stale p99 <= 100 ms; key p99 <= 50 ms; each screen <= 50% of a core",
            verdict: met ? "met" : "MISSED",
            json: ["rate": rate, "seconds": s.seconds, "events": s.written, "dashboard_stale_p99_ms": s.dashboardStale.p99,
                   "dashboard_stale_p50_ms": s.dashboardStale.median, "wall_stale_p99_ms": s.wallStale.p99,
                   "key_p99_ms": s.keys.p99, "key_quiet_p99_ms": s.quietKeys.p99, "dashboard_cpu_percent": s.dashboardCPU,
                   "wall_cpu_percent": s.wallCPU, "missed_probes": s.missedProbes,
                   "probes": s.dashboardStale.count + s.wallStale.count + s.keys.count]))

        let idleSeconds = quick ? 3.0 : 60.0
        progress("idle dashboard with the \(long)-entry incident selected, and htop, \(Int(idleSeconds)) s each")
        let dir = makeTempDir("idle-dash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: 2_000, openIncidents: 30)
        try writeLongIncident(dir: dir, id: "L0NG", notes: long)
        let dash = try ScreenBench.idle(ScreenBench.tierwatch, [], env: ScreenBench.env(dir), seconds: idleSeconds)
        var htop: ScreenBench.Idle?
        if let h = ["/usr/bin/htop", "/usr/local/bin/htop"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            htop = try ScreenBench.idle(h, ["-d", "10"], env: ScreenBench.env(dir), seconds: idleSeconds)
        }
        out.append(Figure(
            name: "idle dashboard, \(long)-entry timeline selected, 200x60, \(Int(idleSeconds)) s",
            value: "CPU \(fmt(dash.cpuPercent, 2))%",
            baseline: htop.map { "htop -d 10: CPU \(fmt($0.cpuPercent, 2))%" } ?? "htop not installed (apt-get install htop)",
            target: "<= htop's",
            verdict: htop.map { dash.cpuPercent <= $0.cpuPercent ? "met" : "MISSED" } ?? "no htop",
            json: ["cpu_percent": dash.cpuPercent, "htop_cpu_percent": htop?.cpuPercent]))
        return out
    }
}
