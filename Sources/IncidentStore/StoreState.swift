import Escalation
import Foundation

/// Every incident in a store, folded from the merged log of all hosts.
///
/// Events may arrive in any order and more than once (files read in a
/// different order, a sync engine's conflict copy, a late host). `ingest`
/// keeps each incident equal to the fold of its events in log order: events
/// that sort after everything the incident has seen are applied in place; an
/// event that sorts earlier re-folds that one incident only. So an update
/// costs in proportion to the incident it touches, not to the store.
public struct StoreState: Sendable {
    public private(set) var incidents: [String: Incident] = [:]
    /// Events whose incident's opening has not been read (yet).
    public private(set) var orphans: [String: [IncidentEvent]] = [:]
    /// The latest clock seen: a new event's clock must follow it.
    public private(set) var maxHLC: HLC?
    /// The last sequence number seen per host.
    public private(set) var lastSequence: [String: Int] = [:]
    public private(set) var eventCount = 0
    public private(set) var duplicateCount = 0
    /// Events dated well ahead of the reader's clock when they were read.
    public private(set) var futureEvents: [IncidentEvent] = []
    private var seen: Set<EventID> = []
    private var policies: [String: Policy] = [:]
    /// Policies of opening events that no longer parse, by digest.
    public private(set) var policyErrors: [String: String] = [:]

    /// Events dated further ahead of the reader's clock than this are flagged.
    public static let futureTolerance: TimeInterval = 300

    public init() {}

    /// Makes room for about `events` events, so a cold start does not
    /// rehash its set of event ids a dozen times as it grows.
    public mutating func reserveCapacity(_ events: Int) {
        seen.reserveCapacity(events)
    }

    /// New events grouped by incident, duplicates dropped as they are added.
    /// The reader fills one while it reads, so a cold start holds each event
    /// once instead of in a flat list and again in groups.
    public struct Batch {
        fileprivate var byIncident: [String: [IncidentEvent]] = [:]
        fileprivate var count = 0
        public init() {}
    }

    /// Adds an event to `batch` unless this state or the batch has it already.
    public mutating func stage(_ e: IncidentEvent, in batch: inout Batch, now: Date?) {
        guard seen.insert(e.id).inserted else { duplicateCount += 1; return }
        eventCount += 1
        batch.count += 1
        if maxHLC.map({ $0 < e.hlc }) ?? true { maxHLC = e.hlc }
        if e.id.sequence > lastSequence[e.id.host, default: -1] { lastSequence[e.id.host] = e.id.sequence }
        if let now, e.isDated(aheadOf: now, by: StoreState.futureTolerance), futureEvents.count < 1000 {
            futureEvents.append(e)
        }
        batch.byIncident[e.incident, default: []].append(e)
    }

    /// What one `ingest` changed.
    public struct Change: Sendable {
        /// The new events in log order, when asked for (`collectingEvents`).
        public var events: [IncidentEvent] = []
        public var incidents: Set<String> = []
        public var isEmpty: Bool { incidents.isEmpty }
    }

    /// Folds a staged batch in.
    @discardableResult
    public mutating func ingest(_ batch: consuming Batch, collectingEvents: Bool = false) -> Change {
        var change = Change()
        var groups = batch.byIncident
        batch.byIncident = [:]
        change.incidents = Set(groups.keys)
        for id in change.incidents {
            var events = groups.removeValue(forKey: id)!  // freed as it is folded
            events.sort(by: IncidentEvent.precedes)
            if collectingEvents { change.events += events }
            if incidents[id] != nil {
                // Applied in place (no copy of the incident) while in order.
                var k = 0
                while k < events.count, incidents[id]!.apply(events[k]) { k += 1 }
                if k < events.count {
                    let all = incidents[id]!.events + events[k...]
                    incidents[id] = Incident.fold(all.sorted(by: IncidentEvent.precedes))
                }
            } else {
                // Usually no orphans wait: fold the sorted group itself, uncopied.
                var all = events
                if let waiting = orphans.removeValue(forKey: id) {
                    all = (waiting + events).sorted(by: IncidentEvent.precedes)
                }
                events = []
                if let incident = Incident.fold(all) {
                    incidents[id] = incident
                } else {
                    orphans[id] = all
                }
            }
        }
        if collectingEvents { change.events.sort(by: IncidentEvent.precedes) }
        return change
    }

    /// Stages and folds a list of events (tests, tools).
    @discardableResult
    public mutating func ingest(_ events: [IncidentEvent], now: Date? = nil, collectingEvents: Bool = true) -> Change {
        var batch = Batch()
        for e in events { stage(e, in: &batch, now: now) }
        return ingest(batch, collectingEvents: collectingEvents)
    }

    /// The policy an incident opened under. An opening whose policy no
    /// longer parses (written by a newer version, or edited by hand) falls
    /// back to the built-in policy; `policyErrors` says so.
    public mutating func policy(for incident: Incident) -> Policy {
        if let p = policies[incident.policyDigest] { return p }
        let p: Policy
        do {
            p = try Policy(yaml: incident.policyYAML, file: "policy of incident \(incident.id)")
        } catch {
            policyErrors[incident.policyDigest] = error.description
            p = Policy.builtIn
        }
        policies[incident.policyDigest] = p
        return p
    }

    public func incident(_ typed: String) -> Incident? {
        incidents[typed] ?? IncidentID.normalize(typed).flatMap { incidents[$0] }
    }

    public var orphanCount: Int { orphans.values.reduce(0) { $0 + $1.count } }
}
