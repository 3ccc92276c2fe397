import Surface
import Escalation

/// The characters the screens draw with: Unicode where the locale is UTF-8,
/// plain ASCII where it is not (htop's fallback).
public struct Glyphs: Equatable, Sendable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    public var barFull: Character
    public var barEmpty: Character
    public var done: Character
    public var active: Character
    public var overdue: Character
    public var pending: Character
    /// A tier met after its due time.
    public var late: Character
    /// A tier never met before the incident was resolved.
    public var missed: Character
    /// A tier that never started before the incident was resolved.
    public var notStarted: Character
    public var warning: String
    /// A countdown under the warning threshold, on the wall.
    public var warningMark: Character
    public var separator: String
    /// Marks the next action.
    public var next: Character
    /// A contact called but not reached: no answer.
    public var tried: Character { "~" }  // the same in ASCII
    /// A contact called, a message left on their voicemail: not the same
    /// as no answer (they may call back).
    public var voicemail: Character { self == .ascii ? ">" : "»" }
    /// Joins the parts of a sentence (the next action's).
    public var dash: String { self == .ascii ? " - " : " — " }
    /// A sparkline's eight steps, lowest first.
    public var sparkline: [Character] { Array(self == .ascii ? "._-:=+*#" : "▁▂▃▄▅▆▇█") }
    /// Ends text cut to fit.
    public var ellipsis: Unicode.Scalar { self == .ascii ? "~" : "…" }

    public static let unicode = Glyphs(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└",
                                       bottomRight: "┘", barFull: "█", barEmpty: "░", done: "✓", active: "●",
                                       overdue: "!", pending: "○", late: "≈", missed: "✗", notStarted: "–", warning: "⚠", warningMark: "▲", separator: " · ", next: "▶")
    public static let ascii = Glyphs(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+",
                                     bottomRight: "+", barFull: "#", barEmpty: ".", done: "v", active: "*",
                                     overdue: "!", pending: "o", late: "~", missed: "x", notStarted: "-", warning: "!!", warningMark: "^", separator: " - ", next: ">")

    public func symbol(_ s: Ladder.Status) -> Character {
        switch s {
        case .done: done
        case .active: active
        case .overdue: overdue
        case .pending: pending
        case .late: late
        case .missed: missed
        case .notStarted: notStarted
        }
    }
}

extension Ladder.Status {
    public var role: Role {
        switch self {
        case .done: .done
        case .active: .active
        case .overdue: .overdue
        case .pending: .pending
        case .late: .countdownWarning
        case .missed: .overdue
        case .notStarted: .dim
        }
    }
}

extension Glyphs {
    /// A frame around `r` with its title in the top border: every pane and
    /// overlay of the screens.
    func box(_ f: inout Frame, _ r: Rect, title: String, border: Role, titleRole: Role) {
        guard r.width >= 2, r.height >= 2 else { return }
        for x in r.x + 1..<r.maxX - 1 {
            f.put(String(horizontal), x: x, y: r.y, role: border)
            f.put(String(horizontal), x: x, y: r.maxY - 1, role: border)
        }
        for y in r.y + 1..<r.maxY - 1 {
            f.put(String(vertical), x: r.x, y: y, role: border)
            f.put(String(vertical), x: r.maxX - 1, y: y, role: border)
        }
        f.put(String(topLeft), x: r.x, y: r.y, role: border)
        f.put(String(topRight), x: r.maxX - 1, y: r.y, role: border)
        f.put(String(bottomLeft), x: r.x, y: r.maxY - 1, role: border)
        f.put(String(bottomRight), x: r.maxX - 1, y: r.maxY - 1, role: border)
        f.put(" " + title + " ", x: r.x + 2, y: r.y, role: titleRole, limit: r.width - 4)
    }
}

extension Urgency {
    /// How a countdown of this urgency is drawn in a column.
    public var countdownRole: Role {
        switch self {
        case .normal: .countdownOK
        case .warning: .countdownWarning
        case .breached: .countdownCritical
        }
    }
}
