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
    /// Where each event of the incidents in memory lies in the logs (and
    /// of orphans and on-call overrides), by incident: what a checkpoint
    /// keeps, and what archiving an incident hands to the archive. Events
    /// this state did not read from a log (a test's) have none.
    public private(set) var locations: [String: [RecordLocation]] = [:]
    /// Resolved incidents kept on disk, not in memory (see `Archive`).
    public internal(set) var archive = Archive()
    /// A cold read moves incidents resolved longer ago than this into the
    /// archive (nil: never; every incident stays in memory).
    public var archiveAfter: TimeInterval?
    /// An archived incident could not be read back from the logs (they
    /// changed under its locations): only a full read gives the truth now.
    public private(set) var needsFullRead = false
    /// The event ids seen: per host (by its index here), which of its
    /// sequence numbers.
    private var hostIndex: [String: Int] = [:]
    private var sequences: [SequenceSet] = []
    /// When each host (by its index) last recorded an event, as far as read.
    private var recorded: [Date] = []
    /// When each host last recorded an event: a peer's sign of life.
    public var lastRecorded: [String: Date] { hostIndex.mapValues { recorded[$0] } }
    /// Per host, how many seconds its newest record was dated ahead of this
    /// reader's clock when read (negative: behind, or simply older).
    public private(set) var clockLead: [String: TimeInterval] = [:]
    private var leadSequence: [String: Int] = [:]
    /// Per host, the date its last-written record (highest sequence) carries.
    public private(set) var lastWritten: [String: Date] = [:]
    /// Per host, how far its last-written record's hybrid clock ran past the
    /// record's own date: it wrote after seeing a time later than its clock
    /// showed (see `ClockReading`).
    public private(set) var hlcLag: [String: TimeInterval] = [:]
    /// Per host, its last-written record's hybrid clock.
    public private(set) var lastHLC: [String: HLC] = [:]

    /// The host of the previous event staged: a host writes runs of events,
    /// so the next one is usually the same and costs no dictionary lookup.
    private var lastHost: (name: String, index: Int)?
    /// Policy texts by digest, from the logs' `policy` records.
    public private(set) var policyTexts: [String: String] = [:]
    /// Which hosts' logs hold each text (a writer adds one to its own log
    /// before the first opening that names it there).
    private var policyTextHosts: [String: Set<String>] = [:]
    private var policyTextEvents = 0
    /// Whether `host`'s log holds the text of policy `digest`.
    public func logHasPolicyText(_ digest: String, host: String) -> Bool { policyTextHosts[digest]?.contains(host) ?? false }

    /// An opening that names its policy by digest only, given the text.
    func completed(_ e: IncidentEvent) -> IncidentEvent {
        guard case let .opened(o) = e.action, o.policyYAML.isEmpty, let text = policyTexts[o.policyDigest] else { return e }
        var e = e
        var full = o
        full.policyYAML = text
        e.action = .opened(full)
        return e
    }

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
        /// Whether incidents long resolved go to the archive as they are
        /// folded (a cold read; never a live update, so no screen sees an
        /// incident vanish).
        fileprivate let archiving: Bool
        /// The reader's clock at the last event staged.
        fileprivate var now: Date?
        /// `collectingEvents`: keep the new events for `Change.events`.
        public init(collectingEvents: Bool = false, archiving: Bool = false) {
            collecting = collectingEvents
            self.archiving = archiving
        }
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
    public mutating func stage(_ e: IncidentEvent, crc: UInt32? = nil, at location: RecordLocation? = nil, in batch: inout Batch, now: Date?) {
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
        let ownLatest = recorded[h]
        if e.recordedAt > recorded[h] { recorded[h] = e.recordedAt }
        // How far the last record the host wrote (its highest sequence, not
        // its latest date) was ahead of this reader's clock when read: a
        // clock set fast (or this one slow). The last one only, so a clock
        // put right clears it with the host's next record.
        if e.id.sequence >= (leadSequence[e.id.host] ?? 0) {
            leadSequence[e.id.host] = e.id.sequence
            lastWritten[e.id.host] = e.recordedAt
            // A hybrid clock carried by the host's own earlier, later-dated
            // record is a clock put back (right, perhaps), not one behind.
            let carriedTo = Double(e.hlc.millis) / 1000
            hlcLag[e.id.host] = carriedTo > ownLatest.timeIntervalSince1970 + 0.001 ? carriedTo - e.recordedAt.timeIntervalSince1970 : 0
            lastHLC[e.id.host] = e.hlc
            if let now { clockLead[e.id.host] = e.recordedAt.timeIntervalSince(now) }
        } else if let last = lastHLC[e.id.host], Double(last.millis) / 1000 <= e.recordedAt.timeIntervalSince1970 + 0.001 {
            // An earlier record read after the last one (a start from the
            // checkpoint reads in another order) dated as late as the time
            // the last one was carried to: its own time carried it.
            hlcLag[e.id.host] = 0
        }
        if let location { locations[e.incident, default: []].append(location) }
        admit(completed(e), in: &batch, now: now)
    }

    /// Stages an event read at `location` (its checksum is the location's).
    public mutating func stage(_ e: IncidentEvent, at location: RecordLocation, in batch: inout Batch, now: Date?) {
        stage(e, crc: location.crc, at: location, in: &batch, now: now)
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
        batch.now = now
        eventCount += 1
        batch.count += 1
        if maxHLC.map({ $0 < e.hlc }) ?? true { maxHLC = e.hlc }
        if let now, e.isDated(aheadOf: now, by: StoreState.futureTolerance), futureEvents.count < 1000 {
            futureEvents.append(e)
        }
        if e.incident == PolicyText.key {
            if case let .policyText(p) = e.action {
                policyTexts[p.digest] = p.text
                policyTextHosts[p.digest, default: []].insert(e.id.host)
                policies.learn(text: p.text, digest: p.digest)
            }
            policyTextEvents += 1
            return
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
            if case .resolved = e.action {
                incidents[e.incident]!.shrinkLog()
                if batch.archiving, archiveIfDone(e.incident, now: now) { return }
            }
        case false?:
            batch.byIncident[e.incident, default: []].append(e)  // late: re-folded by `ingest`
            return
        case nil:
            guard case .opened = e.action, orphans[e.incident] == nil, batch.byIncident[e.incident] == nil, !archive.contains(e.incident),
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
            var events = groups.removeValue(forKey: id)!.map(completed)  // freed as it is folded
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
                if archive.contains(id) {
                    // A late event for an archived incident (a reopen, a
                    // back-dated note): it comes back into memory, whole.
                    guard let locs = archive.take(id), let old = archive.files?.events(at: locs), old.allSatisfy({ $0.incident == id }) else {
                        needsFullRead = true
                        continue
                    }
                    locations[id] = locs + (locations[id] ?? [])
                    events = old.map(completed) + events
                }
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
            if batch.archiving, incidents[id]?.state == .resolved { _ = archiveIfDone(id, now: batch.now) }
        }
        if batch.collecting { IncidentEvent.sortInLogOrder(&change.events) }
        return change
    }

    /// Stages and folds a list of events (tests, tools), with their
    /// records' checksums when known (`crcs`, beside `events`).
    @discardableResult
    public mutating func ingest(_ events: [IncidentEvent], crcs: [UInt32]? = nil, locations: [RecordLocation]? = nil, now: Date? = nil,
                                collectingEvents: Bool = true) -> Change {
        var batch = Batch(collectingEvents: collectingEvents)
        for (k, e) in events.enumerated() { stage(e, crc: crcs?[k], at: locations?[k], in: &batch, now: now) }
        return ingest(&batch)
    }

    /// The policy an incident opened under (see `PolicyBook` for one that
    /// no longer parses).
    public func policy(for incident: Incident) -> Policy { policies.policy(for: incident) }

    /// Moves a resolved incident out of memory into the archive when it
    /// was resolved longer than `archiveAfter` before `now` (nil: the
    /// latest clock seen) and every one of its events has a location.
    /// An incident with a clash-renamed event stays (its records, read
    /// again, would not say the new name).
    private mutating func archiveIfDone(_ id: String, now: Date?) -> Bool {
        guard let after = archiveAfter, let i = incidents[id], i.state == .resolved, let r = i.resolved,
              let locs = locations[id], locs.count >= i.events.count, archive.files != nil, ArchiveFile.key(id) != nil else { return false }
        let reference = now ?? maxHLC.map { Date(timeIntervalSince1970: Double($0.millis) / 1000) } ?? r.at
        // Quiet for long enough: resolved, and nothing recorded on it since
        // (a late note for the handover keeps it in memory a day too).
        let lastRecorded = i.events.map(\.recordedAt).max() ?? r.at
        guard reference.timeIntervalSince(max(r.at, lastRecorded)) > after, !i.events.contains(where: { $0.id.host.utf8.contains(UInt8(ascii: "~")) }) else { return false }
        // The report's figures are decided once resolved: kept with the
        // entry, so a year's report reads no event. An incident whose
        // policy text has not arrived stays in memory until it has.
        let book = policies[i]
        guard !book.missingText else { return false }
        let digest = i.policyDigest
        let tiers = complianceTiers[digest] ?? ComplianceTiers(book.policy)
        complianceTiers[digest] = tiers
        archive.add(id, locations: locs, resolvedAt: r.at, facts: IncidentFacts(i, policy: book.policy, at: reference, tiers: tiers))
        incidents[id] = nil
        locations[id] = nil
        if let key = i.dedupKey {
            byDedupKey[key]?.removeAll { $0 == id }
            if byDedupKey[key]?.isEmpty == true { byDedupKey[key] = nil }
        }
        return true
    }

    /// One tier table per policy for the archive's figures (see `ComplianceTiers`).
    private(set) var complianceTiers: [String: ComplianceTiers] = [:]

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

// MARK: Checkpoints

extension StoreState {
    /// What a checkpoint keeps of a state besides its archive: per host the
    /// sequence numbers seen (with checksums) and the last sign, the
    /// counters, and where the events of everything in memory lie.
    struct Saved {
        var hosts: [(name: String, recorded: Date, set: SequenceSet)] = []
        var eventCount = 0
        var duplicateCount = 0
        var maxHLC: HLC?
        var live: [(id: String, locations: [RecordLocation])] = []
    }

    /// This state for a checkpoint; nil when it cannot be kept as
    /// locations: a host-name clash (renamed events would not read back
    /// under their new names), or events this state did not read from a
    /// log (a test's), or an archived incident that could not be read.
    func saved() -> Saved? {
        guard clashes.isEmpty, !needsFullRead else { return nil }
        var out = Saved()
        out.hosts = hostIndex.sorted { $0.value < $1.value }.map { (name: $0.key, recorded: recorded[$0.value], set: sequences[$0.value]) }
        out.eventCount = eventCount
        out.duplicateCount = duplicateCount
        out.maxHLC = maxHLC
        var held = 0
        for (id, locs) in locations {
            let expected: Int
            if id == OverrideLog.key {
                expected = policies.onCall.events.count
            } else if id == PolicyText.key {
                expected = policyTextEvents
            } else if let i = incidents[id] {
                expected = i.events.count
            } else {
                expected = orphans[id]?.count ?? -1
            }
            // More locations than events when the fold set an event aside
            // (one that sorts before its incident's opening): a start
            // folds it the same way.
            guard locs.count >= expected else { return nil }
            held += locs.count
            out.live.append((id, locs))
        }
        // Everything in memory must be kept: an incident with no location at all is not.
        let inMemory = incidents.values.reduce(0) { $0 + $1.events.count } + orphanCount + policies.onCall.events.count + policyTextEvents
        guard held >= inMemory else { return nil }
        out.live.sort { $0.id < $1.id }
        return out
    }

    /// Takes up a checkpoint: what was in memory is read again from the
    /// logs by location and folded as a read would; the rest is taken as
    /// saved. False (and the state is to be thrown away) when a record is
    /// no longer where the checkpoint says.
    mutating func restore(_ saved: Saved, archive base: ArchiveFile?, files: LogFiles, now: Date) -> Bool {
        archive = Archive(files: files, base: base)
        // Archiving as a cold read does: an incident held in memory by the
        // checkpoint may have been resolved long enough ago by now.
        var batch = Batch(archiving: true)
        // Policy texts first: the openings that name them by digest follow.
        for (_, locs) in saved.live.filter({ $0.id == PolicyText.key }) + saved.live.filter({ $0.id != PolicyText.key }) {
            guard let events = files.events(at: locs) else { return false }
            for (e, loc) in zip(events, locs) { stage(e, at: loc, in: &batch, now: now) }
        }
        ingest(&batch)
        hostIndex = [:]
        sequences = []
        recorded = []
        lastHost = nil
        for (k, h) in saved.hosts.enumerated() {
            hostIndex[h.name] = k
            sequences.append(h.set)
            recorded.append(h.recorded)
        }
        eventCount = saved.eventCount
        duplicateCount = saved.duplicateCount
        maxHLC = saved.maxHLC
        return true
    }
}
