import ArgumentParser
import Dashboard
import Surface
import Foundation
import IncidentStore
import Escalation
import Terminal
import Serve

/// Options of every screen: the theme and how the store is watched.
struct ScreenOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A theme name (default, wall, monochrome, light) or a theme file (else $TIERWATCH_THEME; else light when the terminal says its background is light (asked with OSC 11; else $COLORFGBG), default otherwise). Every colour theme paints its own background.", valueName: "theme"))
    var theme: String?

    @OptionGroup var watching: WatchOptions

    @Flag(name: .long, inversion: .prefixedNo, help: "Take clicks and the wheel (default: config mouse, else on); --no-mouse leaves the terminal's own text selection.")
    var mouse: Bool?

    /// Whether the screen asks for mouse reports.
    var wantsMouse: Bool { mouse ?? Settings.config.bool("mouse") ?? true }

    func loadTheme(environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> (Theme, Bool) {
        let name = theme ?? env["TIERWATCH_THEME"].flatMap { $0.isEmpty ? nil : $0 } ?? ScreenOptions.themeForBackground(env, asked: TerminalBackground.query(environment: env))
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

extension ScreenOptions {
    /// The theme that matches the terminal's background when none is named:
    /// the colour the terminal gave when asked (OSC 11), else `COLORFGBG`
    /// ("15;0": foreground;background, set by rxvt, Konsole and others) with
    /// a light background (7 or 15) means the light theme. Both themes paint
    /// their own background, so a wrong guess is only a look.
    static func themeForBackground(_ env: [String: String], asked: TerminalBackground.RGB? = nil) -> String {
        if let asked { return asked.isLight ? "light" : "default" }
        guard let value = env["COLORFGBG"], let bg = value.split(separator: ";").last.flatMap({ Int($0) }) else { return "default" }
        return [7, 15].contains(bg) ? "light" : "default"
    }
}

/// Opens the dashboard; `readOnly` is the viewer.
func openDashboard(_ global: GlobalOptions, _ screen: ScreenOptions, readOnly: Bool, bell: Bool = false) throws {
    try openScreen(global, screen, writesHeartbeat: !readOnly) { ctx, terminal in
        var m = Model(now: ctx.now, storePath: ctx.store.path, operatorName: ctx.operatorName, readOnly: readOnly,
                      glyphs: terminal.isUTF8 ? .unicode : .ascii, localOffsetSeconds: TimeZone.current.secondsFromGMT())
        m.bell = bell
        m.bindings = Settings.bindings
        return m
    }
}

/// Starts the terminal and runs a screen on the store until it quits.
func openScreen(_ global: GlobalOptions, _ options: ScreenOptions, writesHeartbeat: Bool = false, speech: Speaker.Output? = nil,
                _ make: (Context, Terminal) -> any Screen) throws {
    if let speech, let why = Speaker.problem(speech) { throw CLIError.usage(why) }
    let ctx = try Context(global)
    let (theme, noColor) = try options.loadTheme()
    let follower = try options.watching.follower(for: ctx.store)
    let terminal: Terminal
    do {
        terminal = try Terminal(theme: theme, noColor: noColor, mouse: options.wantsMouse)
    } catch {
        throw CLIError.usage("\(error)")
    }
    let speaker = speech.map { Speaker($0, wake: { SignalPipe.wakeLoop() }) }
    let loop = ScreenLoop(ctx: ctx, follower: follower, terminal: terminal, screen: make(ctx, terminal), writesHeartbeat: writesHeartbeat, speaker: speaker)
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
    @Flag(name: .long, inversion: .prefixedNo, help: "Ring the bell (or flash) for a new incident or a new breach (default: config bell, else off).")
    var bell: Bool?

    func run() throws { try openDashboard(global, screen, readOnly: false, bell: bell ?? Settings.config.bool("bell") ?? false) }
}

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "The dashboard, read-only: for people who must see but not touch.",
        discussion: "Opens the store's files read-only and creates nothing; works on a store you cannot write to. Example: tierwatch view")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var screen: ScreenOptions
    @Flag(name: .long, inversion: .prefixedNo, help: "Ring the bell (or flash) for a new incident or a new breach (default: config bell, else off).")
    var bell: Bool?

    func run() throws { try openDashboard(global, screen, readOnly: true, bell: bell ?? Settings.config.bool("bell") ?? false) }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "An incident as the NOC saw it at any past minute: the dashboard with the clock at that instant.",
        discussion: """
        Only what was recorded by then is shown; an action recorded late appears when it was recorded, with its \
        back-dated time. Read-only. Keys: ← → one minute, Shift-← → ten, [ ] previous or next event, 0-9 a tenth \
        of the incident's life, space plays at 60x, Esc or q quits. In the dashboard, P replays the selected \
        incident. Example: tierwatch replay K3F9 --at 2026-11-30T03:12:00Z
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var screen: ScreenOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The instant to start at: -2h, '90m ago', or ISO-8601 (default: when it was opened).", valueName: "when"))
    var at: String?

    func run() throws {
        // The id and the instant are checked before the terminal is taken.
        let check = try Context(global)
        let incident = try check.incident(id)
        let instant = try check.parseWhen(at)
        try openScreen(global, screen) { ctx, terminal in
            ctx.store.refresh()
            let state = ctx.store.state
            let events = state.incident(incident.id).map { Array($0.events) } ?? Array(incident.events)
            let template = Model(now: ctx.now, storePath: ctx.store.path, operatorName: ctx.operatorName, readOnly: true,
                                 glyphs: terminal.isUTF8 ? .unicode : .ascii, localOffsetSeconds: TimeZone.current.secondsFromGMT())
            return Replay(events: events, onCall: state.policies.onCall.events, directory: state.policies.directory, at: instant,
                          now: ctx.now, template: template, returnsToLive: false)
        }
    }
}

struct WallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wall",
        abstract: "The NOC wall display: the most urgent countdown in big digits, every active incident below.",
        discussion: "Read-only. Keys: q quit, space pause rotation, m mute speech, ? help. Example: tierwatch wall --theme wall --rotate 10s --bell --speak")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var screen: ScreenOptions
    @Option(name: .long, help: ArgumentHelp("Cycle the big panel through the urgent incidents this often, e.g. 10s (off: not at all, whatever the config file says).", valueName: "interval"))
    var rotate: String?
    @Option(name: .long, help: ArgumentHelp("A countdown under this is a warning (default 2m; config wall.warning).", valueName: "duration"))
    var warning: String?
    @Flag(name: .long, inversion: .prefixedNo, help: "Ring the bell (or flash) once for each breach (default: config wall.bell, else off).")
    var bell: Bool?
    @Flag(name: .long, help: "Say each new breach aloud (espeak-ng), again every --speak-every while not acknowledged; m mutes for 15 minutes.")
    var speak = false
    @Option(name: .long, help: ArgumentHelp("With --speak: say a breach again this often while nobody acknowledged it (default 5m).", valueName: "duration"))
    var speakEvery: String?
    @Option(name: .long, help: ArgumentHelp("Write each announcement as a WAV file (and its text, .txt) here instead of playing it (implies --speak).", valueName: "dir"))
    var speakTo: String?
    @Option(name: .long, help: ArgumentHelp("Say announcements through this shell command instead (a PA system): the text on its stdin and in $TIERWATCH_SPEECH (implies --speak).", valueName: "command"))
    var speakCommand: String?

    func run() throws {
        let warning = warning ?? Settings.config.string("wall.warning") ?? "2m"
        guard let warn = TimeSpan(parsing: warning), warn.seconds > 0 else {
            throw CLIError.usage("--warning '\(warning)': write a duration such as 90s, 2m or 5m")
        }
        var every: TimeInterval?
        if let rotate = rotate ?? Settings.config.string("wall.rotate"), rotate != "off" {
            guard let r = TimeSpan(parsing: rotate), r.seconds >= 1 else {
                throw CLIError.usage("--rotate '\(rotate)': write a duration such as 10s or 1m")
            }
            every = TimeInterval(r.seconds)
        }
        let output: Speaker.Output? = speakTo.map { .files(directory: $0) } ?? speakCommand.map { .command($0) } ?? (speak ? .audio : nil)
        var speech: Wall.Speech?
        if output != nil {
            let text = speakEvery ?? "5m"
            guard let every = TimeSpan(parsing: text), every.seconds >= 30 else {
                throw CLIError.usage("--speak-every '\(text.sanitized)': write a duration of at least 30s, such as 5m")
            }
            speech = Wall.Speech(repeatEvery: TimeInterval(every.seconds))
        }
        try openScreen(global, screen, speech: output) { ctx, terminal in
            var wall = Wall(now: ctx.now, glyphs: terminal.isUTF8 ? .unicode : .ascii, warningSeconds: warn.seconds, rotateEvery: every,
                            bell: bell ?? Settings.config.bool("wall.bell") ?? false)
            wall.speech = speech
            return wall
        }
    }
}
