import ArgumentParser
import Foundation
import IncidentStore

@main
struct Tierwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tierwatch",
        abstract: "Run a formal incident escalation: tiers, countdowns and who to call.",
        discussion: """
        Every action is also a subcommand, so scripts and the shell can run the
        whole escalation. Exit codes: 0 done, 1 the action was refused (unknown
        incident, ack on a resolved incident), 2 usage or configuration error.
        """,
        version: "tierwatch \(Tierwatch.version) (store format \(RecordCodec.formatVersion))",
        subcommands: [
            DashboardCommand.self, ViewCommand.self, WallCommand.self, ReplayCommand.self, Raise.self, Ack.self, Escalate.self, Resolve.self, Reopen.self, Notify.self,
            CustomerUpdate.self, Note.self, List.self, Show.self, Export.self, ReportCommand.self, HandoverCommand.self,
            Watch.self, OnCallCommand.self, ServeCommand.self, HooksCommand.self, Doctor.self, PolicyCommand.self, ConfigCommand.self, ImportCommand.self, CallCommand.self, Demo.self,
        ],
        defaultSubcommand: DashboardCommand.self
    )

    /// Parses, runs and maps every failure to the documented exit codes.
    static let version = "0.2.0"

    static func main() {
        Settings.load()
        do {
            let args: [String]
            switch Arguments.normalize(Array(CommandLine.arguments.dropFirst())) {
            case let .run(a): args = a
            case let .fail(message): fail(message, 2)
            }
            var command = try parseAsRoot(args)
            try command.run()
        } catch let e as ExitCode {
            Foundation.exit(e.rawValue)
        } catch let e as CLIError {
            fail(e.message, e.exitCode)
        } catch let e as StoreError {
            fail(e.description, e.isRefusal ? 1 : 2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            // ArgumentParser's usage errors exit 64; ours are documented as 2.
            let message = fullMessage(for: error)
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    static func fail(_ message: String, _ code: Int32) -> Never {
        FileHandle.standardError.write(Data("tierwatch: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
