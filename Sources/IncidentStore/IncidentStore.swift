import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The shared incident store: a directory with one append-only log per host
/// under `events/`. See README's "Store" section for the layout.
///
/// Reading (`refresh`) never writes or creates anything, so a viewer works on
/// a store it cannot write to. Writing (`append`) takes an exclusive flock on
/// this host's log, reads what other processes appended meanwhile, lets the
/// caller validate its action against that latest state, writes the record
/// with a single write(2) under O_APPEND, and fsyncs before returning.
public final class IncidentStore {
    public let path: String
    public let host: String
    public let clock: Clock
    public private(set) var state = StoreState()
    private var reader: LogReader

    public var eventsDirectory: String { path + "/events" }
    public var logPath: String { eventsDirectory + "/" + host + ".log" }
    public var badRecords: [BadRecord] { reader.badRecords }
    public var badRecordCount: Int { reader.badRecordCount }
    public var logFiles: [String] { reader.logFileNames() }

    /// Whether the last read saw the whole store (see `StoreHealth`): the
    /// store's directory as it is now, and what the reader could not open.
    public var health: StoreHealth {
        let access = StoreHealth.access(of: path)
        let inside = access == .readable ? reader.unreadable.sorted { $0.key < $1.key }.map { (name: $0.key, reason: $0.value) } : []
        var st = stat()
        let hasEvents = access == .readable && lstat(eventsDirectory, &st) == 0
        return StoreHealth(path: path, access: access, unreadable: inside, hasEvents: hasEvents)
    }

    /// How far this machine's clock may be off against the other hosts'
    /// before it refuses to write (the policy's `sites.clock_tolerance`).
    public var clockTolerance: TimeInterval = 60

    /// Opens a store without touching the disk; call `refresh()` to read it.
    public init(path: String, host: String, clock: Clock = .system) {
        self.path = path
        self.host = IncidentStore.fileSafeHost(host)
        self.clock = clock
        reader = LogReader(directory: path + "/events")
        state.archive.useFiles(reader.files)
    }

    // MARK: Start-up from a checkpoint

    /// Where this store's checkpoint is kept (see `Checkpoint`); nil: none
    /// is read or written, every start reads the whole store.
    public var checkpointPath: String?
    /// Incidents resolved longer ago than this are kept out of memory
    /// after a start (see `Archive`); nil: every incident stays in memory,
    /// as history commands (report, list --all, export) want.
    public var archiveAfter: TimeInterval? {
        get { state.archiveAfter }
        set { state.archiveAfter = newValue }
    }
    /// A new checkpoint is written once this many events were read since
    /// the last (at start, or while running).
    public var checkpointEvery = 5000
    /// How the first read went: from a checkpoint (and how many events
    /// after it), or why not. `doctor` shows it.
    public private(set) var startNote: String?
    private var started = false
    /// This state began from a checkpoint (not a full read).
    private var fromCheckpoint = false
    private var readSinceCheckpoint = 0
    private var directory: Policy??

    /// Writes a checkpoint of what has been read; false when the state
    /// cannot be kept as one (see `StoreState.saved`) or there is no path.
    @discardableResult
    public func writeCheckpoint() -> Bool {
        guard let checkpointPath else { return false }
        let ok = Checkpoint.write(checkpointPath, store: path, files: reader.files.all, marks: reader.marks,
                                  bad: reader.badRecords, badCount: reader.badRecordCount, state: state)
        if ok { readSinceCheckpoint = 0 }
        return ok
    }

    /// Checkpoints being written in the background, waited for at exit.
    static let checkpointWrites = DispatchGroup()
    private static let waitAtExit: Void = { atexit { IncidentStore.checkpointWrites.wait() } }()
    private let writing = WriteFlag()

    /// Waits for checkpoints being written in the background (tests, tools).
    public static func waitForCheckpoints() { checkpointWrites.wait() }

    /// Writes a checkpoint on another thread, from a copy of what has been
    /// read: the first frame (or a command's output) does not wait for it;
    /// the process waits for it before it exits.
    private func writeCheckpointInBackground() {
        guard let checkpointPath else { return }
        guard state.clashes.isEmpty else {
            // A state with a clash is not kept (see `StoreState.saved`); an
            // older checkpoint would only make the tail after it grow.
            unlink(checkpointPath)
            readSinceCheckpoint = 0
            return
        }
        guard writing.start() else { return }
        _ = IncidentStore.waitAtExit
        readSinceCheckpoint = 0
        let (store, files, marks, bad, count, snapshot) = (path, reader.files.all, reader.marks, reader.badRecords, reader.badRecordCount, state)
        let flag = writing
        IncidentStore.checkpointWrites.enter()
        DispatchQueue.global(qos: .utility).async {
            Checkpoint.write(checkpointPath, store: store, files: files, marks: marks, bad: bad, badCount: count, state: snapshot)
            flag.finish()
            IncidentStore.checkpointWrites.leave()
        }
    }

    /// Reads what the sink is given, folding it in; the first read of all
    /// starts from the checkpoint when one holds, and moves long-resolved
    /// incidents to the archive.
    private func read(collectingEvents: Bool, _ body: (inout LogReader, (IncidentEvent, RecordLocation) -> Void) -> Void) -> StoreState.Change {
        let cold = !started
        if cold {
            started = true
            startFromCheckpoint()
        }
        var batch = StoreState.Batch(collectingEvents: collectingEvents, archiving: cold)
        let now = clock.now()
        var count = 0
        body(&reader) { e, loc in
            count += 1
            state.stage(e, at: loc, in: &batch, now: now)
        }
        var change = state.ingest(&batch)
        // A host-name clash met after a start from a checkpoint: which of
        // the two records is renamed depends on the order they were read,
        // so only a full read names them as every other full read does.
        let clashSinceCheckpoint = fromCheckpoint && !state.clashes.isEmpty
        if state.needsFullRead || clashSinceCheckpoint {
            // An archived incident's records moved: start again from the logs alone.
            let before = Set(state.incidents.keys)
            let news = change.events
            change = readInFull(because: clashSinceCheckpoint ? "a full read: two writers use one host name" : IncidentStore.recordsMoved)
            change.incidents.formUnion(before.union(state.incidents.keys))
            change.onCall = true
            change.events = news
            count = 0  // counted by the full read
        }
        readSinceCheckpoint += count
        if checkpointPath != nil, readSinceCheckpoint >= checkpointEvery { writeCheckpointInBackground() }
        return change
    }

    public static let recordsMoved = "a full read: an archived incident's records were no longer where they were"

    /// Reads the whole store again from the logs alone and removes the
    /// checkpoint (an archived incident could not be read back: its
    /// records moved; or a clash after a start from it); `why` is what
    /// `startNote` says.
    @discardableResult
    public func readInFull(because why: String = IncidentStore.recordsMoved) -> StoreState.Change {
        if let checkpointPath { unlink(checkpointPath) }
        reset()
        var full = StoreState.Batch(archiving: true)
        let now = clock.now()
        var count = 0
        reader.readNewChecked { e, loc in
            count += 1
            state.stage(e, at: loc, in: &full, now: now)
        }
        readSinceCheckpoint = count
        startNote = why
        return state.ingest(&full)
    }

    private func reset() {
        fromCheckpoint = false
        reader = LogReader(directory: eventsDirectory)
        let after = state.archiveAfter
        state = StoreState()
        state.archiveAfter = after
        state.archive.useFiles(reader.files)
        if let directory { state.useDirectory(directory) }
        readSinceCheckpoint = 0
    }

    private func startFromCheckpoint() {
        guard let checkpointPath else { return }
        let loaded: Checkpoint.Loaded
        do {
            loaded = try Checkpoint.read(checkpointPath, store: path)
        } catch {
            startNote = "a full read (\(error))"
            return
        }
        if let why = reader.restore(files: loaded.files, marks: loaded.marks, badRecords: loaded.bad, badRecordCount: loaded.badCount) {
            startNote = "a full read: \(why) since the checkpoint"
            reset()
            return
        }
        guard state.restore(loaded.saved, archive: loaded.archive, files: reader.files, now: clock.now()) else {
            startNote = "a full read: a record moved since the checkpoint"
            reset()
            return
        }
        fromCheckpoint = true
        startNote = "from the checkpoint (\(state.eventCount) events, \(state.archive.count) incidents archived)"
    }

    /// Reads what was appended to the named log files since the last call.
    @discardableResult
    public func refresh(only files: Set<String>, collectingEvents: Bool = false) -> StoreState.Change {
        read(collectingEvents: collectingEvents) { reader, sink in reader.readNew(files: files, sink) }
    }

    /// Reads what was appended since the last call. The new events
    /// themselves are listed in the change only when `collectingEvents`.
    @discardableResult
    public func refresh(collectingEvents: Bool = false) -> StoreState.Change {
        read(collectingEvents: collectingEvents) { reader, sink in reader.readNewChecked(sink) }
    }

    /// Who to call comes from this policy's people and schedules (the
    /// policy in force; nil: each incident's own).
    public func useDirectory(_ p: Policy?) {
        directory = .some(p)
        state.useDirectory(p)
    }

    /// What an operator asks for; the store adds identity, clocks and sequence.
    public struct Draft {
        public var incident: String
        public var action: Action
        public var operatorName: String
        public var at: Date?
        public var baseVersion: Int

        public init(incident: String, action: Action, operatorName: String, at: Date? = nil, baseVersion: Int) {
            self.incident = incident
            self.action = action
            self.operatorName = operatorName
            self.at = at
            self.baseVersion = baseVersion
        }
    }

    /// Makes sure this host can write the store now (creating its folders
    /// as the first append would; this host's log, or the folder for it,
    /// writable), for a long-running writer that must not start only to
    /// fail each write. Writes no event.
    public func prepareForWriting() throws {
        try ensureDirectory(path)
        try ensureDirectory(eventsDirectory)
        let target = FileManager.default.fileExists(atPath: logPath) ? logPath : eventsDirectory
        guard access(target, W_OK) == 0 else { throw ioError(target, "write", errno) }
    }

    /// Appends one event. `make` runs under the lock on the freshest state and
    /// may throw to refuse; nothing is written then.
    @discardableResult
    public func append(_ make: (inout StoreState) throws -> Draft) throws -> IncidentEvent {
        try ensureDirectory(path)
        try ensureDirectory(eventsDirectory)
        let (fd, isNew) = try openLog()
        defer { close(fd) }
        // A new log's name is in the directory only once the directory is
        // on disk: without this a host's first record could vanish on a
        // power loss after its own fsync returned. An empty log may be one
        // a writer created and died before syncing: sync then too.
        if isNew { try syncDirectory(eventsDirectory) }
        guard flockRetrying(fd, LOCK_EX) == 0 else { throw ioError(logPath, "lock", errno) }
        defer { _ = flock(fd, LOCK_UN) }

        try repairTornTail(fd)
        try checkLastWriter(fd)
        refresh()
        // A clock the other hosts show to be off writes nothing: its times
        // would move every deadline they touch.
        if let why = clocks().refusal { throw StoreError.clock(why) }
        let draft = try make(&state)
        let now = clock.now()
        func event(_ incident: String, _ action: Action, at: Date, base: Int, after previous: IncidentEvent?) -> IncidentEvent {
            IncidentEvent(
                id: EventID(host: host, sequence: (previous?.id.sequence ?? state.lastSequence[host] ?? 0) + 1),
                hlc: HLC.next(after: previous?.hlc ?? state.maxHLC, now: now),
                incident: incident,
                operatorName: draft.operatorName,
                unixUser: IncidentStore.unixUser,
                at: IncidentStore.millisecondPrecision(at),
                recordedAt: IncidentStore.millisecondPrecision(now),
                baseVersion: base,
                action: action)
        }
        // An opening names its policy by digest; the text goes once into
        // this host's log, just before the first opening that names it.
        var events: [IncidentEvent] = []
        if case let .opened(o) = draft.action, !o.policyYAML.isEmpty, !state.logHasPolicyText(o.policyDigest, host: host) {
            events.append(event(PolicyText.key, .policyText(PolicyText(digest: o.policyDigest, text: o.policyYAML)), at: now, base: 0, after: nil))
        }
        events.append(event(draft.incident, draft.action, at: draft.at ?? now, base: draft.baseVersion, after: events.last))
        var records: [[UInt8]] = []
        for e in events {
            let bytes = RecordCodec.encode(e, writer: IncidentStore.machineID, policyText: false)
            guard bytes.count <= RecordCodec.maxRecordBytes else {
                throw StoreError.invalid("record of \(bytes.count) bytes is over the \(RecordCodec.maxRecordBytes)-byte limit")
            }
            records.append(bytes)
        }
        // O_APPEND under the lock: the records go where the log ends now,
        // in one write.
        let offset = lseek(fd, 0, SEEK_END)
        try writeAll(fd, records.flatMap { $0 })
        guard fsync(fd) == 0 else { throw ioError(logPath, "fsync", errno) }
        var crcs: [UInt32] = [], locations: [RecordLocation] = []
        var at = UInt64(max(0, offset))
        for bytes in records {
            let crc = RecordCodec.checksum(ofEncoded: bytes)
            crcs.append(crc)
            locations.append(RecordLocation(file: reader.files.number(host + ".log"), offset: at, length: UInt32(bytes.count - 1), crc: crc))
            at += UInt64(bytes.count)
        }
        state.ingest(events, crcs: crcs, locations: offset < 0 ? nil : locations, collectingEvents: false)
        return events.last!
    }

    public static func millisecondPrecision(_ d: Date) -> Date {
        Date(timeIntervalSince1970: (d.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}

/// One background checkpoint write at a time.
private final class WriteFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = false
    func start() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if busy { return false }
        busy = true
        return true
    }
    func finish() {
        lock.lock()
        busy = false
        lock.unlock()
    }
}
