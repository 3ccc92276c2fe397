import ArgumentParser
import Escalation
import Foundation
import Importer

/// `tierwatch import pagerduty|opsgenie|grafana-oncall FILE…`: another
/// service's people, schedules and escalation into a policy, with a report
/// of what became of each object.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Make a policy from PagerDuty, Opsgenie or Grafana OnCall API responses saved with curl.",
        discussion: """
        Reads users (with their numbers), schedules (layers, rotations, restrictions, time zones), \
        overrides and one escalation policy, and writes a policy: the people directory, the schedules \
        with the same handoffs, and a tier per escalation step. The report (stderr, or stdout with \
        --out) says per source object what was mapped, approximated or not mapped. docs/import.md \
        shows the curl calls for each service.
        Exit 0: everything mapped (perhaps approximated); 1: something could not be mapped (the \
        policy is still written: read the report); 2: a file that cannot be read or is not what it claims.
        Example: tierwatch import pagerduty users.json schedules.json escalation_policies.json --out policy.yaml
        """)

    @Argument(help: ArgumentHelp("The service: pagerduty, opsgenie or grafana-oncall.", valueName: "source")) var source: String
    @Argument(help: ArgumentHelp("The saved API responses, in any order.", valueName: "file"), completion: .file(extensions: ["json"])) var files: [String] = []
    @Option(name: .long, help: ArgumentHelp("Write the policy here (default: stdout).", valueName: "file")) var out: String?
    @Option(name: .long, help: ArgumentHelp("The escalation policy (chain) to import, by id or name, where the files hold several.", valueName: "id"))
    var escalation: String?
    @Option(name: .long, help: ArgumentHelp("Write the overrides still to come as a script of `tierwatch oncall override` commands.", valueName: "file"))
    var overrides: String?
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Judge what has ended as of this instant (ISO-8601; default: now).", valueName: "when"))
    var asOf: String?

    func run() throws {
        guard let kind = ImportSource(rawValue: source.lowercased()) else {
            throw CLIError.usage("'\(source.sanitized)' is not a service tierwatch imports from: use \(ImportSource.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var now = Clock.system.now()
        if let asOf {
            guard let t = ISOTime.parse(asOf) else { throw CLIError.usage("--as-of: '\(asOf.sanitized)' is not an ISO-8601 time like 2026-03-10T12:00:00Z") }
            now = t
        }
        let result: Imported
        do {
            result = try kind.read(files, escalation: escalation, now: now)
        } catch {
            throw CLIError.usage(error.description.sanitized)
        }
        let yaml = PolicyYAML.write(result.draft, at: now)
        // What tierwatch reads as a policy, no more.
        if yaml.utf8.count > Context.maxPolicyBytes {
            throw CLIError.usage("the imported policy would be \(yaml.utf8.count) bytes; tierwatch reads policy files up to \(Context.maxPolicyBytes): "
                + "import the users and schedules of the teams this desk escalates to (save fewer users, or the users of those teams)")
        }
        let name = "(imported policy)"
        let warnings: [PolicyError]
        do {
            warnings = try Policy.check(yaml: yaml, file: name, at: now).warnings
        } catch {
            // Never write a policy tierwatch itself would refuse.
            FileHandle.standardError.write(Data(yaml.utf8))
            throw CLIError.usage("the imported policy does not pass `policy check` (a bug in the import; the text is above): \(error.description)")
        }
        var report = result.report()
        for w in warnings { report += "\(w.description.sanitized)\n" }
        let n = result.draft.overrides.count
        if let overrides {
            // Written even with none, so `sh overrides.sh` after it works.
            try write(PolicyYAML.overrideCommands(result.draft, at: now), to: overrides, executable: true)
            report += n == 0 ? "No override still to come: \(overrides) records nothing.\n" : "\(n) override\(n == 1 ? "" : "s") to record: run \(overrides) against the store.\n"
        } else if n > 0 {
            report += "\(n) override\(n == 1 ? "" : "s") to record: write them with --overrides FILE.\n"
        }
        if let out {
            try write(yaml, to: out, executable: false)
            print(report + "Wrote \(out): check it with `tierwatch policy check \(out)`.", terminator: "\n")
        } else {
            print(yaml, terminator: "")
            FileHandle.standardError.write(Data(report.utf8))
        }
        if result.incomplete { throw ExitCode(1) }
    }

    private func write(_ text: String, to path: String, executable: Bool) throws {
        // A device or a pipe (/dev/stdout, /dev/null, <(…)) is written into,
        // never replaced by a file of the same name.
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
            guard let h = FileHandle(forWritingAtPath: path) else { throw CLIError.usage("cannot write \(path.sanitized)") }
            h.write(Data(text.utf8))
            try? h.close()
            return
        }
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: executable ? 0o755 : 0o644]) else {
            throw CLIError.usage("cannot write \(path.sanitized): \(String(cString: strerror(errno)))")
        }
        guard rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw CLIError.usage("cannot write \(path.sanitized): \(why)")
        }
    }
}
