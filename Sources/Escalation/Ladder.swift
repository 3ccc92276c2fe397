import Foundation

/// The escalation ladder of one incident at one instant: derived from the
/// incident's events, its policy and `now`, never stored. Every reader that
/// has the same events computes the same countdowns, and a deadline that
/// passed while nobody watched shows overdue from its true time.
public struct Ladder: Sendable, Equatable {
    /// Where a tier stands. While the incident is open: `pending` (not
    /// started), `active` (started, requirement not met, not yet due),
    /// `overdue` (past its due time, requirement not met), `done` (met on
    /// time) or `late` (met after its due time). Once the incident is
    /// resolved the record is closed: `done`, `late`, `missed` (started but
    /// never met before the resolution) or `notStarted`.
    public enum Status: String, Sendable, Equatable {
        case pending, active, overdue, done, late, missed
        case notStarted = "not_started"

        /// The requirement was met (on time or late).
        public var isMet: Bool { self == .done || self == .late }
    }

    public struct Rung: Sendable, Equatable {
        public var index: Int
        public var tier: Tier
        public var status: Status
        /// Actual start if started, else the scheduled start (nil: only by escalation).
        public var startAt: Date?
        public var isStarted: Bool
        public var dueAt: Date?
        /// To the due time when started, to the start when pending; negative when overdue.
        public var remainingSeconds: Int?
        /// 0…1 towards the next stage of this tier.
        public var progress: Double
        /// When the tier's requirement was met (not before its start).
        public var metAt: Date?
        /// How long after its due time it was met (`late`).
        public var lateSeconds: Int?
        /// Contacts with per-customer overrides applied and their outcomes.
        public var contacts: [ContactStatus]
    }

    public struct ContactStatus: Sendable, Equatable {
        public var contact: Contact
        /// The latest call's outcome, by when it happened.
        public var outcome: Outcome?
        public var by: String?
        public var at: Date?
        /// When the contact was first reached (a later unanswered call does
        /// not undo it).
        public var reachedAt: Date?
        /// Who to call for it now: the person on call when it names a
        /// schedule (see `Policy.callee`).
        public var callee: Callee
        /// The person the latest call was to, as recorded.
        public var calledPerson: PersonRef?
    }

    public struct Deadline: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case tierStart(Int)
            case tierDue(Int)
            case customerUpdate
        }
        public var at: Date
        public var kind: Kind

        public init(at: Date, kind: Kind) {
            self.at = at
            self.kind = kind
        }
    }

    public var rungs: [Rung]
    public var nextCustomerUpdateAt: Date?
    /// The single most urgent deadline: the earliest of every pending start,
    /// every unfinished tier's due time and the next customer update.
    public var nextDeadline: Deadline?
    /// Every deadline still ahead or passed and unmet, earliest first: each
    /// pending start, each unfinished tier's due time, the next customer
    /// update. (The wall and the handover show more than the next one: a
    /// CEO tier due soon is news even while T1 is overdue.)
    public var deadlines: [Deadline] = []
    /// Index of the highest started tier.
    public var currentTier: Int?
    /// Until this instant the ladder's statuses, deadlines and contacts stay
    /// as they are (only remaining seconds and progress move): the next
    /// start, due time or future-dated contact outcome. nil: nothing changes
    /// by the clock alone. A wall that redraws every second derives ladders
    /// again only when this passes or the incident changes.
    public var validUntil: Date?

    /// `overrides`: the store's on-call overrides, for contacts that name
    /// a schedule.
    public init(incident: Incident, policy: Policy, at now: Date, overrides: [Override] = []) {
        self.init(incident: incident, policy: policy, at: now, overrides: overrides) { policy.callee($0, at: now, overrides: overrides) }
    }

    /// `callee` says who to call for a contact at `now` (a board shares
    /// one answer per contact among all its incidents: see `CalleeMemo`).
    init(incident: Incident, policy: Policy, at now: Date, overrides: [Override], callee: (Contact) -> Callee) {
        let tiers = policy.tiers
        let resolved = incident.state == .resolved
        let resolvedAt = resolved ? incident.resolved?.at : nil
        let (starts, anchors) = Ladder.starts(incident, policy)

        var rungs: [Rung] = []
        var deadlines: [Deadline] = []
        var nextChange: Date?
        func changes(at t: Date) { if nextChange.map({ t < $0 }) ?? true { nextChange = t } }
        for (i, tier) in tiers.enumerated() {
            let contacts = policy.contacts(ofTier: i, customer: incident.customer).map { c in
                let rec = incident.contacts[Incident.ContactKey(tier: tier.id, contact: c.id)]
                let known = rec.flatMap { $0.at <= now ? $0 : nil }
                if let rec, rec.at > now { changes(at: rec.at) }  // recorded ahead: known from then
                let reached = rec?.reachedAt.flatMap { $0 <= now ? $0 : nil }
                if let r = rec?.reachedAt, r > now { changes(at: r) }
                let callee = callee(c)
                // Who is on call changes at the next handoff: the contact's
                // line with it, while anyone may still call them.
                if !resolved, let until = callee.until { changes(at: until) }
                return ContactStatus(contact: c, outcome: known?.outcome, by: known?.by, at: known?.at, reachedAt: reached,
                                     callee: callee, calledPerson: known?.person)
            }
            let start = starts[i]
            let started = start.map { $0 <= now } ?? false
            if let start, start > now { changes(at: start) }
            var rung = Rung(index: i, tier: tier, status: .pending, startAt: start, isStarted: started,
                            dueAt: nil, remainingSeconds: nil, progress: 0, contacts: contacts)
            if started, let start {
                Ladder.decide(&rung, start: start, now: now, resolved: resolved, resolvedAt: resolvedAt, deadlines: &deadlines, changes: changes)
            } else if let start, !resolved {
                rung.remainingSeconds = Ladder.seconds(from: now, to: start)
                rung.progress = anchors[i].map { Ladder.progress(from: $0, to: start, at: now) } ?? 0
                deadlines.append(Deadline(at: start, kind: .tierStart(i)))
            } else {
                rung.startAt = resolved ? nil : start
                if resolved { rung.status = .notStarted }
            }
            rungs.append(rung)
        }

        self.rungs = rungs
        currentTier = rungs.lastIndex { $0.isStarted }
        if !resolved, let cadence = policy.customerUpdates {
            let last = [incident.opened.at, incident.lastCustomerUpdate?.at, incident.lastReopened].compactMap { $0 }.max()!
            let due = last.addingTimeInterval(Double(cadence.seconds))
            nextCustomerUpdateAt = due
            if due >= now { changes(at: due) }  // overdue once past it: the next action may turn to it
            deadlines.append(Deadline(at: due, kind: .customerUpdate))
        }
        self.deadlines = deadlines.sorted { $0.at < $1.at }
        nextDeadline = self.deadlines.first
        validUntil = nextChange
    }

    /// When each tier starts (nil: not yet known to start) and what its
    /// automatic start counts from: the earlier of its rule (`start:`, or
    /// the opening for the leading tiers) and a manual escalation to it or
    /// past it.
    static func starts(_ incident: Incident, _ policy: Policy) -> (starts: [Date?], anchors: [Date?]) {
        let tiers = policy.tiers
        var starts: [Date?] = Array(repeating: nil, count: tiers.count)
        var anchors: [Date?] = Array(repeating: nil, count: tiers.count)
        let leading = tiers.prefix { $0.start == nil }.count

        // Manual escalation to tier k starts every tier up to k.
        var manual: [Date?] = Array(repeating: nil, count: tiers.count)
        for e in incident.escalations {
            guard let k = policy.tierIndex(id: e.tier) else { continue }
            for i in 0...k where manual[i] == nil || e.at < manual[i]! { manual[i] = e.at }
        }

        for (i, tier) in tiers.enumerated() {
            var auto: Date?
            if let rule = tier.start {
                let anchor: Date?
                switch rule.from {
                case .open: anchor = incident.opened.at
                case let .tier(id): anchor = policy.tierIndex(id: id).flatMap { starts[$0] }
                }
                anchors[i] = anchor
                if let anchor {
                    var blocked = incident.resolvedIntervals
                    if tier.suppressedWhileAcknowledged { blocked += incident.acknowledgedIntervals }
                    auto = Ladder.firstUnblocked(anchor.addingTimeInterval(Double(rule.after.seconds)), blocked)
                }
            } else if i < leading {
                auto = incident.opened.at
                anchors[i] = incident.opened.at
            }
            starts[i] = [auto, manual[i]].compactMap { $0 }.min()
        }
        return (starts, anchors)
    }

    /// A started tier's status: met (on time or late), missed at the
    /// resolution, or running toward its due time (a deadline then).
    static func decide(_ rung: inout Rung, start: Date, now: Date, resolved: Bool, resolvedAt: Date?, deadlines: inout [Deadline],
                       changes: (Date) -> Void) {
        let tier = rung.tier
        let i = rung.index
        let due = tier.notifyWithin.map { start.addingTimeInterval(Double($0.seconds)) }
        rung.dueAt = due
        // Met, on time or not; after a resolution only what was met
        // by then counts.
        let met = Ladder.metAt(tier.require, rung.contacts, start: start)
            .flatMap { m in resolvedAt.map { m <= $0 } ?? true ? m : nil }
        if let met {
            rung.metAt = met
            rung.progress = 1
            if let due, met > due {
                rung.status = .late
                rung.lateSeconds = Ladder.seconds(from: due, to: met)
            } else {
                rung.status = .done
            }
        } else if resolved {
            rung.status = .missed
            rung.progress = 1
        } else {
            if let due {
                rung.status = now > due ? .overdue : .active
                if due >= now { changes(due) }  // overdue once past it
                rung.remainingSeconds = Ladder.seconds(from: now, to: due)
                rung.progress = Ladder.progress(from: start, to: due, at: now)
                deadlines.append(Deadline(at: due, kind: .tierDue(i)))
            } else {
                rung.status = .active
            }
        }
    }

    /// When a tier's requirement was met, given its contacts as known now:
    /// `none` at its start, `any` when the first contact was reached, `all`
    /// when the last one was; never before the tier started. nil: not met.
    static func metAt(_ require: Requirement, _ contacts: [ContactStatus], start: Date) -> Date? {
        let reached = contacts.map(\.reachedAt)
        let at: Date?
        switch require {
        case .none: at = start
        case .any: at = reached.compactMap { $0 }.min()
        case .all: at = reached.contains(nil) ? nil : reached.compactMap { $0 }.max() ?? start
        }
        return at.map { max($0, start) }
    }

    /// The first instant at or after `t` outside every interval; nil if an
    /// open-ended interval (an incident still resolved) swallows it.
    static func firstUnblocked(_ t: Date, _ intervals: [Incident.Interval]) -> Date? {
        var t = t
        var moved = true
        while moved {
            moved = false
            for iv in intervals where iv.contains(t) {
                guard let end = iv.end else { return nil }
                t = end
                moved = true
            }
        }
        return t
    }

    /// Whole seconds from `now` to `t`, rounded down so a countdown reaches
    /// 0 at the deadline and -1 one second after.
    public static func seconds(from now: Date, to t: Date) -> Int {
        Int(t.timeIntervalSince(now).rounded(.down))
    }

    static func progress(from a: Date, to b: Date, at now: Date) -> Double {
        let span = b.timeIntervalSince(a)
        guard span > 0 else { return now >= b ? 1 : 0 }
        return min(1, max(0, now.timeIntervalSince(a) / span))
    }
}

extension Ladder {
    /// The tier an escalation starts: the named one (and every tier before
    /// it), else the one after the current tier; or why there is none. The
    /// one rule for the CLI's `escalate` and the dashboard's `e`.
    public func escalationTarget(_ named: Int?, incident id: String) -> Result<Int, EscalationRefusal> {
        let target = named ?? ((currentTier ?? -1) + 1)
        guard target < rungs.count else {
            return .failure(EscalationRefusal(message: "\(id) is already at its last tier (\(rungs.last?.tier.name.sanitized ?? "none"))"))
        }
        if rungs[target].isStarted, let at = rungs[target].startAt {
            return .failure(EscalationRefusal(message: "\(id): tier T\(target) \(rungs[target].tier.name.sanitized) already started at \(ISOTime.format(at))"))
        }
        return .success(target)
    }
}

/// Why an escalation has no tier to start.
public struct EscalationRefusal: Error, Equatable, Sendable {
    public var message: String
}
