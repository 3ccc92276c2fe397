import Escalation
import Foundation
import IncidentStore

/// `tierwatch serve` measured as a real process: a webhook POST until the
/// incident is in a follower's state (beside a bare append until the
/// follower has it, in the same run), sustained POSTs a second with `wrk`
/// and nothing lost, and serve's CPU while idle.
enum ServeBench {
    static var tierwatch: String { URL(fileURLWithPath: SyncBench.selfPath).deletingLastPathComponent().appendingPathComponent("tierwatch").path }

    /// A running `tierwatch serve` on a store.
    final class Serve {
        let process = Process()
        let port: Int

        init(store: String) throws {
            port = ServeBench.freePort()
            process.executableURL = URL(fileURLWithPath: ServeBench.tierwatch)
            process.arguments = ["serve", "--store", store, "--listen", "127.0.0.1:\(port)"]
            var env = ProcessInfo.processInfo.environment
            env["TIERWATCH_HOST"] = "serve"
            env["TIERWATCH_OPERATOR"] = "alertmanager"
            process.environment = env
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            for _ in 0..<200 {
                if (try? ServeBench.http("GET", port: port, path: "/healthz"))?.status == 200 { return }
                usleep(25_000)
            }
            throw BenchError("tierwatch serve did not start (is .build/release/tierwatch built?)")
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
        }
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// The bench's own HTTP/1.1 client (one request per connection): the
    /// server side is Hummingbird's; this only writes a request and reads
    /// the status line.
    static func http(_ method: String, port: Int, path: String, body: Data = Data()) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { throw BenchError("connect to 127.0.0.1:\(port)") }
        var request = Data("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
        request.append(body)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var response = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            response.append(contentsOf: buf[0..<n])
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, text.components(separatedBy: "\r\n\r\n").dropFirst().joined())
    }

    static func payload(group: String, fingerprint: String) -> Data {
        Data(#"{"version":"4","groupKey":"\#(group)","truncatedAlerts":0,"status":"firing","receiver":"tierwatch","groupLabels":{"alertname":"Bench"},"commonLabels":{"alertname":"Bench","severity":"warning"},"commonAnnotations":{"summary":"bench alert"},"externalURL":"http://am","alerts":[{"status":"firing","labels":{"alertname":"Bench","instance":"\#(fingerprint)"},"annotations":{},"startsAt":"2026-11-30T07:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://p","fingerprint":"\#(fingerprint)"}]}"#.utf8)
    }

    static func figures(quick: Bool, progress: (String) -> Void) throws -> [Figure] {
        guard FileManager.default.isExecutableFile(atPath: tierwatch) else { throw BenchError("\(tierwatch) is not built: swift build -c release") }
        var figures: [Figure] = []
        let samples = quick ? 20 : 300

        // Latency: POST -> the follower has the incident; beside a bare append.
        progress("serve: webhook POST -> follower, \(samples) incidents, beside a bare append")
        let dir = makeTempDir("serve")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = IncidentStore(path: dir, host: "bare")
        try writer.append { _ in IncidentStore.Draft(incident: "BASE", action: .opened(Opening(title: "baseline", customer: nil, severity: .sev3,
            policyYAML: Policy.builtInYAML, policyDigest: Policy.digest(of: Policy.builtInYAML))), operatorName: "bench", baseVersion: 0) }
        let serve = try Serve(store: dir)
        let reader = IncidentStore(path: dir, host: "reader")
        let follower = StoreFollower(store: reader)
        reader.refresh()
        var viaServe: [Double] = [], bare: [Double] = []
        for k in 0..<samples {
            let group = "bench-\(k)"
            let t0 = monotonic()
            let r = try http("POST", port: serve.port, path: "/api/v1/alertmanager", body: payload(group: group, fingerprint: "fp-\(k)"))
            guard r.status == 200 else { throw BenchError("webhook answered \(r.status): \(r.body)") }
            while reader.state.incidents(dedupKey: "alertmanager/" + group).isEmpty {
                if monotonic() - t0 > 5 { throw BenchError("the incident never reached the follower") }
                _ = follower.next(timeout: 0.05)
            }
            viaServe.append((monotonic() - t0) * 1000)
            let t1 = monotonic()
            let e = try writer.append { s in IncidentStore.Draft(incident: "BASE", action: .note(message: "n\(k)"), operatorName: "bench", baseVersion: s.incidents["BASE"]!.version) }
            while !(reader.state.incidents["BASE"]?.events.contains { $0.id == e.id } ?? false) {
                if monotonic() - t1 > 5 { throw BenchError("the bare append never reached the follower") }
                _ = follower.next(timeout: 0.05)
            }
            bare.append((monotonic() - t1) * 1000)
        }
        let (v, b) = (Sample(viaServe), Sample(bare))
        figures.append(Figure(
            name: "serve: Alertmanager webhook POST -> the new incident in a follower's state (loopback)",
            value: "p50 \(fmt(v.median)) ms, p99 \(fmt(v.p99)) ms",
            baseline: "bare append -> follower: p50 \(fmt(b.median)) ms, p99 \(fmt(b.p99)) ms; alerta top shows a new alert after ~1200 ms (median)",
            target: "p99 <= 20 ms",
            verdict: v.p99 <= 20 ? "met" : "MISSED",
            json: ["p50_ms": v.median, "p99_ms": v.p99, "bare_p50_ms": b.median, "bare_p99_ms": b.p99, "samples": samples]))

        // Throughput with wrk: every request a new alert in one of 100 groups.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") {
            let seconds = quick ? 3 : 20
            progress("serve: sustained POSTs with wrk for \(seconds) s")
            let script = dir + "/post.lua"
            let body = String(decoding: payload(group: "GROUP", fingerprint: "FP"), as: UTF8.self)
                .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            try """
            local threads = 0
            function setup(thread) threads = threads + 1; thread:set("tid", threads) end
            function init(args) counter = 0 end
            function request()
              counter = counter + 1
              local fp = "w" .. tid .. "-" .. counter
              local body = string.gsub(string.gsub("\(body)", "GROUP", "g" .. (counter % 100)), "FP", fp)
              return wrk.format("POST", "/api/v1/alertmanager", {["Content-Type"] = "application/json"}, body)
            end
            """.write(toFile: script, atomically: true, encoding: .utf8)
            let wrk = Process()
            wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
            wrk.arguments = ["-t2", "-c8", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(serve.port)"]
            let out = Pipe()
            wrk.standardOutput = out
            try wrk.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            wrk.waitUntilExit()
            func number(after key: String) -> Double? {
                text.split(separator: "\n").first { $0.contains(key) }.flatMap { line in line.split(separator: " ").compactMap { Double($0) }.first }
            }
            let rate = number(after: "Requests/sec:") ?? 0
            let total = text.split(separator: "\n").first { $0.contains("requests in") }.flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
            let failed = Int(number(after: "Non-2xx") ?? 0) + Int(number(after: "Socket errors") ?? 0)
            // Nothing lost: every alert a 200 answered is in the store.
            let check = IncidentStore(path: dir, host: "check")
            check.refresh()
            let stored = check.state.incidents.values.filter { $0.dedupKey?.hasPrefix("alertmanager/g") ?? false }
                .reduce(0) { $0 + $1.monitoringAlerts.filter { $0.hasPrefix("w") }.count }
            let lost = max(0, total - failed - stored)
            figures.append(Figure(
                name: "serve: sustained webhook POSTs (wrk, 2 threads, 8 connections, \(seconds) s), each a new alert: an fsync'd append",
                value: "\(fmt(rate, 0)) requests/s; \(total) answered, \(failed) failed, \(stored) alerts in the store, \(lost) lost",
                baseline: "-",
                target: ">= 1000/s, 0 lost",
                verdict: rate >= 1000 && lost == 0 && failed == 0 ? "met" : "MISSED",
                json: ["requests_per_second": rate, "requests": total, "failed": failed, "stored": stored, "lost": lost]))
        }

        // Hooks: a tier's start instant until the hook's program has started.
        let hookSamples = quick ? 3 : 30
        progress("serve: tier start -> hook program started, \(hookSamples) tiers")
        let hookDir = makeTempDir("serve-hooks")
        defer { try? FileManager.default.removeItem(atPath: hookDir) }
        let program = hookDir + "/hook.sh"
        try "#!/bin/sh\ndate +%s.%N >> \(hookDir)/started.txt\n".write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        try (Policy.builtInYAML + "hooks:\n  - { name: bench, on: [tier_started], tiers: [technical], run: [\(program)] }\n")
            .write(toFile: hookDir + "/policy.yaml", atomically: true, encoding: .utf8)
        let hooked = try Serve(store: hookDir)
        let opener = IncidentStore(path: hookDir, host: "serve")  // the serve's own host: its hooks fire at once
        var hookLatency: [Double] = []
        for k in 0..<hookSamples {
            // Technical starts 10 minutes after opening: open it 9m58.5s ago.
            let opened = Date().addingTimeInterval(-(600 - 1.5))
            _ = try opener.openIncident(Opening(title: "hook \(k)", customer: nil, severity: .sev2, policyYAML: Policy.builtInYAML,
                                                policyDigest: Policy.digest(of: Policy.builtInYAML)), operatorName: "bench", at: opened)
            let trigger = IncidentStore.millisecondPrecision(opened).addingTimeInterval(600)
            let t0 = monotonic()
            var seen: Double?
            while seen == nil {
                if monotonic() - t0 > 10 { throw BenchError("the hook did not start within 10 s of its tier's start") }
                let lines = String(decoding: FileManager.default.contents(atPath: hookDir + "/started.txt") ?? Data(), as: UTF8.self).split(separator: "\n")
                if lines.count > k { seen = Double(lines[k]) }
                usleep(20_000)
            }
            hookLatency.append(max(0, seen! - trigger.timeIntervalSince1970) * 1000)
        }
        _ = hooked
        let hl = Sample(hookLatency)
        figures.append(Figure(
            name: "serve: a tier's start instant -> its hook's program started (one host)",
            value: "p50 \(fmt(hl.median)) ms, p99 \(fmt(hl.p99)) ms",
            baseline: "-",
            target: "p99 <= 50 ms",
            verdict: hl.p99 <= 50 ? "met" : "MISSED",
            json: ["p50_ms": hl.median, "p99_ms": hl.p99, "samples": hookSamples]))

        // Idle: 50 open incidents, nobody asking.
        let idleSeconds = quick ? 3.0 : 60.0
        progress("serve: idle CPU with 50 open incidents, \(Int(idleSeconds)) s")
        let idleDir = makeTempDir("serve-idle")
        defer { try? FileManager.default.removeItem(atPath: idleDir) }
        let seed = IncidentStore(path: idleDir, host: "seed")
        for k in 0..<50 {
            _ = try seed.openIncident(Opening(title: "open \(k)", customer: nil, severity: .sev2, policyYAML: Policy.builtInYAML,
                                              policyDigest: Policy.digest(of: Policy.builtInYAML)), operatorName: "bench")
        }
        let idle = try Serve(store: idleDir)
        usleep(1_000_000)
        let c0 = processCPUSeconds(idle.process.processIdentifier), t0 = monotonic()
        usleep(UInt32(idleSeconds * 1_000_000))
        let cpu = (processCPUSeconds(idle.process.processIdentifier) - c0) / (monotonic() - t0) * 100
        figures.append(Figure(
            name: "serve: idle CPU, 50 open incidents, \(Int(idleSeconds)) s",
            value: "\(fmt(cpu, 3))% of a core",
            baseline: "a heartbeat every 30 s, no requests",
            target: "<= 0.1%",
            verdict: cpu <= 0.1 ? "met" : "MISSED",
            json: ["cpu_percent": cpu, "seconds": idleSeconds]))
        return figures
    }
}
