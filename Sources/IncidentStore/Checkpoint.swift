import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint: where a read of the store stood, so the next start reads
/// only what was appended since. It is derived and disposable: it lives
/// in the user's cache (never in the store, so sync engines never copy it
/// and a read-only viewer keeps its own), every part of it is checked
/// before it is believed (its own checksum; each log's identity, length
/// and last record; every record it points to, by checksum, when read),
/// and anything that does not hold means a full read, as if it were not
/// there. See docs/operations.md, "The store on disk".
///
/// Layout: a header (magic and format, the length and CRC-32C of the body,
/// the archive's size and its keys' CRC-32C); the body (the store's path,
/// the logs by number, each log's mark, bad records, the counters, each
/// host's sequence numbers, the locations of everything held in memory);
/// the archive's sorted keys (16 bytes each); each host's record checksums
/// (4 bytes each, read on demand); the archive's entries (24 bytes each)
/// and the locations they point into (20 bytes each), read on demand; the
/// report's figures of each archived incident (`FactsCodec`), read and
/// checked when a report asks.
public enum Checkpoint {
    static let magic = Array("TWCHECK4".utf8)
    static let headerSize = 56

    /// The checkpoint file for a store, under `$TIERWATCH_CACHE` or
    /// `$XDG_CACHE_HOME/tierwatch` or `~/.cache/tierwatch`; nil when
    /// `$TIERWATCH_CACHE` is `off` or there is no home.
    public static func path(forStore store: String, environment env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let dir: String
        if let own = env["TIERWATCH_CACHE"], !own.isEmpty {
            guard own != "off" else { return nil }
            dir = own
        } else if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            dir = xdg + "/tierwatch"
        } else if let home = env["HOME"], home.hasPrefix("/") {
            dir = home + "/.cache/tierwatch"
        } else {
            return nil
        }
        let real = realpath(store, nil).map { p in defer { free(p) }; return String(cString: p) } ?? store
        let name = (real as NSString).lastPathComponent.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.prefix(32)
        let bytes = Array(real.utf8)
        let tag = CRC32C.hex(CRC32C.checksum(bytes)) + CRC32C.hex(CRC32C.checksum(bytes.reversed()))
        return dir + "/\(name.isEmpty ? "store" : String(name))-\(tag).checkpoint"
    }

    struct Loaded {
        var files: [String]
        var marks: [LogMark]
        var bad: [BadRecord]
        var badCount: Int
        var saved: StoreState.Saved
        var archive: ArchiveFile?
    }

    enum Failure: Error, CustomStringConvertible {
        case missing
        case invalid(String)
        var description: String {
            switch self {
            case .missing: "no checkpoint"
            case let .invalid(why): why
            }
        }
    }

    /// Reads a checkpoint of the store at `store`; throws when there is
    /// none or it does not hold together.
    static func read(_ path: String, store: String) throws(Failure) -> Loaded {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .missing }
        let file = CheckpointFile(fd: fd)
        var header = [UInt8](repeating: 0, count: headerSize)
        guard header.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, 0) }) == headerSize,
              Array(header[0..<8]) == magic else { throw .invalid("not a checkpoint") }
        var h = BinaryReader(header)
        h.skip(8)
        do {
            // Sizes are checked as read, before they become Ints: the
            // header has no checksum of its own.
            func size(_ v: UInt64) throws(BinaryReader.Short) -> Int {
                guard v < 1 << 40 else { throw BinaryReader.Short() }
                return Int(v)
            }
            let bodyLength = try size(try h.u64())
            let bodyCRC = try h.u32()
            let entries = Int(try h.u32())
            let locationCount = try size(try h.u64())
            let keysCRC = try h.u32()
            let tailCRC = try h.u32()
            let factsLength = try size(try h.u64())
            let factsCRC = try h.u32()
            var st = stat()
            guard fstat(fd, &st) == 0, bodyLength < Int(st.st_size), entries < 1 << 30 else { throw BinaryReader.Short() }
            var body = [UInt8](repeating: 0, count: bodyLength)
            defer { body = [] }
            guard body.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, off_t(headerSize)) }) == bodyLength else { throw BinaryReader.Short() }
            guard CRC32C.checksum(body) == bodyCRC else { throw Failure.invalid("checksum mismatch") }
            var r = BinaryReader(body)
            guard try r.string() == store else { throw Failure.invalid("another store's") }
            let files = try (0..<r.count()).map { _ throws(BinaryReader.Short) in try r.string() }
            let marks = try (0..<r.count()).map { _ throws(BinaryReader.Short) in
                LogMark(name: try r.string(), device: try r.u64(), inode: try r.u64(), offset: try r.u64(),
                        last: try r.u8() == 1 ? try r.location() : nil)
            }
            let badCount = try r.int()
            let bad = try (0..<r.count()).map { _ throws(BinaryReader.Short) in
                BadRecord(file: try r.string(), offset: try r.int(), length: try r.int(), reason: try r.string())
            }
            var saved = StoreState.Saved()
            let keysAt = headerSize + bodyLength
            var sumsAt = keysAt + entries * 16
            saved.eventCount = try r.int()
            saved.duplicateCount = try r.int()
            if try r.u8() == 1 { saved.maxHLC = HLC(millis: try r.i64(), counter: Int(try r.u32())) }
            saved.hosts = try readHosts(&r, file: file, sumsAt: &sumsAt)
            for _ in 0..<(try r.count()) {
                let id = try r.string()
                let locs = try (0..<r.count()).map { _ throws(BinaryReader.Short) in try r.location() }
                saved.live.append((id, locs))
            }
            guard r.atEnd else { throw BinaryReader.Short() }
            body = []
            let keys = try readKeys(fd, entries: entries, at: keysAt, crc: keysCRC)
            let entriesAt = sumsAt
            // The file is as long as its parts say, and the sums and the
            // entries (read on demand later) are as written.
            let factsAt = entriesAt + entries * ArchiveFile.entrySize + locationCount * ArchiveFile.locationSize
            let end = factsAt + factsLength
            guard Int(st.st_size) == end else { throw Failure.invalid("truncated or malformed") }
            guard try checksum(fd, from: keysAt + entries * 16, to: entriesAt + entries * ArchiveFile.entrySize) == tailCRC else {
                throw Failure.invalid("checksum mismatch")
            }
            let archive = entries > 0 ? ArchiveFile(file: file, keys: keys, entriesAt: entriesAt,
                                                    locationsAt: entriesAt + entries * ArchiveFile.entrySize, locationCount: locationCount,
                                                    factsAt: factsAt, factsLength: factsLength, factsCRC: factsCRC) : nil
            return Loaded(files: files, marks: marks, bad: bad, badCount: badCount, saved: saved, archive: archive)
        } catch let f as Failure {
            throw f
        } catch {
            throw .invalid("truncated or malformed")
        }
    }

    /// Each host's sequence numbers (their record sums are read on demand
    /// from `sumsAt` on, which is moved past them).
    private static func readHosts(_ r: inout BinaryReader, file: CheckpointFile, sumsAt: inout Int) throws -> [(name: String, recorded: Date, set: SequenceSet)] {
        var hosts: [(name: String, recorded: Date, set: SequenceSet)] = []
        for _ in 0..<(try r.count()) {
            let name = try r.string()
            let recorded = Date(timeIntervalSince1970: Double(try r.i64()) / 1000)
            var set = SequenceSet()
            set.count = try r.int()
            set.lastSequence = Int(try r.i64())
            set.bits = try r.integers(try r.count(), as: UInt64.self)
            let sums = try r.int()
            guard sums == set.bits.count * 64 else { throw BinaryReader.Short() }
            set.sumsFrom = sums
            set.savedSums = SavedSums(file: file, offset: sumsAt, count: sums)
            sumsAt += 4 * sums
            for _ in 0..<(try r.count()) { set.sparse[Int(try r.i64())] = try r.u32() }
            hosts.append((name, recorded, set))
        }
        return hosts
    }

    /// The archive's keys, read straight into their array (no copy of them
    /// in between: they grow with the history), checked and in order.
    private static func readKeys(_ fd: Int32, entries: Int, at keysAt: Int, crc keysCRC: UInt32) throws -> [ArchiveFile.Key] {
        var got = 0
        var keys = [ArchiveFile.Key](unsafeUninitializedCapacity: entries) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            got = pread(fd, raw.baseAddress, entries * 16, off_t(keysAt))
            count = got == entries * 16 ? entries : 0
        }
        guard got == entries * 16 else { throw BinaryReader.Short() }
        guard keys.withUnsafeBytes({ CRC32C.checksum($0.bindMemory(to: UInt8.self)) }) == keysCRC else { throw Failure.invalid("checksum mismatch") }
        for k in keys.indices { keys[k] = ArchiveFile.Key(a: UInt64(littleEndian: keys[k].a), b: UInt64(littleEndian: keys[k].b)) }
        guard zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }) else { throw BinaryReader.Short() }
        return keys
    }

    /// The CRC-32C of the file's bytes in [from, to), read a megabyte at a time.
    private static func checksum(_ fd: Int32, from: Int, to end: Int) throws -> UInt32 {
        var sum: UInt32 = 0xFFFFFFFF
        var at = from
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while at < end {
            let n = min(chunk.count, end - at)
            guard chunk.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, n, off_t(at)) }) == n else { throw BinaryReader.Short() }
            sum = chunk.withUnsafeBufferPointer { CRC32C.update(sum, UnsafeBufferPointer(rebasing: $0[0..<n])) }
            at += n
        }
        return sum ^ 0xFFFFFFFF
    }

    /// Temporary files of writers that died before renaming theirs (a
    /// signal, a crash): removed, so the cache does not fill up.
    static func removeStaleTemporaries(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + "."
        guard case let .success(names) = LogReader.list(dir) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let pid = name.dropFirst(prefix.count).split(separator: ".").first.flatMap { pid_t($0) } ?? 0
            if pid > 0, pid != getpid(), kill(pid, 0) != 0, errno == ESRCH { unlink(dir + "/" + name) }
        }
    }
}

extension Checkpoint {
    /// What `doctor` says of a store's checkpoint.
    public enum Verdict: Equatable {
        case none(String)
        /// Not used: the next start reads in full and writes a new one.
        case unusable(String)
        case matches(String)
        /// Removed: it gave another state than a full read.
        case differed(String)
    }

    /// Checks the checkpoint at `path` against `full`, a full read of the
    /// same store with every incident in memory: a start from the
    /// checkpoint must hold the same incidents (archived ones read back),
    /// the same on-call overrides and the same counts. One that does not is
    /// removed, so the next start rebuilds it.
    public static func verify(path: String, against full: IncidentStore, archiveAfter: TimeInterval) -> Verdict {
        guard FileManager.default.fileExists(atPath: path) else { return .none("none yet at \(path) (the next start writes one)") }
        let fast = IncidentStore(path: full.path, host: full.host, clock: full.clock)
        fast.checkpointPath = path
        fast.archiveAfter = archiveAfter
        fast.checkpointEvery = .max
        fast.refresh()
        guard let note = fast.startNote, note.hasPrefix("from the checkpoint") else {
            return .unusable("\(path): \(fast.startNote ?? "not read"); the next start rebuilds it")
        }
        let a = fast.state, b = full.state
        var differences: [String] = []
        if a.eventCount != b.eventCount { differences.append("\(a.eventCount) events against \(b.eventCount)") }
        if a.policies.onCall.events != b.policies.onCall.events { differences.append("on-call overrides differ") }
        if a.orphanCount != b.orphanCount { differences.append("\(a.orphanCount) orphaned events against \(b.orphanCount)") }
        if fast.badRecordCount != full.badRecordCount { differences.append("\(fast.badRecordCount) bad records against \(full.badRecordCount)") }
        // One archived incident at a time: the whole history twice in
        // memory would double what a full read costs.
        var wrong: [String] = a.incidents.keys.filter { a.incidents[$0] != b.incidents[$0] }
        var seen = a.incidents.count
        for entry in a.archive.entries() {
            seen += 1
            guard let i = a.archivedIncident(entry.id), i == b.incidents[entry.id] else {
                wrong.append(entry.id)
                continue
            }
        }
        if seen != b.incidents.count { differences.append("\(seen) incidents against \(b.incidents.count)") }
        // The report's figures kept for archived incidents, against those
        // the full read derives.
        let now = full.clock.now()
        if let kept = a.complianceFacts(openedFrom: .distantPast, to: .distantFuture, now: now) {
            let derived = Dictionary(b.complianceFacts(openedFrom: .distantPast, to: .distantFuture, now: now)!.map { ($0.id, $0) }) { x, _ in x }
            let off = kept.filter { derived[$0.id] != $0 }.map(\.id)
            if !off.isEmpty { differences.append("the report's figures of \(off.count) incident(s) differ, e.g. \(off.sorted().prefix(3).joined(separator: ", "))") }
        } else {
            differences.append("the report's figures do not read back")
        }
        if !wrong.isEmpty { differences.append("\(wrong.count) incident(s) differ, e.g. \(wrong.sorted().prefix(3).joined(separator: ", "))") }
        guard differences.isEmpty else {
            unlink(path)
            return .differed("\(path) gave another state than a full read (\(differences.joined(separator: "; "))): removed; the next start rebuilds it")
        }
        return .matches("\(path): matches a full read (\(a.eventCount) events, \(a.archive.count) incidents archived)")
    }
}
