import Escalation
import Foundation
import Testing

/// Hooks run by real `tierwatch serve` processes: a program that appends
/// its idempotency key to a file, a local HTTP server, two hosts whose
/// stores are synced by copying logs.
@Suite(.serialized) struct Hooks {
    /// A directory with a hook program: it appends `KEY|LATE|TITLE|SERVE HOST`
    /// to `fired.txt` (after sleeping `HOOK_SLEEP` seconds, exiting
    /// `HOOK_EXIT`: set by the hook's `env:` in the policy, the only
    /// variables a hook gets besides TIERWATCH_* and PATH).
    final class Bench {
        let dir = TempStore().path
        var fired: String { dir + "/fired.txt" }
        var program: String { dir + "/hook.sh" }

        init() {
            let script = """
            #!/bin/sh
            sleep "${HOOK_SLEEP:-0}"
            printf '%s|%s|%s|%s\\n' "$TIERWATCH_KEY" "$TIERWATCH_LATE" "$TIERWATCH_TITLE" "$TIERWATCH_SERVE_HOST" >> \(dir)/fired.txt
            cat > \(dir)/stdin-$$.json
            exit "${HOOK_EXIT:-0}"
            """
            writeFixture(atPath: program, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755])
        }
        deinit { try? FileManager.default.removeItem(atPath: dir) }

        var lines: [String] { String(decoding: FileManager.default.contents(atPath: fired) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init) }

        func policy(_ hooks: String, settings: String = "") -> String {
            Policy.builtInYAML + "hooks:\n" + hooks + settings
        }

        func until(_ seconds: Double = 15, _ check: () -> Bool) -> Bool { waitUntil(seconds, check) }
    }

    /// `tierwatch serve` on a store as a host of a machine, until stopped.
    final class ServeProcess {
        let tmux: Tmux
        let pidFile: String
        let port = freePort()
        init(store: String, host: String, machine: String, env extra: [String: String] = [:]) {
            pidFile = store + ".\(host).pid"
            var env = ["TIERWATCH_STORE": store, "TIERWATCH_HOST": host, "TIERWATCH_MACHINE_ID": machine, "TIERWATCH_OPERATOR": "serve"]
            for (k, v) in extra { env[k] = v }
            tmux = Tmux(command: "sh -c 'echo $$ > \(pidFile); exec \(Binary.tierwatch) serve --listen 127.0.0.1:\(port) 2> \(store).\(host).log'", env: env)
            usleep(800_000)
        }
        func kill(_ signal: Int32 = SIGTERM) {
            if let pid = FileManager.default.contents(atPath: pidFile).flatMap({ Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                _ = Glibc.kill(pid, signal)
            }
        }
        deinit { kill() }
    }

    func timeline(_ s: TempStore, _ id: String) -> [String] {
        let show = (try? JSONSerialization.jsonObject(with: Data(s.tw("show", id, "--json").stdout.utf8))) as? [String: Any]
        return (show?["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
    }

    @Test func aTierStartedHookRunsExactlyOnceWithTwoServeProcessesOnOneHostAndGetsTheTitleAsData() throws {
        let b = Bench()
        let s = TempStore(); defer { s.cleanup() }
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(b.policy("  - { name: page, on: [tier_started], tiers: [management], run: [\(b.program)] }\n").utf8))
        let one = ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let two = ServeProcess(store: s.path, host: "noc1b", machine: "m1")
        let title = "Trunk down; $(touch /tmp/pwned) `id` & echo"
        let id = s.tw("raise", "--title", title, env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(b.until { b.lines.count == 1 }, "\(b.lines)")
        #expect(b.until { timeline(s, id).contains("hook page (tier started management) ran: ok") })
        sleep(2)
        #expect(b.lines.count == 1, "once, with two serve processes looking: \(b.lines)")
        let fields = b.lines.first?.split(separator: "|", omittingEmptySubsequences: false).map(String.init) ?? []
        #expect(fields.first?.hasPrefix("\(id)/tier_started/management/") == true && fields.first?.hasSuffix("#page") == true)
        #expect(fields.count >= 3 && fields[1] == "0" && fields[2] == title, "the title reaches the program as data: \(fields)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
        let stdin = try FileManager.default.contentsOfDirectory(atPath: b.dir).first { $0.hasPrefix("stdin-") }.flatMap { FileManager.default.contents(atPath: b.dir + "/" + $0) }
        let event = try #require(stdin.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] })
        #expect(event["trigger"] as? String == "tier_started" && event["tier"] as? String == "management" && (event["incident"] as? [String: Any])?["id"] as? String == id)
        // The payload holds to docs/openapi.json's HookPayload, key for key.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: b.dir).first { $0.hasPrefix("stdin-") })
        let valid = Binary.run(["python3", root + "/Tests/tools/validate-json.py", root + "/docs/openapi.json", "HookPayload", "one", b.dir + "/" + file],
                               executable: "/usr/bin/env")
        #expect(valid.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(valid.stdout)\(valid.stderr)")
        _ = (one, two)
    }

    @Test func acrossTwoHostsTheOriginRunsItAndTheOtherTakesOverOnlyWhenTheOriginIsDown() throws {
        let b = Bench()
        let a = TempStore(), c = TempStore()
        defer { a.cleanup(); c.cleanup() }
        let policy = b.policy("  - { name: page, on: [tier_started], tiers: [management], run: [\(b.program)] }\n", settings: "hook_settings: { grace: 8s }\n")
        for s in [a, c] { writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8)) }
        // The sync engine: each host's log copied to the other store, as it grows.
        final class Copier: @unchecked Sendable {
            var running = true
            let stopped = DispatchSemaphore(value: 0)
        }
        let copier = Copier()
        let thread = Thread {
            // Done before the stores are removed (see the defer below): a copy
            // into a removed store would stop the whole test run.
            defer { copier.stopped.signal() }
            while copier.running {
                for (from, to, host) in [(a.path, c.path, "site-a"), (c.path, a.path, "site-b")] {
                    if let data = FileManager.default.contents(atPath: from + "/events/\(host).log") {
                        try? FileManager.default.createDirectory(atPath: to + "/events", withIntermediateDirectories: true)
                        if FileManager.default.contents(atPath: to + "/events/\(host).log") != data {
                            let tmp = to + "/events/.\(host).log.tmp"
                            if FileManager.default.createFile(atPath: tmp, contents: data) { rename(tmp, to + "/events/\(host).log") }
                        }
                    }
                }
                usleep(50_000)
            }
        }
        thread.start()
        defer {
            copier.running = false
            copier.stopped.wait()
        }
        let serveA = ServeProcess(store: a.path, host: "site-a", machine: "machine-a")
        let serveB = ServeProcess(store: c.path, host: "site-b", machine: "machine-b")
        // The origin up: it runs the hook at once; B sees its claim and does not.
        let first = a.tw("raise", "--title", "first", env: ["TIERWATCH_HOST": "site-a", "TIERWATCH_MACHINE_ID": "machine-a"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(b.until { b.lines.count == 1 })
        sleep(10)  // past the grace (8 s: room for the claim to sync under load)
        let once = b.lines.filter { $0.hasPrefix(first + "/") }
        #expect(once.count == 1 && once[0].hasSuffix("|site-a"), "run by the origin only: \(b.lines)")
        // The origin's serve down: B takes over after the grace, late, with the same kind of key.
        serveA.kill()
        usleep(500_000)
        let second = a.tw("raise", "--title", "second", env: ["TIERWATCH_HOST": "site-a", "TIERWATCH_MACHINE_ID": "machine-a"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(b.until(30) { b.lines.contains { $0.hasPrefix(second + "/") } })
        let taken = b.lines.filter { $0.hasPrefix(second + "/") }
        #expect(taken.count == 1 && taken[0].hasSuffix("|site-b") && taken[0].contains("|1|"), "B ran it once, late: \(taken)")
        _ = serveB
    }

    @Test func aFailingProgramIsRetriedWithBackoffAndTheFailureIsShown() throws {
        let b = Bench()
        let s = TempStore(); defer { s.cleanup() }
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(b.policy(
            "  - { name: flaky, on: [incident_opened], run: [\(b.program)], retries: 2, backoff: 100ms, env: { HOOK_EXIT: \"3\" } }\n").utf8))
        let serve = ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let id = s.tw("raise", "--title", "fails", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(b.until { timeline(s, id).contains("hook flaky (incident opened) failed: exit 3 after 3 tries") }, "\(timeline(s, id))")
        #expect(b.lines.count == 3, "tried three times: \(b.lines)")
        let doctor = s.tw("doctor")
        #expect(doctor.status == 1 && doctor.stdout.contains("hook flaky failed for \(id)"))
        // The dashboard says so, in warning colours.
        let t = Tmux(command: Binary.tierwatch, env: ["TIERWATCH_STORE": s.path, "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(t.wait(for: "hook flaky failed for \(id): exit 3 after 3 tries"))
        t.send("q")
        _ = serve
    }

    @Test func aPostIsRetriedOnHTTP500WithOneIdempotencyKey() throws {
        let b = Bench()
        let s = TempStore(); defer { s.cleanup() }
        let port = freePort()
        // A local HTTP server that answers 500 and logs each request's key.
        let server = """
        import http.server, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get('Content-Length', 0)))
                open('\(b.dir)/posts.txt', 'a').write(self.headers.get('Idempotency-Key', '') + '|' + self.headers.get('Authorization', '') + '|' + self.headers.get('User-Agent', '') + '\\n')
                self.send_response(500); self.end_headers()
            def log_message(self, *a): pass
        http.server.HTTPServer(('127.0.0.1', \(port)), H).serve_forever()
        """
        try server.write(toFile: b.dir + "/server.py", atomically: true, encoding: .utf8)
        let http = Tmux(command: "exec python3 \(b.dir)/server.py")
        defer { http.send("C-c") }
        writeFixture(atPath: b.dir + "/token", contents: Data("hook-secret".utf8), attributes: [.posixPermissions: 0o600])
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(b.policy(
            "  - { name: notify, on: [incident_opened], post: http://127.0.0.1:\(port)/hook, token_file: \(b.dir)/token, retries: 1, backoff: 100ms }\n").utf8))
        usleep(500_000)
        let serve = ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let id = s.tw("raise", "--title", "posted", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(b.until { timeline(s, id).contains("hook notify (incident opened) failed: HTTP 500 after 2 tries") }, "\(timeline(s, id))")
        let posts = String(decoding: FileManager.default.contents(atPath: b.dir + "/posts.txt") ?? Data(), as: UTF8.self).split(separator: "\n")
        #expect(posts.count == 2 && Set(posts).count == 1 && posts[0].hasPrefix("\(id)/incident_opened#notify|Bearer hook-secret"), "\(posts)")
        // Finding 6 of issue 27: it said "tierwatch (unknown version)".
        let version = s.tw("--version").stdout.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
        #expect(posts.first?.hasSuffix("|tierwatch/\(version)") == true, "\(posts)")
        _ = serve
    }

    @Test func missedWhileDownItRunsOnceLateAndNeverForAResolvedIncident() throws {
        let b = Bench()
        let s = TempStore(); defer { s.cleanup() }
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(b.policy(
            "  - { name: page, on: [tier_started], tiers: [management], run: [\(b.program)] }\n").utf8))
        // Both while no serve runs: one still open, one already resolved.
        let open = s.tw("raise", "--title", "while down", "--at", "-2m", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let closed = s.tw("raise", "--title", "fixed already", "--at", "-2m", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        s.tw("resolve", closed, "--message", "done", env: ["TIERWATCH_MACHINE_ID": "m1"])
        let serve = ServeProcess(store: s.path, host: "noc1", machine: "m1")
        #expect(b.until { b.lines.count >= 1 }, "\(b.lines)")
        sleep(2)
        #expect(b.lines.count == 1 && b.lines[0].hasPrefix(open + "/") && b.lines[0].contains("|1|"), "once, late, and not for \(closed): \(b.lines) open=\(open)")
        #expect(timeline(s, open).contains("hook page (tier started management) ran: ok (late)"))
        _ = serve
    }

    @Test func aServeKilledMidRunRunsTheHookAgainWithTheSameKey() throws {
        let b = Bench()
        let s = TempStore(); defer { s.cleanup() }
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(b.policy(
            "  - { name: slow, on: [incident_opened], run: [\(b.program)], timeout: 3s, retries: 0, env: { HOOK_SLEEP: \"1\" } }\n").utf8))
        let first = ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let id = s.tw("raise", "--title", "killed mid-run", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(b.until { timeline(s, id).contains("hook slow (incident opened) started") })
        first.kill(SIGKILL)
        let again = ServeProcess(store: s.path, host: "noc1", machine: "m1")
        // The claim has no result: after the longest the hook could take (3 s + 5 s) it runs again.
        #expect(b.until(20) { timeline(s, id).contains("hook slow (incident opened) ran: ok (late)") }, "\(timeline(s, id))")
        let keys = Set(b.lines.map { $0.split(separator: "|").first.map(String.init) ?? "" })
        #expect(keys.count == 1 && b.lines.count >= 1, "at least once, one key: \(b.lines)")
        #expect(timeline(s, id).filter { $0.hasPrefix("hook slow (incident opened) started") }.count == 2, "claimed twice: \(timeline(s, id))")
        _ = again
    }

    @Test func aHookOfAnIncidentServeOpensRunsAtOnceWithNoneOfServesDescriptorsAndSIGTERMWaitsForIt() throws {
        let b = Bench()
        let s = TempStore(); defer { s.cleanup() }
        // The program lists what it was given open, then takes its time.
        let program = b.dir + "/fds.sh"
        let script = "#!/bin/sh\nfor f in /proc/$$/fd/*; do readlink \"$f\"; done > \(b.dir)/fds.txt\nsleep 2\necho done >> \(b.dir)/fired.txt\n"
        writeFixture(atPath: program, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755])
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(b.policy("  - { name: look, on: [incident_opened], run: [\(program)] }\n").utf8))
        let serve = Serve.Server(on: s)
        let body = #"{"version":"4","groupKey":"g","status":"firing","receiver":"r","commonLabels":{"alertname":"Down"},"alerts":[{"status":"firing","fingerprint":"f1"}]}"#
        let t0 = Date()
        #expect(curl(serve.auth + ["-X", "POST", "-d", body, serve.url + "/api/v1/alertmanager"]).status == 200)
        #expect(b.until(10) { FileManager.default.fileExists(atPath: b.dir + "/fds.txt") }, "the hook started within seconds, not at the next minute")
        #expect(Date().timeIntervalSince(t0) < 10)
        let fds = String(decoding: FileManager.default.contents(atPath: b.dir + "/fds.txt") ?? Data(), as: UTF8.self)
        #expect(!fds.contains("socket:"), "serve's sockets stay with serve: \(fds)")
        // Stopped while the hook runs: serve waits for it and records the result.
        serve.stop()
        #expect(serve.tmux.wait(for: "EXIT=0", timeout: 15))
        let id = (try? JSONSerialization.jsonObject(with: Data(s.tw("list", "--json").stdout.utf8)) as? [[String: Any]])?.first?["id"] as? String ?? "?"
        #expect(timeline(s, id).contains("hook look (incident opened) ran: ok"), "\(timeline(s, id))")
        #expect(b.lines == ["done"])
    }
}
