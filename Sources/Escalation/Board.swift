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

        /// Derives the entry of one incident at `now`.
        public init(_ incident: Incident, policies: PolicyBook, at now: Date) {
            let book = policies[incident]
            self.incident = incident
            policy = book.policy
            policyProblem = book.problem
            ladder = Ladder(incident: incident, policy: book.policy, at: now, overrides: policies.overrides)
            next = NextAction(incident: incident, ladder: ladder, at: now)
        }

        /// Most urgent first: earliest next deadline (overdue ones are
        /// earliest of all), then worse severity, then older.
        public static func moreUrgent(_ a: Entry, _ b: Entry) -> Bool {
            switch (a.ladder.nextDeadline?.at, b.ladder.nextDeadline?.at) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: break
            }
            if a.incident.severity != b.incident.severity { return a.incident.severity < b.incident.severity }
            if a.incident.opened.at != b.incident.opened.at { return a.incident.opened.at < b.incident.opened.at }
            return a.incident.id < b.incident.id
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
        settle(incidents.map { Entry($0, policies: policies, at: now) })
    }

    /// Derives again only the incidents a store change touched (and drops
    /// those that left the board): a change costs what it changed, not
    /// what the store holds. The rest keep their entries, which hold until
    /// `validUntil`.
    public mutating func update(_ changed: some Sequence<Incident>, removing gone: Set<String>, policies: PolicyBook, now: Date) {
        var byID: [String: Entry] = [:]
        byID.reserveCapacity(entries.count)
        for e in entries where !gone.contains(e.incident.id) { byID[e.incident.id] = e }
        for i in changed { byID[i.id] = Entry(i, policies: policies, at: now) }
        settle(Array(byID.values))
    }

    private mutating func settle(_ unsorted: [Entry]) {
        // Sorted by index: moving whole entries retained and released
        // their contents at every step of the sort.
        let order = unsorted.withUnsafeBufferPointer { e in e.indices.sorted { Entry.moreUrgent(e[$0], e[$1]) } }
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
