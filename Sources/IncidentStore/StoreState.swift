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
    public var lastSequence: [String: Int] { hostIndex.mapValues { sequences[$0].lastSequence } }
    public private(set) var eventCount = 0
    public private(set) var duplicateCount = 0
    /// Events dated well ahead of the reader's clock when they were read.
    public private(set) var futureEvents: [IncidentEvent] = []
    /// The event ids seen: per host (by its index here), which of its
    /// sequence numbers.
    private var hostIndex: [String: Int] = [:]
    private var sequences: [SequenceSet] = []
    /// The host of the previous event staged: a host writes runs of events,
    /// so the next one is usually the same and costs no dictionary lookup.
    private var lastHost: (name: String, index: Int)?
    /// The policy of every incident, parsed once as the incident is first
    /// folded (see `PolicyBook`).
    public private(set) var policies = PolicyBook()
    /// Policies of opening events that no longer parse, by digest.
    public var policyErrors: [String: String] { policies.problems }

    /// Events dated further ahead of the reader's clock than this are flagged.
    public static let futureTolerance: TimeInterval = 300

    public init() {}


    /// What a read brings in. Events that follow their incident's log are
    /// applied as they are staged; the others (late, or of an incident whose
    /// opening is not here yet) wait in groups for `ingest`. The reader hands
    /// over a cold start's events merged in log order, so nearly all apply at
    /// once: no group, no sort and no second copy of the store in memory.
    public struct Batch {
        fileprivate var byIncident: [String: [IncidentEvent]] = [:]
        /// Incidents changed by events applied as they were staged.
        fileprivate var applied: Set<String> = []
        fileprivate var collected: [IncidentEvent] = []
        fileprivate let collecting: Bool
        fileprivate var count = 0
        fileprivate var onCallChanged = false
        /// `collectingEvents`: keep the new events for `Change.events`.
        public init(collectingEvents: Bool = false) { collecting = collectingEvents }
    }

    /// Adds an event to `batch` unless this state or the batch has it already.
    public mutating func stage(_ e: IncidentEvent, in batch: inout Batch, now: Date?) {
        let h: Int
        if let last = lastHost, last.name == e.id.host {
            h = last.index
        } else if let known = hostIndex[e.id.host] {
            h = known
        } else {
            h = sequences.count
            hostIndex[e.id.host] = h
            sequences.append(SequenceSet())
        }
        lastHost = (e.id.host, h)
        guard sequences[h].insert(e.id.sequence) else { duplicateCount += 1; return }
        eventCount += 1
        batch.count += 1
        if maxHLC.map({ $0 < e.hlc }) ?? true { maxHLC = e.hlc }
        if let now, e.isDated(aheadOf: now, by: StoreState.futureTolerance), futureEvents.count < 1000 {
            futureEvents.append(e)
        }
        if e.incident == OverrideLog.key {
            policies.record(e)
            batch.onCallChanged = true
            if batch.collecting { batch.collected.append(e) }
            return
        }
        switch incidents[e.incident]?.apply(e) {  // in place: no copy of the incident
        case true?:
            // A resolved incident's log rarely grows again: give back its slack.
            if case .resolved = e.action { incidents[e.incident]!.shrinkLog() }
        case false?:
            batch.byIncident[e.incident, default: []].append(e)  // late: re-folded by `ingest`
            return
        case nil:
            guard case .opened = e.action, orphans[e.incident] == nil, batch.byIncident[e.incident] == nil,
                  let incident = Incident(opening: e) else {
                batch.byIncident[e.incident, default: []].append(e)
                return
            }
            policies.learn(incident)
            incidents[e.incident] = incident
        }
        batch.applied.insert(e.incident)
        if batch.collecting { batch.collected.append(e) }
    }

    /// What one `ingest` changed.
    public struct Change: Sendable {
        /// The new events in log order, when asked for (`collectingEvents`).
        public var events: [IncidentEvent] = []
        public var incidents: Set<String> = []
        /// An on-call override was recorded or cancelled: who is on call
        /// may have changed for every incident.
        public var onCall = false
        public var isEmpty: Bool { incidents.isEmpty && !onCall }
    }

    /// Folds a staged batch in, leaving `batch` empty.
    ///
    /// The batch is taken by `inout` and emptied here, not passed by value:
    /// a caller's copy would keep every group shared, and sorting a shared
    /// group copies it, so a cold start would hold every event twice.
    @discardableResult
    public mutating func ingest(_ batch: inout Batch) -> Change {
        var change = Change()
        var groups: [String: [IncidentEvent]] = [:]
        swap(&groups, &batch.byIncident)
        swap(&change.incidents, &batch.applied)
        swap(&change.events, &batch.collected)
        change.onCall = batch.onCallChanged
        batch.onCallChanged = false
        batch.count = 0
        let ids = Array(groups.keys)
        change.incidents.formUnion(ids)
        for id in ids {
            var events = groups.removeValue(forKey: id)!  // freed as it is folded
            if batch.collecting { change.events += events }
            if incidents[id] != nil {
                IncidentEvent.sortInLogOrder(&events)
                // Applied in place (no copy of the incident) while in order.
                var k = 0
                while k < events.count, incidents[id]!.apply(events[k]) { k += 1 }
                if k < events.count {
                    var all = Array(incidents[id]!.events) + events[k...]
                    IncidentEvent.sortInLogOrder(&all)
                    incidents[id] = Incident.fold(all)
                }
            } else {
                if let waiting = orphans.removeValue(forKey: id) { events = waiting + events }
                IncidentEvent.sortInLogOrder(&events)
                if var incident = Incident.fold(events) {
                    // The group grew by doubling; the incident keeps its log
                    // for good, so it gets an array of the right size.
                    incident.shrinkLog()
                    policies.learn(incident)
                    incidents[id] = incident
                } else {
                    orphans[id] = events
                }
            }
        }
        if batch.collecting { IncidentEvent.sortInLogOrder(&change.events) }
        return change
    }

    /// Stages and folds a list of events (tests, tools).
    @discardableResult
    public mutating func ingest(_ events: [IncidentEvent], now: Date? = nil, collectingEvents: Bool = true) -> Change {
        var batch = Batch(collectingEvents: collectingEvents)
        for e in events { stage(e, in: &batch, now: now) }
        return ingest(&batch)
    }

    /// The policy an incident opened under (see `PolicyBook` for one that
    /// no longer parses).
    public func policy(for incident: Incident) -> Policy { policies.policy(for: incident) }

    public func incident(_ typed: String) -> Incident? {
        incidents[typed] ?? IncidentID.normalize(typed).flatMap { incidents[$0] }
    }

    public var orphanCount: Int { orphans.values.reduce(0) { $0 + $1.count } }
}

/// One host's sequence numbers seen. Hosts number their events 1, 2, 3…, so
/// a bitmap holds them in a bit each: a cold start of 100k events checks its
/// ids without hashing, in kilobytes rather than megabytes. A number far
/// beyond what the host has written so far (a hostile or damaged record)
/// goes to a set instead, so no record can make the bitmap large.
struct SequenceSet: Sendable {
    private var bits: [UInt64] = []
    private var sparse: Set<Int> = []
    private var count = 0
    private(set) var lastSequence = -1

    /// Adds `n`; false if it was there already.
    mutating func insert(_ n: Int) -> Bool {
        if n > lastSequence { lastSequence = n }
        let word = n >> 6
        guard n >= 0, word < max(bits.count, 1024, 2 * (count >> 6)) else {
            guard sparse.insert(n).inserted else { return false }
            count += 1
            return true
        }
        if !sparse.isEmpty, sparse.contains(n) { return false }  // seen before the bitmap reached it
        if word >= bits.count { bits.append(contentsOf: repeatElement(0, count: max(word + 1, bits.count * 2) - bits.count)) }
        let mask = UInt64(1) << UInt64(n & 63)
        if bits[word] & mask != 0 { return false }
        bits[word] |= mask
        count += 1
        return true
    }
}
