import Escalation
import Foundation
import Surface

extension Model {
    /// A handoff sooner than this is marked in the on-call view.
    static let handoffSoonSeconds = 3600

    /// Every schedule of the policy in force: who is on call now and their
    /// number, until when (in the schedule's zone and UTC), who is next; a
    /// handoff within the hour is marked; the overrides in force or to come.
    func drawOnCall(_ f: inout Frame) {
        var lines: [(text: String, role: Role)] = []
        switch directory {
        case let .failure(problem):
            lines.append(("The policy file does not parse, so who is on call is unknown:", .error))
            lines.append((problem.message.sanitized, .error))
        case let .success(policy):
            let rows = policy.onCallBoard(at: now, overrides: policies.overrides)
            if rows.isEmpty {
                lines.append(("No on-call schedules in the policy in force.", .normal))
                lines.append(("Add people: and schedules: to policy.yaml (see: tierwatch policy show --example).", .dim))
            }
            for r in rows {
                let sep = glyphs.separator
                guard let p = r.person else {
                    lines.append(("\(r.schedule.name.sanitized): NOBODY ON CALL", .overdue))
                    lines.append(("   until \(r.until.map { Words.localTime($0, zone: r.schedule.zone) } ?? "further notice")\(r.next.map { "\(sep)next \($0.name.sanitized)" } ?? "")", .dim))
                    continue
                }
                let number = p.phone?.sanitized ?? p.email.map { "no number; \($0.sanitized)" } ?? "no number on file"
                let via = r.override.map { " (override \($0.id.sanitized))" } ?? ""
                // The schedule's name gives way first: never the number.
                let title = DisplayWidth.truncate(r.schedule.name.sanitized, to: max(12, (min(f.width - 2, 110) - 6) / 3))
                lines.append(("\(title): \(p.name.sanitized)  \(number)\(via)", p.phone == nil ? .countdownWarning : .normal))
                var second = "   "
                var role = Role.dim
                if let until = r.until {
                    let left = Int(until.timeIntervalSince(now))
                    second += "until \(Words.localTime(until, zone: r.schedule.zone)) (\(Words.until(until, now: now)), in \(Words.span(left)))"
                    if left < Model.handoffSoonSeconds {
                        second = "   \(glyphs.warning) handoff in \(Words.span(left)): " + second.dropFirst(3)
                        role = .countdownWarning
                    }
                }
                if let next = r.next { second += "\(sep)next \(next.name.sanitized) \(next.phone?.sanitized ?? "")" }
                lines.append((second, role))
            }
            let ahead = policies.overrides.filter { $0.matters(after: now) }
            if !ahead.isEmpty {
                lines.append(("", .normal))
                lines.append(("Overrides in force or to come:", .title))
                for o in ahead {
                    let who = (policy.person(o.person) ?? o.snapshot)?.name ?? o.person
                    let state = o.from > now ? "from \(Words.time(o.from, now: now))" : "in force"
                    lines.append(("  \(o.id.sanitized)  \(o.schedule.sanitized): \(who.sanitized)\(o.replacing.map { " for \($0.sanitized)" } ?? "") \(state) until \(Words.time(o.end, now: now)) (by \(o.by?.sanitized ?? "?"))", .normal))
                }
            }
        }
        let w = min(f.width - 2, 110)
        let h = min(f.height - 2, lines.count + 4)
        let r = Rect(x: (f.width - w) / 2, y: max(1, (f.height - h) / 2), width: w, height: h)
        f.fill(r, role: .help)
        box(&f, r, title: "On call now\(glyphs.separator)\(Words.clock(now)) UTC", focused: true)
        for (k, line) in lines.enumerated() where k < r.height - 3 {
            f.put(line.text, x: r.x + 2, y: r.y + 1 + k, role: line.role == .normal ? .help : line.role, limit: r.width - 4)
        }
        if lines.count > r.height - 3 {
            f.put("\(lines.count - (r.height - 3)) more lines: tierwatch oncall lists them all", x: r.x + 2, y: r.maxY - 2, role: .dim, limit: r.width - 4)
        } else {
            f.put("Any key closes this view. Overrides: tierwatch oncall override SCHEDULE --person ID --to +8h", x: r.x + 2, y: r.maxY - 2, role: .dim, limit: r.width - 4)
        }
    }
}

extension Model {
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
