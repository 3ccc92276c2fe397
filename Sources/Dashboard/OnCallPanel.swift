import Escalation
import Foundation
import Surface

/// The key that opens it: `on_call` in the config file's `keys:`.
public extension KeyAction { static let onCall = KeyAction("on_call") }

/// The on-call panel (o): every schedule, who is on call and next.
public struct OnCallPanel: Panel {
    public static let opener = PanelOpener(
        action: .onCall, keys: [.char("o")], help: "who is on call: every schedule, until when, who is next",
        guide: "who is on call: every schedule, the person and number, until when, who is next; a handoff within the hour is marked; overrides in force or to come (any key closes it)")

    public static func open(_ m: Model) -> (OnCallPanel, [Command]) { (OnCallPanel(), []) }

    /// Any key closes it.
    public func handle(_ key: Key, _ m: inout Model) -> (OnCallPanel?, [Command]) { (nil, []) }

    public var keyBar: [(String, String)] { [("any key", "Close")] }

    public func draw(_ f: inout Frame, _ m: Model) { m.drawOnCall(&f) }
}

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
