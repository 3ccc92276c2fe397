import Escalation
import Foundation
import Surface

/// The key that opens it: `handover` in the config file's `keys:`.
public extension KeyAction { static let handover = KeyAction("handover") }

/// The shift handover panel (H): the last 8 hours as `tierwatch handover`
/// prints it, worked out when opened, scrolled by `scroll` lines.
public struct HandoverPanel: Panel {
    public var lines: [String]
    public var scroll: Int
    public var at: Date

    public static let opener = PanelOpener(
        action: .handover, keys: [.char("H")], help: "the shift handover",
        guide: "the shift handover of the last 8 hours (the text `tierwatch handover` prints; `↑`/`↓`, `PgUp`/`PgDn` scroll, any other key closes it)",
        joins: .replay)

    public static var scrolls: Bool { true }

    public static func open(_ m: Model) -> (HandoverPanel, [Command]) {
        (HandoverPanel(lines: m.handoverLines(), scroll: 0, at: m.now), [])
    }

    /// The handover scrolls as far as its last line is at the bottom; any other key closes it.
    public func handle(_ key: Key, _ m: inout Model) -> (HandoverPanel?, [Command]) {
        let page = HandoverPage(lines, width: m.screenWidth, height: m.screenHeight)
        let step = max(1, page.rows - 1)
        var next = self
        switch key {
        case .up, .char("k"): next.scroll = page.clamp(scroll - 1)
        case .down, .char("j"): next.scroll = page.clamp(scroll + 1)
        case .pageUp: next.scroll = page.clamp(scroll - step)
        case .pageDown: next.scroll = page.clamp(scroll + step)
        default: return (nil, [])
        }
        return (next, [])
    }

    public var keyBar: [(String, String)] { [("↑↓ PgUp PgDn", "Scroll"), ("any key", "Close")] }

    public func draw(_ f: inout Frame, _ m: Model) { m.drawHandover(&f, lines, scroll: scroll, at: at) }
}

extension Model {
    /// The shift handover of the last 8 hours, as `tierwatch handover` prints it.
    func handoverLines() -> [String] {
        let entries = incidents.values.map { Board.Entry($0, policies: policies, at: now) }
        let text = ShiftHandover(entries, span: Model.handoverSpan, now: now, schedules: try? directory.get(), overrides: policies.overrides)
            .markdown(complete: !alarm.isBlind)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static let handoverSpan: TimeInterval = 8 * 3600

    /// The shift handover as `tierwatch handover` prints it, scrolled.
    func drawHandover(_ f: inout Frame, _ lines: [String], scroll: Int, at: Date) {
        let page = HandoverPage(lines, width: f.width, height: f.height)
        let rect = page.rect
        f.fill(rect, role: .help)
        box(&f, rect, title: "Shift handover\(glyphs.separator)last 8 hours\(glyphs.separator)as of \(Words.clock(at)) UTC\(glyphs.separator)tierwatch handover prints it", focused: true)
        let top = page.clamp(scroll)
        for (k, line) in page.lines.dropFirst(top).enumerated() where k < page.rows {
            f.put(line, x: rect.x + 2, y: rect.y + 1 + k, role: line.hasPrefix("#") ? .title : .help, limit: rect.width - 4)
        }
        let below = page.lines.count - top - page.rows
        var where_ = below > 0 ? "↓ \(below) more line\(below == 1 ? "" : "s") (↑ ↓ PgUp PgDn)" : top > 0 ? "end (↑ PgUp back)" : ""
        if !where_.isEmpty { where_ += glyphs.separator }
        f.put("\(where_)any other key closes", x: rect.x + 2, y: rect.y + rect.height - 2, role: .dim, limit: rect.width - 4)
    }
}

/// The handover overlay's page on a screen of a given size: its box, its
/// lines wrapped to the box (a long line continues, indented, never cut),
/// and how far it scrolls. The view and the keys read the same page.
struct HandoverPage {
    let rect: Rect
    let lines: [String]
    /// Text rows inside the box (the last row holds the hint).
    let rows: Int

    init(_ text: [String], width: Int, height: Int) {
        let w = max(10, min(width - 2, 130))
        lines = text.flatMap { line -> [String] in
            guard DisplayWidth.of(line) > w - 4 else { return [line] }
            let indent = String(line.prefix { $0 == " " }) + "  "
            let body = DisplayWidth.wrap(line, to: w - 4)
            return [body[0]] + DisplayWidth.wrap(body.dropFirst().joined(separator: " "), to: max(8, w - 4 - indent.count)).map { indent + $0 }
        }
        let h = max(4, min(height - 2, lines.count + 3))
        rect = Rect(x: max(0, (min(width, Int.max / 2) - w) / 2), y: max(1, (min(height, Int.max / 2) - h) / 2), width: w, height: h)
        rows = h - 3
    }

    /// A scroll position the page can show: the last line never leaves the bottom.
    func clamp(_ scroll: Int) -> Int { max(0, min(scroll, lines.count - rows)) }
}
