import Foundation

/// How a note is marked for the handover (`note --handover`).
public enum NoteMark {
    public static let handover = "[handover] "
}

/// What the next shift must know: the open incidents with their owner and
/// next deadline, what is overdue and what falls due within the hour, what
/// the shift opened, resolved and breached, the notes marked for the
/// handover and, with on-call, the handoffs of the next shift. One text for
/// `tierwatch handover` and the dashboard's handover screen (H).
public struct ShiftHandover {
    public let start: Date
    public let now: Date
    public let span: TimeInterval
    public let open: [Board.Entry]
    /// Deadlines within the hour (or already passed) of open incidents.
    public let soon: [(entry: Board.Entry, deadline: Ladder.Deadline)]
    public let opened: [Board.Entry]
    public let resolved: [Board.Entry]
    public let breaches: [(entry: Board.Entry, rung: Ladder.Rung)]
    /// Customer updates that fell due in the shift and came late or not at
    /// all: when each was due and how late it came (nil: not sent yet).
    public let lateUpdates: [(entry: Board.Entry, due: Date, lateSeconds: Int?)]
    public let notes: [(entry: Board.Entry, event: IncidentEvent, text: String)]
    /// The on-call handoffs of the next shift; nil: not known (the policy
    /// in force does not parse), said as such rather than as "none".
    public let handoffs: [(schedule: Schedule, at: Date, person: String?)]?
    private let policy: Policy?

    /// `entries`: the board with resolved incidents; `schedules`: the
    /// policy in force (its schedules and people), nil when it does not parse.
    public init(_ entries: [Board.Entry], span: TimeInterval, now: Date, schedules policy: Policy?, overrides: [Override]) {
        self.now = now
        self.span = span
        self.policy = policy
        start = now.addingTimeInterval(-span)
        let start = self.start
        // Most urgent first, whatever order the entries came in: the
        // dashboard's overlay and the command print the same text.
        let entries = entries.sorted(by: Board.Entry.moreUrgent)
        open = entries.filter { $0.incident.state != .resolved }
        // Every deadline and start in the hour (or passed and unmet), not
        // only each incident's next: a customer update due and the CEO
        // tier's automatic start are the next shift's business too.
        soon = open.flatMap { e in e.ladder.deadlines.filter { $0.at.timeIntervalSince(now) <= 3600 }.map { (e, $0) } }
        opened = entries.filter { $0.incident.opened.at >= start }
        resolved = entries.filter { $0.incident.resolved.map { $0.at >= start } ?? false }
        var breaches: [(entry: Board.Entry, rung: Ladder.Rung)] = []
        for e in entries {
            for r in e.ladder.rungs where ComplianceReport.breached(r, resolvedAt: e.incident.resolved?.at) {
                if let due = r.dueAt, due >= start, due <= now { breaches.append((e, r)) }
            }
        }
        self.breaches = breaches
        var late: [(entry: Board.Entry, due: Date, lateSeconds: Int?)] = []
        for e in entries {
            guard let cadence = e.policy.customerUpdates.map({ Double($0.seconds) }) else { continue }
            let marks = e.incident.customerUpdateMarks
            let end = e.incident.resolved?.at ?? now
            for (a, b) in zip(marks, marks.dropFirst().map(Optional.some) + [nil]) {
                let due = a.addingTimeInterval(cadence)
                guard due >= start, due <= now, due < (b ?? end) else { continue }
                late.append((e, due, b.map { Int($0.timeIntervalSince(due)) }))
            }
        }
        lateUpdates = late
        notes = entries.flatMap { e in
            e.incident.timeline.compactMap { t -> (entry: Board.Entry, event: IncidentEvent, text: String)? in
                guard case let .note(m) = t.event.action, t.event.at >= start, m.hasPrefix(NoteMark.handover) else { return nil }
                return (e, t.event, String(m.dropFirst(NoteMark.handover.count)))
            }
        }
        handoffs = policy.map { policy in
            policy.schedules.flatMap { s in
                s.handoffs(from: now, to: now.addingTimeInterval(span), overrides: overrides).map { (s, $0.at, $0.person) }
            }.sorted { $0.at < $1.at }
        }
    }

    /// Markdown that pastes cleanly into chat or email. `complete`: every
    /// log was read (else it says incidents may be missing).
    /// `warnings`: said in bold under the title (a clock that is off).
    public func markdown(complete: Bool, warnings: [String] = []) -> String {
        let now = self.now
        func t(_ d: Date) -> String { Words.time(d, now: now) }
        var md = "# Shift handover, \(ISOTime.format(start)) to \(ISOTime.format(now))\n\n"
        if !complete { md += "> **Part of the store could not be read: incidents may be missing.**\n\n" }
        for w in warnings { md += "> **\(w)**\n\n" }
        md += "## Open incidents (\(open.count))\n\n"
        md += open.isEmpty ? "None.\n" : open.map { e in
            let i = e.incident
            let owner = i.acknowledged.map { "owner \($0.by.sanitized)" } ?? "**not acknowledged**"
            // Times, not countdowns: the text is read later, elsewhere.
            let due = e.next.deadline.map { d in
                d.at < now ? " (\(Words.overdue(d, e.policy, .long)) since \(t(d.at)))" : " (\(Words.deadline(d, e.policy, .long)) at \(t(d.at)))"
            } ?? ""
            return "- **\(i.id)** \(i.severity.rawValue) \(i.title.sanitized)\(i.customer.map { " (\($0.sanitized))" } ?? "") — \(i.state.rawValue), \(owner). Next: \(Words.nextAction(e, now: now, live: false))\(due)"
        }.joined(separator: "\n") + "\n"
        let overdue = soon.filter { $0.deadline.at < now }.sorted { $0.deadline.at < $1.deadline.at }
        let coming = soon.filter { $0.deadline.at >= now }.sorted { $0.deadline.at < $1.deadline.at }
        if !overdue.isEmpty {
            md += "\n## Overdue now\n\n" + overdue.map { e, d in
                "- **\(e.incident.id)** \(Words.overdue(d, e.policy, .long)) since \(t(d.at))"
            }.joined(separator: "\n") + "\n"
        }
        md += "\n## Due within the hour\n\n"
        md += coming.isEmpty ? "Nothing.\n" : coming.map { e, d in
            "- **\(e.incident.id)** \(Words.deadline(d, e.policy, .long)) at \(t(d.at))"
        }.joined(separator: "\n") + "\n"
        md += "\n## This shift\n\n"
        md += "- Opened: " + (opened.isEmpty ? "none" : opened.map { "\($0.incident.id) (\($0.incident.title.sanitized))" }.joined(separator: ", ")) + "\n"
        md += "- Resolved: " + (resolved.isEmpty ? "none" : resolved.map { e in
            "\(e.incident.id) after \(Words.span(Int(e.incident.resolved!.at.timeIntervalSince(e.incident.opened.at))))"
        }.joined(separator: ", ")) + "\n"
        let breachTexts = breaches.map { e, r in "\(e.incident.id) T\(r.index) \(r.tier.name.sanitized) (\(Words.status(r.status)))" }
            + lateUpdates.map { e, due, late in
                "\(e.incident.id) customer update due \(t(due)) (\(late.map { "sent \(Words.span($0)) late" } ?? "not sent"))"
            }
        md += "- Breaches: " + (breachTexts.isEmpty ? "none" : breachTexts.joined(separator: ", ")) + "\n"
        if !notes.isEmpty {
            md += "\n## Notes for the next shift\n\n" + notes.map { e, ev, text in "- **\(e.incident.id)** \(text.sanitized) — \(ev.operatorName.sanitized), \(t(ev.at))" }.joined(separator: "\n") + "\n"
        }
        if let handoffs, !handoffs.isEmpty {
            md += "\n## On-call handoffs in the next \(Words.span(Int(span)))\n\n" + handoffs.map { s, at, who in
                "- \(s.name.sanitized): \((who.flatMap { policy?.person($0)?.name } ?? who ?? "nobody").sanitized) from \(Words.localTime(at, zone: s.zone)) (\(t(at)))"
            }.joined(separator: "\n") + "\n"
        } else if handoffs == nil {
            md += "\n## On-call handoffs in the next \(Words.span(Int(span)))\n\n**Not known: the policy file does not parse, so its schedules cannot be read (`tierwatch policy check` says where).**\n"
        }
        return md
    }
}
