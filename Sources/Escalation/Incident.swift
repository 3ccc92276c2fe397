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

    public struct ContactRecord: Sendable, Equatable {
        public var outcome: Outcome
        public var by: String
        public var at: Date
    }

    public struct TimelineEntry: Sendable, Equatable {
        public var event: IncidentEvent
        /// Why the action was kept but not applied (nil: it was applied).
        public var staleReason: String?
        public var isStale: Bool { staleReason != nil }
        /// Recorded more than a minute after it happened (`--at`).
        public var isBackdated: Bool { event.recordedAt.timeIntervalSince(event.at) > 60 }
    }

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
    public private(set) var contacts: [ContactKey: ContactRecord] = [:]
    public private(set) var lastCustomerUpdate: Stamp?
    public private(set) var lastReopened: Date?
    public private(set) var resolvedIntervals: [Interval] = []
    public private(set) var acknowledgedIntervals: [Interval] = []
    /// Oldest first; the dashboard shows it newest first.
    public private(set) var timeline: [TimelineEntry] = []
    /// The number of events folded: what an operator's action says it saw.
    public private(set) var version = 0
    /// The version right after the most recent resolve.
    private var resolveVersion = 0
    private var seen: Set<EventID> = []

    public struct ContactKey: Sendable, Hashable {
        public var tier: String
        public var contact: String
        public init(tier: String, contact: String) {
            self.tier = tier
            self.contact = contact
        }
    }

    /// Starts an incident from its opening event.
    public init?(opening event: IncidentEvent) {
        guard case let .opened(o) = event.action else { return nil }
        id = event.incident
        title = o.title
        customer = o.customer
        severity = o.severity
        opened = Stamp(by: event.operatorName, at: event.at)
        policyDigest = o.policyDigest
        policyYAML = o.policyYAML
        version = 1
        seen.insert(event.id)
        timeline.append(TimelineEntry(event: event, staleReason: nil))
    }

    /// Folds events already in log order. Events of other incidents, and
    /// events before the opening (which a correct writer cannot produce), are
    /// skipped. Returns nil when there is no opening event.
    public static func fold<S: Sequence>(_ events: S) -> Incident? where S.Element == IncidentEvent {
        var incident: Incident?
        for e in events {
            if incident == nil {
                incident = Incident(opening: e)
            } else {
                incident!.apply(e)
            }
        }
        return incident
    }

    /// Applies the next event in log order. Duplicates (same event id) are
    /// ignored; an action that no longer makes sense (ack or escalate on an
    /// incident someone else resolved meanwhile) stays in the timeline marked
    /// stale and changes nothing else.
    public mutating func apply(_ e: IncidentEvent) {
        guard e.incident == id, seen.insert(e.id).inserted else { return }
        version += 1
        let reason = refusal(of: e.action, baseVersion: e.baseVersion)
        timeline.append(TimelineEntry(event: e, staleReason: reason))
        guard reason == nil else { return }
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
        case let .contactOutcome(tier, contact, outcome):
            contacts[ContactKey(tier: tier, contact: contact)] = ContactRecord(outcome: outcome, by: e.operatorName, at: e.at)
        case .customerUpdate:
            lastCustomerUpdate = stamp
        case .note:
            break
        case let .resolved(message):
            state = .resolved
            resolved = stamp
            resolutionMessage = message
            resolveVersion = version
            resolvedIntervals.append(Interval(start: e.at, end: nil))
        case .reopened:
            state = .open
            resolved = nil
            resolutionMessage = nil
            acknowledged = nil
            lastReopened = e.at
            close(&resolvedIntervals, at: e.at)
            close(&acknowledgedIntervals, at: e.at)
        }
    }

    private func close(_ intervals: inout [Interval], at t: Date) {
        if let last = intervals.indices.last, intervals[last].end == nil {
            intervals[last].end = max(t, intervals[last].start)
        }
    }

    /// Why `action`, taken on a view of version `baseVersion`, cannot be
    /// applied to the current state, or nil if it can.
    /// Shared with the store's writers: the same rule refuses an action
    /// before it is written (exit 1) and marks it stale if it raced.
    public func refusal(of action: Action, baseVersion: Int) -> String? {
        let resolvedNote = resolved.map { "resolved by \($0.by) at \(ISOTime.format($0.at))" } ?? "resolved"
        switch action {
        case .opened:
            return "incident \(id) is already open (opened by \(opened.by)): a second opening was ignored"
        case .acknowledged:
            if state == .resolved { return staleOrRefused(baseVersion, "already \(resolvedNote)") }
            if let a = acknowledged { return "already acknowledged by \(a.by) at \(ISOTime.format(a.at))" }
        case .escalated:
            if state == .resolved { return staleOrRefused(baseVersion, "already \(resolvedNote)") }
        case .resolved:
            if state == .resolved { return "already \(resolvedNote)" }
        case .reopened:
            if state != .resolved { return "incident \(id) is not resolved" }
        case .contactOutcome, .customerUpdate, .note:
            break  // facts about calls and messages are kept whatever the state
        }
        return nil
    }

    private func staleOrRefused(_ baseVersion: Int, _ why: String) -> String {
        baseVersion < resolveVersion ? "stale: acted on version \(baseVersion), \(why)" : why
    }
}
