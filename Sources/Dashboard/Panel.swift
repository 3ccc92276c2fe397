import Escalation
import Foundation
import Surface

/// A panel over the board: the on-call view, the compliance report, the
/// shift handover. One file holds all of a panel: what it holds, the key
/// that opens it (its action, the keys it ships with, its help), its keys
/// and key bar while it is open, what the wheel does, and its drawing.
/// Adding one is that file (with its `KeyAction`) and its line in
/// `Panels.all`; the key handling, the key bar, the mouse, the help screen,
/// the guide's key table and the config's `keys:` take it from there.
///
/// A panel is a value: `handle` answers with the panel after the key (nil
/// closes it) and the commands to run; data it needs from outside comes
/// as a command's answer, a message, through `refreshed`.
public protocol Panel: Equatable, Sendable {
    /// The action that opens it, its keys as shipped and its help.
    static var opener: PanelOpener { get }
    /// Whether the wheel scrolls it (as ↑ and ↓); if not, a click closes it.
    static var scrolls: Bool { get }
    /// Opened from the board: the panel, and commands whose answers fill it in.
    static func open(_ m: Model) -> (Self, [Command])
    /// A key while it is open: the panel after it (nil closes it) and what
    /// to do; the board may change too (the report's Enter selects an incident).
    func handle(_ key: Key, _ m: inout Model) -> (Self?, [Command])
    /// The panel redone with what a message brought (the default: as it is).
    func refreshed(by message: Message, _ m: Model) -> Self
    /// The key bar while it is open.
    var keyBar: [(String, String)] { get }
    func draw(_ f: inout Frame, _ m: Model)
}

/// How a panel is opened, and how the help screen and the guide name it.
public struct PanelOpener: Sendable {
    public let action: KeyAction
    public let keys: [Key]
    /// The help screen's line.
    public let help: String
    /// The guide's key table's cell (Markdown).
    public let guide: String
    /// Shown on another action's help line, after it (" · "), rather than
    /// on a line of its own.
    public let joins: KeyAction?

    public init(action: KeyAction, keys: [Key], help: String, guide: String, joins: KeyAction? = nil) {
        self.action = action
        self.keys = keys
        self.help = help
        self.guide = guide
        self.joins = joins
    }
}

extension Panel {
    public static var scrolls: Bool { false }
    public func refreshed(by message: Message, _ m: Model) -> Self { self }
    func isEqual(_ other: any Panel) -> Bool { (other as? Self) == self }
}

/// Every panel, in the order the help lists those on a line of their own.
enum Panels {
    static let all: [any Panel.Type] = [OnCallPanel.self, ReportPanel.self, HandoverPanel.self]

    static func opened(by action: KeyAction) -> (any Panel.Type)? { all.first { $0.opener.action == action } }
}

/// The panel open over the board, as the model holds it.
public struct OpenPanel: Equatable, Sendable {
    public let value: any Panel

    init(_ value: any Panel) { self.value = value }

    public static func == (a: OpenPanel, b: OpenPanel) -> Bool { a.value.isEqual(b.value) }

    var keyBar: [(String, String)] { value.keyBar }
    var scrolls: Bool { type(of: value).scrolls }
    func draw(_ f: inout Frame, _ m: Model) { value.draw(&f, m) }
}

extension Model {
    /// The open panel, if it is one of type `P`.
    public func panel<P: Panel>(_ type: P.Type) -> P? {
        if case let .panel(p)? = overlay { return p.value as? P }
        return nil
    }

    mutating func open(_ panel: any Panel.Type) -> [Command] {
        func opening<P: Panel>(_ type: P.Type) -> (OpenPanel, [Command]) {
            let (p, commands) = type.open(self)
            return (OpenPanel(p), commands)
        }
        let (p, commands) = opening(panel)
        overlay = .panel(p)
        return commands
    }

    mutating func handle(_ key: Key, in panel: OpenPanel) -> [Command] {
        func step<P: Panel>(_ p: P) -> (OpenPanel?, [Command]) {
            let (next, commands) = p.handle(key, &self)
            return (next.map { OpenPanel($0) }, commands)
        }
        let (next, commands) = step(panel.value)
        overlay = next.map { .panel($0) }
        return commands
    }

    /// The open panel, redone with what `message` brought.
    mutating func refreshPanel(_ message: Message) {
        guard case let .panel(p)? = overlay else { return }
        func redo<P: Panel>(_ p: P) -> OpenPanel { OpenPanel(p.refreshed(by: message, self)) }
        overlay = .panel(redo(p.value))
    }
}
