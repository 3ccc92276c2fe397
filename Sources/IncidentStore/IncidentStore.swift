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

    // MARK: Files

    private func ensureDirectory(_ dir: String) throws {
        var st = stat()
        if lstat(dir, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw StoreError.unsafePath(path: dir, reason: "it is not a directory (a symlink or a file)")
            }
            return
        }
        guard errno == ENOENT else { throw ioError(dir, "stat", errno) }
        let parent = (dir as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != dir && parent != "/" && !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw StoreError.io(path: parent, operation: "create directory", reason: "\(error.localizedDescription)")
            }
        }
        // Owner and group only, so a NOC group can share the store; keep a
        // setgid bit the kernel inherited from the parent.
        if mkdir(dir, 0o770) != 0 {
            guard errno == EEXIST else { throw ioError(dir, "create directory", errno) }
            return
        }
        if lstat(dir, &st) == 0 {
            _ = chmod(dir, 0o770 | (st.st_mode & S_ISGID))
        }
        // The new directory's entry is durable only once its parent is synced.
        try syncDirectory(parent.isEmpty ? "." : parent)
    }

    /// fsyncs a directory, so the names created in it survive a power loss.
    private func syncDirectory(_ dir: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError(dir, "open to sync", errno) }
        defer { close(fd) }
        // Some file systems cannot sync a directory (EINVAL): nothing more to do there.
        guard fsync(fd) == 0 || errno == EINVAL else { throw ioError(dir, "fsync", errno) }
    }

    /// Opens this host's log for appending; `isNew` when this call made it
    /// or it is still empty.
    private func openLog() throws -> (fd: Int32, isNew: Bool) {
        let flags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW
        var fd = open(logPath, flags | O_CREAT | O_EXCL, 0o660)
        let created = fd >= 0
        if fd >= 0 {
            _ = fchmod(fd, 0o660)
        } else if errno == EEXIST {
            fd = open(logPath, flags)
        }
        guard fd >= 0 else {
            if errno == ELOOP { throw StoreError.unsafePath(path: logPath, reason: "it is a symbolic link") }
            throw ioError(logPath, "open for append", errno)
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw StoreError.unsafePath(path: logPath, reason: "it is not a regular file")
        }
        // A hard link planted in the store could point at any file its owner
        // can write (O_NOFOLLOW does not see hard links).
        guard st.st_nlink == 1 else {
            close(fd)
            throw StoreError.unsafePath(path: logPath, reason: "it has \(st.st_nlink) hard links; a log file must have exactly one")
        }
        return (fd, created || st.st_size == 0)
    }

    /// A log whose last byte is not a newline ends in a record a writer was
    /// killed while writing; it never reported success. Before appending,
    /// under the lock: if those bytes happen to be a whole valid record (only
    /// the newline is missing) keep it by writing the newline; otherwise trim
    /// them, so the new record is never glued onto a torn one and the torn
    /// bytes never become a permanent bad record. Readers never saw them:
    /// they only read complete lines.
    private func repairTornTail(_ fd: Int32) throws {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ioError(logPath, "stat", errno) }
        let size = Int(st.st_size)
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, off_t(size - 1)) == 1 else { throw ioError(logPath, "read", errno) }
        guard last != 10 else { return }
        // Find the start of the torn line: after the last newline.
        var lineStart = 0
        var end = size
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        search: while end > 0 {
            let start = max(0, end - chunk.count)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, end - start, off_t(start)) }
            guard n == end - start else { throw ioError(logPath, "read", errno) }
            for i in stride(from: n - 1, through: 0, by: -1) where chunk[i] == 10 {
                lineStart = start + i + 1
                break search
            }
            end = start
        }
        let tornLength = size - lineStart
        if tornLength <= RecordCodec.maxRecordBytes {
            var torn = [UInt8](repeating: 0, count: tornLength)
            guard torn.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, tornLength, off_t(lineStart)) }) == tornLength else {
                throw ioError(logPath, "read", errno)
            }
            if (try? RecordCodec.decode(torn)) != nil {
                try writeAll(fd, [10])
                return
            }
        }
        guard ftruncate(fd, off_t(lineStart)) == 0 else { throw ioError(logPath, "trim a torn record in", errno) }
    }

    /// Refuses to append to a log whose last record another machine wrote:
    /// two machines (or a cloned container) use one host name, and with a
    /// sync engine between them their records would collide or replace
    /// each other. Records of older versions carry no writer and pass.
    private func checkLastWriter(_ fd: Int32) throws {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return }
        let size = Int(st.st_size)
        // The whole last record: a long one (a long note) does not fit the
        // first 4 KiB read, and its "wid" may lie before them.
        var n = min(size, 4096)
        var tail: [UInt8] = []
        while true {
            tail = [UInt8](repeating: 0, count: n)
            guard tail.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, n, off_t(size - n)) }) == n else { return }
            if n == size || tail.dropLast().contains(0x0A) || n >= 16 << 20 { break }
            n = min(size, n * 4)
        }
        let text = String(decoding: tail.dropLast(), as: UTF8.self)
        let lastLine = text.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
        guard let r = lastLine.range(of: #""wid":""#) else { return }
        let other = lastLine[r.upperBound...].prefix { $0 != "\"" }
        guard !other.isEmpty, other != IncidentStore.machineID else { return }
        throw StoreError.hostClash(log: logPath, host: host, writer: String(other))
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError(logPath, "write", errno)
            }
            done += n
        }
    }

    /// Runs `body` holding a lock that every process of this machine on
    /// this store shares (each host's own log lock is only its own): a hook
    /// claim checked and appended under it is one claim per machine, however
    /// many serves with whatever host names look at the same moment.
    public func withMachineLock<T>(_ body: () throws -> T) throws -> T {
        try ensureDirectory(path)
        let lockPath = path + "/.claims-\(IncidentStore.machineID).lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError(lockPath, "open", errno) }
        defer { close(fd) }
        guard flockRetrying(fd, LOCK_EX) == 0 else { throw ioError(lockPath, "lock", errno) }
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }

    private func flockRetrying(_ fd: Int32, _ op: Int32) -> Int32 {
        while true {
            let r = flock(fd, op)
            if r == 0 || errno != EINTR { return r }
        }
    }

    private func ioError(_ path: String, _ op: String, _ code: Int32) -> StoreError {
        .io(path: path, operation: op, reason: String(cString: strerror(code)))
    }

    // MARK: Identity

    /// A host name made safe as a file name: letters, digits, `.`, `-`, `_`.
    public static func fileSafeHost(_ host: String) -> String {
        let mapped = host.unicodeScalars.map { s -> Character in
            (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "." || s == "-" || s == "_"))
                ? Character(s) : "_"
        }
        let name = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return name.isEmpty ? "host" : String(name.prefix(64))
    }

    /// This machine, as eight hex digits: a checksum of /etc/machine-id
    /// (else the host name). Records carry it (`wid`) so that a log another
    /// machine extended under the same host name is noticed.
    public static let machineID: String = {
        // Containers cloned from one image share /etc/machine-id: they
        // (and tests that play two machines) set their own.
        if let own = ProcessInfo.processInfo.environment["TIERWATCH_MACHINE_ID"], !own.isEmpty {
            return CRC32C.hex(CRC32C.checksum(Array(own.utf8)))
        }
        let id = ["/etc/machine-id", "/var/lib/dbus/machine-id"].lazy
            .compactMap { FileManager.default.contents(atPath: $0) }
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .first { !$0.isEmpty } ?? machineHostName
        return CRC32C.hex(CRC32C.checksum(Array(id.utf8)))
    }()

    /// The host name a writer uses unless `$TIERWATCH_HOST` names one: the
    /// machine's name and four hex digits of this machine and Unix user,
    /// `noc1-3fa2`. Unique by default: two machines called alike, or a
    /// cloned container, never write the same log.
    public static var defaultHost: String {
        let mine = CRC32C.hex(CRC32C.checksum(Array("\(machineID):\(geteuid())".utf8)))
        return fileSafeHost(machineHostName) + "-" + mine.prefix(4)
    }

    /// What every screen and `doctor` say about a host name two writers used.
    public static func clashWarning(host: String, events: Int) -> String {
        "two writers use host name '\(host.sanitizedForMessage)': \(events) event\(events == 1 ? "" : "s") of one kept apart as \(host.sanitizedForMessage)~CHECKSUM (nothing lost) — set TIERWATCH_HOST to a unique name on each machine"
    }

    public static var machineHostName: String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count) == 0 else { return "localhost" }
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static let unixUser: String = {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid\(geteuid())"
    }()

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
