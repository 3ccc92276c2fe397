import ArgumentParser
import Dashboard
import Foundation
import IncidentStore
import Terminal

/// Options of every screen: the theme and how the store is watched.
struct ScreenOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A theme name (default, wall, monochrome, light) or a theme file (else $TIERWATCH_THEME).", valueName: "theme"))
    var theme: String?

    @OptionGroup var watching: WatchOptions

    func loadTheme(environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> (Theme, Bool) {
        let name = theme ?? env["TIERWATCH_THEME"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        do {
            let t = try Theme.load(name, searchPath: Theme.searchPath(executable: exe, environment: env))
            let noColor = !(env["NO_COLOR"] ?? "").isEmpty || name == "monochrome"
            return (t, noColor)
        } catch {
            throw CLIError.usage(error.description)
        }
    }
}

/// Opens the dashboard; `readOnly` is the viewer.
func openDashboard(_ global: GlobalOptions, _ screen: ScreenOptions, readOnly: Bool) throws {
    let ctx = try Context(global)
    let (theme, noColor) = try screen.loadTheme()
    let follower = try screen.watching.follower(for: ctx.store)
    let terminal: Terminal
    do {
        terminal = try Terminal(theme: theme, noColor: noColor)
    } catch {
        throw CLIError.usage("\(error)")
    }
    let loop = DashboardLoop(ctx: ctx, follower: follower, terminal: terminal, readOnly: readOnly)
    let code = loop.run()
    terminal.stop()
    if code != 0 { throw ExitCode(code) }
}

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The operator dashboard: live tiers, countdowns and who to call (the default).",
        discussion: "Keys: ? shows them all. Example: tierwatch --store /srv/noc/store")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var screen: ScreenOptions

    func run() throws { try openDashboard(global, screen, readOnly: false) }
}

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "The dashboard, read-only: for people who must see but not touch.",
        discussion: "Opens the store's files read-only and creates nothing; works on a store you cannot write to. Example: tierwatch view")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var screen: ScreenOptions

    func run() throws { try openDashboard(global, screen, readOnly: true) }
}
