import Foundation

/// The pieces every medium builds its lines from (the dashboard, the wall,
/// `show`, the postmortem, the report): one wording for each, laid out by
/// the medium (colours, Markdown, columns). `time` writes a time as the
/// medium does (the board's `HH:MM`, the CLI's relative time, ISO-8601).
extension Words {
    /// A bar of `width` cells, `fraction` (0…1; nil: none) of them full.
    public static func bar(_ fraction: Double?, width: Int = 10, full: String = "█", empty: String = "░",
                           rounding: FloatingPointRoundingRule = .down) -> String {
        let filled = min(width, max(0, fraction.map { Int(($0 * Double(width)).rounded(rounding)) } ?? 0))
        return String(repeating: full, count: filled) + String(repeating: empty, count: width - filled)
    }

    /// Who opened, acknowledged and resolved the incident, and when:
    /// `opened by ana 17:50`, `acknowledged by …` (`acked` when `short`), `resolved by …`.
    public static func stamps(_ i: Incident, short: Bool = false, time: (Date) -> String) -> [String] {
        var out = ["opened by \(i.opened.by.sanitized) \(time(i.opened.at))"]
        if let a = i.acknowledged { out.append("\(short ? "acked" : "acknowledged") by \(a.by.sanitized) \(time(a.at))") }
        if let r = i.resolved { out.append("resolved by \(r.by.sanitized) \(time(r.at))") }
        return out
    }

    /// How the last call to a contact went: `no answer by ana 17:52`, the
    /// person it went to when not who is on call now (` (to Bo Diaz)`), and
    /// when they were reached if the last call did not reach them
    /// (`reached 17:40`, after `separator`); `never` when nobody called.
    /// `at` goes before the call's time (`by ana at 17:52`).
    public static func lastCall(_ c: Ladder.ContactStatus, never: String, separator: String, at: String = "", calledTo: Bool = true,
                                time: (Date) -> String) -> String {
        guard let outcome = c.outcome, let when = c.at else {
            // No call to show (the newest was recorded for later), yet reached.
            return c.reachedAt.map { "reached \(time($0))" } ?? never
        }
        var out = "\(outcome.label) by \((c.by ?? "?").sanitized) \(at)\(time(when))"
        if calledTo, let called = c.calledPerson, called.id != c.callee.person?.id { out += " (to \(called.name.sanitized))" }
        if let reached = c.reachedAt, outcome != .reached { out += "\(separator)reached \(time(reached))" }
        return out
    }

    /// What a timeline entry's marks say: recorded later than it happened
    /// (`back-dated, recorded 17:58`), and kept but not applied (`NOT
    /// APPLIED: why`).
    public static func timelineMarks(_ entry: Incident.TimelineEntry, time: (Date) -> String) -> (backdated: String?, notApplied: String?) {
        (entry.isBackdated ? "back-dated, recorded \(time(entry.event.recordedAt))" : nil,
         entry.staleReason.map { "NOT APPLIED: \($0.sanitized)" })
    }
}
