import ArgumentParser
import Escalation
import Foundation
import IncidentStore

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the store: files, permissions, bad records, hosts, clocks, file system.",
        discussion: "Exits 0 when all is well, 1 when something needs attention. Example: tierwatch doctor --json")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let ctx = try Context(global)
        var report = StoreCheck.run(ctx.store, now: ctx.now)
        report.checkPolicy(ctx.policies)
        if json {
            try printJSON(report.json)
        } else {
            print(report.text, terminator: "")
        }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}

extension StoreCheck {
    /// The policy for new incidents: a file that does not parse is a
    /// problem (raise refuses it), its warnings are notes.
    mutating func checkPolicy(_ source: PolicySource) {
        switch source.current {
        case let .success(loaded):
            lines.append("policy: \(loaded.policy.name.sanitized) v\(loaded.policy.version) (\(loaded.source.sanitized))")
            for w in loaded.warnings { lines.append("  \(w.description.sanitized)") }
            json["policy"] = ["source": loaded.source, "name": loaded.policy.name, "ok": true,
                              "warnings": loaded.warnings.map(\.description)] as [String: Any]
        case let .failure(e):
            lines.append("policy: \(e.message.sanitized)")
            problems.append(source.problem!)
            json["policy"] = ["source": source.file ?? "built-in", "ok": false, "error": e.message] as [String: Any]
        }
        json["problems"] = problems
    }
}
