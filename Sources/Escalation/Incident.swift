import Foundation

/// An incident's state: a deterministic fold over its events in log order
/// (`IncidentEvent.precedes`). Folding the same set of events always gives
/// the same state; an event seen twice is ignored the second time.
///
/// The fold knows nothing of the policy: it records which tiers were escalated
/// to and which contacts were reached, and `Ladder` interprets them.
public struct Incident: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case open, acknowledged, resolved
    }

    public struct Stamp: Sendable, Equatable {
        public var by: String
        public var at: Date
    }

    /// A half-open span of time; `end == nil` means still going on.
    public struct Interval: Sendable, Equatable {
        public var start: Date
        public var end: Date?

        public func contains(_ t: Date) -> Bool { t >= start && (end.map { t < $0 } ?? true) }
    }

    public struct Escalation: Sendable, Equatable {
        public var tier: String
        public var at: Date
        public var by: String
    }

    /// What is known of calls to one contact of one tier: the latest
    /// outcome by the time it *happened* (`at`, then log order), and when the
    /// contact was first reached. Reaching someone is a fact a later
    /// unanswered call does not undo: it is what a tier's requirement counts.
    public struct ContactRecord: Sendable, Equatable {
        public var outcome: Outcome
        public var by: String
        public var at: Date
        /// The earliest time the contact was reached, by any call.
        public var reachedAt: Date?
        /// The person the latest call was to, as recorded (nil: the
        /// contact as written, or a writer that did not record one).
        public var person: PersonRef?
    }

    public struct TimelineEntry: Sendable, Equatable {
        public var event: IncidentEvent
        /// Why the action was kept but not applied (nil: it was applied).
        public var staleReason: String?
        public var isStale: Bool { staleReason != nil }
        /// Recorded more than a minute after it happened (`--at`).
        public var isBackdated: Bool { event.recordedAt.timeIntervalSince(event.at) > 60 }
    }

    /// Positions in `events` in the order things happened (`at`, then log
    /// order), or nil when that is the log order already: only back-dated
    /// entries (`--at`) make it differ, and then it is kept up to date as
    /// events arrive rather than sorted on every look.
    private var happenedOrder: [Int]?

    public let id: String
    public private(set) var title: String
    public private(set) var customer: String?
    public private(set) var severity: Severity
    public private(set) var opened: Stamp
    public private(set) var policyDigest: String
    public private(set) var policyYAML: String
    public private(set) var state: State = .open
    public private(set) var acknowledged: Stamp?
    public private(set) var resolved: Stamp?
    public private(set) var resolutionMessage: String?
    public private(set) var escalations: [Escalation] = []
    /// Latest outcome per (tier id, contact id).
    public private(set) var contacts = ContactRecords()
    public private(set) var lastCustomerUpdate: Stamp?
    public private(set) var lastReopened: Date?
    public private(set) var resolvedIntervals: [Interval] = []
    public private(set) var acknowledgedIntervals: [Interval] = []
    /// The incident's events in log order, oldest first, the opening first,
    /// shared with every copy of the incident (see `EventLog`).
    private var log: EventLog
    /// How many of the log's events this copy has folded.
    private var count: Int
    /// The incident's events in log order, oldest first, the opening first.
    public var events: ArraySlice<IncidentEvent> { log.snapshot[..<count] }
    /// Why an event was kept but not applied, by its index in `events`.
    /// Sparse: almost every event applies.
    private var staleReasons: [Int: String] = [:]
    /// Per call key (`HookKey.callOut`, serve's tries and operators' calls):
    /// kept as events are folded, so a screen asks who is being called every
    /// frame without reading the whole log.
    public private(set) var calls: [String: CallState] = [:]
    /// How many actions were kept but not applied (stale).
    public var staleCount: Int { staleReasons.count }

    /// Whether the event at `k` of `events` was kept but not applied.
    func isStale(at k: Int) -> Bool { !staleReasons.isEmpty && staleReasons[k] != nil }
    /// The actions kept but not applied, in log order, with why.
    public var staleEvents: [(event: IncidentEvent, reason: String)] {
        let all = events
        return staleReasons.keys.sorted().map { (all[all.startIndex + $0], staleReasons[$0]!) }
    }

    /// The number of events folded: what an operator's action says it saw.
    public var version: Int { count }
    /// The version right after the most recent resolve.
    private var resolveVersion = 0

    public struct ContactKey: Sendable, Hashable {
        public var tier: String
        public var contact: String
        public init(tier: String, contact: String) {
            self.tier = tier
            self.contact = contact
        }
    }

    /// The latest outcome per contact. An incident has a handful of
    /// contacts, so a list searched in order is both smaller and quicker
    /// than a dictionary: a year's store holds thousands of incidents.
    public struct ContactRecords: Sendable, Equatable {
        private var entries: [(key: ContactKey, record: ContactRecord)] = []

        public var count: Int { entries.count }

        public subscript(key: ContactKey) -> ContactRecord? {
            get { entries.first { $0.key == key }?.record }
            set {
                let k = entries.firstIndex { $0.key == key }
                switch (k, newValue) {
                case let (k?, record?): entries[k].record = record
                case let (k?, nil): entries.remove(at: k)
                case let (nil, record?): entries.append((key, record))
                case (nil, nil): break
                }
            }
        }

        public static func == (a: ContactRecords, b: ContactRecords) -> Bool {
            a.entries.count == b.entries.count && a.entries.allSatisfy { b[$0.key] == $0.record }
        }
    }

    /// Two incidents are equal when they folded the same events: all else
    /// is derived from them.
    public static func == (a: Incident, b: Incident) -> Bool {
        a.id == b.id && a.count == b.count && (a.log === b.log || a.events.elementsEqual(b.events))
    }

    /// Starts an incident from its opening event.
    public init?(opening event: IncidentEvent) {
        self.init(log: [event])
    }

    /// An incident whose log is `log`, which starts with its opening; the
    /// rest of the log is folded later, by `fold`.
    private init?(log: [IncidentEvent]) {
        guard let first = log.first, case let .opened(o) = first.action else { return nil }
        id = first.incident
        title = o.title
        customer = o.customer
        severity = o.severity
        opened = Stamp(by: first.operatorName, at: first.at)
        policyDigest = o.policyDigest
        policyYAML = o.policyYAML
        self.log = EventLog(log)
        count = log.count
    }

    /// In the order things happened (`at`; log order breaks ties), oldest
    /// first, with the reason each stale action was not applied; the
    /// dashboard shows it newest first.
    public var timeline: [TimelineEntry] {
        (0..<count).map(timelineEntry)
    }

    /// The number of timeline entries: one per event.
    public var timelineCount: Int { count }

    /// The timeline's entry at `position` (0 is the earliest to happen),
    /// without building the whole timeline: a screen draws a few of many.
    public func timelineEntry(_ position: Int) -> TimelineEntry {
        let k = happenedOrder?[position] ?? position
        return TimelineEntry(event: log[k], staleReason: staleReasons[k])
    }

    /// Keeps `happenedOrder` for the event just appended at `k`.
    private mutating func placeInTimeline(_ k: Int) {
        if happenedOrder == nil {
            guard k > 0, log[k].at < log[k - 1].at else { return }
            happenedOrder = Array(0..<k)
        }
        // After every entry that happened at or before it (log order breaks ties).
        let events = log.snapshot
        let at = events[k].at
        var lo = 0, hi = happenedOrder!.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if events[happenedOrder![mid]].at <= at { lo = mid + 1 } else { hi = mid }
        }
        happenedOrder!.insert(k, at: lo)
    }

    /// Folds events already in log order. Events of other incidents, events
    /// before the opening (which a correct writer cannot produce) and
    /// duplicates are skipped. Returns nil when there is no opening event.
    ///
    /// The incident keeps `events` itself as its log, without copying each
    /// event, when they need no skipping: a cold start folds every event in
    /// the store, and holding each once is what keeps its memory small.
    public static func fold(_ events: [IncidentEvent]) -> Incident? {
        guard let open = events.firstIndex(where: { if case .opened = $0.action { return true } else { return false } }) else { return nil }
        var log = events
        let id = events[open].incident
        let clean = open == 0 && zip(events, events.dropFirst()).allSatisfy { IncidentEvent.precedes($0, $1) && $1.incident == id }
        if !clean {
            log = [events[open]]
            for e in events[(open + 1)...] where e.incident == id && IncidentEvent.precedes(log[log.count - 1], e) { log.append(e) }
        }
        guard var incident = Incident(log: log) else { return nil }
        for k in 1..<log.count {
            incident.placeInTimeline(k)
            incident.takeEffect(at: k)
        }
        return incident
    }

    /// Gives back the log's spare capacity when it is more than an eighth.
    public mutating func shrinkLog() {
        forkIfBehind()
        log.shrink(above: count + count / 8 + 2)
    }

    /// A copy that is behind the shared log (another copy appended since)
    /// takes a log of its own before it changes anything: the log is only
    /// ever appended to at its end, by the copy that is at its end.
    private mutating func forkIfBehind() {
        if count != log.count { log = EventLog(Array(log.snapshot[..<count])) }
    }

    /// Applies the next event in log order and returns true; returns false,
    /// changing nothing, for an event that does not sort after the last one
    /// applied: a duplicate (an event sorts equal only to itself), or a late
    /// event the caller must re-fold for. An action that no longer makes sense
    /// (ack or escalate on an incident someone else resolved meanwhile) stays
    /// in the timeline marked stale and changes nothing else.
    @discardableResult
    public mutating func apply(_ e: IncidentEvent) -> Bool {
        guard e.incident == id, IncidentEvent.precedes(log[count - 1], e) else { return false }
        // At the log's end: appended in place, checked and done under one
        // lock (two copies at the end on two threads cannot both append).
        // Behind it (another copy appended since): a log of its own.
        if !log.append(e, at: count) { log = EventLog(Array(log.snapshot[..<count]) + [e]) }
        count += 1
        placeInTimeline(count - 1)
        takeEffect(at: count - 1)
        return true
    }

    /// Applies the effect of `events[k]` on the state folded from the events
    /// before it, or records why it is stale.
    ///
    /// Events are folded in log order (when they were recorded), but what
    /// they say follows when things *happened*: a call recorded late with
    /// `--at` does not override a later call recorded earlier, and a
    /// back-dated customer update does not pull the next update's due time
    /// back. The log order only breaks ties.
    private mutating func takeEffect(at k: Int) {
        let e = log[k]
        // A call's records count whatever else they meet, as `hookKeys` does.
        if case let .hook(h) = e.action, HookKey(h.key)?.callOut != nil {
            var c = calls[h.key] ?? CallState()
            if h.result == .claimed { c.claimedAt = max(c.claimedAt ?? e.recordedAt, e.recordedAt) } else if h.result == .ok || h.result == .failed {
                c.finished = true
                c.result = h.result
            }
            calls[h.key] = c
        }
        if let reason = refusal(of: e.action, baseVersion: e.baseVersion, at: e.at) {
            staleReasons[k] = reason
            return
        }
        let stamp = Stamp(by: e.operatorName, at: e.at)
        switch e.action {
        case .opened:
            break  // `refusal` never lets a second opening through
        case .acknowledged:
            state = .acknowledged
            acknowledged = stamp
            acknowledgedIntervals.append(Interval(start: e.at, end: nil))
        case let .escalated(tier):
            escalations.append(Escalation(tier: tier, at: e.at, by: e.operatorName))
        case let .contactOutcome(tier, contact, outcome, person):
            let key = ContactKey(tier: tier, contact: contact)
            let old = contacts[key]
            var record = old.map { $0.at > e.at ? $0 : ContactRecord(outcome: outcome, by: e.operatorName, at: e.at, reachedAt: $0.reachedAt, person: person.ref) }
                ?? ContactRecord(outcome: outcome, by: e.operatorName, at: e.at, person: person.ref)
            if outcome == .reached, record.reachedAt.map({ e.at < $0 }) ?? true { record.reachedAt = e.at }
            contacts[key] = record
        case .customerUpdate:
            if lastCustomerUpdate.map({ $0.at <= e.at }) ?? true { lastCustomerUpdate = stamp }
        case .note:
            break
        case let .resolved(message):
            state = .resolved
            resolved = stamp
            resolutionMessage = message
            resolveVersion = k + 1
            resolvedIntervals.append(Interval(start: e.at, end: nil))
        case .reopened:
            state = .open
            resolved = nil
            resolutionMessage = nil
            acknowledged = nil
            lastReopened = lastReopened.map { max($0, e.at) } ?? e.at
            close(&resolvedIntervals, at: e.at)
            close(&acknowledgedIntervals, at: e.at)
        case .onCallOverride, .onCallCancel, .policyText:
            break  // never an incident's (`refusal` keeps them out)
        case .monitoring, .hook:
            break  // facts for the timeline
        }
    }

    private func close(_ intervals: inout [Interval], at t: Date) {
        if let last = intervals.indices.last, intervals[last].end == nil {
            intervals[last].end = max(t, intervals[last].start)
        }
    }

    /// How far apart the clocks of hosts sharing a store may be: an action
    /// dated this much before what it follows is taken as the same moment
    /// on a slower clock, not as impossible.
    public static let clockTolerance: TimeInterval = 60

    /// Why `action`, taken on a view of version `baseVersion` and dated
    /// `at` (when it happened), cannot be applied to the current state, or
    /// nil if it can. Shared with the store's writers: the same rule refuses
    /// an action before it is written (exit 1) and marks it stale if it
    /// raced. Time runs one way: nothing happens before the incident
    /// opened, a reopen not before the resolve it undoes, and an ack,
    /// escalation or resolve not before the reopen it follows (each within
    /// `clockTolerance`). How far ahead of the clock a time may be is the
    /// writer's rule: the fold has no clock.
    public func refusal(of action: Action, baseVersion: Int, at: Date) -> String? {
        // Built only when needed: the fold asks this of every event it applies.
        var resolvedNote: String { resolved.map { "resolved by \($0.by) at \(ISOTime.format($0.at))" } ?? "resolved" }
        if case .opened = action {
            return "incident \(id) is already open (opened by \(opened.by)): a second opening was ignored"
        }
        let slack = Incident.clockTolerance
        if at < opened.at.addingTimeInterval(-slack) {
            return "dated \(ISOTime.format(at)), before \(id) was opened (\(ISOTime.format(opened.at)))"
        }
        switch action {
        case .acknowledged, .escalated, .resolved:
            if state != .resolved, let r = lastReopened, at < r.addingTimeInterval(-slack) {
                return "dated \(ISOTime.format(at)), before \(id) was reopened (\(ISOTime.format(r)))"
            }
        default:
            break
        }
        switch action {
        case .opened:
            return nil  // answered above
        case .acknowledged:
            if state == .resolved { return staleOrRefused(baseVersion, "already \(resolvedNote)") }
            if let a = acknowledged { return "already acknowledged by \(a.by) at \(ISOTime.format(a.at))" }
        case .escalated:
            if state == .resolved { return staleOrRefused(baseVersion, "already \(resolvedNote)") }
        case .resolved:
            if state == .resolved { return "already \(resolvedNote)" }
        case .reopened:
            if state != .resolved { return "incident \(id) is not resolved" }
            if let r = resolved, at < r.at.addingTimeInterval(-slack) {
                return "a reopen dated \(ISOTime.format(at)) is before the resolve it undoes (\(ISOTime.format(r.at)))"
            }
        case .contactOutcome, .customerUpdate, .note, .monitoring, .hook:
            break  // facts about calls, messages and alerts are kept whatever the state
        case .onCallOverride, .onCallCancel:
            return "an on-call override is not an action on an incident"
        case .policyText:
            return "a policy text is not an action on an incident"
        }
        return nil
    }

    private func staleOrRefused(_ baseVersion: Int, _ why: String) -> String {
        baseVersion < resolveVersion ? "stale: acted on version \(baseVersion), \(why)" : why
    }
}

/// An incident's events, appended to in place and shared by every copy of
/// the incident; each copy sees the events up to its own count. A screen
/// that holds the incident as it was a change ago therefore never makes
/// the store copy a long log when it appends the next event (a 60k-entry
/// timeline was copied whole on every change before). Only the copy at the
/// log's end appends (`append(_:at:)` checks that and appends under one
/// lock); one behind forks. A lock guards the array, so a copy read on
/// another thread while the owner appends sees a consistent snapshot (the
/// append then copies the array, once, only if that snapshot is still held).
final class EventLog: @unchecked Sendable {
    private var events: [IncidentEvent]
    private let lock = NSLock()

    init(_ events: [IncidentEvent]) { self.events = events }

    /// The events as they are now: the array itself, not a copy of it.
    var snapshot: [IncidentEvent] {
        lock.lock(); defer { lock.unlock() }
        return events
    }

    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return events.count
    }

    subscript(k: Int) -> IncidentEvent {
        lock.lock(); defer { lock.unlock() }
        return events[k]
    }

    /// Appends `e` when the log holds exactly `count` events (the caller's
    /// copy is at its end) and returns true; else changes nothing.
    func append(_ e: IncidentEvent, at count: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard events.count == count else { return false }
        events.append(e)
        return true
    }

    /// Gives back spare capacity when it is above `limit` (same contents).
    func shrink(above limit: Int) {
        lock.lock(); defer { lock.unlock() }
        if events.capacity > limit { events = events.withUnsafeBufferPointer { Array($0) } }
    }
}
