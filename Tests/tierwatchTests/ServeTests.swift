import Escalation
import Foundation
import Testing


/// A free TCP port on loopback.
func freePort() -> Int {
    Int(Binary.run(["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"], executable: "/usr/bin/python3")
        .stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 19095
}

/// `curl`, the real HTTP client: status code on the last line.
func curl(_ args: [String]) -> (status: Int, body: String) {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
        Issue.record("/usr/bin/curl is missing: apt-get install -y curl (or bash .ci/deps)")
        return (0, "")
    }
    let r = Binary.run(["-s", "-o", "-", "-w", "\n%{http_code}"] + args, executable: "/usr/bin/curl")
    let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
}

/// `tierwatch serve` as a real process, with the real HTTP client, and
/// Prometheus Alertmanager (Debian's) as the real peer.
@Suite(.serialized) struct Serve {
    final class Server {
        let store: TempStore
        let port = freePort()
        let token = "s3cret-token-\(UUID().uuidString.prefix(8))"
        var tokenFile: String { store.path + ".token" }
        var pidFile: String { store.path + ".pid" }
        let tmux: Tmux

        init(on existing: TempStore? = nil, policy: String? = nil) {
            let store = existing ?? TempStore()
            self.store = store
            writeFixture(atPath: store.path + ".token", contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
            if let policy { writeFixture(atPath: store.path + "/policy.yaml", contents: Data(policy.utf8)) }
            tmux = Tmux(command: "sh -c 'echo $$ > \(store.path).pid; exec \(Binary.tierwatch) serve --listen 127.0.0.1:\(port) --token-file \(store.path).token 2> \(store.path).log'",
                        env: ["TIERWATCH_STORE": store.path, "TIERWATCH_HOST": "serve1", "TIERWATCH_OPERATOR": "alertmanager"])
            for _ in 0..<100 where curl(["http://127.0.0.1:\(port)/healthz"]).status != 200 { usleep(100_000) }
        }

        deinit {
            stop()
            store.cleanup()
            for f in [tokenFile, pidFile, store.path + ".log"] { unlink(f) }
        }

        var url: String { "http://127.0.0.1:\(port)" }
        var auth: [String] { ["-H", "Authorization: Bearer \(token)"] }
        var log: String { String(decoding: FileManager.default.contents(atPath: store.path + ".log") ?? Data(), as: UTF8.self) }

        func stop() {
            if let pid = FileManager.default.contents(atPath: pidFile).flatMap({ Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                kill(pid, SIGTERM)
            }
        }

        func incidents() -> [[String: Any]] {
            (try? JSONSerialization.jsonObject(with: Data(store.tw("list", "--all", "--json").stdout.utf8))) as? [[String: Any]] ?? []
        }
    }

    @Test func theRequestsItRefusesAndTheStoreStaysWhole() throws {
        let s = Server()
        #expect(curl([s.url + "/healthz"]).status == 200, "healthz needs no token")
        #expect(curl([s.url + "/api/v1/incidents"]).status == 401)
        #expect(curl(["-H", "Authorization: Bearer wrong", s.url + "/metrics"]).status == 401)
        #expect(curl(s.auth + [s.url + "/api/v1/incidents"]).body.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        // Over 1 MiB: 413, nothing read.
        let big = s.store.path + ".big"
        writeFixture(atPath: big, contents: Data(repeating: 0x20, count: 3 << 19))
        defer { unlink(big) }
        #expect(curl(s.auth + ["-X", "POST", "--data-binary", "@" + big, s.url + "/api/v1/alertmanager"]).status == 413)
        // Truncated JSON, wrong types: 400 naming the field.
        let cut = curl(s.auth + ["-X", "POST", "-d", #"{"version":"4","receiver":"#, s.url + "/api/v1/alertmanager"])
        #expect(cut.status == 400 && cut.body.contains("not JSON"))
        let types = curl(s.auth + ["-X", "POST", "-d", #"{"version":"4","receiver":"r","status":"firing","groupKey":"g","alerts":[{"status":"firing","fingerprint":7}]}"#, s.url + "/api/v1/alertmanager"])
        #expect(types.status == 400 && types.body.contains("alerts[0].fingerprint: expected a string"), "\(types.body)")
        let noTitle = curl(s.auth + ["-X", "POST", "-d", #"{"severity":"sev9"}"#, s.url + "/api/v1/incidents"])
        #expect(noTitle.status == 400 && noTitle.body.contains("title: missing"))
        // Ten thousand alerts in one group (under 1 MiB): one incident, one timeline line.
        let many = (0..<10_000).map { #"{"status":"firing","labels":{"alertname":"Flood"},"fingerprint":"f\#($0)"}"# }.joined(separator: ",")
        let flood = s.store.path + ".flood"
        writeFixture(atPath: flood, contents: Data(#"{"version":"4","groupKey":"flood","status":"firing","receiver":"r","commonLabels":{"alertname":"Flood"},"alerts":[\#(many)]}"#.utf8))
        defer { unlink(flood) }
        let big10k = curl(s.auth + ["-X", "POST", "--data-binary", "@" + flood, s.url + "/api/v1/alertmanager"])
        #expect(big10k.status == 200 && big10k.body.contains("\"alerts\":10000") && big10k.body.contains("opened"), "\(big10k.status) \(big10k.body.prefix(200))")
        // Hostile text is stored as data and shown sanitised.
        let evil = curl(s.auth + ["-X", "POST", "-d", #"{"title":"evil \u001b[2J $(rm -rf /) `id`","customer":"acme","severity":"sev1"}"#, s.url + "/api/v1/incidents"])
        #expect(evil.status == 201, "\(evil.body)")
        let list = s.store.tw("list").stdout
        #expect(list.contains("$(rm -rf /)") && !list.contains("\u{1B}"), "shown, escape defused")
        // An unknown incident: 404 with the id.
        let unknown = curl(s.auth + [s.url + "/api/v1/incidents/ZZZZ"])
        #expect(unknown.status == 404 && unknown.body.contains("unknown incident 'ZZZZ'"))
        // Everything written is readable again, nothing bad.
        let doctor = s.store.tw("doctor")
        #expect(doctor.stdout.contains("0 bad"), "\(doctor.stdout)")
        let metrics = curl(s.auth + [s.url + "/metrics"]).body
        #expect(metrics.contains("tierwatch_open_incidents{severity=\"sev1\",state=\"open\"} 1"))
        #expect(metrics.contains("tierwatch_open_incidents{severity=\"sev2\",state=\"open\"} 1"), "the flood's incident")
        #expect(metrics.contains("tierwatch_intake_requests_total{endpoint=\"alertmanager\",result=\"invalid\"} 2"))
        #expect(metrics.contains("# TYPE tierwatch_host_last_event_age_seconds gauge"))
        // SIGTERM: drains, exits 0.
        s.stop()
        #expect(s.tmux.wait(for: "EXIT=0"), "\(s.tmux.screen)\n\(s.log)")
    }

    @Test func theEventStreamIsWatchsAndSIGTERMEndsItToo() throws {
        let s = Server()
        let out = s.store.path + ".events"
        defer { unlink(out) }
        // A client that keeps listening, as a dashboard of another tool would.
        let client = Tmux(command: "curl -s -N -H 'Authorization: Bearer \(s.token)' \(s.url)/api/v1/events > \(out)")
        usleep(700_000)
        let id = s.store.raise("streamed to a client")
        var lines: [String] = []
        for _ in 0..<50 {
            lines = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
            if lines.contains(where: { $0.contains(id) }) { break }
            usleep(100_000)
        }
        let line = try #require(lines.first { $0.contains(id) }, "\(lines)")
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect((obj?["event"] as? [String: Any])?["type"] as? String == "opened" && (obj?["incident"] as? [String: Any])?["id"] as? String == id)
        // With the stream still open, SIGTERM drains and exits 0.
        s.stop()
        #expect(s.tmux.wait(for: "EXIT=0"), "\(s.log)")
        _ = client
    }

    @Test func anAlertsPolicyLabelOpensItsIncidentUnderThatPolicy() throws {
        let inForce = Policy.builtInYAML + "intake: { policies: { premium: premium.yaml, broken: broken.yaml } }\n"
        let s = Server(policy: inForce)
        let premium = Policy.builtInYAML.replacingOccurrences(of: "name: production-priority", with: "name: premium-customers")
        writeFixture(atPath: s.store.path + "/premium.yaml", contents: Data(premium.utf8))
        writeFixture(atPath: s.store.path + "/broken.yaml", contents: Data("name: [".utf8))
        func post(_ policy: String, _ group: String) -> (status: Int, body: String) {
            let body = #"{"version":"4","groupKey":"\#(group)","status":"firing","receiver":"r","commonLabels":{"alertname":"Down","policy":"\#(policy)"},"alerts":[{"status":"firing","labels":{"alertname":"Down"},"fingerprint":"\#(group)"}]}"#
            return curl(s.auth + ["-X", "POST", "-d", body, s.url + "/api/v1/alertmanager"])
        }
        #expect(post("premium", "g1").status == 200)
        let incident = s.incidents().first
        #expect((incident?["policy"] as? [String: Any])?["name"] as? String == "premium-customers")
        let broken = post("broken", "g2")
        #expect(broken.status == 500 && broken.body.contains("broken.yaml") && s.incidents().count == 1, "refused, nothing opened: \(broken.body)")
    }

    @Test func listeningBeyondLoopbackWithoutATokenIsRefused() {
        let s = TempStore(); defer { s.cleanup() }
        let r = s.tw("serve", "--listen", "0.0.0.0:\(freePort())")
        #expect(r.status == 2 && r.stderr.contains("listening on 0.0.0.0 needs a bearer token"))
        let open = s.path + ".token"
        writeFixture(atPath: open, contents: Data("t".utf8), attributes: [.posixPermissions: 0o644])
        defer { unlink(open) }
        let r2 = s.tw("serve", "--token-file", open)
        #expect(r2.status == 2 && r2.stderr.contains("readable by everyone"))
    }

    @Test func alertsPushedToARealAlertmanagerBecomeOneIncidentPerGroup() throws {
        try requireTool("/usr/bin/prometheus-alertmanager", package: "prometheus-alertmanager")
        let s = Server()
        let amPort = freePort()
        let am = s.store.path + ".am"
        try FileManager.default.createDirectory(atPath: am, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: am) }
        let config = """
        route:
          receiver: tierwatch
          group_by: [alertname]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 2s
        receivers:
          - name: tierwatch
            webhook_configs:
              - url: \(s.url)/api/v1/alertmanager
                send_resolved: true
                http_config:
                  authorization:
                    type: Bearer
                    credentials_file: \(s.tokenFile)
        """
        try config.write(toFile: am + "/am.yml", atomically: true, encoding: .utf8)
        let amTmux = Tmux(command: "sh -c 'echo $$ > \(am)/pid; exec /usr/bin/prometheus-alertmanager --config.file=\(am)/am.yml --storage.path=\(am)/data --web.listen-address=127.0.0.1:\(amPort) --cluster.listen-address= 2> \(am)/log'")
        defer {
            if let pid = FileManager.default.contents(atPath: am + "/pid").flatMap({ Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }) { kill(pid, SIGTERM) }
            _ = amTmux
        }
        let amURL = "http://127.0.0.1:\(amPort)"
        for _ in 0..<100 where curl([amURL + "/-/ready"]).status != 200 { usleep(100_000) }
        #expect(curl([amURL + "/-/ready"]).status == 200, "alertmanager did not start: \(String(decoding: FileManager.default.contents(atPath: am + "/log") ?? Data(), as: UTF8.self))")
        func push(_ instances: [String], resolved: Bool = false) {
            let ends = resolved ? ",\"endsAt\":\"\(ISO8601DateFormatter().string(from: Date().addingTimeInterval(-1)))\"" : ""
            let alerts = instances.map { #"{"labels":{"alertname":"TrunkDown","instance":"\#($0)","customer":"acme","severity":"critical"},"annotations":{"summary":"SIP trunk down in Frankfurt"}\#(ends)}"# }
            let r = curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", "[\(alerts.joined(separator: ","))]", amURL + "/api/v2/alerts"])
            #expect(r.status == 200, "push to alertmanager: \(r.status) \(r.body)")
        }
        func waitFor(_ what: String, _ check: () -> Bool) -> Bool {
            for _ in 0..<150 { if check() { return true }; usleep(100_000) }
            Issue.record("timed out waiting for \(what); serve log:\n\(s.log)")
            return false
        }
        // Three alerts of one group: one incident.
        push(["sbc-1", "sbc-2", "sbc-3"])
        #expect(waitFor("an incident") { s.incidents().count == 1 })
        let incident = s.incidents().first ?? [:]
        #expect(incident["title"] as? String == "SIP trunk down in Frankfurt" && incident["customer"] as? String == "acme" && incident["severity"] as? String == "sev1")
        let id = incident["id"] as? String ?? "?"
        func timeline() -> [String] {
            let show = (try? JSONSerialization.jsonObject(with: Data(s.store.tw("show", id, "--json").stdout.utf8))) as? [String: Any]
            return (show?["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        }
        #expect(waitFor("three alerts noted") { Set(["sbc-1", "sbc-2", "sbc-3"]).allSatisfy { sbc in timeline().contains { $0.hasPrefix("monitoring:") && $0.contains("TrunkDown (\(sbc))") } } })
        // Alertmanager repeats the group (repeat_interval 2s): nothing new.
        let before = timeline().count
        push(["sbc-1", "sbc-2", "sbc-3"])
        sleep(5)
        #expect(timeline().count == before, "a repeat adds nothing: \(timeline())")
        // Resolved: one timeline entry, and the incident stays open.
        push(["sbc-1", "sbc-2", "sbc-3"], resolved: true)
        #expect(waitFor("the resolve") { timeline().contains("monitoring: monitoring reports resolved") })
        #expect(s.incidents().count == 1 && s.incidents().first?["state"] as? String == "open")
        #expect(s.log.contains("[Serve] alertmanager"), "logged")
    }

    /// A policy file that stops parsing: serve refuses new incidents with
    /// the reason, says so on /metrics (an alert is tested on it with
    /// promtool), and keeps the last policy that parsed for its checks,
    /// so an expected site still silent is still reported (before, the
    /// built-in settings took over and the site quietly left the metrics).
    @Test func aPolicyThatStopsParsingIsSaidAndTheChecksKeepTheLastThatDid() throws {
        let good = Policy.builtInYAML + "sites: { expected: [noc-b] }\n"
        let s = Server(policy: good)
        func metrics() -> String { curl(s.auth + [s.url + "/metrics"]).body }
        let before = metrics()
        #expect(before.contains("tierwatch_policy_invalid 0") && before.contains("tierwatch_peer_silent{host=\"noc-b\"} 1"), "\(before)")

        writeFixture(atPath: s.store.path + "/policy.yaml", contents: Data("name: broken\ntiers: [\n".utf8))
        let broken = metrics()
        #expect(broken.contains("tierwatch_policy_invalid 1"), "\(broken)")
        #expect(broken.contains("tierwatch_peer_silent{host=\"noc-b\"} 1"), "the expected site stays watched: \(broken)")
        let refused = curl(s.auth + ["-X", "POST", "-d", #"{"title":"trunk down","severity":"sev1"}"#, s.url + "/api/v1/incidents"])
        #expect(refused.status == 503 && refused.body.contains("does not parse") && refused.body.contains("policy.yaml:3:1"), "\(refused)")

        // A serve started while the file does not parse (a restart, a
        // reboot) keeps the last that parsed too: it is kept in the cache.
        s.stop()
        #expect(s.tmux.wait(for: "EXIT=0"), "\(s.log)")
        let again = Server(on: s.store)
        let restarted = curl(again.auth + [again.url + "/metrics"]).body
        #expect(restarted.contains("tierwatch_policy_invalid 1") && restarted.contains("tierwatch_peer_silent{host=\"noc-b\"} 1"), "\(restarted)")
        again.stop()
        _ = again.tmux.wait(for: "EXIT=0")

        writeFixture(atPath: s.store.path + "/policy.yaml", contents: Data(good.utf8))
        let fixed = Server(on: s.store)
        #expect(curl(fixed.auth + [fixed.url + "/metrics"]).body.contains("tierwatch_policy_invalid 0"))
        #expect(curl(fixed.auth + ["-X", "POST", "-d", #"{"title":"trunk down","severity":"sev1"}"#, fixed.url + "/api/v1/incidents"]).status == 201)
        // (Each server removes the store when it goes: none before the end.)
        withExtendedLifetime((s, again, fixed)) {}
    }
}
