import ArgumentParser
import Escalation
import Foundation
import IncidentStore

/// `tierwatch oncall`: who is on call, the handoffs ahead, and overrides.
/// Schedules and people come from the policy in force; overrides are events
/// in the store, so every site that syncs the store sees the same person.
struct OnCallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncall", abstract: "Who is on call now, the handoffs ahead, and overrides.",
        discussion: """
        Schedules and the people directory are the policy's (people:, schedules:);
        overrides are recorded in the store like every action, so every site sees them.
        Examples: tierwatch oncall · tierwatch oncall platform --next 7d ·
        tierwatch oncall override platform --person ben --from now --to +8h
        """,
        subcommands: [Now.self, Add.self, List.self, Cancel.self],
        defaultSubcommand: Now.self)

    /// The directory in force and the store's overrides, read for a command.
    struct Directory {
        let ctx: Context
        let policy: Policy
        let health: StoreHealth

        init(_ global: GlobalOptions) throws {
            ctx = try Context(global)
            health = try ctx.readStore()
            policy = try ctx.policyInForce().policy
        }

        var overrides: [Override] { ctx.store.state.policies.overrides }

        func schedule(_ typed: String) throws -> Schedule {
            guard let s = policy.findSchedule(typed) else {
                let known = policy.schedules.map(\.id)
                throw CLIError.refused("unknown schedule '\(typed.sanitized)'\(Suggest.didYouMean(typed, among: known))"
                    + (known.isEmpty ? " (the policy has no schedules: add people: and schedules: to it, see docs/oncall.md)" : " (schedules: \(known.joined(separator: ", ")))"))
            }
            return s
        }

        func person(_ typed: String) throws -> Person {
            let k = typed.lowercased()
            guard let p = policy.people.first(where: { $0.id == k }) ?? policy.people.first(where: { $0.name.lowercased() == k }) else {
                throw CLIError.refused("unknown person '\(typed.sanitized)': not in the policy's directory\(Suggest.didYouMean(typed, among: policy.people.map { [$0.id, $0.name] }))")
            }
            return p
        }
    }

    static func time(_ text: String, _ what: String, now: Date) throws -> Date {
        guard let d = When.parse(text, now: now) else {
            let forms = what == "--to" ? "+8h or 'in 2d' (after --from), or 2026-12-24T18:00:00+01:00" : "now, +8h, 'in 2d', -1h, or 2026-12-24T18:00:00+01:00"
            throw CLIError.usage("\(what) '\(text.sanitized)': not a time (write \(forms))")
        }
        return d
    }

    /// `Ana Lima +1 555 0140`, or the name and why there is no number.
    static func callable(_ p: Person) -> String {
        p.name.sanitized + " " + (p.phone?.sanitized ?? p.email.map { "(no number; \($0.sanitized))" } ?? "(no number on file)")
    }

    /// `Mon 09:00 Europe/Berlin (08:00Z)`.
    static func when(_ d: Date, _ zone: TimeZone, now: Date) -> String {
        "\(Words.localTime(d, zone: zone)) (\(Words.until(d, now: now)), in \(Words.span(Int(d.timeIntervalSince(now)))))"
    }

    static func overrideJSON(_ o: Override, _ policy: Policy) -> JSONValue { Wire.value(Wire.Override(o, policy: policy)) }

    struct Now: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "now", abstract: "For each schedule: who is on call, until when, who is next (the default).",
            discussion: "With a schedule and --next, the handoffs ahead. Example: tierwatch oncall platform --next 7d")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "One schedule (id or name); default: all.", completion: .custom(Completions.scheduleIDs)) var schedule: String?
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("At another instant: -2h, +1d, or ISO-8601.", valueName: "when")) var at: String?
        @Option(name: .long, help: ArgumentHelp("List the handoffs within this span: 7d, 36h.", valueName: "span")) var next: String?
        @Flag(name: .long, help: "Print JSON.") var json = false
        @Flag(name: .long, help: "Print the shifts ahead as an iCalendar feed (RFC 5545) to subscribe to.") var ics = false
        @Option(name: .long, help: ArgumentHelp("With --ics: how many weeks ahead (1 to 52).", valueName: "n")) var weeks = 8
        @Option(name: .long, help: ArgumentHelp("With --ics: only this person's shifts (id or name in the directory).", valueName: "id"),
                completion: .custom(Completions.personIDs)) var person: String?

        func run() throws {
            let dir = try Directory(global)
            let now = dir.ctx.now
            let t = try at.map { try OnCallCommand.time($0, "--at", now: now) } ?? now
            let schedules = try schedule.map { [try dir.schedule($0)] } ?? dir.policy.schedules
            if ics {
                guard (1...52).contains(weeks) else { throw CLIError.usage("--weeks \(weeks): between 1 and 52") }
                guard !json, next == nil else { throw CLIError.usage("--ics prints a calendar: not with --json or --next") }
                let who = try person.map { try dir.person($0) }
                let shifts = OnCallCalendar.shifts(dir.policy, schedules: schedules, overrides: dir.overrides, from: t,
                                                   to: t.addingTimeInterval(Double(weeks) * 7 * 86400), person: who?.id)
                let name = "on call: " + (who?.name ?? schedules.map(\.name).joined(separator: ", "))
                FileHandle.standardOutput.write(Data(OnCallCalendar.ics(shifts, name: name.sanitized, now: now, version: Tierwatch.version).utf8))
                return try dir.ctx.finish(dir.health)
            }
            guard person == nil else { throw CLIError.usage("--person goes with --ics (a person's shifts as a calendar)") }
            if let next {
                guard let seconds = When.span(next), seconds > 0, seconds <= 366 * 86400 else {
                    throw CLIError.usage("--next '\(next.sanitized)': a span such as 7d, 36h or 2d12h, at most 366d")
                }
                try handoffs(dir, schedules, from: t, to: t.addingTimeInterval(Double(seconds)), now: now)
            } else {
                try board(dir, schedules, at: t, now: now)
            }
            try dir.ctx.finish(dir.health)
        }

        func board(_ dir: Directory, _ schedules: [Schedule], at t: Date, now: Date) throws {
            let wanted = Set(schedules.map(\.id))
            let rows = dir.policy.onCallBoard(at: t, overrides: dir.overrides).filter { wanted.contains($0.schedule.id) }
            if json {
                printJSON(.array(rows.map { Wire.value(Wire.OnCall($0, at: t, policy: dir.policy)) }))
                return
            }
            if rows.isEmpty {
                print("No on-call schedules in the policy in force (\(dir.ctx.policies.file ?? "built-in")): add people: and schedules: (see `tierwatch policy show --example`).")
                return
            }
            if t != now { print("On call at \(ISOTime.format(t)):") }
            var table = [["SCHEDULE", "ON CALL", "NUMBER", "UNTIL", "NEXT"]]
            for r in rows {
                let name = r.person.map { p in p.name.sanitized + (r.override.map { " (override \($0.id.sanitized))" } ?? "") } ?? "NOBODY ON CALL"
                let number = r.person.map { $0.phone?.sanitized ?? $0.email.map { "no number; \($0.sanitized)" } ?? "no number on file" } ?? "-"
                let until = r.until.map { OnCallCommand.when($0, r.schedule.zone, now: t) } ?? "-"
                table.append([r.schedule.id, name, number, until, r.next?.name.sanitized ?? "-"])
            }
            print(Words.table(table), terminator: "")
        }

        func handoffs(_ dir: Directory, _ schedules: [Schedule], from: Date, to: Date, now: Date) throws {
            var out: [Wire.OnCallHandoffs] = []
            var text = ""
            for s in schedules {
                let first = s.onCall(at: from, overrides: dir.overrides)
                let turns = s.handoffs(from: from, to: to, overrides: dir.overrides)
                func person(_ id: String?) -> Person? {
                    id.map { dir.policy.person($0) ?? dir.overrides.first { $0.person == id }?.snapshot ?? Person(id: $0, name: $0) }
                }
                out.append(Wire.OnCallHandoffs(from: from, handoffs: turns.map { .init(at: $0.at, person: person($0.person).map(Wire.Person.init)) },
                                               on_call_at_start: person(first.person).map(Wire.Person.init), schedule: s.id, to: to))
                text += "\(s.id) (\(s.name.sanitized), \(s.zone.identifier)): \(person(first.person).map(OnCallCommand.callable) ?? "NOBODY ON CALL") at \(ISOTime.format(from))\n"
                if turns.isEmpty { text += "  no handoff until \(ISOTime.format(to))\n" }
                for turn in turns {
                    let who = person(turn.person).map(OnCallCommand.callable) ?? "NOBODY ON CALL"
                    text += "  \(Words.localDate(turn.at, zone: s.zone)) \(s.zone.identifier) (\(ISOTime.format(turn.at)))  \(who)\n"
                }
            }
            if json { printJSON(.array(out.map(Wire.value))) } else { print(text, terminator: "") }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "override", abstract: "Put someone on call instead of the rotation for a while.",
            discussion: """
            Recorded in the store like every action; a later override wins where two overlap.
            With --replacing, only while that person would be on call.
            Example: tierwatch oncall override platform --person ben --from now --to +8h --replacing ana
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule (id or name).", completion: .custom(Completions.scheduleIDs)) var schedule: String
        @Option(name: .long, help: ArgumentHelp("Who is on call instead (id or name in the directory).", valueName: "id"),
                completion: .custom(Completions.personIDs)) var person: String
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("From when: now, +1h, or ISO-8601.", valueName: "when")) var from: String = "now"
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Until when: ISO-8601, or relative to --from: +8h, 'in 2d'.", valueName: "when")) var to: String
        @Option(name: .long, help: ArgumentHelp("Only while this person would be on call.", valueName: "id"),
                completion: .custom(Completions.personIDs)) var replacing: String?
        @Flag(name: .long, help: "Print the override as JSON.") var json = false

        /// Longer than this is a rotation change, for the policy.
        static let maxDays = 92

        func run() throws {
            let dir = try Directory(global)
            let now = dir.ctx.now
            let s = try dir.schedule(schedule)
            let p = try dir.person(person)
            let replaced = try replacing.map { try dir.person($0) }
            if let r = replaced, !s.layers.contains(where: { $0.people.contains(r.id) }) {
                throw CLIError.refused("\(r.name.sanitized) (\(r.id)) is not in any rotation of schedule \(s.id): --replacing would never apply")
            }
            let start = try OnCallCommand.time(from, "--from", now: now)
            guard start >= now.addingTimeInterval(-Context.allowedFutureSkew) else {
                throw CLIError.refused("--from (\(ISOTime.format(start))) is in the past: an override changes who is on call from now on, never who was (history keeps who was called)")
            }
            let end = try OnCallCommand.time(to, "--to", now: start)
            guard end > start else { throw CLIError.refused("--to (\(ISOTime.format(end))) must be after --from (\(ISOTime.format(start)))") }
            guard end > now else { throw CLIError.refused("--to (\(ISOTime.format(end))) is in the past: an override changes who is on call from now on") }
            guard end.timeIntervalSince(start) <= Double(Add.maxDays * 86400) else {
                throw CLIError.refused("an override of more than \(Add.maxDays) days is a rotation change: edit the schedule in the policy")
            }
            let request = OverrideRequest(schedule: s.id, person: PersonRef(p), phone: p.phone, from: start, to: end, replacing: replaced?.id)
            let event = try dir.ctx.store.append { _ in
                IncidentStore.Draft(incident: OverrideLog.key, action: .onCallOverride(request), operatorName: dir.ctx.operatorName, baseVersion: 0)
            }
            let o = dir.ctx.store.state.policies.onCall.find(event.id.description)!
            if json { return printJSON(OnCallCommand.overrideJSON(o, dir.policy)) }
            print("override \(o.id.sanitized): \(OnCallCommand.callable(p)) on call for \(s.id)\(replaced.map { " instead of \($0.name.sanitized)" } ?? "") from \(ISOTime.format(start)) to \(ISOTime.format(end))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overrides", abstract: "List the overrides in force or to come (--all: also ended ones).")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "Also overrides that ended or were cancelled.") var all = false
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            let dir = try Directory(global)
            let now = dir.ctx.now
            let shown = dir.overrides.filter { all || $0.matters(after: now) }
            if json {
                printJSON(.array(shown.map { OnCallCommand.overrideJSON($0, dir.policy) }))
                return try dir.ctx.finish(dir.health)
            }
            if shown.isEmpty {
                print(all ? "No overrides recorded." : "No overrides in force or to come (--all lists ended ones).")
                return try dir.ctx.finish(dir.health)
            }
            var table = [["ID", "SCHEDULE", "PERSON", "FROM", "TO", "STATE", "BY"]]
            for o in shown {
                let name = (dir.policy.person(o.person) ?? o.snapshot)?.name ?? o.person
                var state = o.cancelled.map { "cancelled \(Words.time($0, now: now))" } ?? (o.end <= now ? "ended" : o.from > now ? "to come" : "in force")
                // Where two overlap the later recorded wins: say which decides.
                if state == "in force", let s = dir.policy.schedule(o.schedule) {
                    let decides = s.onCall(at: now, overrides: dir.overrides).override
                    if decides != o.id { state = decides.map { "covered by \($0.sanitized)" } ?? "not applying (replacing someone not on call)" }
                }
                table.append([o.id.sanitized, o.schedule.sanitized, name.sanitized + (o.replacing.map { " for \($0.sanitized)" } ?? ""),
                              ISOTime.format(o.from), ISOTime.format(o.to), state, o.by?.sanitized ?? "-"])
            }
            print(Words.table(table), terminator: "")
            try dir.ctx.finish(dir.health)
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "End an override now (who was on call before stays in history).",
            discussion: "Example: tierwatch oncall cancel noc1/12")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The override's id, as `oncall overrides` lists it.") var id: String

        func run() throws {
            let dir = try Directory(global)
            let event = try dir.ctx.store.append { state in
                let now = dir.ctx.now
                guard let o = state.policies.onCall.find(id) else {
                    throw CLIError.refused("unknown override '\(id.sanitized)'\(Suggest.didYouMean(id, among: state.policies.overrides.map(\.id)))")
                    // (Suggest sanitizes what it suggests.)
                }
                if let c = o.cancelled { throw CLIError.refused("override \(o.id.sanitized) was already cancelled at \(ISOTime.format(c))") }
                if o.end <= now { throw CLIError.refused("override \(o.id.sanitized) already ended at \(ISOTime.format(o.end))") }
                return IncidentStore.Draft(incident: OverrideLog.key, action: .onCallCancel(override: o.id), operatorName: dir.ctx.operatorName, baseVersion: 0)
            }
            if case let .onCallCancel(oid) = event.action { print("override \(oid.sanitized) cancelled") }
        }
    }
}
