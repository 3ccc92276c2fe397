import Foundation

/// What every screen shows, built in one place: the incidents with their
/// policies, ladders and next actions at one instant, most urgent first.
/// The dashboard, the wall, `list`, `show`, `watch`, `export` and the demo
/// all render from it; none of them derives a ladder or a label itself.
public struct Board: Sendable {
    /// One incident as the screens show it.
    public struct Entry: Sendable {
        public var incident: Incident
        public var policy: Policy
        /// Why the incident's own policy could not be used (see `PolicyBook`).
        public var policyProblem: String?
        public var ladder: Ladder
        /// What the operator should do next.
        public var next: NextAction

        /// The instant the entry was derived at.
        public var now: Date
        /// The store's on-call overrides when the entry was derived.
        public var overrides: [Override]
        /// The people and schedules that answer who to call (see `PolicyBook.resolver`).
        public var directory: Policy

        /// Derives the entry of one incident at `now`.
        public init(_ incident: Incident, policies: PolicyBook, at now: Date) {
            self.init(incident, policies: policies, at: now, memo: nil)
        }

        init(_ incident: Incident, policies: PolicyBook, at now: Date, memo: CalleeMemo?) {
            let book = policies[incident]
            self.now = now
            self.incident = incident
            policy = book.policy
            policyProblem = book.problem
            overrides = policies.overrides
            let directory = policies.resolver(for: book.policy)
            self.directory = directory
            let overrides = policies.overrides
            if let memo {
                ladder = Ladder(incident: incident, policy: book.policy, at: now, overrides: overrides) { c in
                    memo.callee(c, digest: incident.policyDigest) { directory.callee(c, at: now, overrides: overrides) }
                }
            } else {
                ladder = Ladder(incident: incident, policy: book.policy, at: now, overrides: overrides) { directory.callee($0, at: now, overrides: overrides) }
            }
            next = NextAction(incident: incident, ladder: ladder, at: now)
        }

        /// Who was on call for each contact of a tier when it started
        /// (nil when a contact names nobody, or the tier has not started):
        /// the incident's history keeps it after the rotation moves on.
        public func onCallAtStart(_ tier: Int) -> [Callee?] {
            let r = ladder.rungs[tier]
            guard r.isStarted, let start = r.startAt else { return r.contacts.map { _ in nil } }
            return r.contacts.map { c in
                c.contact.schedule == nil && c.contact.person == nil ? nil : directory.callee(c.contact, at: start, overrides: overrides)
            }
        }

        /// Most urgent first: earliest next deadline (overdue ones are
        /// earliest of all), then worse severity, then older.
        public static func moreUrgent(_ a: Entry, _ b: Entry) -> Bool {
            UrgencyKey(a).precedes(UrgencyKey(b))
        }
    }

    /// What `Entry.moreUrgent` compares, taken out of an entry once.
    struct UrgencyKey {
        var deadline: Date?
        var severity: Int
        var opened: Date
        var id: String

        init(_ e: Entry) {
            deadline = e.ladder.nextDeadline?.at
            severity = Severity.allCases.firstIndex(of: e.incident.severity)!  // sev1 first, as `<`
            opened = e.incident.opened.at
            id = e.incident.id
        }

        func precedes(_ b: UrgencyKey) -> Bool {
            switch (deadline, b.deadline) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: break
            }
            if severity != b.severity { return severity < b.severity }
            if opened != b.opened { return opened < b.opened }
            return id < b.id
        }
    }

    /// When the board was derived (its earliest entry, after `update`).
    public private(set) var now: Date
    /// Most urgent first (`Entry.moreUrgent`).
    public private(set) var entries: [Entry]
    /// Until this instant every entry's statuses, deadlines and next action
    /// hold (only countdowns move, and they are drawn from the deadlines):
    /// the earliest `Ladder.validUntil`. nil: nothing changes by the clock.
    public private(set) var validUntil: Date?

    /// The board of `incidents` at `now`.
    public init(_ incidents: some Sequence<Incident>, policies: PolicyBook, now: Date) {
        self.now = now
        entries = []
        validUntil = nil
        let memo = CalleeMemo()
        settle(incidents.map { Entry($0, policies: policies, at: now, memo: memo) })
    }

    /// Derives again only the incidents a store change touched (and drops
    /// those that left the board): a change costs what it changed, not
    /// what the store holds. The rest keep their entries, which hold until
    /// `validUntil`.
    public mutating func update(_ changed: some Sequence<Incident>, removing gone: Set<String>, policies: PolicyBook, now: Date) {
        var byID: [String: Entry] = [:]
        byID.reserveCapacity(entries.count)
        for e in entries where !gone.contains(e.incident.id) { byID[e.incident.id] = e }
        let memo = CalleeMemo()
        for i in changed { byID[i.id] = Entry(i, policies: policies, at: now, memo: memo) }
        settle(Array(byID.values))
    }

    private mutating func settle(_ unsorted: [Entry]) {
        // Sorted by index: moving whole entries retained and released
        // their contents at every step of the sort.
        // The keys apart, too: even through a buffer, handing two entries
        // to a comparison copied (retained) every field of both.
        let keys = unsorted.map(UrgencyKey.init)
        let order = keys.withUnsafeBufferPointer { k in k.indices.sorted { k[$0].precedes(k[$1]) } }
        entries = order.map { unsorted[$0] }
        validUntil = entries.lazy.compactMap(\.ladder.validUntil).min()
    }

    /// The board of a store's open incidents (and resolved ones when asked).
    public init(_ incidents: [String: Incident], policies: PolicyBook, now: Date, includeResolved: Bool) {
        self.init(incidents.values.lazy.filter { includeResolved || $0.state != .resolved }, policies: policies, now: now)
    }

    /// Whether the board must be derived again at `now` for the clock alone.
    public func isStale(at t: Date) -> Bool {
        t < now || validUntil.map { t >= $0 } ?? false
    }
}

/// Who to call for each contact, worked out once per board: every
/// incident under one policy asks the same question of a contact at the
/// same instant (who is on call in `platform` now), and a schedule's
/// answer walks handoffs and time zone rules. Keyed by the policy's digest
/// and the contact as the incident sees it (a customer's override makes a
/// different contact).
final class CalleeMemo {
    private struct Key: Hashable {
        var digest: String
        var contact: Contact
    }
    private var answers: [Key: Callee] = [:]

    func callee(_ c: Contact, digest: String, _ work: () -> Callee) -> Callee {
        // A contact that names nobody costs nothing to answer.
        guard c.schedule != nil || c.person != nil else { return work() }
        let key = Key(digest: digest, contact: c)
        if let known = answers[key] { return known }
        let answer = work()
        answers[key] = answer
        return answer
    }
}

/// How close a countdown is: the same thresholds everywhere it is drawn.
public enum Urgency: Sendable, Equatable, Comparable {
    case normal, warning, breached

    /// Under this many seconds a countdown is a warning, unless told otherwise.
    public static let defaultWarningSeconds = 120

    public init(seconds: Int?, warningSeconds: Int = Urgency.defaultWarningSeconds) {
        guard let s = seconds else { self = .normal; return }
        self = s < 0 ? .breached : s < warningSeconds ? .warning : .normal
    }
}
