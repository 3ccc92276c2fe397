import ArgumentParser
import Escalation
import Foundation
import IncidentStore
import Logging
import Serve

/// `tierwatch serve`: incidents from Alertmanager, an HTTP API, metrics.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Take incidents from Alertmanager's webhook; serve the incident API and Prometheus metrics.",
        discussion: """
        Endpoints: POST /api/v1/alertmanager (webhook, payload version 4), POST and GET
        /api/v1/incidents[/ID], GET /api/v1/events (watch --json's stream), GET /metrics,
        GET /healthz. Runs the policy's hooks. Loopback by default; listening
        anywhere else needs --token-file (Alertmanager: http_config.authorization). Logs go
        to stderr. SIGTERM drains requests in flight and exits 0.
        Example: tierwatch serve --listen 127.0.0.1:9095 --token-file /etc/tierwatch/token
        """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("Address and port to listen on.", valueName: "host:port")) var listen = "127.0.0.1:9095"
    @Option(name: .long, help: ArgumentHelp("A file holding the bearer token every request but /healthz must carry.", valueName: "file"),
            completion: .file()) var tokenFile: String?
    @Option(name: .long, help: ArgumentHelp("A file holding a key that opens the on-call calendar feeds (/api/v1/oncall/…ics?key=KEY) and nothing else: calendar programs send no header.", valueName: "file"),
            completion: .file()) var calendarKeyFile: String?
    @Option(name: .long, help: ArgumentHelp("HTTPS: the certificate (PEM, the chain after it); read again on SIGHUP.", valueName: "file"), completion: .file())
    var tlsCert: String?
    @Option(name: .long, help: ArgumentHelp("HTTPS: the certificate's private key (PEM, not world-readable); read again on SIGHUP.", valueName: "file"), completion: .file())
    var tlsKey: String?
    @Flag(name: .long, help: "Listen beyond loopback without TLS: only behind a TLS-terminating reverse proxy on the same host (see docs/serve.md).")
    var insecureHttp = false
    @Option(name: .long, help: ArgumentHelp("Open connections kept (also kept below the descriptor limit); past it the longest idle one is closed for the newcomer.", valueName: "n"))
    var maxConnections = 1024
    @Option(name: .long, help: ArgumentHelp("Seconds a connection may sit with no request in flight (or spend sending its headers) before it is closed.", valueName: "seconds"))
    var idleTimeout = 30.0

    static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        var host = text, port = ""
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            port = String(text[close...].dropFirst().drop { $0 == ":" })
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            port = String(text[text.index(after: colon)...])
        }
        guard let p = Int(port), (0...65535).contains(p) else {
            throw CLIError.usage("--listen '\(text.sanitized)': write HOST:PORT, e.g. 127.0.0.1:9095 or [::1]:9095")
        }
        return (host.isEmpty ? "0.0.0.0" : host, p)
    }

    /// Loopback: `localhost`, `::1`, or an IPv4 literal in 127.0.0.0/8 (not a name that starts with "127.").
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        var addr = in_addr()
        return inet_pton(AF_INET, host, &addr) == 1 && UInt32(bigEndian: addr.s_addr) >> 24 == 127
    }

    /// A secret from a file (`option` names it in errors): not readable by
    /// everyone, one word.
    static func readToken(_ file: String, option: String = "--token-file") throws -> String {
        var st = stat()
        guard stat(file, &st) == 0, let data = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage("\(option) \(file): cannot read it")
        }
        guard st.st_mode & 0o004 == 0 else {
            throw CLIError.usage("\(option) \(file): readable by everyone (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else { throw CLIError.usage("\(option) \(file): the secret must be one word, not empty") }
        return token
    }

    /// The token, the calendar key and the TLS files, checked against each
    /// other and the address: what may listen where, refused with why (exit 2).
    func checkedSecrets(host: String) throws -> (token: String?, calendarKey: String?, tls: TLSFiles?) {
        let token = try tokenFile.map { try ServeCommand.readToken($0) }
        let calendarKey = try calendarKeyFile.map { try ServeCommand.readToken($0, option: "--calendar-key-file") }
        if calendarKey != nil, token == nil {
            throw CLIError.usage("--calendar-key-file opens the calendar feeds where a token is required: give --token-file too (without one, every endpoint is open)")
        }
        if let calendarKey, calendarKey == token { throw CLIError.usage("--calendar-key-file: the key must differ from the token (the key goes in URLs)") }
        guard maxConnections >= 2 else { throw CLIError.usage("--max-connections \(maxConnections): at least 2") }
        guard idleTimeout > 0, idleTimeout <= 86400 else { throw CLIError.usage("--idle-timeout \(idleTimeout): a number of seconds above 0, at most 86400") }
        if token == nil && !ServeCommand.isLoopback(host) {
            throw CLIError.usage("listening on \(host) needs a bearer token: pass --token-file FILE (only loopback may go without)")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw CLIError.usage("--tls-cert and --tls-key go together: give both, or neither for plain HTTP") }
        if tlsCert == nil && !insecureHttp && !ServeCommand.isLoopback(host) {
            throw CLIError.usage("listening on \(host) without TLS would send the token in clear text: pass --tls-cert FILE --tls-key FILE, or --insecure-http behind a TLS reverse proxy on this host")
        }
        let tls: TLSFiles?
        if let tlsCert, let tlsKey {
            var st = stat()
            if stat(tlsKey, &st) == 0, st.st_mode & 0o004 != 0 {
                throw CLIError.usage("--tls-key \(tlsKey): readable by everyone (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it")
            }
            do {
                tls = try TLSFiles(certificate: tlsCert, key: tlsKey)
            } catch {
                throw CLIError.usage(error.description)
            }
        } else {
            tls = nil
        }
        return (token, calendarKey, tls)
    }

    func run() throws {
        let ctx = try Context(global)
        // serve answers for the whole history (re-fires of a group resolved
        // long ago, /api/v1/incidents?all=true, breach counts): every
        // incident in memory, as before the archive.
        ctx.keepWholeHistory()
        let (host, port) = try ServeCommand.parseListen(listen)
        // A serve that cannot write its store would say "listening" and then
        // answer every POST with a 500: it does not start (exit 2).
        do {
            try ctx.store.prepareForWriting()
        } catch {
            throw CLIError.usage("serve cannot write the store \(ctx.store.path): \(error). Set TIERWATCH_STORE (for the unit: in /etc/default/tierwatch) to a folder this user (\(IncidentStore.unixUser)) can write")
        }
        let (token, calendarKey, tls) = try checkedSecrets(host: host)
        HookRunner.userAgent = "tierwatch/\(Tierwatch.version)"
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var log = Logger(label: "tierwatch.serve")
        log[metadataKey: "store"] = "\(ctx.store.path)"
        let logger = log
        // An edit of the people (a number fixed) reaches serve's calls at once,
        // not at its next start. Called on the desk's actor (its only caller).
        let store = ctx.store
        let policies = LockedPolicySource(ctx.policies) { store.useDirectory($0) }
        let (storePath, storeHost) = (ctx.store.path, ctx.store.host)
        let desk = Desk(store: ctx.store, operatorName: ctx.operatorName == ServeCommand.defaultOperator ? "alertmanager@\(ctx.store.host)" : ctx.operatorName,
                        loadPolicy: { policies.load() })
        // SIGHUP reads the certificate and key again (after a renewal); a
        // pair that does not load is refused and the one in use kept.
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler {
            guard let tls else { return logger.info("SIGHUP: no TLS files to read again") }
            do {
                try tls.reload()
                logger.info("SIGHUP: certificate and key read again", metadata: ["cert": "\(tls.certificate)"])
            } catch {
                logger.error("SIGHUP: the new certificate or key was refused; still serving the old one", metadata: ["error": "\(error)"])
            }
        }
        hangup.resume()
        let done = DispatchSemaphore(value: 0)
        final class Outcome: @unchecked Sendable { var error: Error? }
        let outcome = Outcome()
        Task {
            do {
                var options = Server.Options(host: host, port: port, token: token, maxConnections: maxConnections, idleTimeout: idleTimeout, tls: tls, version: Tierwatch.version)
                options.calendarKey = calendarKey
                try await Server.run(options, desk: desk, logger: logger) { bound in
                    logger.info("listening", metadata: ["address": "\(host):\(bound)", "scheme": "\(tls == nil ? "http" : "https")", "token": "\(token == nil ? "none" : "required")"])
                }
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        // A clean stop leaves no sign of life behind: this host is not
        // "silent" to the other sites, it has stopped.
        IncidentStore(path: storePath, host: storeHost).removeHeartbeat()
        if let e = outcome.error { throw CLIError.usage("serve: \(e)") }
    }

    /// The operator when none was named: serve's writes then say where they came from.
    static var defaultOperator: String { "\(ProcessInfo.processInfo.environment["USER"] ?? IncidentStore.unixUser)@\(IncidentStore.machineHostName)" }
}

/// The CLI's PolicySource for serve's threads: read again when the file
/// changes, under a lock; `changed` is told the new policy (serve's store
/// resolves who to call from its people, as the dashboard's does).
final class LockedPolicySource: @unchecked Sendable {
    private let lock = NSLock()
    private let source: PolicySource
    private let changed: (Policy?) -> Void

    init(_ source: PolicySource, changed: @escaping (Policy?) -> Void = { _ in }) {
        self.source = source
        self.changed = changed
    }

    func load() -> PolicyReading {
        lock.lock()
        defer { lock.unlock() }
        if source.refresh() { changed(source.reading.working?.policy) }
        return source.reading
    }
}
