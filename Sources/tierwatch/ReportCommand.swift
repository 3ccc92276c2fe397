import ArgumentParser
import Escalation
import Foundation
import IncidentStore

/// `tierwatch report`: did we keep our promise?
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Compliance: per step how often its deadline was met, late or missed; updates; MTTA, MTTR.",
        discussion: """
        Over the incidents opened in the period. MTTA: opening to first acknowledgement (those
        never acknowledged are counted apart); MTTR: opening to resolution (resolved ones only).
        Examples: tierwatch report --since 30d · tierwatch report --by customer --csv > report.csv
        """)
    enum Group: String, ExpressibleByArgument, CaseIterable { case customer, severity, tier, week, month }

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("The period up to now: 7d, 30d, 90d.", valueName: "span")) var since = "30d"
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Start of the period (ISO-8601, or -30d); instead of --since.", valueName: "when")) var from: String?
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("End of the period (default now).", valueName: "when")) var to: String?
    @Option(name: .long, help: "Only this customer's incidents.") var customer: String?
    @Option(name: .long, help: "One report per customer, severity, tier (the furthest tier each incident reached), week or month.") var by: Group?
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Flag(name: .long, help: "Print CSV: one row per step (and group).") var csv = false

    func run() throws {
        let ctx = try Context(global)
        let health = try ctx.readStore()
        let now = ctx.now
        let end = try to.map { t -> Date in
            guard let d = When.parse(t, now: now) else { throw CLIError.usage("--to '\(t.sanitized)': not a time") }
            return d
        } ?? now
        let start: Date
        if let from {
            guard let d = When.parse(from, now: now) else { throw CLIError.usage("--from '\(from.sanitized)': not a time") }
            start = d
        } else {
            guard let s = When.span(since), s > 0 else { throw CLIError.usage("--since '\(since.sanitized)': a span such as 7d, 30d or 12h") }
            start = end.addingTimeInterval(-Double(s))
        }
        guard start < end else { throw CLIError.usage("the period is empty: --from must be before --to") }
        // Incidents resolved long ago count as the archive kept them (see
        // `IncidentFacts`): a year's report reads no event. When the
        // checkpoint's figures do not read back, the store is read in full.
        var facts = ctx.store.state.complianceFacts(openedFrom: start, to: end, now: now)
        if facts == nil {
            ctx.store.readInFull(because: "the checkpoint's report figures could not be read")
            facts = ctx.store.state.complianceFacts(openedFrom: start, to: end, now: now)
        }
        guard let found = facts else { throw CLIError(message: "the report's figures could not be read from the store's logs", exitCode: 1) }
        let all = found.filter { customer == nil || $0.customer == customer }
        func grouped(_ key: (IncidentFacts) -> String) -> [(name: String, facts: [IncidentFacts])] {
            Dictionary(grouping: all, by: key).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        let groups: [(name: String, facts: [IncidentFacts])]
        switch by {
        case nil: groups = [("all", all)]
        case .customer?: groups = grouped { $0.customer ?? "-" }
        case .severity?: groups = grouped { $0.severity.rawValue }
        case .tier?: groups = grouped(\.furthestTierLabel)
        case .week?: groups = grouped { String(ISOTime.format(ComplianceReport.monday($0.opened)).prefix(10)) }
        case .month?: groups = grouped { String(ISOTime.format($0.opened).prefix(7)) }
        }
        let reports = groups.map { ($0.name, ComplianceReport(facts: $0.facts, from: start, to: end)) }.filter { by == nil || $0.1.incidents > 0 }
        // Figures resting on a clock that is off are marked (the incidents
        // in memory: a clock's evidence is its recent records).
        let marks = ctx.clockMarks()
        let touched = Set(all.filter { f in ctx.store.state.incidents[f.id].map(marks.touches) ?? false }.map(\.id))
        if json {
            printJSON(.array(reports.map { name, r in
                let incidents = groups.first { $0.name == name }.map { $0.facts.map(\.id).filter(touched.contains).sorted() } ?? []
                return Wire.value(r.wire(group: by == nil ? nil : name, clocks: marks.reading.wire(incidents: incidents)))
            }))
        } else if csv {
            var rows = ["group,step,rule,reached,met,late,missed,late_p50_s,late_p90_s,late_max_s"]
            for (name, r) in reports {
                for s in r.steps {
                    let l = s.lateness
                    let p50: String = ComplianceReport.percentile(l, 50).map { String($0) } ?? ""
                    let p90: String = ComplianceReport.percentile(l, 90).map { String($0) } ?? ""
                    let most: String = l.max().map { String($0) } ?? ""
                    let fields: [String] = [name, s.tierID, s.rule, String(s.reached), String(s.met), String(s.late), String(s.missed), p50, p90, most]
                    rows.append(fields.map(Report.csvField).joined(separator: ","))
                }
            }
            print(rows.joined(separator: "\n"))
        } else {
            for (name, r) in reports {
                let ids = groups.first { $0.name == name }.map { $0.facts.map(\.id).filter(touched.contains) } ?? []
                if let note = marks.note(ids) { print(note + "\n") }
                print(Report.complianceText(r, group: by == nil ? nil : name, now: now))
            }
        }
        try ctx.finish(health)
    }
}

/// `tierwatch handover`: what the next shift must know, in Markdown.
struct HandoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handover", abstract: "What the next shift must know: open incidents, what falls due, what happened, notes.",
        discussion: "Markdown that pastes into chat or email. Notes marked with `note --handover` are listed. Example: tierwatch handover --since 8h")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("The shift that ends now: 8h, 12h.", valueName: "span")) var since = "8h"
    @Flag(name: .long, help: "Print JSON instead of Markdown.") var json = false

    func run() throws {
        let ctx = try Context(global)
        guard let span = When.span(since), span > 0 else { throw CLIError.usage("--since '\(since.sanitized)': a span such as 8h or 12h") }
        // A shift of a day or less needs nothing the archive holds.
        if TimeInterval(span) > Context.archiveAfter { ctx.keepWholeHistory() }
        let health = try ctx.readStore()
        let now = ctx.now
        let state = ctx.store.state
        let entries = Board(state.incidents, policies: state.policies, now: now, includeResolved: true).entries
        // A policy that does not parse: the handoffs are said to be unknown
        // (and readStore warned of it), not "none".
        let handover = ShiftHandover(entries, span: TimeInterval(span), now: now, schedules: try? ctx.policyInForce().policy,
                                     overrides: state.policies.overrides)
        let marks = ctx.clockMarks()
        let touched = entries.filter { marks.touches($0.incident) }.map(\.incident.id)
        if json {
            printJSON(Wire.value(handover.wire(clocks: marks.reading.wire(incidents: touched.sorted()))))
            return try ctx.finish(health)
        }
        print(handover.markdown(complete: health.isComplete, warnings: [marks.note(touched)].compactMap { $0 }), terminator: "")
        try ctx.finish(health)
    }
}

extension Report {
    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func complianceText(_ r: ComplianceReport, group: String?, now: Date) -> String { r.text(group: group) }

    /// `export ID --markdown`: the incident for a postmortem.
    /// Times recorded by a host whose clock is off (`marks`) are marked ▲.
    static func postmortem(_ e: Board.Entry, now: Date, marks: ClockMarks? = nil) -> String {
        let i = e.incident
        var md = "# \(i.id): \(i.title.sanitized)\n\n"
        md += "- Customer: \(i.customer?.sanitized ?? "-"), severity \(i.severity.rawValue), policy \(e.policy.name.sanitized) v\(e.policy.version)\n"
        md += "- O" + Words.stamps(i) { "at " + ISOTime.format($0) }.joined(separator: "; ").dropFirst()
        if let r = i.resolved { md += " (after \(Words.span(Int(r.at.timeIntervalSince(i.opened.at)))))" }
        md += "\n\n## Escalation\n\n| tier | status | started | due | met |\n|---|---|---|---|---|\n"
        for r in e.ladder.rungs {
            md += "| T\(r.index) \(r.tier.name.sanitized) | \(Words.status(r.status))\(r.lateSeconds.map { " by \(Words.span($0))" } ?? "") | \(r.isStarted ? r.startAt.map { ISOTime.format($0) } ?? "-" : "-") | \(r.dueAt.map { ISOTime.format($0) } ?? "-") | \(r.metAt.map { ISOTime.format($0) } ?? "-") |\n"
        }
        md += "\n## Who was called\n\n"
        for r in e.ladder.rungs where !r.contacts.isEmpty {
            for c in r.contacts {
                let who = c.calledPerson.map { "\($0.name.sanitized) (\(c.contact.name.sanitized))" } ?? c.contact.name.sanitized
                md += "- T\(r.index) \(who): " + Words.lastCall(c, never: "not called", separator: "; ", at: "at ", calledTo: false) { ISOTime.format($0) } + "\n"
            }
        }
        md += "\n## Timeline\n\n"
        if let marks, marks.touches(i) {
            md += "> **Times marked ▲ were recorded by a host whose clock is off — \(marks.described): they are shown as recorded and may be off by as much.**\n\n"
        }
        md += "| happened | recorded | who | what |\n|---|---|---|---|\n"
        for t in i.timeline {
            let ev = t.event
            let notApplied = Words.timelineMarks(t) { ISOTime.format($0) }.notApplied
            let what = (ev.summary(policy: e.policy, customer: i.customer) + (notApplied.map { " — " + $0 } ?? "")).replacingOccurrences(of: "|", with: "\\|")
            let mark = marks?.hosts.contains(ev.id.host) == true ? "▲" : ""
            md += "| \(ISOTime.format(ev.at))\(mark) | \(ISOTime.format(ev.recordedAt))\(mark) | \(ev.operatorName.sanitized) | \(what) |\n"
        }
        return md
    }
}
