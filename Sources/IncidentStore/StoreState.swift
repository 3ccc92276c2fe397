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
    /// When each host (by its index) last recorded an event, as far as read.
    private var recorded: [Date] = []
    /// When each host last recorded an event: a peer's sign of life.
    public var lastRecorded: [String: Date] { hostIndex.mapValues { recorded[$0] } }
    /// The host of the previous event staged: a host writes runs of events,
    /// so the next one is usually the same and costs no dictionary lookup.
    private var lastHost: (name: String, index: Int)?
    /// The policy of every incident, parsed once as the incident is first
    /// folded (see `PolicyBook`).
    public private(set) var policies = PolicyBook()
    /// Who to call is answered by the policy in force's people and
    /// schedules (see `PolicyBook.directory`).
    public mutating func useDirectory(_ p: Policy?) { policies.useDirectory(p) }

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

    /// Host names two writers used at once, with how many events of the
    /// second were kept apart (see `stage`): every screen warns of them.
    public private(set) var clashes: [String: Int] = [:]

    /// Adds an event to `batch` unless this state or the batch has it already.
    ///
    /// Two records are the same event only when their checksums match
    /// (`crc`; nil: trusted to be the one already seen, as for an event
    /// this process just wrote). Two *different* records with one host and
    /// sequence number come from two writers that use the same host name
    /// (two machines called alike, a container cloned): both are kept, the
    /// later-read one under the host `NAME~CHECKSUM`, and the clash is
    /// counted. The order of the two is their clocks' (`precedes`), so every
    /// reader folds them alike whichever it read first.
    public mutating func stage(_ e: IncidentEvent, crc: UInt32? = nil, in batch: inout Batch, now: Date?) {
        var e = e
        let h = hostSlot(e.id.host)
        switch sequences[h].insert(e.id.sequence, crc: crc) {
        case .new:
            break
        case .duplicate:
            duplicateCount += 1
            return
        case .clash:
            let host = e.id.host
            e.id.host += "~" + CRC32C.hex(crc ?? 0)
            guard sequences[hostSlot(e.id.host)].insert(e.id.sequence, crc: crc) == .new else {
                duplicateCount += 1  // this very record, read again
                return
            }
            clashes[host, default: 0] += 1
        }
        if e.recordedAt > recorded[h] { recorded[h] = e.recordedAt }
        admit(e, in: &batch, now: now)
    }

    /// The index of a host's sequence set, made when first seen.
    private mutating func hostSlot(_ host: String) -> Int {
        let h: Int
        if let last = lastHost, last.name == host {
            h = last.index
        } else if let known = hostIndex[host] {
            h = known
        } else {
            h = sequences.count
            hostIndex[host] = h
            sequences.append(SequenceSet())
            recorded.append(.distantPast)
        }
        lastHost = (host, h)
        return h
    }

    private mutating func admit(_ e: IncidentEvent, in batch: inout Batch, now: Date?) {
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
            noteOpened(incident)
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
                    noteOpened(incident)
                } else {
                    orphans[id] = events
                }
            }
        }
        if batch.collecting { IncidentEvent.sortInLogOrder(&change.events) }
        return change
    }

    /// Stages and folds a list of events (tests, tools), with their
    /// records' checksums when known (`crcs`, beside `events`).
    @discardableResult
    public mutating func ingest(_ events: [IncidentEvent], crcs: [UInt32]? = nil, now: Date? = nil, collectingEvents: Bool = true) -> Change {
        var batch = Batch(collectingEvents: collectingEvents)
        for (k, e) in events.enumerated() { stage(e, crc: crcs?[k], in: &batch, now: now) }
        return ingest(&batch)
    }

    /// The policy an incident opened under (see `PolicyBook` for one that
    /// no longer parses).
    public func policy(for incident: Incident) -> Policy { policies.policy(for: incident) }

    public func incident(_ typed: String) -> Incident? {
        incidents[typed] ?? IncidentID.normalize(typed).flatMap { incidents[$0] }
    }

    /// Incidents opened under each dedup key (monitoring, the API), by id.
    private var byDedupKey: [String: [String]] = [:]

    private mutating func noteOpened(_ i: Incident) {
        if let key = i.dedupKey { byDedupKey[key, default: []].append(i.id) }
    }

    /// The incidents opened under `key`, oldest first.
    public func incidents(dedupKey key: String) -> [Incident] {
        (byDedupKey[key] ?? []).compactMap { incidents[$0] }.sorted { ($0.opened.at, $0.id) < ($1.opened.at, $1.id) }
    }

    public var orphanCount: Int { orphans.values.reduce(0) { $0 + $1.count } }
}

/// One host's sequence numbers seen, each with its record's checksum.
/// Hosts number their events 1, 2, 3…, so a bitmap holds them in a bit each
/// and the checksums in an array by number: a cold start checks its ids
/// without hashing. A number far beyond what the host has written so far (a
/// hostile or damaged record) goes to a dictionary instead, so no record
/// can make the arrays large.
struct SequenceSet: Sendable {
    enum Insert: Equatable {
        case new
        /// The same record again (same checksum, or no checksum to tell).
        case duplicate
        /// Another record with this number: two writers with one host name.
        case clash
    }

    private var bits: [UInt64] = []
    private var sums: [UInt32] = []
    private var sparse: [Int: UInt32] = [:]
    private var count = 0
    private(set) var lastSequence = -1

    /// Adds `n` with its record's checksum (nil: unknown, never a clash).
    mutating func insert(_ n: Int, crc: UInt32?) -> Insert {
        let sum = crc ?? 0
        // A checksum of 0 stands for "unknown" (an event staged without
        // one): the same number is then taken as the same event. A real
        // checksum is 0 once in 2^32 records.
        func compare(_ known: UInt32) -> Insert { crc == nil || known == 0 || known == sum ? .duplicate : .clash }
        if n > lastSequence { lastSequence = n }
        let word = n >> 6
        guard n >= 0, word < max(bits.count, 1024, 2 * (count >> 6)) else {
            if let known = sparse[n] { return compare(known) }
            sparse[n] = sum
            count += 1
            return .new
        }
        if !sparse.isEmpty, let known = sparse[n] { return compare(known) }  // seen before the bitmap reached it
        if word >= bits.count {
            let words = max(word + 1, bits.count * 2)
            bits.append(contentsOf: repeatElement(0, count: words - bits.count))
            sums.append(contentsOf: repeatElement(0, count: words * 64 - sums.count))
        }
        let mask = UInt64(1) << UInt64(n & 63)
        if bits[word] & mask != 0 { return compare(sums[n]) }
        bits[word] |= mask
        sums[n] = sum
        count += 1
        return .new
    }
}
