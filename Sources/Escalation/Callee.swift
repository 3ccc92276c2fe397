import Foundation

/// Who to call for one contact at one instant: the person on call when the
/// contact names a schedule, the named person, or the contact as written.
/// Derived from (policy, overrides, instant), like the ladder.
public struct Callee: Sendable, Equatable {
    /// The person to call; nil: the contact as written (a role, a desk).
    public var person: Person?
    /// The schedule the person comes from, if the contact names one.
    public var schedule: Schedule.Ref?
    /// Until when this person is the one (the next handoff or override edge).
    public var until: Date?
    /// The override that put them there, if one did.
    public var override: String?
    /// The contact names a schedule and nobody is on call in it now (the
    /// contact's own person, if it names one, is called instead).
    public var nobodyOnCall: Bool
    /// The number to dial: the person's, else the contact's.
    public var phone: String?
    public var email: String?

    public init(person: Person?, schedule: Schedule.Ref? = nil, until: Date? = nil, override: String? = nil,
                nobodyOnCall: Bool = false, phone: String?, email: String?) {
        self.person = person
        self.schedule = schedule
        self.until = until
        self.override = override
        self.nobodyOnCall = nobodyOnCall
        self.phone = phone
        self.email = email
    }
}

extension Schedule {
    /// A schedule as a callee names it.
    public struct Ref: Sendable, Equatable {
        public var id: String
        public var name: String
    }

    public var ref: Ref { Ref(id: id, name: name) }
}

extension Policy {
    public func person(_ id: String) -> Person? { people.first { $0.id == id } }
    public func schedule(_ id: String) -> Schedule? { schedules.first { $0.id == id } }

    /// A schedule by id or name, case-insensitively.
    public func findSchedule(_ key: String) -> Schedule? {
        let k = key.lowercased()
        return schedules.first { $0.id == k } ?? schedules.first { $0.name.lowercased() == k }
    }

    /// A person by id, for a reader that may not know them: the directory's
    /// entry, else the override's record of them, else the bare id.
    func resolve(_ id: String, override: Override?) -> Person {
        person(id) ?? override?.snapshot ?? Person(id: id, name: id)
    }

    /// Who to call for `contact` at `t`, given the store's overrides.
    public func callee(_ contact: Contact, at t: Date, overrides: [Override]) -> Callee {
        var who = contact.person.flatMap { self.person($0) }
        var out = Callee(person: nil, phone: nil, email: nil)
        if let sid = contact.schedule, let s = schedule(sid) {
            let now = s.onCallUntilChange(at: t, overrides: overrides)
            out.schedule = s.ref
            out.until = now.until
            out.override = now.override
            if let id = now.person {
                who = resolve(id, override: now.override.flatMap { o in overrides.first { $0.id == o } })
            } else {
                out.nobodyOnCall = true
            }
        }
        out.person = who
        out.phone = who?.phone ?? contact.phone
        out.email = who?.email ?? contact.email
        return out
    }

    /// A call outcome that names no person, with the person it went to:
    /// whoever `callee` gives for the contact at `t` (writers without a
    /// screen use it; a screen records the person it showed). Any other
    /// action comes back as it is.
    public func namingPersonCalled(_ action: Action, customer: String?, at t: Date, overrides: [Override]) -> Action {
        guard case let .contactOutcome(tier, contact, outcome, named) = action, named.ref == nil,
              let k = tierIndex(id: tier),
              let c = contacts(ofTier: k, customer: customer).first(where: { $0.id == contact }),
              let who = callee(c, at: t, overrides: overrides).person else { return action }
        return .contactOutcome(tier: tier, contact: contact, outcome: outcome, person: CalledPerson(PersonRef(who)))
    }

    /// Every schedule's answer at `t`: who is on, until when, who is next.
    public func onCallBoard(at t: Date, overrides: [Override]) -> [OnCallRow] {
        schedules.map { s in
            let now = s.onCallUntilChange(at: t, overrides: overrides)
            let next = now.until.map { s.onCall(at: $0, overrides: overrides) }
            func who(_ o: OnCall?) -> Person? {
                o?.person.map { id in resolve(id, override: o?.override.flatMap { oid in overrides.first { $0.id == oid } }) }
            }
            return OnCallRow(schedule: s, person: who(now), until: now.until, override: now.override.flatMap { oid in overrides.first { $0.id == oid } },
                             next: who(next))
        }
    }
}

/// One schedule's line in `tierwatch oncall` and the dashboard's on-call view.
public struct OnCallRow: Sendable, Equatable {
    public var schedule: Schedule
    /// nil: nobody on call now.
    public var person: Person?
    public var until: Date?
    public var override: Override?
    public var next: Person?
}

/// The on-call overrides recorded in a store, from their events. Override
/// events are appended like incident events (operator, host, clock,
/// checksum), under the reserved incident key `@oncall`, so they sync to
/// every site with the logs. Later recorded wins where two overlap; a
/// cancel ends an override from the cancel's time on.
public struct OverrideLog: Sendable {
    /// The incident key override events are recorded under: never an
    /// incident id (those are four letters and digits).
    public static let key = "@oncall"

    /// The override and cancel events, in log order.
    public private(set) var events: [IncidentEvent] = []
    /// Every override recorded, in the order they were recorded, with
    /// their cancellations.
    public private(set) var overrides: [Override] = []
    /// Bumped by every event: a screen derives its ladders again when it moves.
    public private(set) var revision = 0

    public init() {}

    public mutating func add(_ e: IncidentEvent) {
        revision += 1
        if let last = events.last, IncidentEvent.precedes(e, last) {
            events.append(e)
            IncidentEvent.sortInLogOrder(&events)
        } else {
            events.append(e)
        }
        // Overrides first, then cancels: a cancel whose clock sorts before
        // its override (a skewed host) still ends it. An override never
        // reaches back before it was recorded: who was on call when a tier
        // started stays as it was.
        var out: [Override] = []
        for e in events {
            guard case let .onCallOverride(r) = e.action else { continue }
            out.append(Override(id: e.id.description, schedule: r.schedule, person: r.person.id, from: max(r.from, e.recordedAt), to: r.to,
                                replacing: r.replacing, order: out.count,
                                snapshot: Person(id: r.person.id, name: r.person.name, phones: r.phone.map { [$0] } ?? []),
                                by: e.operatorName, recordedAt: e.recordedAt))
        }
        for e in events {
            guard case let .onCallCancel(id) = e.action, let k = out.firstIndex(where: { $0.id == id }) else { continue }
            if out[k].cancelled.map({ e.at < $0 }) ?? true { out[k].cancelled = max(e.at, out[k].recordedAt ?? e.at) }
        }
        overrides = out
    }

    /// An override by id (`noc1/12`): exactly, else case-insensitively
    /// when that names one only.
    public func find(_ id: String) -> Override? {
        if let exact = overrides.first(where: { $0.id == id }) { return exact }
        let loose = overrides.filter { $0.id.lowercased() == id.lowercased() }
        return loose.count == 1 ? loose[0] : nil
    }
}

/// What an override event records.
public struct OverrideRequest: Sendable, Equatable {
    public var schedule: String
    public var person: PersonRef
    /// The person's number as the directory had it, for readers without it.
    public var phone: String?
    public var from: Date
    public var to: Date
    public var replacing: String?

    public init(schedule: String, person: PersonRef, phone: String?, from: Date, to: Date, replacing: String?) {
        self.schedule = schedule
        self.person = person
        self.phone = phone
        self.from = from
        self.to = to
        self.replacing = replacing
    }
}
