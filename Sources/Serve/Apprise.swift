import Escalation
import Intake
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Messages through Apprise's command (`apprise`, Debian's package): one
/// URL syntax for mail, chat and SMS. Used by `notify:` hooks and by
/// customer updates.
public enum Apprise {
    /// Where its command is looked for.
    static let paths = ["/usr/bin/apprise", "/usr/local/bin/apprise"]

    /// nil when Apprise delivered to every URL; else why not. The URLs go
    /// to it in a configuration file of this user's (mode 600, removed
    /// after), never in its arguments, which every user can read.
    public static func send(title: String, body: String, urls: [String], config: String? = nil,
                            environment: [String: String] = [:], timeout: TimeSpan = TimeSpan(seconds: 30)) -> String? {
        guard let apprise = paths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return "apprise is not installed here (apt-get install -y apprise)"
        }
        // The body on stdin (Apprise reads it there when no --body is
        // given): the incident's text is not in every user's `ps`.
        var argv = [apprise, "--title", title]
        if let config {
            var st = stat()
            guard stat(config, &st) == 0 else { return "cannot read the Apprise configuration \(config)" }
            guard st.st_mode & 0o004 == 0 else { return "\(config) is readable by everyone (it holds tokens): chmod 600 it" }
            argv += ["--config", config]
        }
        var file: String?
        if !urls.isEmpty {
            var template = Array((NSTemporaryDirectory() + "/tierwatch-notify-XXXXXX").utf8CString)
            let fd = mkstemp(&template)
            guard fd >= 0 else { return "cannot make a file for the URLs: \(String(cString: strerror(errno)))" }
            let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let text = Data((urls.joined(separator: "\n") + "\n").utf8)
            _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            file = path
            argv += ["--config", path]
        }
        defer { if let file { unlink(file) } }
        var env = environment
        env["PATH"] = env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        // Apprise keeps state under HOME; a service may have none.
        env["HOME"] = env["HOME"] ?? NSTemporaryDirectory()
        return HookRunner.runProgram(argv, environment: env, input: Data(body.utf8), timeout: timeout).map { "apprise: \($0)" }
    }
}

/// A customer update sent to each of its recipients on its own (Apprise
/// says only "not every one" of a batch): what reached whom, and what the
/// timeline records of it. Used by `tierwatch update --send` and the
/// dashboard's `u`, so both record the same words.
public struct UpdateDelivery: Sendable, Equatable {
    public struct Result: Sendable, Equatable {
        /// The recipient as shown and recorded (`AppriseURL.describe`).
        public var recipient: String
        /// nil when delivered; else why not.
        public var failure: String?
    }
    public var results: [Result]

    public init(results: [Result]) { self.results = results }

    /// Sends to every URL at once (each its own Apprise run) and waits for all.
    public static func send(title: String, body: String, urls: [String], timeout: TimeSpan = TimeSpan(seconds: 30)) -> UpdateDelivery {
        let slots = ResultSlots(count: urls.count)
        DispatchQueue.concurrentPerform(iterations: urls.count) { k in
            slots.set(k, Result(recipient: AppriseURL.describe(urls[k]), failure: Apprise.send(title: title, body: body, urls: [urls[k]], timeout: timeout)))
        }
        return UpdateDelivery(results: slots.values)
    }

    public var delivered: [String] { results.filter { $0.failure == nil }.map(\.recipient) }
    public var failed: [Result] { results.filter { $0.failure != nil } }
    public var reachedEveryone: Bool { failed.isEmpty && !results.isEmpty }

    /// What the timeline records: the update, with whom it reached (and
    /// whom not), when it reached anyone; else a note that it was not
    /// delivered, which neither resets the update timer nor is offered to
    /// the customer as the latest word.
    public func action(body: String) -> Action {
        guard !delivered.isEmpty else { return .note(message: "\(CustomerUpdateDraft.notDelivered) (\(failures)); no recipient confirmed it") }
        return .customerUpdate(message: UpdateDelivery.recorded(body, delivered: delivered, failed: failed))
    }

    /// The recorded text of an update delivered as said.
    public static func recorded(_ body: String, delivered: [String], failed: [Result] = []) -> String {
        var tail = "sent to \(delivered.joined(separator: ", ")): delivered"
        if !failed.isEmpty { tail += "; NOT delivered to " + failed.map { "\($0.recipient) (\($0.failure ?? "?"))" }.joined(separator: ", ") }
        return body + "\n[\(tail)]"
    }

    /// Each failed recipient and why, in one line.
    public var failures: String { failed.map { "\($0.recipient): \($0.failure ?? "?")" }.joined(separator: "; ") }

    /// One line for the operator, what it means first (a narrow screen
    /// cuts the end): delivered to whom, and to whom not and why.
    public func summary(_ id: String) -> String {
        if reachedEveryone { return "\(id): update delivered to \(delivered.joined(separator: ", ")) and recorded" }
        if delivered.isEmpty { return "\(id): update NOT delivered, not recorded as sent; the next update is still due (\(failures))" }
        return "\(id): update delivered to \(delivered.joined(separator: ", ")) but NOT to \(failed.map(\.recipient).joined(separator: ", ")); recorded with who has it (\(failures))"
    }
}

/// Results written from several threads, each to its own slot.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [UpdateDelivery.Result?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ r: UpdateDelivery.Result) { lock.lock(); slots[k] = r; lock.unlock() }
    var values: [UpdateDelivery.Result] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}
