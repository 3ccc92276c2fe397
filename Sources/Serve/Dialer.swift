import Escalation
import Foundation

/// What the telephony said of a call: never guessed.
public enum CallResult: Sendable, Equatable {
    /// Answered, and the callee pressed 1.
    case confirmed
    /// Answered, and no 1 came before the message and its wait ended.
    case answeredOnly
    /// Busy, declined, not answered within the ring timeout, unreachable:
    /// the reason as SIP (or the program) gave it.
    case notAnswered(String)
    /// tierwatch hung up before the call ended (the incident was resolved):
    /// nothing to record as the contact's outcome.
    case hungUp(String)

    /// As a contact's outcome; nil when tierwatch hung up.
    public var outcome: Outcome? {
        switch self {
        case .confirmed: .reached
        case .answeredOnly: .voicemail
        case .notAnswered: .noAnswer
        case .hungUp: nil
        }
    }

    /// The call's result as the CLI and the dashboard say it: `K3F9: Ana
    /// Lima: pressed 1 → recorded as reached`.
    public func line(_ plan: CallPlan) -> String {
        "\(plan.incident): \(plan.who.sanitized): \(words) → recorded as \(outcome?.label ?? "nothing")"
    }

    public var words: String {
        switch self {
        case .confirmed: "pressed 1"
        case .answeredOnly: "answered, no 1 pressed"
        case let .notAnswered(why): "no answer (\(why.sanitized))"
        case let .hungUp(why): "hung up by tierwatch: \(why.sanitized)"
        }
    }
}

/// Places one call: the URI, a WAV to play; the result, or why the dialer
/// could not place it (nothing to record as a call).
public struct Dialer: Sendable {
    public let settings: DialerSettings
    /// Where baresip is (tests give theirs).
    public var baresip = "/usr/bin/baresip"

    public init(_ settings: DialerSettings) { self.settings = settings }

    /// What stops every call before one is tried (for `doctor`): the SIP
    /// agent or the program missing, the password file unreadable or
    /// readable by others, espeak-ng missing.
    public func problems() -> [DialerProblem] {
        var out: [DialerProblem] = []
        if let missing = agentMissing { out.append(missing) }
        if case let .baresip(account) = settings.agent, case let .failure(why) = Self.password(account) { out.append(why) }
        if VoiceMessage.espeak == nil { out.append(VoiceMessage.noEspeak) }
        return out
    }

    /// The SIP agent or the program is not there to run.
    var agentMissing: DialerProblem? {
        switch settings.agent {
        case .baresip:
            FileManager.default.isExecutableFile(atPath: baresip) ? nil : DialerProblem("baresip is not installed here (apt-get install -y baresip-core)")
        case let .program(path):
            FileManager.default.isExecutableFile(atPath: path) ? nil : DialerProblem("the dialer program \(path.sanitized) is not there or not executable")
        }
    }

    /// The account's password from its file (nil: none), or why it cannot be used.
    static func password(_ account: DialerSettings.SIPAccount) -> Result<String?, DialerProblem> {
        guard let file = account.passwordFile else { return .success(nil) }
        var st = stat()
        guard stat(file, &st) == 0, let text = FileManager.default.contents(atPath: file) else {
            return .failure(DialerProblem("cannot read the SIP password file \(file.sanitized)"))
        }
        guard st.st_mode & 0o077 == 0 else { return .failure(DialerProblem("\(file.sanitized) can be read by others (it holds the SIP password): chmod 600 it")) }
        return .success(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Why the caller no longer wants a call in progress (checked a few
    /// times a second; nil: go on): the call is hung up, `.hungUp(why)`.
    public typealias StillWanted = @Sendable () -> String?

    /// `messageSeconds`: the WAV's length (the answered call ends with it).
    public func call(_ uri: String, wav: String, messageSeconds: Double, ringing: @Sendable () -> Void = {},
                     unwanted: @escaping StillWanted = { nil }) -> Result<CallResult, DialerProblem> {
        switch settings.agent {
        case let .baresip(account):
            return BaresipCall(dialer: self, account: account).run(uri, wav: wav, messageSeconds: messageSeconds, ringing: ringing, unwanted: unwanted)
        case let .program(path):
            return ProgramCall(path: path, settings: settings).run(uri, wav: wav, messageSeconds: messageSeconds, ringing: ringing, unwanted: unwanted)
        }
    }
}

/// A site's own program: `PROGRAM URI WAV`, printing a line per event:
/// `ringing`, `answered`, `dtmf D`, `busy`, `no-answer`, `failed REASON`.
struct ProgramCall {
    let path: String
    let settings: DialerSettings

    func run(_ uri: String, wav: String, messageSeconds: Double, ringing: () -> Void, unwanted: @escaping Dialer.StillWanted) -> Result<CallResult, DialerProblem> {
        if let missing = Dialer(settings).agentMissing { return .failure(missing) }
        let p: Spawned
        switch Spawned.start([path, uri, wav], diesWithCaller: true) {
        case let .success(s): p = s
        case let .failure(why): return .failure(why)
        }
        defer { p.stop(grace: 0.5) }
        let limit = Double(settings.ringTimeout.seconds) + messageSeconds + 5
        let lines = LineReader(p.stdout)
        lines.unwanted = unwanted
        var answered = false
        let deadline = Date().addingTimeInterval(limit)
        while let line = lines.next(until: deadline) {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            switch words.first ?? "" {
            case "ringing": ringing()
            case "answered": answered = true
            case "dtmf" where words.count > 1 && words[1].trimmingCharacters(in: .whitespaces) == "1": return .success(.confirmed)
            case "busy": return .success(.notAnswered("busy"))
            case "no-answer": return .success(.notAnswered(words.count > 1 ? words[1] : "no answer"))
            case "failed": return .failure(DialerProblem("the dialer program: \(words.count > 1 ? words[1].sanitized : "failed")"))
            default: continue
            }
        }
        if let why = lines.hungUp { return .success(.hungUp(why)) }
        if Date() >= deadline { return .failure(DialerProblem("the dialer program said nothing conclusive within \(Int(limit)) s: stopped")) }
        return answered ? .success(.answeredOnly) : .failure(DialerProblem("the dialer program ended without saying how the call went"))
    }
}

/// Bytes from a file descriptor, waited for until a deadline: what the
/// line and netstring readers below share.
class FDReader {
    let fd: Int32
    var buffer = [UInt8]()
    /// The other end closed, or sent more than any message is.
    var ended = false
    /// Asked a few times a second while waiting; a reason stops the wait.
    var unwanted: Dialer.StillWanted = { nil }
    /// Why the wait was stopped (the caller no longer wants the call).
    var hungUp: String?
    init(_ fd: Int32) { self.fd = fd }

    /// Reads what is there, waiting until the deadline; false when nothing
    /// more can come by then.
    func fill(until deadline: Date) -> Bool {
        while !ended {
            let wait = deadline.timeIntervalSinceNow
            guard wait > 0 else { return false }
            if let why = unwanted() {
                hungUp = why
                return false
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(min(wait, 0.25) * 1000)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 8192)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { ended = true } else { buffer += chunk[0..<n] }
            if buffer.count > 1 << 20 { ended = true }  // a peer that never ends a message
            return true
        }
        return false
    }
}

/// Lines from a file descriptor, each waited for until a deadline.
final class LineReader: FDReader {
    func next(until deadline: Date) -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeFirst(nl + 1)
                return line
            }
            if ended {
                defer { buffer = [] }
                return buffer.isEmpty ? nil : String(decoding: buffer, as: UTF8.self)
            }
            guard fill(until: deadline) else { return nil }
        }
    }
}
