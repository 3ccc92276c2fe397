import ArgumentParser
import Escalation
import Foundation
import IncidentStore

/// The command line as people type it, put into the shape the parser
/// reads: global options may come before the subcommand (`tierwatch --store
/// DIR list`, as git, kubectl and docker accept), and a mistyped subcommand
/// is named with the nearest real one instead of being taken for an
/// argument of the default dashboard.
enum Arguments {
    /// Options every command takes, with a value.
    static let global: Set<String> = ["--store", "--policy", "--operator"]

    static var subcommands: [String] { Tierwatch.configuration.subcommands.map { $0._commandName } }

    enum Outcome: Equatable {
        case run([String])
        /// A usage error to report (exit 2).
        case fail(String)
    }

    static func normalize(_ args: [String]) -> Outcome {
        // The shells' completion requests are the parser's own protocol.
        if args.first == "---completion" { return .run(args) }
        var before: [String] = []
        var i = 0
        // Global options ahead of the subcommand move behind it.
        while i < args.count {
            let a = args[i]
            if global.contains(a), i + 1 < args.count {
                before += [a, args[i + 1]]
                i += 2
            } else if let eq = a.firstIndex(of: "="), global.contains(String(a[..<eq])) {
                before.append(a)
                i += 1
            } else {
                break
            }
        }
        let rest = Array(args[i...])
        guard let word = rest.first, !word.hasPrefix("-") else { return .run(before + rest) }
        if word == "help", rest.count > 1, !subcommands.contains(rest[1]) {
            return .fail("no command '\(rest[1].sanitized)'\(Suggest.didYouMean(rest[1], among: subcommands)) Commands: \(subcommands.joined(separator: ", "))")
        }
        guard word == "help" || subcommands.contains(word) else {
            return .fail("unknown command '\(word.sanitized)'\(Suggest.didYouMean(word, among: subcommands)) Commands: \(subcommands.joined(separator: ", "))")
        }
        // Help takes no store; a command takes the options right after its
        // name (`policy show` is a name of two words), ahead of everything
        // typed after it: a later --store still wins, and nothing lands
        // behind a `--`.
        if word == "help" { return .run(rest) }
        let path = rest.count > 1 && nestedCommands(of: word).contains(rest[1]) ? 2 : 1
        return .run(Array(rest.prefix(path)) + before + rest.dropFirst(path))
    }

    /// The names of a command's own subcommands (`policy show`, `oncall
    /// override`): a command name of two words.
    static func nestedCommands(of word: String) -> Set<String> {
        guard let command = Tierwatch.configuration.subcommands.first(where: { $0._commandName == word }) else { return [] }
        return Set(command.configuration.subcommands.map { $0._commandName })
    }
}

/// Shell completions that know the store: incident ids from it, tier and
/// contact ids from the policy in force.
enum Completions {
    /// The store a completing command line names, else the environment's.
    static func store(_ words: [String]) -> IncidentStore {
        var flag: String?
        for (k, w) in words.enumerated() where w == "--store" && k + 1 < words.count { flag = words[k + 1] }
        let env = ProcessInfo.processInfo.environment
        return IncidentStore(path: (try? Context.storePath(flag, env)) ?? "", host: "completion")
    }

    @Sendable static func incidentIDs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let s = store(words)
        s.refresh()
        let open = s.state.incidents.values.filter { $0.state != .resolved }.map(\.id)
        return (open.isEmpty ? Array(s.state.incidents.keys) : open).filter { $0.hasPrefix(prefix.uppercased()) }.sorted()
    }

    @Sendable static func tierIDs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        Policy.builtIn.tiers.map(\.id).filter { $0.hasPrefix(prefix) }
    }

    /// The policy in force for a completing command line: --policy, else
    /// the store's policy.yaml, else the built-in one.
    static func policy(_ words: [String]) -> Policy {
        var flag: String?
        for (k, w) in words.enumerated() where w == "--policy" && k + 1 < words.count { flag = words[k + 1] }
        let file = flag ?? store(words).path + "/policy.yaml"
        guard let text = try? Context.readPolicyText(file), let p = try? Policy(yaml: text, file: file) else { return .builtIn }
        return p
    }

    @Sendable static func scheduleIDs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        policy(words).schedules.map(\.id).filter { $0.hasPrefix(prefix) }
    }

    @Sendable static func personIDs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        policy(words).people.map(\.id).filter { $0.hasPrefix(prefix) }
    }

    @Sendable static func contactIDs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        Policy.builtIn.tiers.flatMap(\.contacts).map(\.id).filter { $0.hasPrefix(prefix) }
    }
}
