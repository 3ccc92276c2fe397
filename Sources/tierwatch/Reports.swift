import ArgumentParser
import Dashboard
import Surface
import Escalation
import Foundation
import IncidentStore

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List open incidents, most urgent first, with their next deadline.",
        discussion: "Example: tierwatch list --all --json")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Include resolved incidents.") var all = false
    @Flag(name: .long, help: "Print JSON: an array of incidents.") var json = false

    func run() throws {
        let ctx = try Context(global)
        if all { ctx.keepWholeHistory() }
        let health = try ctx.readStore()
        let now = ctx.now
        let entries = Board(ctx.store.state.incidents, policies: ctx.store.state.policies, now: now, includeResolved: all).entries
        if json {
            // Written as it is made, on every core: a year of incidents is
            // never one tree or one text.
            JSONText.writeArray(entries, value: { $0.json(now: now) }) { FileHandle.standardOutput.write($0) }
            FileHandle.standardOutput.write(Data("\n".utf8))
            return try ctx.finish(health)
        }
        Report.warnings(ctx.store)
        guard !entries.isEmpty else {
            // "All clear" only when every log was read.
            if !health.isComplete {
                print("No open incidents in what could be read; part of the store could not be read (see above).")
            } else if !health.hasEvents {
                print("No incidents recorded in \(ctx.store.path.sanitized) yet.")
            } else {
                // Not all clear while alerts cannot become incidents.
                print(all ? "No incidents in \(ctx.store.path.sanitized)."
                    : ctx.policies.problem == nil ? "No open incidents. All clear."
                    : "No open incidents, but new incidents cannot be opened: the policy file does not parse (see the warning above).")
            }
            return try ctx.finish(health)
        }
        var rows = [["ID", "SEV", "STATE", "TIER", "NEXT", "IN", "CUSTOMER", "TITLE"]]
        for e in entries {
            let tier = e.ladder.currentTier.map { "T\($0) \(e.policy.tiers[$0].id)" } ?? "-"
            let next = e.ladder.nextDeadline.map { Words.deadline($0, e.policy, .long) } ?? "-"
            let remaining = e.ladder.nextDeadline.map { Countdown.format(Ladder.seconds(from: now, to: $0.at)) } ?? "-"
            rows.append([e.incident.id, e.incident.severity.rawValue, e.incident.state.rawValue, tier, next, remaining,
                         (e.incident.customer ?? "-").sanitized, e.incident.title.sanitized])
        }
        print(Words.table(rows), terminator: "")
        try ctx.finish(health)
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one incident: its tiers with countdowns, contacts and timeline.",
        discussion: "Example: tierwatch show K3F9")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let ctx = try Context(global)
        let entry = ctx.entry(try ctx.incident(id))
        if json {
            printJSON(entry.json(now: ctx.now))
        } else {
            Report.warnings(ctx.store)
            print(Report.incident(entry, now: ctx.now), terminator: "")
        }
        try ctx.finish(ctx.store.health)
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export every incident as JSON, the merged event log as JSON lines, or one incident as a postmortem.",
        discussion: "Example: tierwatch export > incidents.json; tierwatch export --events | jq .; tierwatch export K3F9 --markdown > postmortem.md")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "One incident (with --markdown).", completion: .custom(Completions.incidentIDs)) var id: String?
    @Flag(name: .long, help: "Print every event, in log order, one JSON record per line.") var events = false
    @Flag(name: .long, help: "The incident as Markdown for a postmortem: ladder, who was called, timeline with both times.") var markdown = false

    func run() throws {
        let ctx = try Context(global)
        if markdown || id != nil {
            guard let id, markdown else { throw CLIError.usage("export ID takes --markdown (a postmortem of one incident); without an id, export prints every incident") }
            print(Report.postmortem(ctx.entry(try ctx.incident(id)), now: ctx.now, marks: ctx.clockMarks()), terminator: "")
            return try ctx.finish(ctx.store.health)
        }
        ctx.keepWholeHistory()
        let health = try ctx.readStore()
        let state = ctx.store.state
        if events {
            let all = (state.incidents.values.flatMap(\.events) + state.policies.onCall.events).sorted(by: IncidentEvent.precedes)
            for e in all { FileHandle.standardOutput.write(Data(RecordCodec.encode(e))) }
            return try ctx.finish(health)
        }
        let entries = Board(state.incidents, policies: state.policies, now: ctx.now, includeResolved: true).entries
        let now = ctx.now
        JSONText.writeArray(entries, value: { $0.json(now: now) }) { FileHandle.standardOutput.write($0) }
        FileHandle.standardOutput.write(Data("\n".utf8))
        try ctx.finish(health)
    }
}

/// Text output of `list` and `show`.
enum Report {
    static func warnings(_ store: IncidentStore) {
        if store.badRecordCount > 0 {
            var lines = ["warning: \(store.badRecordCount) bad record(s) skipped in \(store.eventsDirectory):"]
            lines += store.badRecords.prefix(5).map { "  \($0)" }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
    }

    static func symbol(_ s: Ladder.Status) -> String {
        String(Glyphs.unicode.symbol(s))
    }

    static func incident(_ e: Board.Entry, now: Date) -> String {
        let i = e.incident, policy = e.policy, ladder = e.ladder
        func time(_ d: Date, now: Date) -> String { Words.time(d, now: now) }
        var out = "\(i.id)  \(i.severity.rawValue)  \(i.title.sanitized)\n"
        out += "customer: \(i.customer?.sanitized ?? "-")   state: \(i.state.rawValue)   policy: \(policy.name.sanitized) v\(policy.version)\n"
        out += Words.stamps(i) { "at " + time($0, now: now) }.joined(separator: "; ") + "\n"
        if let problem = e.policyProblem { out += "WARNING: \(problem.sanitized)\n" }
        out += "next: \(Words.nextAction(e, now: now))\n"
        if let d = ladder.nextDeadline {
            out += "next deadline: \(Words.deadline(d, policy, .long)) at \(time(d.at, now: now)) (\(Countdown.format(Ladder.seconds(from: now, to: d.at))))\n"
        }
        if let u = ladder.nextCustomerUpdateAt {
            out += "next customer update: \(time(u, now: now)) (\(Countdown.format(Ladder.seconds(from: now, to: u))))\n"
        }
        out += "\nTIERS\n"
        var rows: [[String]] = []
        for r in ladder.rungs {
            let start = r.status == .notStarted ? "-" : r.startAt.map { (r.isStarted ? "started " : "starts ") + time($0, now: now) } ?? "on escalation"
            let due = r.dueAt.map { "due " + time($0, now: now) } ?? ""
            let count = r.lateSeconds.map { "late by " + Countdown.format($0) } ?? (r.status.isMet ? "" : r.remainingSeconds.map(Countdown.format) ?? "")
            rows.append([" \(symbol(r.status)) T\(r.index)", r.tier.name.sanitized, Words.status(r.status), start, due, count, bar(r.progress)])
        }
        out += Words.table(rows)
        out += "\nCONTACTS\n"
        for r in ladder.rungs where !r.contacts.isEmpty {
            out += " T\(r.index) \(r.tier.name.sanitized)\n"
            var crow: [[String]] = []
            for c in r.contacts {
                let outcome = Words.lastCall(c, never: i.state == .resolved ? "not called" : "not yet", separator: "; ", at: "at ") { time($0, now: now) }
                let number = Words.number(c.callee)
                let until = c.callee.until.map { " until \(Words.until($0, now: now))" } ?? ""
                crow.append(["   \(c.contact.id)", Words.who(c) + (c.callee.person != nil ? until : ""), c.contact.role?.sanitized ?? "",
                             number.isMissing ? "(\(number.text))" : number.text, number.isMissing ? "" : c.callee.email?.sanitized ?? "", outcome])
            }
            out += Words.table(crow)
            // Who was on call when the tier started, kept after the rotation moves on.
            let then = zip(r.contacts, e.onCallAtStart(r.index)).compactMap { c, was in
                was?.person.map { "\(c.contact.name.sanitized): \($0.name.sanitized)" } ?? (was?.nobodyOnCall == true ? "\(c.contact.name.sanitized): nobody" : nil)
            }
            if let at = r.startAt, !then.isEmpty {
                out += "   on call when T\(r.index) started (\(time(at, now: now))): \(then.joined(separator: ", "))\n"
            }
        }
        out += "\nTIMELINE (newest first, by when it happened)\n"
        for entry in i.timeline.reversed() {
            let e = entry.event
            var line = " \(time(e.at, now: now))  \(e.operatorName.sanitized)"
            line += Words.unixUser(e)
            line += "  \(e.summary(policy: policy, customer: i.customer))"
            let marks = Words.timelineMarks(entry) { time($0, now: now) }
            line += [marks.backdated, marks.notApplied].compactMap { $0.map { "  [\($0)]" } }.joined()
            out += line + "\n"
        }
        return out
    }

    static func bar(_ p: Double) -> String { "[" + Words.bar(p, full: "#", empty: ".") + "]" }
}
