import Foundation

/// What the operator should do next for one incident, derived like the
/// ladder from (incident, policy, now): the work of its most urgent
/// deadline. A tier with people still to reach comes before anything that
/// only starts later; an overdue tier before a newly started one, so the
/// managers nobody called stay in view when the technical tier starts.
public struct NextAction: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Call this contact of tier `tier` (index into the ladder's rungs
        /// and contacts).
        case call(tier: Int, contact: Int)
        /// Send the customer a status update.
        case customerUpdate
        /// Nothing to do until the deadline: it is a tier's start.
        case wait
        /// Nothing at all: resolved, or a policy without deadlines.
        case none
    }

    public var kind: Kind
    /// The deadline the action answers (due time, or start when waiting).
    public var deadline: Ladder.Deadline?

    public init(kind: Kind, deadline: Ladder.Deadline?) {
        self.kind = kind
        self.deadline = deadline
    }

    public init(incident: Incident, ladder: Ladder, at now: Date) {
        guard incident.state != .resolved else {
            self.init(kind: .none, deadline: nil)
            return
        }
        // Started tiers not yet met with someone still to reach: overdue
        // first, then by due time, those without one last.
        let open = ladder.rungs.filter { r in
            (r.status == .overdue || r.status == .active) && r.contacts.contains { $0.reachedAt == nil }
        }
        let tier = open.min { a, b in
            switch (a.dueAt, b.dueAt) {
            case let (x?, y?): return x != y ? x < y : a.index < b.index
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.index < b.index
            }
        }
        // The customer update comes first when it falls due before the
        // tier's due time (or is overdue, against a tier without one), or
        // when there is nobody to call and it is the next deadline.
        if let at = ladder.nextCustomerUpdateAt {
            let first = tier.map { t in t.dueAt.map { at < $0 } ?? (at <= now) }
                ?? (ladder.nextDeadline?.kind == .customerUpdate || at <= now)
            if first {
                self.init(kind: .customerUpdate, deadline: Ladder.Deadline(at: at, kind: .customerUpdate))
                return
            }
        }
        if let tier {
            self.init(kind: .call(tier: tier.index, contact: NextAction.whoToCall(tier.contacts)),
                      deadline: tier.dueAt.map { Ladder.Deadline(at: $0, kind: .tierDue(tier.index)) })
            return
        }
        if let d = ladder.nextDeadline {
            self.init(kind: .wait, deadline: d)
            return
        }
        self.init(kind: .none, deadline: nil)
    }

    /// Of those not reached: the first never called, else the one whose
    /// last call is oldest (a voicemail left an hour ago before one left a
    /// minute ago).
    ///
    /// Someone who can be called comes before a contact whose schedule has
    /// nobody on call: the operator is never sent to call nobody while
    /// someone else is waiting.
    static func whoToCall(_ contacts: [Ladder.ContactStatus]) -> Int {
        let waiting = contacts.indices.filter { contacts[$0].reachedAt == nil }
        let callable = waiting.filter { !(contacts[$0].callee.nobodyOnCall && contacts[$0].callee.person == nil) }
        let pool = callable.isEmpty ? waiting : callable
        if let never = pool.first(where: { contacts[$0].outcome == nil }) { return never }
        return pool.min { (contacts[$0].at ?? .distantPast) < (contacts[$1].at ?? .distantPast) } ?? 0
    }

    /// The contact to call, by index in its tier's contacts.
    public var contactIndex: Int? {
        if case let .call(_, c) = kind { return c }
        return nil
    }

    /// The tier whose contacts the operator works on now, if any.
    public var tier: Int? {
        if case let .call(t, _) = kind { return t }
        if case let .tierStart(t)? = deadline?.kind { return t }
        return nil
    }
}
