import Escalation
import Foundation
import IncidentStore

/// Two sites over two real Syncthing instances on loopback (started by
/// Tests/tools/syncthing-pair.py): Syncthing's own propagation of a line
/// appended to a plain file, beside tierwatch's action at site A until site
/// B's follower has the event folded, in the same run.
enum SitesBench {
    static var helper: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Tests/tools/syncthing-pair.py").standardized.path
    }

    static func python(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [helper] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("syncthing-pair.py \(args.joined(separator: " ")) failed (is syncthing installed? apt-get install -y syncthing)") }
        return String(decoding: data, as: UTF8.self)
    }

    static func figure(quick: Bool, progress: (String) -> Void) throws -> Figure {
        let samples = quick ? 5 : 40
        let base = makeTempDir("sites")
        progress("sites: starting two Syncthing instances on loopback")
        _ = try python(["start", base])
        defer {
            _ = try? python(["stop", base])
            try? FileManager.default.removeItem(atPath: base)
        }
        let (a, b) = (base + "/store-a", base + "/store-b")

        // Syncthing alone: a line appended to a plain file at A, until B's copy has it.
        progress("sites: Syncthing's own propagation, \(samples) appends")
        var plain: [Double] = []
        let probeA = a + "/probe.txt", probeB = b + "/probe.txt"
        writeFixture(atPath: probeA, contents: Data())
        for k in 0..<samples {
            let line = Data("probe \(k)\n".utf8)
            let h = FileHandle(forWritingAtPath: probeA)!
            h.seekToEndOfFile()
            h.write(line)
            try? h.synchronize()
            try? h.close()
            let t0 = monotonic()
            let want = "probe \(k)\n"
            while !(FileManager.default.contents(atPath: probeB).map { String(decoding: $0, as: UTF8.self).hasSuffix(want) } ?? false) {
                if monotonic() - t0 > 30 { throw BenchError("Syncthing did not carry a line in 30 s") }
                usleep(2_000)
            }
            plain.append((monotonic() - t0) * 1000)
            usleep(300_000)
        }

        // tierwatch: an action at A until B's follower has the event folded.
        progress("sites: tierwatch action at A -> B's follower, \(samples) actions")
        let writer = IncidentStore(path: a, host: "site-a")
        let opened = try writer.append { _ in
            IncidentStore.Draft(incident: "SITE", action: .opened(Opening(title: "two sites", customer: nil, severity: .sev3,
                policyYAML: Policy.builtInYAML, policyDigest: Policy.digest(of: Policy.builtInYAML))), operatorName: "bench", baseVersion: 0)
        }
        let reader = IncidentStore(path: b, host: "site-b")
        let follower = StoreFollower(store: reader)
        let t0 = monotonic()
        while reader.state.incidents["SITE"] == nil {
            if monotonic() - t0 > 60 { throw BenchError("the opening did not reach site B in 60 s") }
            _ = follower.next(timeout: 0.5)
        }
        _ = opened
        var action: [Double] = []
        for k in 0..<samples {
            let e = try writer.append { s in
                IncidentStore.Draft(incident: "SITE", action: .note(message: "from A \(k)"), operatorName: "bench", baseVersion: s.incidents["SITE"]!.version)
            }
            let start = monotonic()
            while reader.state.incidents["SITE"].map({ !$0.events.contains { $0.id == e.id } }) ?? true {
                if monotonic() - start > 30 { throw BenchError("an action did not reach site B in 30 s") }
                _ = follower.next(timeout: 0.05)
            }
            action.append((monotonic() - start) * 1000)
            usleep(300_000)
        }
        let (s, t) = (Sample(plain), Sample(action))
        let ratio = t.median / s.median
        return Figure(
            name: "two sites over Syncthing (loopback, fsWatcherDelayS=1): action at A -> B's follower has it",
            value: "p50 \(fmt(t.median, 0)) ms, p90 \(fmt(t.percentile(90), 0)) ms, max \(fmt(t.max, 0)) ms",
            baseline: "Syncthing's own, a line appended to a plain file: p50 \(fmt(s.median, 0)) ms, p90 \(fmt(s.percentile(90), 0)) ms (ratio of medians \(fmt(ratio)))",
            target: "p90 <= Syncthing's p90 + 100 ms",
            verdict: t.percentile(90) <= s.percentile(90) + 100 ? "met" : "MISSED",
            json: ["samples": samples, "p50_ms": t.median, "p90_ms": t.percentile(90), "syncthing_p50_ms": s.median,
                   "syncthing_p90_ms": s.percentile(90), "ratio": ratio])
    }
}
