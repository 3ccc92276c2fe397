import Surface
import Escalation

/// The `:` command line: the dashboard's actions typed out, as an operator on
/// the phone reads them back (`:ack K3F9`, `:notify K3F9 am voicemail`).
public enum TypedCommand: Equatable, Sendable {
    case ack(String)
    case escalate(String, tier: String?)
    case resolve(String, message: String?)
    case reopen(String)
    case notify(String, contact: String, outcome: Outcome)
    /// tierwatch places the call itself, through the policy's dialer.
    case dial(String, contact: String)
    case update(String, message: String)
    case note(String, message: String)
    case raise(title: String)
    case filter(String)
    case sort(Model.Sort?)
    case help
    case quit

    public static let usage = "ack ID · escalate ID [TIER] · resolve ID [MESSAGE] · reopen ID · call ID CONTACT · notify ID CONTACT [reached|voicemail|no_answer] · update ID MESSAGE · note ID MESSAGE · raise TITLE · filter TEXT · sort [urgency|severity|opened] · help · quit"

    /// Parses a command line (without the `:`); the error says what was expected.
    public static func parse(_ line: String) -> Result<TypedCommand, CommandLineError> {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let verb = words.first?.lowercased() else { return .failure(.init("type a command: \(usage)")) }
        let args = Array(words.dropFirst())
        func rest(from k: Int) -> String? { args.count > k ? args[k...].joined(separator: " ") : nil }
        func needID() -> Result<String, CommandLineError> {
            guard let id = args.first else { return .failure(.init("\(verb) needs an incident id, e.g. :\(verb) K3F9")) }
            return .success(id)
        }
        switch verb {
        case "q", "quit", "exit": return args.isEmpty ? .success(.quit) : .failure(.init("quit takes nothing after it"))
        case "help", "?": return .success(.help)
        case "ack", "acknowledge": return needID().map { .ack($0) }
        case "escalate", "esc": return needID().map { .escalate($0, tier: rest(from: 1)) }
        case "resolve": return needID().map { .resolve($0, message: rest(from: 1)) }
        case "reopen": return needID().map { .reopen($0) }
        case "update", "note":
            return needID().flatMap { id in
                guard let m = rest(from: 1) else { return .failure(.init("\(verb) needs a message: :\(verb) \(id) TEXT")) }
                return .success(verb == "update" ? .update(id, message: m) : .note(id, message: m))
            }
        case "call", "dial":
            return needID().flatMap { id in
                let who = Array(args.dropFirst())
                guard !who.isEmpty else { return .failure(.init("call needs a contact: :call \(id) am (tierwatch dials them through the policy's dialer)")) }
                if who.count > 1, let last = who.last, Outcome(rawValue: last.lowercased().replacingOccurrences(of: "-", with: "_")) != nil {
                    return .failure(.init(":call places the call itself; to record a call made by hand: :notify \(id) \(who.dropLast().joined(separator: " ")) \(last)"))
                }
                return .success(.dial(id, contact: who.joined(separator: " ")))
            }
        case "notify":
            return needID().flatMap { id in
                var who = Array(args.dropFirst())
                var outcome = Outcome.reached
                if let last = who.last, who.count > 1, let o = Outcome(rawValue: last.lowercased().replacingOccurrences(of: "-", with: "_")) {
                    outcome = o
                    who.removeLast()
                }
                guard !who.isEmpty else { return .failure(.init("notify needs a contact: :notify \(id) am [reached|voicemail|no_answer]")) }
                return .success(.notify(id, contact: who.joined(separator: " "), outcome: outcome))
            }
        case "raise", "new":
            guard let t = rest(from: 0) else { return .failure(.init("raise needs a title: :raise SIP trunk down")) }
            return .success(.raise(title: t))
        case "filter", "f": return .success(.filter(rest(from: 0) ?? ""))
        case "sort":
            guard !args.isEmpty else { return .success(.sort(nil)) }
            // The words the help and the README use, and their short forms.
            let aliases: [String: Model.Sort] = ["urgency": .urgency, "deadline": .urgency, "severity": .severity, "sev": .severity,
                                                 "opened": .opened, "opening": .opened, "opening time": .opened, "time": .opened, "age": .opened]
            guard let sort = aliases[args.joined(separator: " ").lowercased()] else {
                return .failure(.init("sort by urgency, severity or opening time (:sort urgency, :sort severity, :sort opened)"))
            }
            return .success(.sort(sort))
        default:
            return .failure(.init("unknown command '\(verb.sanitized)': \(usage)"))
        }
    }
}

public struct CommandLineError: Error, Equatable, Sendable {
    public var message: String
    public init(_ m: String) { message = m }
}
