import ArgumentParser
import Escalation
import Foundation
import IncidentStore

/// Options every command shares: where the store is, which policy, who acts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store directory (else $TIERWATCH_STORE, else $XDG_DATA_HOME/tierwatch).", valueName: "dir"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("The policy file (else policy.yaml in the store, else the built-in policy).", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("Who you are (else $TIERWATCH_OPERATOR, else user@host). Claimed, not authenticated.", valueName: "name"))
    var `operator`: String?
}

/// A failure the executable reports on stderr and turns into an exit code:
/// 1 for an action the incident's state refuses, 2 for usage or configuration.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    static func usage(_ m: String) -> CLIError { CLIError(message: m, exitCode: 2) }
    static func refused(_ m: String) -> CLIError { CLIError(message: m, exitCode: 1) }

    var description: String { message }
}

/// Everything a command needs, resolved once from options and environment.
struct Context {
    let store: IncidentStore
    let policy: Policy
    let policyText: String
    let policySource: String
    let operatorName: String
    let clock: Clock
    var now: Date { clock.now() }

    static let maxTitle = 256
    static let maxMessage = 4096
    static let maxName = 128

    init(_ options: GlobalOptions, environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        clock = .system
        let path = Context.storePath(options.store, env)
        let host = env["TIERWATCH_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? IncidentStore.machineHostName
        store = IncidentStore(path: path, host: host, clock: clock)
        (policy, policyText, policySource) = try Context.loadPolicy(options.policy, storePath: path)
        let who = options.operator ?? env["TIERWATCH_OPERATOR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(env["USER"] ?? IncidentStore.unixUser)@\(IncidentStore.machineHostName)"
        operatorName = try Context.checked(who, "operator name", max: Context.maxName)
    }

    /// One incident as `--json` prints it: its state and its ladder now,
    /// under the policy it opened with.
    func json(_ incident: Incident) -> [String: Any] {
        var state = store.state
        return IncidentJSON.object(incident, policy: state.policy(for: incident), now: now)
    }

    static func storePath(_ flag: String?, _ env: [String: String]) -> String {
        if let flag, !flag.isEmpty { return absolute(flag) }
        if let s = env["TIERWATCH_STORE"], !s.isEmpty { return absolute(s) }
        if let x = env["XDG_DATA_HOME"], !x.isEmpty { return absolute(x) + "/tierwatch" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.local/share/tierwatch"
    }

    static func absolute(_ p: String) -> String {
        p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
    }

    static let maxPolicyBytes = 256 * 1024

    static func loadPolicy(_ flag: String?, storePath: String) throws -> (Policy, String, String) {
        let file = flag ?? (FileManager.default.fileExists(atPath: storePath + "/policy.yaml") ? storePath + "/policy.yaml" : nil)
        guard let file else { return (Policy.builtIn, Policy.builtInYAML, "built-in") }
        let text = try readPolicyText(file)
        do {
            return (try Policy(yaml: text, file: file), text, file)
        } catch {
            throw CLIError.usage(error.description)
        }
    }

    static func readPolicyText(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage("\(file): cannot read the policy file (missing or not readable)")
        }
        guard data.count <= maxPolicyBytes else {
            throw CLIError.usage("\(file): policy file is \(data.count) bytes; the limit is \(maxPolicyBytes)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError.usage("\(file):1:1: error: the policy is not UTF-8 text")
        }
        return text
    }

    /// Checks text an operator typed: not empty, within its limit.
    static func checked(_ text: String, _ what: String, max: Int) throws -> String {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { throw CLIError.usage("the \(what) must not be empty") }
        guard t.count <= max else { throw CLIError.usage("the \(what) is \(t.count) characters; the limit is \(max)") }
        return t
    }

    func parseWhen(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let d = When.parse(text, now: now) else {
            throw CLIError.usage("--at '\(text)': not a time (write -5m, '5m ago', now, or 2026-11-26T17:50:00Z)")
        }
        guard d.timeIntervalSince(now) <= 60 else {
            throw CLIError.usage("--at '\(text)' is in the future; --at records actions taken earlier")
        }
        return d
    }

    /// Reads the store, then finds the incident or fails with exit 1.
    func incident(_ typed: String) throws -> Incident {
        store.refresh()
        guard let i = store.state.incident(typed) else { throw StoreError.unknownIncident(typed) }
        return i
    }
}
