import Dashboard
import Surface
import Escalation
import Foundation
import IncidentStore

/// Benchmarks of what the operator sees: key to screen, cold start to the
/// first frame, composing a frame, and the idle cost of the wall.
enum ScreenBench {
    static var tierwatch: String {
        (SyncBench.selfPath as NSString).deletingLastPathComponent + "/tierwatch"
    }

    static func env(_ store: String) -> [String: String] {
        ["TERM": "xterm-256color", "LANG": "C.UTF-8", "TIERWATCH_STORE": store, "TIERWATCH_OPERATOR": "bench",
         "TIERWATCH_HOST": "bench", "HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin"]
    }

    static let firstFrame = Array("Incidents".utf8)

    /// A key written to the dashboard's terminal until the redraw it causes
    /// has been written back: first and last byte, in ms.
    static func keyToScreen(keys: Int) throws -> (first: Sample, last: Sample) {
        let dir = makeTempDir("keys")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: 2000, openIncidents: 30)
        let p = try PTYProcess(tierwatch, [], env: env(dir), width: 120, height: 40)
        defer { p.stop() }
        guard p.drain(quiet: 0.3, timeout: 10, until: firstFrame).bytes.count > 0 else { throw BenchError("no first frame") }
        _ = p.drain(quiet: 0.3, timeout: 2)
        var first: [Double] = [], last: [Double] = []
        for n in 0..<keys {
            // Stay clear of the once-a-second countdown redraw.
            let now = Date().timeIntervalSince1970
            let frac = now - now.rounded(.down)
            if frac > 0.9 || frac < 0.05 { usleep(150_000) }
            let t0 = monotonic()
            p.send(n % 2 == 0 ? "j" : "k")
            let r = p.drain(quiet: 0.004, timeout: 1)
            guard let f = r.first, let l = r.last else { continue }
            first.append((f - t0) * 1000)
            last.append((l - t0) * 1000)
            usleep(20_000)
        }
        return (Sample(first), Sample(last))
    }

    /// Process start to the first frame on the terminal, in ms.
    static func coldStart(events: Int, runs: Int) throws -> Sample {
        let dir = makeTempDir("cold")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: events)
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = monotonic()
            let p = try PTYProcess(tierwatch, [], env: env(dir), width: 120, height: 40)
            let r = p.drain(quiet: 5, timeout: 20, until: firstFrame)
            if let l = r.last, PTYProcess.contains(r.bytes, firstFrame) { times.append((l - t0) * 1000) }
            p.stop()
        }
        return Sample(times)
    }

    /// `view` into a frame with `open` open incidents, in ms.
    static func compose(open: Int, sizes: [(Int, Int)], runs: Int) throws -> [Sample] {
        let dir = makeTempDir("compose")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: open * 12, openIncidents: open)
        let store = IncidentStore(path: dir, host: "bench")
        store.refresh()
        let state = store.state
        var model = Model(now: Date(), storePath: dir, operatorName: "bench", readOnly: false)
        _ = model.update(.store(incidents: state.incidents, policies: state.policies, badRecords: 0))
        return sizes.map { (w, h) in
            var t: [Double] = []
            for _ in 0..<runs {
                let t0 = monotonic()
                _ = model.view(width: w, height: h)
                t.append((monotonic() - t0) * 1000)
            }
            return Sample(t)
        }
    }

    struct Idle {
        var cpuPercent: Double
        var bytesPerSecond: Double
    }

    /// A program idling on a terminal for `seconds`: CPU and bytes per second.
    static func idle(_ path: String, _ args: [String], env: [String: String], seconds: Double) throws -> Idle {
        let p = try PTYProcess(path, args, env: env, width: 200, height: 60)
        defer { p.stop() }
        _ = p.drain(quiet: 1.0, timeout: 10)
        let cpu0 = p.cpuSeconds()
        let bytes0 = p.received
        let t0 = monotonic()
        while monotonic() - t0 < seconds { _ = p.drain(quiet: 10, timeout: min(1, seconds - (monotonic() - t0))) }
        let elapsed = monotonic() - t0
        return Idle(cpuPercent: (p.cpuSeconds() - cpu0) / elapsed * 100, bytesPerSecond: Double(p.received - bytes0) / elapsed)
    }

    /// The wall with 50 open incidents, and htop beside it in the same run;
    /// plus the cells the wall's frame actually changes per second.
    static func wallIdle(seconds: Double) throws -> (wall: Idle, htop: Idle?, changedCellsPerSecond: Double) {
        let dir = makeTempDir("wall")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: 1500, openIncidents: 50)
        let wall = try idle(tierwatch, ["wall"], env: env(dir), seconds: seconds)
        var htop: Idle?
        if let h = ["/usr/bin/htop", "/usr/local/bin/htop"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            htop = try idle(h, ["-d", "10"], env: env(dir), seconds: seconds)
        }
        // Cells that differ between consecutive frames a second apart.
        let store = IncidentStore(path: dir, host: "bench")
        store.refresh()
        let state = store.state
        let start = Date()
        var w = Wall(now: start)
        _ = w.update(.store(incidents: state.incidents, policies: state.policies, badRecords: 0))
        var previous = w.view(width: 200, height: 60)
        var changed = 0
        let frames = 30
        for k in 1...frames {
            _ = w.update(.tick(start.addingTimeInterval(Double(k))))
            let f = w.view(width: 200, height: 60)
            changed += zip(previous.cells, f.cells).filter { $0 != $1 }.count
            previous = f
        }
        return (wall, htop, Double(changed) / Double(frames))
    }
}
