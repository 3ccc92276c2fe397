import Escalation
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Intake

#if canImport(Glibc)
import Glibc
#endif

/// A hook ready to run: what it is given (the event as JSON on stdin or as
/// the body, `TIERWATCH_*` variables) and where its result goes.
public struct HookJob: Sendable {
    public var due: HookDue
    public var payload: Data
    public var environment: [String: String]
    /// A `notify:` hook's message and where it goes, resolved at the trigger.
    public var notification: HookMessage?
}

/// Runs hooks: a program by argv (never a shell, no search path) with an
/// explicit environment and a timeout, or a POST with an `Idempotency-Key`;
/// retried with backoff. Blocking work runs on its own thread, never on the
/// server's.
public enum HookRunner {
    public struct Result: Sendable, Equatable {
        public var ok: Bool
        public var detail: String
        public var tries: Int
    }

    public static func run(_ job: HookJob) async -> Result {
        await withCheckedContinuation { c in
            Thread.detachNewThread { c.resume(returning: runBlocking(job)) }
        }
    }

    static func runBlocking(_ job: HookJob) -> Result {
        let h = job.due.hook
        var wait = Double(h.backoffMilliseconds) / 1000
        var last = ""
        let started = Date()
        // A notification's destinations one by one: a retry goes only to
        // those that failed, so nobody gets the message twice.
        var pendingURLs = job.notification?.urls ?? []
        var configPending = true
        for attempt in 1...(h.retries + 1) {
            let outcome: String?
            switch h.target {
            case let .run(argv): outcome = runProgram(argv, job: job)
            case let .post(url, tokenFile): outcome = post(url, tokenFile: tokenFile, job: job)
            case let .notify(n):
                guard let message = job.notification else { outcome = "no message made"; break }
                guard !message.urls.isEmpty || n.config != nil else {
                    return Result(ok: false, detail: "nobody to notify: \(message.unreachable.joined(separator: "; "))", tries: attempt)
                }
                var failures: [String] = []
                pendingURLs = pendingURLs.filter { url in
                    guard let f = Apprise.send(title: message.title, body: message.body, urls: [url], environment: job.environment, timeout: h.timeout) else { return false }
                    failures.append("\(AppriseURL.describe(url)): \(f)")
                    return true
                }
                if let config = n.config, configPending {
                    if let f = Apprise.send(title: message.title, body: message.body, urls: [], config: config, environment: job.environment, timeout: h.timeout) {
                        failures.append("\(config): \(f)")
                    } else {
                        configPending = false
                    }
                }
                let missing = message.unreachable.isEmpty ? "" : "; not reached: " + message.unreachable.joined(separator: "; ")
                // Sent, but someone could not be reached (nobody on call, no
                // URLs): a failure to show, not a send to retry.
                if failures.isEmpty, !missing.isEmpty {
                    return Result(ok: false, detail: "sent to \(message.urls.count) URL(s)\(missing)", tries: attempt)
                }
                outcome = failures.isEmpty ? nil : failures.joined(separator: "; ") + missing
            }
            guard let failure = outcome else {
                let took = String(format: "%.2fs", Date().timeIntervalSince(started))
                return Result(ok: true, detail: attempt == 1 ? "in \(took)" : "in \(took), on try \(attempt)", tries: attempt)
            }
            last = failure
            if attempt <= h.retries {
                Thread.sleep(forTimeInterval: wait)
                wait *= 2
            }
        }
        let tries = h.retries + 1
        return Result(ok: false, detail: "\(last) after \(tries) \(tries == 1 ? "try" : "tries")", tries: tries)
    }

    /// nil when the program exited 0; else why not.
    static func runProgram(_ argv: [String], job: HookJob) -> String? {
        runProgram(argv, environment: job.environment, input: job.payload, timeout: job.due.hook.timeout)
    }

    /// nil when the program exited 0 within `timeout`; else why not. `input`
    /// on its stdin, nothing else of this process's but stdout and stderr
    /// (both /dev/null).
    public static func runProgram(_ argv: [String], environment: [String: String], input payload: Data, timeout: TimeSpan) -> String? {
        let p: Spawned
        switch Spawned.start(argv, environment: environment, input: true, output: .discard) {
        case let .success(s): p = s
        case let .failure(why): return why.description
        }
        // The event on stdin; a program that does not read it is fine.
        signal(SIGPIPE, SIG_IGN)
        _ = payload.withUnsafeBytes { write(p.stdin, $0.baseAddress, $0.count) }
        close(p.stdin)
        let deadline = Date().addingTimeInterval(Double(timeout.seconds))
        while p.isRunning {
            if Date() >= deadline {
                p.kill()
                return "timed out after \(timeout)"
            }
            usleep(5_000)
        }
        let status = p.exitStatus ?? 0
        if status == Spawned.lost { return "lost track of the program" }
        let exited = status & 0x7f == 0
        if exited { return (status >> 8) & 0xff == 0 ? nil : "exit \((status >> 8) & 0xff)" }
        return "killed by signal \(status & 0x7f)"
    }

    /// What hook POSTs say they are (`tierwatch/0.2.0`): set once by serve
    /// at start, before any hook runs.
    nonisolated(unsafe) public static var userAgent = "tierwatch"

    /// nil on a 2xx answer; else why not.
    static func post(_ url: String, tokenFile: String?, job: HookJob) -> String? {
        guard let u = URL(string: url) else { return "bad URL" }
        var request = URLRequest(url: u, timeoutInterval: Double(job.due.hook.timeout.seconds))
        request.httpMethod = "POST"
        request.httpBody = job.payload
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(job.due.key, forHTTPHeaderField: "Idempotency-Key")
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        if let tokenFile {
            guard let token = FileManager.default.contents(atPath: tokenFile).map({ String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }) else {
                return "cannot read the token file \(tokenFile)"
            }
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        final class Box: @unchecked Sendable { var answer: String? = "no answer" }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, error in
            if let error { box.answer = "\(error.localizedDescription)" }
            else if let http = response as? HTTPURLResponse { box.answer = (200..<300).contains(http.statusCode) ? nil : "HTTP \(http.statusCode)" }
            done.signal()
        }.resume()
        done.wait()
        return box.answer
    }

    /// The event as a hook gets it, and its variables.
    public static func job(_ due: HookDue, entry: Board.Entry, now: Date, host: String) -> HookJob {
        let i = entry.incident
        let tier = due.occurrence.tier.flatMap { entry.ladder.rungs.indices.contains($0) ? entry.ladder.rungs[$0] : nil }
        let contacts = tier?.contacts ?? []
        let event = Wire.HookPayload(
            at: due.occurrence.at,
            contacts: contacts.map { c in .init(contact: c.contact.id, name: c.callee.person?.name ?? c.contact.name, phone: c.callee.phone) },
            hook: due.hook.name, incident: entry.brief(now: now), key: due.key, late: due.late, tier: due.occurrence.tierID,
            trigger: due.occurrence.trigger.rawValue)
        let payload = JSONText.data(Wire.value(event), pretty: false)
        var env = due.hook.environment
        env["PATH"] = env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        env["TIERWATCH_HOOK"] = due.hook.name
        env["TIERWATCH_SERVE_HOST"] = host
        env["TIERWATCH_TRIGGER"] = due.occurrence.trigger.rawValue
        env["TIERWATCH_INCIDENT"] = i.id
        env["TIERWATCH_TITLE"] = i.title
        env["TIERWATCH_SEVERITY"] = i.severity.rawValue
        env["TIERWATCH_CUSTOMER"] = i.customer ?? ""
        env["TIERWATCH_TIER"] = due.occurrence.tierID ?? ""
        env["TIERWATCH_TIER_NAME"] = tier?.tier.name ?? ""
        env["TIERWATCH_CONTACTS"] = contacts.map { c in [c.callee.person?.name ?? c.contact.name, c.callee.phone].compactMap { $0 }.joined(separator: " ") }
            .joined(separator: "; ")
        env["TIERWATCH_KEY"] = due.key
        env["TIERWATCH_LATE"] = due.late ? "1" : "0"
        var notification: HookMessage?
        if case let .notify(n) = due.hook.target {
            notification = HookMessage(n, trigger: due.occurrence.trigger, tier: due.occurrence.tier, entry: entry, now: now)
        }
        return HookJob(due: due, payload: payload, environment: env, notification: notification)
    }
}
