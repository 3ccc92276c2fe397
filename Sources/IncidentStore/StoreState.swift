import Escalation
import Foundation

/// Every incident in a store, folded from the merged log of all hosts.
///
/// Events may arrive in any order and more than once (files read in a
/// different order, a sync engine's conflict copy, a late host). `ingest`
/// keeps each incident equal to the fold of its events in log order: an event
/// that sorts after everything the incident has seen is applied in place; an
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
    private var seen: Set<EventID> = []
    private var policies: [String: Policy] = [:]
    /// Policies of opening events that no longer parse, by digest.
    public private(set) var policyErrors: [String: String] = [:]

    public init() {}

    /// What one `ingest` changed.
    public struct Change: Sendable {
        /// The events not seen before, in log order.
        public var events: [IncidentEvent] = []
        public var incidents: Set<String> = []
        public var isEmpty: Bool { events.isEmpty }
    }

    /// Events dated further ahead of the reader's clock than this are flagged.
    public static let futureTolerance: TimeInterval = 300

    /// Folds new events in. `now` is the reader's clock: events a host with a
    /// broken clock dated well ahead of it are flagged in `futureEvents` (they
    /// still sort by their clocks, after everything they claim to follow).
    @discardableResult
    public mutating func ingest(_ batch: [IncidentEvent], now: Date? = nil) -> Change {
        var byIncident: [String: [IncidentEvent]] = [:]
        var accepted: [IncidentEvent] = []
        for e in batch {
            guard seen.insert(e.id).inserted else { duplicateCount += 1; continue }
            eventCount += 1
            accepted.append(e)
            if let now, e.isDated(aheadOf: now, by: StoreState.futureTolerance), futureEvents.count < 1000 {
                futureEvents.append(e)
            }
            if maxHLC.map({ $0 < e.hlc }) ?? true { maxHLC = e.hlc }
            if e.id.sequence > lastSequence[e.id.host, default: -1] { lastSequence[e.id.host] = e.id.sequence }
            byIncident[e.incident, default: []].append(shareable(e))
        }
        for (id, var events) in byIncident {
            events.sort(by: IncidentEvent.precedes)
            if var incident = incidents[id] {
                let last = incident.timeline.last!.event
                if IncidentEvent.precedes(last, events[0]) {
                    for e in events { incident.apply(e) }
                    incidents[id] = incident
                } else {
                    let all = merge(incident.timeline.map(\.event), events)
                    incidents[id] = Incident.fold(all)
                }
            } else {
                let all = merge(orphans[id] ?? [], events)
                if let incident = Incident.fold(all) {
                    incidents[id] = incident
                    orphans[id] = nil
                } else {
                    orphans[id] = all
                }
            }
        }
        accepted.sort(by: IncidentEvent.precedes)
        return Change(events: accepted, incidents: Set(byIncident.keys))
    }

    /// Events dated well ahead of the reader's clock when they were read.
    public private(set) var futureEvents: [IncidentEvent] = []

    private func merge(_ a: [IncidentEvent], _ b: [IncidentEvent]) -> [IncidentEvent] {
        (a + b).sorted(by: IncidentEvent.precedes)
    }

    /// Openings carry the policy's whole text; most incidents share a few
    /// policies, so keep one copy of each text rather than one per record.
    private mutating func shareable(_ e: IncidentEvent) -> IncidentEvent {
        guard case var .opened(o) = e.action else { return e }
        if let known = policyTexts[o.policyDigest] {
            o.policyYAML = known
        } else {
            policyTexts[o.policyDigest] = o.policyYAML
        }
        var copy = e
        copy.action = .opened(o)
        return copy
    }

    private var policyTexts: [String: String] = [:]

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
