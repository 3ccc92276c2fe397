import Escalation
import Foundation
import Surface

/// The compliance report overlay (R): what it shows, its keys, its drawing.
extension Model {
    /// The compliance report of the last `days` days, for the overlay.
    func reportView(days: Int, customer: String?) -> ReportView {
        let from = now.addingTimeInterval(-Double(days) * 86400)
        var facts = (archived.map { a in a.since <= from ? a.facts.filter { $0.opened >= from } : a.facts } ?? []).filter { incidents[$0.id] == nil }
        for i in incidents.values where i.opened.at >= from { facts.append(IncidentFacts(Board.Entry(i, policies: policies, at: now))) }
        let r = ComplianceReport(facts: facts.filter { customer == nil || $0.customer == customer }, from: from, to: now)
        let group = customer.map { "customer \($0)" } ?? "last \(days) days"
        func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        return ReportView(days: days, customer: customer, lines: lines(r.text(group: group)), narrowLines: lines(r.narrowText()),
                          worst: r.worst.map(\.incident), cursor: 0, at: now)
    }

    /// The report of the last `days` days from what is loaded, and the
    /// archive's figures asked for afresh (incidents are archived as the
    /// screen runs); their answer redraws it.
    mutating func openReport(days: Int, customer: String?) -> [Command] {
        overlay = .report(reportView(days: days, customer: customer))
        return [.loadHistory(since: now.addingTimeInterval(-Double(days) * 86400))]
    }

    /// The report: 7, 3 (30) and 9 (90) days, c for each customer in turn,
    /// ↑↓ through the worst incidents, Enter opens one; any other key closes it.
    mutating func handleReport(_ key: Key, _ report: ReportView) -> [Command] {
        var r = report
        switch key {
        case .char("7"): return openReport(days: 7, customer: r.customer)
        case .char("3"): return openReport(days: 30, customer: r.customer)
        case .char("9"): return openReport(days: 90, customer: r.customer)
        case .char("c"):
            // Every customer in turn, then all of them again.
            let customers = Array(Set(incidents.values.compactMap(\.customer))).sorted()
            let next = r.customer.flatMap { customers.firstIndex(of: $0) }.map { $0 + 1 < customers.count ? customers[$0 + 1] : nil } ?? customers.first
            self.overlay = .report(reportView(days: r.days, customer: next))
        case .up, .char("k"):
            r.cursor = max(0, r.cursor - 1)
            self.overlay = .report(r)
        case .down, .char("j"):
            r.cursor = min(max(0, r.worst.count - 1), r.cursor + 1)
            self.overlay = .report(r)
        case .enter where r.worst.indices.contains(r.cursor):
            // Open the worst incident: resolved ones are shown to find it.
            let id = r.worst[r.cursor]
            self.overlay = nil
            // Archived (resolved over a day ago): not in this screen's
            // table, so it opens as a replay, which reads it from the store.
            guard incidents[id] != nil else {
                notice = Notice(text: "\(id) was resolved over a day ago: shown as a replay (Esc returns)", isError: false)
                return [.replay(incident: id)]
            }
            if incidents[id]?.state == .resolved { showResolved = true }
            selectedID = id
            resetDetail()
            self.overlay = nil
        default:
            self.overlay = nil
        }
        return []
    }

    /// The compliance report as `tierwatch report` prints it (on a narrow
    /// screen, two lines a step), with its worst incidents to pick and open.
    func drawReport(_ f: inout Frame, _ r: ReportView) {
        let w = min(f.width - 2, 130)
        // The table decides (a long title among the worst is only cut).
        let table = r.lines.prefix { $0 != ComplianceReport.worstHeading }
        let lines = table.allSatisfy({ DisplayWidth.of($0) <= w - 4 }) ? r.lines : r.narrowLines
        let h = min(f.height - 2, lines.count + 3)
        let rect = Rect(x: (f.width - w) / 2, y: max(1, (f.height - h) / 2), width: w, height: h)
        f.fill(rect, role: .help)
        box(&f, rect, title: "Compliance\(glyphs.separator)\(r.customer.map { "customer \($0.sanitized)" } ?? "all customers")\(glyphs.separator)last \(r.days) days\(glyphs.separator)as of \(Words.clock(r.at)) UTC", focused: true)
        var worstRow = 0
        var inWorst = false
        for (k, line) in lines.enumerated() where k < rect.height - 2 {
            let y = rect.y + 1 + k
            // The worst incidents' lines follow "Worst:", each two spaces and an id.
            let isWorst = inWorst && r.worst.indices.contains(worstRow) && line.hasPrefix("  \(r.worst[worstRow])  ")
            if line == ComplianceReport.worstHeading { inWorst = true }
            f.put(line, x: rect.x + 2, y: y, role: .help, limit: rect.width - 4)
            if isWorst {
                if worstRow == r.cursor { f.restyle(Rect(x: rect.x + 2, y: y, width: rect.width - 4, height: 1), role: .selection) }
                worstRow += 1
            }
        }
    }
}
