import Escalation
import Foundation
import Surface

/// The key that opens it: `report` in the config file's `keys:`.
public extension KeyAction { static let report = KeyAction("report") }

/// The compliance report panel (R): the last 7, 30 or 90 days (and one
/// customer's), worked out when opened; `cursor` picks one of its worst
/// incidents, which Enter opens.
public struct ReportPanel: Panel {
    public var days: Int
    public var customer: String?
    /// The report's lines as `tierwatch report` prints them; a worst
    /// incident's carries its id.
    public var lines: [ComplianceReport.Line]
    /// The same for a screen too narrow for `lines` (two lines a step).
    public var narrowLines: [ComplianceReport.Line]
    /// The worst incidents' ids, in the order the report lists them.
    public var worst: [String]
    public var cursor: Int
    public var at: Date

    public static let opener = PanelOpener(
        action: .report, keys: [.char("R")], help: "the compliance report (7, 30, 90 days; c customer)",
        guide: "the compliance report (as `tierwatch report`; on a screen too narrow for its table, each step on two lines, numbers first): `7`, `3`, `9` for the last 7, 30 or 90 days, `c` for each customer in turn, `↑`/`↓` and `Enter` to open one of the worst incidents; any other key closes it")

    public static var scrolls: Bool { true }

    public static func open(_ m: Model) -> (ReportPanel, [Command]) { opened(m, days: 7, customer: nil) }

    /// The report of the last `days` days from what is loaded, and the
    /// archive's figures asked for afresh (incidents are archived as the
    /// screen runs); their answer redraws it.
    static func opened(_ m: Model, days: Int, customer: String?) -> (ReportPanel, [Command]) {
        (ReportPanel(m, days: days, customer: customer), [.loadHistory(since: m.now.addingTimeInterval(-Double(days) * 86400))])
    }

    /// The compliance report of the last `days` days, from the incidents
    /// loaded and the archive's figures the loop last gave.
    init(_ m: Model, days: Int, customer: String?) {
        let now = m.now
        let from = now.addingTimeInterval(-Double(days) * 86400)
        var facts = (m.archived.map { a in a.since <= from ? a.facts.filter { $0.opened >= from } : a.facts } ?? []).filter { m.incidents[$0.id] == nil }
        for i in m.incidents.values where i.opened.at >= from { facts.append(IncidentFacts(Board.Entry(i, policies: m.policies, at: now))) }
        let r = ComplianceReport(facts: facts.filter { customer == nil || $0.customer == customer }, from: from, to: now)
        let group = customer.map { "customer \($0)" } ?? "last \(days) days"
        let g = m.glyphs
        let marks = ComplianceReport.Marks(full: String(g.barFull), empty: String(g.barEmpty), ramp: g.sparkline, separator: g.separator, dash: g.dash)
        self.init(days: days, customer: customer, lines: r.lines(group: group, narrow: false, marks: marks),
                  narrowLines: r.lines(group: nil, narrow: true, marks: marks),
                  worst: r.worst.map(\.incident), cursor: 0, at: now)
    }

    init(days: Int, customer: String?, lines: [ComplianceReport.Line], narrowLines: [ComplianceReport.Line], worst: [String], cursor: Int, at: Date) {
        self.days = days
        self.customer = customer
        self.lines = lines
        self.narrowLines = narrowLines
        self.worst = worst
        self.cursor = cursor
        self.at = at
    }

    /// The archive's figures came: the report again, the cursor kept.
    public func refreshed(by message: Message, _ m: Model) -> ReportPanel {
        guard case .history = message else { return self }
        var again = ReportPanel(m, days: days, customer: customer)
        again.cursor = min(cursor, max(0, again.worst.count - 1))
        return again
    }

    /// 7, 3 (30) and 9 (90) days, c for each customer in turn, ↑↓ through
    /// the worst incidents, Enter opens one; any other key closes it.
    public func handle(_ key: Key, _ m: inout Model) -> (ReportPanel?, [Command]) {
        var r = self
        switch key {
        case .char("7"): return ReportPanel.opened(m, days: 7, customer: customer)
        case .char("3"): return ReportPanel.opened(m, days: 30, customer: customer)
        case .char("9"): return ReportPanel.opened(m, days: 90, customer: customer)
        case .char("c"):
            // Every customer in turn, then all of them again.
            let customers = Array(Set(m.incidents.values.compactMap(\.customer))).sorted()
            let next = customer.flatMap { customers.firstIndex(of: $0) }.map { $0 + 1 < customers.count ? customers[$0 + 1] : nil } ?? customers.first
            return (ReportPanel(m, days: days, customer: next), [])
        case .up, .char("k"):
            r.cursor = max(0, cursor - 1)
            return (r, [])
        case .down, .char("j"):
            r.cursor = min(max(0, worst.count - 1), cursor + 1)
            return (r, [])
        case .enter where worst.indices.contains(cursor):
            return (nil, m.openWorst(worst[cursor]))
        default:
            return (nil, [])
        }
    }

    public var keyBar: [(String, String)] { [("7 3 9", "Days"), ("c", "Customer"), ("↑↓", "Worst"), ("Enter", "Open"), ("Esc", "Close")] }

    public func draw(_ f: inout Frame, _ m: Model) { m.drawReport(&f, self) }
}

extension Model {
    /// One of the report's worst incidents, opened: resolved ones are
    /// shown to find it; one archived (resolved over a day ago) is not in
    /// this screen's table, so it opens as a replay, which reads it from the store.
    mutating func openWorst(_ id: String) -> [Command] {
        guard incidents[id] != nil else {
            notice = Notice(text: "\(id) was resolved over a day ago: shown as a replay (Esc returns)", isError: false)
            return [.replay(incident: id)]
        }
        if incidents[id]?.state == .resolved { showResolved = true }
        selectedID = id
        resetDetail()
        return []
    }

    /// The compliance report as `tierwatch report` prints it (on a narrow
    /// screen, two lines a step), with its worst incidents to pick and open.
    func drawReport(_ f: inout Frame, _ r: ReportPanel) {
        let w = min(f.width - 2, 130)
        // The table decides (a long title among the worst is only cut).
        let lines = r.lines.allSatisfy({ $0.incident != nil || DisplayWidth.of($0.text) <= w - 4 }) ? r.lines : r.narrowLines
        // A blank line below the last, as the box always had.
        let h = min(f.height - 2, lines.count + 4)
        let rect = Rect(x: (f.width - w) / 2, y: max(1, (f.height - h) / 2), width: w, height: h)
        f.fill(rect, role: .help)
        box(&f, rect, title: "Compliance\(glyphs.separator)\(r.customer.map { "customer \($0.sanitized)" } ?? "all customers")\(glyphs.separator)last \(r.days) days\(glyphs.separator)as of \(Words.clock(r.at)) UTC", focused: true)
        let picked = r.worst.indices.contains(r.cursor) ? r.worst[r.cursor] : nil
        for (k, line) in lines.enumerated() where k < rect.height - 2 {
            let y = rect.y + 1 + k
            f.put(line.text, x: rect.x + 2, y: y, role: .help, limit: rect.width - 4)
            if let id = line.incident, id == picked { f.restyle(Rect(x: rect.x + 2, y: y, width: rect.width - 4, height: 1), role: .selection) }
        }
    }
}
