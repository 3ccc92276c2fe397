import Foundation

/// One thing that happened to an incident, as recorded in the store.
/// Events are facts: state is a fold over them (see `Incident`).
public struct IncidentEvent: Sendable, Equatable {
    /// Unique across hosts: the writing host and its sequence number.
    public var id: EventID
    /// Orders events across hosts (then host, then sequence).
    public var hlc: HLC
    public var incident: String
    /// The operator as claimed (`--operator`); not authenticated.
    public var operatorName: String
    /// The Unix user that wrote the event, recorded beside the claim.
    public var unixUser: String
    /// When the action happened (back-dated with `--at`).
    public var at: Date
    /// When it was written to the store.
    public var recordedAt: Date
    /// The incident version the operator acted on: detects stale actions.
    public var baseVersion: Int
    public var action: Action

    public init(id: EventID, hlc: HLC, incident: String, operatorName: String, unixUser: String,
                at: Date, recordedAt: Date, baseVersion: Int, action: Action) {
        self.id = id
        self.hlc = hlc
        self.incident = incident
        self.operatorName = operatorName
        self.unixUser = unixUser
        self.at = at
        self.recordedAt = recordedAt
        self.baseVersion = baseVersion
        self.action = action
    }

    /// Whether a host's clock dated this event more than `tolerance` seconds
    /// ahead of `now` (its happened time, its recorded time or its clock).
    public func isDated(aheadOf now: Date, by tolerance: TimeInterval) -> Bool {
        let limit = now.addingTimeInterval(tolerance)
        return at > limit || recordedAt > limit || Double(hlc.millis) / 1000 > limit.timeIntervalSince1970
    }

    /// The order of the merged log: hybrid logical clock, then host, then sequence.
    public static func precedes(_ a: IncidentEvent, _ b: IncidentEvent) -> Bool {
        if a.hlc != b.hlc { return a.hlc < b.hlc }
        if a.id.host != b.id.host { return a.id.host < b.id.host }
        return a.id.sequence < b.id.sequence
    }

    /// Puts `events` in log order (`precedes`). A cold start sorts every
    /// incident's events, which arrive as a few runs already in order (one
    /// per log file): an ordered array is left alone, and otherwise the
    /// indices are sorted and each event moved once. Sorting the events
    /// themselves copied whole values, with their strings retained and
    /// released, at every step of the sort (PERFORMANCE.md measures starts).
    public static func sortInLogOrder(_ events: inout [IncidentEvent]) {
        let ordered = events.withUnsafeBufferPointer { e in
            e.indices.dropFirst().allSatisfy { !precedes(e[$0], e[$0 - 1]) }
        }
        if ordered { return }
        var order = events.withUnsafeBufferPointer { e in
            e.indices.sorted { precedes(e[$0], e[$1]) }
        }
        // Event `order[i]` goes to place i: follow each cycle of the
        // permutation with swaps, in place (no second array of events).
        for start in order.indices where order[start] != start {
            var i = start
            while order[i] != start {
                let next = order[i]
                events.swapAt(i, next)
                order[i] = i
                i = next
            }
            order[i] = i
        }
    }
}

public enum Action: Sendable, Equatable {
    /// Boxed (`indirect`): an opening is several times the size of any other
    /// action, and every event in memory would otherwise be as large.
    indirect case opened(Opening)
    case acknowledged
    /// Manual escalation: starts this tier (and any earlier one not started).
    case escalated(toTier: String)
    /// A call's outcome, with the person actually called when the contact
    /// resolves to one (the person on call then): the incident keeps who
    /// it was after the rotation moves on.
    case contactOutcome(tier: String, contact: String, outcome: Outcome, person: CalledPerson)
    case customerUpdate(message: String)
    case note(message: String)
    case resolved(message: String?)
    case reopened
    /// Someone on call instead of a schedule's rotation for a while
    /// (recorded under `OverrideLog.key`, not an incident).
    indirect case onCallOverride(OverrideRequest)
    /// An override ends now (`OverrideLog.key`).
    case onCallCancel(override: String)
    /// What monitoring said about the incident (`tierwatch serve`): alerts
    /// firing, or resolved. A fact for the timeline; it changes no timer.
    indirect case monitoring(MonitoringNote)
    /// A hook's claim (before it runs, so it runs once) or its result.
    indirect case hook(HookRecord)
    /// A policy's text, written once in each host's log before the first
    /// opening that names it by digest (recorded under `PolicyText.key`,
    /// not an incident).
    indirect case policyText(PolicyText)

    /// An on-call override or its cancel: the store's, not an incident's.
    public var isOnCall: Bool {
        switch self {
        case .onCallOverride, .onCallCancel: true
        default: false
        }
    }

    /// The store's and `--json`'s name for the action.
    public var typeName: String {
        switch self {
        case .opened: "opened"
        case .acknowledged: "acknowledged"
        case .escalated: "escalated"
        case .contactOutcome: "contact"
        case .customerUpdate: "customer_update"
        case .note: "note"
        case .resolved: "resolved"
        case .reopened: "reopened"
        case .onCallOverride: "oncall_override"
        case .onCallCancel: "oncall_cancel"
        case .monitoring: "monitoring"
        case .hook: "hook"
        case .policyText: "policy"
        }
    }
}

/// A policy's text by its digest: openings name their policy by digest, and
/// each host's log carries each text once.
public struct PolicyText: Sendable, Equatable {
    /// The incident key policy texts are recorded under.
    public static let key = "@policy"
    public var digest: String
    public var text: String
    public init(digest: String, text: String) {
        self.digest = digest
        self.text = text
    }
}

public struct Opening: Sendable, Equatable {
    public var title: String
    public var customer: String?
    public var severity: Severity
    /// The policy's YAML as it was when the incident opened, so that editing
    /// the policy file never changes a running incident's timers.
    public var policyYAML: String
    public var policyDigest: String
    /// What opened it, to find it again: `alertmanager/GROUPKEY`,
    /// `api/KEY` (nil: opened by hand).
    public var dedupKey: String?
    /// The machine that opened it (`IncidentStore.machineID`): its serve
    /// runs the incident's hooks first (see `HookOccurrence`).
    public var originMachine: String?

    public init(title: String, customer: String?, severity: Severity, policyYAML: String, policyDigest: String, dedupKey: String? = nil,
                originMachine: String? = nil) {
        self.title = title
        self.customer = customer
        self.severity = severity
        self.policyYAML = policyYAML
        self.policyDigest = policyDigest
        self.dedupKey = dedupKey
        self.originMachine = originMachine
    }
}

/// What monitoring reported: `firing` with the alerts new to the incident
/// (their fingerprints), or `resolved`; `text` is the timeline's line.
public struct MonitoringNote: Sendable, Equatable {
    public var status: String
    public var alerts: [String]
    public var text: String

    public init(status: String, alerts: [String], text: String) {
        self.status = status
        self.alerts = alerts
        self.text = text
    }
}

public enum Severity: String, Sendable, Equatable, CaseIterable, Comparable {
    case sev1, sev2, sev3, sev4
    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

public enum Outcome: String, Sendable, Equatable, CaseIterable {
    case reached
    case voicemail
    case noAnswer = "no_answer"

    public var label: String {
        switch self {
        case .reached: "reached"
        case .voicemail: "voicemail"
        case .noAnswer: "no answer"
        }
    }
}

public struct EventID: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var sequence: Int

    public init(host: String, sequence: Int) {
        self.host = host
        self.sequence = sequence
    }

    public var description: String { "\(host)/\(sequence)" }
}

/// Hybrid logical clock: wall-clock milliseconds plus a counter that breaks
/// ties and keeps causality when a writer has seen a later time than its own
/// clock shows.
public struct HLC: Sendable, Hashable, Comparable {
    public var millis: Int64
    public var counter: Int

    public init(millis: Int64, counter: Int) {
        self.millis = millis
        self.counter = counter
    }

    public static func < (a: HLC, b: HLC) -> Bool {
        a.millis != b.millis ? a.millis < b.millis : a.counter < b.counter
    }

    /// The clock for a new event at wall time `now`, after every event seen.
    public static func next(after seen: HLC?, now: Date) -> HLC {
        let wall = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        guard let seen, seen.millis >= wall else { return HLC(millis: wall, counter: 0) }
        return HLC(millis: seen.millis, counter: seen.counter + 1)
    }
}

/// A hook run as the store records it: `claimed` before it runs (the
/// idempotency key: a serve that finds it does not run the hook), then
/// `ok` or `failed` with what happened; `test` for `tierwatch hooks test`.
public struct HookRecord: Sendable, Equatable {
    public enum Result: String, Sendable, Equatable {
        case claimed, ok, failed
        case testOK = "test_ok"
        case testFailed = "test_failed"
    }
    public var name: String
    public var key: String
    public var result: Result
    /// `exit 3 after 3 tries`, `HTTP 500 after 3 tries`, `ran in 0.2s`.
    public var detail: String
    public var tries: Int
    /// Fired well after its instant (a serve was down, or another site's
    /// serve took over).
    public var late: Bool

    public init(name: String, key: String, result: Result, detail: String = "", tries: Int = 0, late: Bool = false) {
        self.name = name
        self.key = key
        self.result = result
        self.detail = detail
        self.tries = tries
        self.late = late
    }
}
