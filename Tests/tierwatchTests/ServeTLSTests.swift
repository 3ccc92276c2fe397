import Foundation
import Testing

/// serve over HTTPS (issue 27): a real certificate made by openssl, real
/// clients (curl, Prometheus Alertmanager with tls_config), a certificate
/// swapped and read again on SIGHUP; metrics and rules checked by promtool.
@Suite(.serialized) struct ServeTLS {
    /// A CA and a certificate for 127.0.0.1 that it signed, in `dir` as
    /// `NAME-ca.pem`, `NAME.pem` and `NAME.key`.
    static func makeCertificate(_ dir: String, _ name: String) {
        let script = """
        set -e
        cd '\(dir)'
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout \(name)-ca.key -out \(name)-ca.pem -subj /CN=\(name)-ca -days 2 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout \(name).key -out \(name).csr -subj /CN=127.0.0.1 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1\\n' > \(name).ext
        openssl x509 -req -in \(name).csr -CA \(name)-ca.pem -CAkey \(name)-ca.key -CAcreateserial -out \(name).pem -days 2 -extfile \(name).ext 2>/dev/null
        chmod 600 \(name).key
        """
        let r = Binary.run(["-c", script], executable: "/bin/sh")
        #expect(r.status == 0, "openssl: \(r.stderr)")
    }

    final class TLSServe {
        let store: String
        let port = freePort()
        let tmux: Tmux
        var url: String { "https://127.0.0.1:\(port)" }
        var pid: Int32? {
            FileManager.default.contents(atPath: store + ".pid").flatMap { Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        var log: String { String(decoding: FileManager.default.contents(atPath: store + ".log") ?? Data(), as: UTF8.self) }

        init(store: String, cert: String, key: String, extra: String = "") {
            self.store = store
            tmux = Tmux(command: "sh -c 'echo $$ > \(store).pid; exec \(Binary.tierwatch) serve --listen 127.0.0.1:\(port) --tls-cert \(cert) --tls-key \(key) \(extra) 2> \(store).log'",
                        env: ["TIERWATCH_STORE": store, "TIERWATCH_HOST": "serve1", "TIERWATCH_OPERATOR": "alertmanager"])
            for _ in 0..<100 where !log.contains("listening") { usleep(100_000) }
        }

        deinit {
            if let pid { kill(pid, SIGTERM) }
            for f in [store + ".pid", store + ".log"] { unlink(f) }
        }
    }

    @Test func httpsWithACertificateReadAgainOnSIGHUP() throws {
        try requireTool("/usr/bin/openssl", package: "openssl")
        let s = TempStore(); defer { s.cleanup() }
        let dir = s.path + ".tls"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        Self.makeCertificate(dir, "one")
        Self.makeCertificate(dir, "two")
        // serve reads the pair from fixed names; the swap copies over them.
        try FileManager.default.copyItem(atPath: dir + "/one.pem", toPath: dir + "/serve.pem")
        try FileManager.default.copyItem(atPath: dir + "/one.key", toPath: dir + "/serve.key")
        chmod(dir + "/serve.key", 0o600)
        let serve = TLSServe(store: s.path, cert: dir + "/serve.pem", key: dir + "/serve.key")
        #expect(serve.log.contains("scheme=https"), "\(serve.log)")
        #expect(curl(["--cacert", dir + "/one-ca.pem", serve.url + "/healthz"]).status == 200, "\(serve.log)")
        #expect(curl([serve.url + "/healthz"]).status == 0, "an unknown CA is refused by the client")
        #expect(curl(["--cacert", dir + "/one-ca.pem", "--tlsv1.0", "--tls-max", "1.1", serve.url + "/healthz"]).status == 0, "TLS 1.1 is refused")
        #expect(curl(["--cacert", dir + "/one-ca.pem", "http://127.0.0.1:\(serve.port)/healthz"]).status != 200, "no plain HTTP on the TLS port")
        // A renewed certificate (another CA, even): copied over, SIGHUP, served.
        for name in ["pem", "key"] {
            try? FileManager.default.removeItem(atPath: dir + "/serve.\(name)")
            try FileManager.default.copyItem(atPath: dir + "/two.\(name)", toPath: dir + "/serve.\(name)")
        }
        chmod(dir + "/serve.key", 0o600)
        kill(serve.pid!, SIGHUP)
        #expect(waitUntil(10) { curl(["--cacert", dir + "/two-ca.pem", serve.url + "/healthz"]).status == 200 }, "\(serve.log)")
        #expect(curl(["--cacert", dir + "/one-ca.pem", serve.url + "/healthz"]).status == 0, "the old certificate is gone")
        #expect(serve.log.contains("certificate and key read again"))
        // A broken renewal is refused; the certificate in use stays.
        writeFixture(atPath: dir + "/serve.pem", contents: Data("not a certificate\n".utf8))
        kill(serve.pid!, SIGHUP)
        #expect(waitUntil(10) { serve.log.contains("still serving the old one") }, "\(serve.log)")
        #expect(curl(["--cacert", dir + "/two-ca.pem", serve.url + "/healthz"]).status == 200)
        // Still alive after both hang-ups (SIGHUP's default would have ended it).
        #expect(kill(serve.pid!, 0) == 0)
    }

    @Test func beyondLoopbackPlainHTTPIsRefusedUnlessBehindAProxy() throws {
        let s = TempStore(); defer { s.cleanup() }
        let token = s.path + ".token"
        writeFixture(atPath: token, contents: Data("t0ken".utf8), attributes: [.posixPermissions: 0o600])
        defer { unlink(token) }
        let plain = s.tw("serve", "--listen", "0.0.0.0:\(freePort())", "--token-file", token)
        #expect(plain.status == 2 && plain.stderr.contains("without TLS would send the token in clear text"), "\(plain.stderr)")
        let half = s.tw("serve", "--tls-cert", "/nonexistent.pem")
        #expect(half.status == 2 && half.stderr.contains("--tls-cert and --tls-key go together"), "\(half.stderr)")
        let missing = s.tw("serve", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key")
        #expect(missing.status == 2 && missing.stderr.contains("--tls-cert /nonexistent.pem: not a readable PEM certificate"), "\(missing.stderr)")
    }

    @Test func alertmanagerPostsOverTLSWithItsCAFile() throws {
        try requireTool("/usr/bin/openssl", package: "openssl")
        try requireTool("/usr/bin/prometheus-alertmanager", package: "prometheus-alertmanager")
        let s = TempStore(); defer { s.cleanup() }
        let dir = s.path + ".tls"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        Self.makeCertificate(dir, "am")
        writeFixture(atPath: dir + "/token", contents: Data("am-t0ken".utf8), attributes: [.posixPermissions: 0o600])
        let serve = TLSServe(store: s.path, cert: dir + "/am.pem", key: dir + "/am.key", extra: "--token-file \(dir)/token")
        let amPort = freePort()
        let config = """
        route:
          receiver: tierwatch
          group_by: [alertname]
          group_wait: 1s
        receivers:
          - name: tierwatch
            webhook_configs:
              - url: \(serve.url)/api/v1/alertmanager
                http_config:
                  authorization: { type: Bearer, credentials_file: \(dir)/token }
                  tls_config: { ca_file: \(dir)/am-ca.pem }
        """
        try config.write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
        let amTmux = Tmux(command: "sh -c 'echo $$ > \(dir)/am.pid; exec /usr/bin/prometheus-alertmanager --config.file=\(dir)/am.yml --storage.path=\(dir)/data --web.listen-address=127.0.0.1:\(amPort) --cluster.listen-address= 2> \(dir)/am.log'")
        defer {
            if let pid = FileManager.default.contents(atPath: dir + "/am.pid").flatMap({ Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }) { kill(pid, SIGTERM) }
            _ = amTmux
        }
        let amURL = "http://127.0.0.1:\(amPort)"
        #expect(waitUntil(10) { curl([amURL + "/-/ready"]).status == 200 })
        let alert = #"[{"labels":{"alertname":"TLSCheck","customer":"acme","severity":"critical"},"annotations":{"summary":"Posted over TLS"}}]"#
        #expect(curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", alert, amURL + "/api/v2/alerts"]).status == 200)
        #expect(waitUntil(20) { s.tw("list").stdout.contains("Posted over TLS") },
                "serve: \(serve.log.suffix(1500))\nalertmanager: \(String(decoding: FileManager.default.contents(atPath: dir + "/am.log") ?? Data(), as: UTF8.self).suffix(1500))")
    }

    /// Finding 5, and the rules: promtool reads serve's live metrics and
    /// the shipped rules, and the rules' own tests pass.
    @Test func promtoolChecksTheLiveMetricsAndTheRules() throws {
        try requireTool("/usr/bin/promtool", package: "prometheus")
        let s = TempStore(); defer { s.cleanup() }
        let policy = s.tw("policy", "show", "--yaml").stdout + "hooks:\n  - { name: page, on: [incident_opened], run: [/bin/true] }\n"
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8))
        let serve = ServeUnderHostileClients.Serve(store: s.path)
        _ = curl([serve.url + "/nothing-here"])
        let metrics = curl([serve.url + "/metrics"]).body
        let file = s.path + ".metrics"
        writeFixture(atPath: file, contents: Data(metrics.utf8))
        defer { unlink(file) }
        let check = Binary.run(["-c", "promtool check metrics < \(file)"], executable: "/bin/sh")
        #expect(check.status == 0, "promtool check metrics: \(check.stdout)\(check.stderr)")
        for series in ["tierwatch_hook_runs_total{hook=\"page\",result=\"failed\"} 0", "tierwatch_intake_requests_total{endpoint=\"alertmanager\",result=\"invalid\"} 0",
                       "tierwatch_http_responses_total{code=\"404\"} 1", "tierwatch_build_info{version=", "process_open_fds ", "process_start_time_seconds ",
                       "# TYPE tierwatch_tier_breaches_total counter"] {
            #expect(metrics.contains(series), "\(series) in:\n\(metrics)")
        }
        #expect(!metrics.contains(" -1\n"), "no -1 for 'never'")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let rules = Binary.run(["check", "rules", root + "/packaging/tierwatch.rules.yml"], executable: "/usr/bin/promtool")
        #expect(rules.status == 0, "\(rules.stdout)\(rules.stderr)")
        let tests = Binary.run(["test", "rules", root + "/Tests/promtool/rules_test.yml"], executable: "/usr/bin/promtool")
        #expect(tests.status == 0, "\(tests.stdout)\(tests.stderr)")
    }
}
