import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Resolved incidents kept on disk instead of in memory: for each, where
/// its records lie in the logs. A year of history then costs a start-up
/// nothing but this index; an archived incident is read back (and folded)
/// on demand, or comes back into memory for good when a late event touches
/// it. Part is from the checkpoint the state started from (`base`, read
/// from its file when asked), part archived by this process (`recent`).
public struct Archive: Sendable {
    public private(set) var files: LogFiles?
    struct Entry: Sendable {
        var start: Int
        var count: Int
        var resolvedAt: Date
        /// Where its record lies in `recentFacts` (archived by this process).
        var facts: Range<Int>? = nil
    }

    private var recent: [String: Entry] = [:]
    /// What the report needs of each incident archived by this process,
    /// encoded (`FactsCodec`; each entry says where its record lies).
    private var recentFacts = FactsCodec()
    private var recentLocations: [RecordLocation] = []
    private(set) var base: ArchiveFile?
    /// Incidents of `base` taken back into memory since.
    private var taken: Set<String> = []

    init(files: LogFiles? = nil, base: ArchiveFile? = nil) {
        self.files = files
        self.base = base
    }

    public var count: Int { recent.count + (base?.count ?? 0) - taken.count }

    public func contains(_ id: String) -> Bool {
        if recent[id] != nil { return true }
        guard let base, !taken.contains(id) else { return false }
        return base.index(of: id) != nil
    }

    public func locations(of id: String) -> [RecordLocation]? {
        if let e = recent[id] { return Array(recentLocations[e.start..<(e.start + e.count)]) }
        guard let base, !taken.contains(id), let k = base.index(of: id) else { return nil }
        return base.entry(k).map { base.locations($0) } ?? nil
    }

    /// An archived incident: its id, when it was resolved, and (read when
    /// asked) where its records lie and what the report needs of it.
    struct Listed {
        var id: String
        var resolvedAt: Date
        var locations: () -> [RecordLocation]?
        var facts: () -> IncidentFacts?
    }

    /// Archived incidents in key order.
    func entries() -> [Listed] {
        var all: [(key: ArchiveFile.Key, listed: Listed)] = []
        if let base {
            // The base's figures are decoded once for the whole listing, when first asked.
            let decoded = BaseFacts(base)
            for k in 0..<base.count {
                let id = base.id(k)
                guard recent[id] == nil, !taken.contains(id), let e = base.entry(k) else { continue }
                all.append((base.keys[k], Listed(id: id, resolvedAt: e.resolvedAt, locations: { base.locations(e) }, facts: { decoded.facts(k) })))
            }
        }
        let held = recentLocations
        for (id, e) in recent {
            guard let key = ArchiveFile.key(id) else { continue }
            let codec = recentFacts, at = e.facts
            all.append((key, Listed(id: id, resolvedAt: e.resolvedAt, locations: { Array(held[e.start..<(e.start + e.count)]) },
                                    facts: { at.flatMap { codec.facts(id, at: $0) } })))
        }
        all.sort { $0.key < $1.key }
        return all.map(\.listed)
    }

    /// What the report needs of the archived incidents opened in
    /// [from, to); nil when the checkpoint's figures cannot be read (the
    /// caller then reads the store in full).
    public func facts(openedFrom from: Date, to: Date) -> [IncidentFacts]? {
        var out: [IncidentFacts] = []
        if let base, base.count > 0 {
            guard let all = base.facts(), all.count == base.count else { return nil }
            out.reserveCapacity(all.count + recent.count)
            for (k, f) in all.enumerated() where f.opened >= from && f.opened < to {
                if !taken.isEmpty || !recent.isEmpty {
                    let id = base.id(k)
                    guard recent[id] == nil, !taken.contains(id) else { continue }
                }
                out.append(f)
            }
        }
        for (id, e) in recent {
            guard let at = e.facts, let f = recentFacts.facts(id, at: at) else { return nil }
            if f.opened >= from && f.opened < to { out.append(f) }
        }
        return out
    }

    public var ids: [String] { entries().map(\.id) }

    /// Ids longer than this stay in memory (the index has fixed-width keys).
    static let maxIDBytes = 16

    mutating func add(_ id: String, locations: [RecordLocation], resolvedAt: Date, facts: IncidentFacts) {
        recent[id] = Entry(start: recentLocations.count, count: locations.count, resolvedAt: resolvedAt, facts: recentFacts.add(facts))
        recentLocations += locations
    }

    /// Takes an incident out of the archive, with its locations.
    mutating func take(_ id: String) -> [RecordLocation]? {
        let locs = locations(of: id)
        if recent.removeValue(forKey: id) == nil { taken.insert(id) }
        return locs
    }

    mutating func useFiles(_ f: LogFiles) { if files == nil { files = f } }
}

/// A checkpoint's figures, decoded when first asked and kept as long as
/// the listing that asks (`Archive.entries`).
private final class BaseFacts: @unchecked Sendable {
    let file: ArchiveFile
    var decoded: [IncidentFacts]??
    init(_ file: ArchiveFile) { self.file = file }
    func facts(_ k: Int) -> IncidentFacts? {
        if decoded == nil { decoded = .some(file.facts()) }
        guard let all = decoded!, k < all.count else { return nil }
        return all[k]
    }
}

/// An open checkpoint file, shared by the parts read from it on demand.
final class CheckpointFile: @unchecked Sendable {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    func read(_ count: Int, at offset: Int) -> [UInt8]? {
        var raw = [UInt8](repeating: 0, count: count)
        guard raw.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, off_t(offset)) }) == count else { return nil }
        return raw
    }
}

/// One host's record checksums as a checkpoint saved them, read when a
/// number comes again (a sync engine's conflict copy of a log): a start
/// from a checkpoint keeps none of them in memory.
final class SavedSums: @unchecked Sendable {
    let file: CheckpointFile
    let offset: Int
    let count: Int

    init(file: CheckpointFile, offset: Int, count: Int) {
        self.file = file
        self.offset = offset
        self.count = count
    }

    func sum(_ n: Int) -> UInt32 {
        guard n >= 0, n < count, let raw = file.read(4, at: offset + 4 * n) else { return 0 }
        var r = BinaryReader(raw)
        return (try? r.u32()) ?? 0
    }

    func all() -> [UInt32]? {
        guard let raw = file.read(4 * count, at: offset) else { return nil }
        var r = BinaryReader(raw)
        return try? r.integers(count, as: UInt32.self)
    }
}

/// A checkpoint's archive section, read from its file on demand: the
/// sorted keys are in memory (16 bytes an incident), each incident's entry
/// and locations are read when asked.
final class ArchiveFile: @unchecked Sendable {
    let file: CheckpointFile
    var fd: Int32 { file.fd }
    let keys: [Key]
    let entriesAt: Int
    let locationsAt: Int
    let locationCount: Int
    /// The report's figures of each archived incident, in key order:
    /// where they lie, how long, their checksum; read and checked when a
    /// report first asks (a start does not pay for them).
    let factsAt: Int
    let factsLength: Int
    let factsCRC: UInt32

    struct Key: Comparable {
        var a: UInt64
        var b: UInt64
        static func < (x: Key, y: Key) -> Bool { (x.a, x.b) < (y.a, y.b) }
    }

    static let entrySize = 24
    static let locationSize = 20

    init(file: CheckpointFile, keys: [Key], entriesAt: Int, locationsAt: Int, locationCount: Int,
         factsAt: Int, factsLength: Int, factsCRC: UInt32) {
        self.file = file
        self.keys = keys
        self.entriesAt = entriesAt
        self.locationsAt = locationsAt
        self.locationCount = locationCount
        self.factsAt = factsAt
        self.factsLength = factsLength
        self.factsCRC = factsCRC
    }

    /// Every archived incident's figures, in key order; nil when they do
    /// not read back whole (a damaged or cut checkpoint).
    func facts() -> [IncidentFacts]? {
        file.read(factsLength, at: factsAt).flatMap { raw in
            CRC32C.checksum(raw) == factsCRC ? FactsCodec.decode(raw, ids: keys.map(ArchiveFile.id)) : nil
        }
    }

    var count: Int { keys.count }

    /// An id as a key: its bytes, big-endian in two words, so keys sort as
    /// the ids do byte by byte. Nil for ids too long to archive.
    static func key(_ id: String) -> Key? {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= Archive.maxIDBytes, !bytes.contains(0) else { return nil }
        var a: UInt64 = 0, b: UInt64 = 0
        for k in 0..<16 {
            let byte = UInt64(k < bytes.count ? bytes[k] : 0)
            if k < 8 { a = a << 8 | byte } else { b = b << 8 | byte }
        }
        return Key(a: a, b: b)
    }

    static func id(_ key: Key) -> String {
        var bytes: [UInt8] = []
        for k in 0..<16 {
            let word = k < 8 ? key.a : key.b
            let byte = UInt8(truncatingIfNeeded: word >> UInt64(8 * (7 - k % 8)))
            if byte == 0 { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func id(_ k: Int) -> String { ArchiveFile.id(keys[k]) }

    func index(of id: String) -> Int? {
        guard let key = ArchiveFile.key(id) else { return nil }
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo < keys.count && keys[lo] == key ? lo : nil
    }

    func entry(_ k: Int) -> Archive.Entry? {
        var raw = [UInt8](repeating: 0, count: ArchiveFile.entrySize)
        guard raw.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, off_t(entriesAt + k * ArchiveFile.entrySize)) }) == raw.count else { return nil }
        var r = BinaryReader(raw)
        guard let start = try? r.u64(), let count = try? r.u32(), (try? r.u32()) != nil, let at = try? r.i64(),
              Int(start) + Int(count) <= locationCount else { return nil }
        return Archive.Entry(start: Int(start), count: Int(count), resolvedAt: Date(timeIntervalSince1970: Double(at) / 1000))
    }

    func locations(_ e: Archive.Entry) -> [RecordLocation]? {
        var raw = [UInt8](repeating: 0, count: e.count * ArchiveFile.locationSize)
        guard raw.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, off_t(locationsAt + e.start * ArchiveFile.locationSize)) }) == raw.count else { return nil }
        var r = BinaryReader(raw)
        return try? (0..<e.count).map { _ in try r.location() }
    }
}

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
            let badCount = Int(try r.u64())
            let bad = try (0..<r.count()).map { _ throws(BinaryReader.Short) in
                BadRecord(file: try r.string(), offset: Int(try r.u64()), length: Int(try r.u64()), reason: try r.string())
            }
            var saved = StoreState.Saved()
            let keysAt = headerSize + bodyLength
            var sumsAt = keysAt + entries * 16
            saved.eventCount = Int(try r.u64())
            saved.duplicateCount = Int(try r.u64())
            if try r.u8() == 1 { saved.maxHLC = HLC(millis: try r.i64(), counter: Int(try r.u32())) }
            for _ in 0..<(try r.count()) {
                let name = try r.string()
                let recorded = Date(timeIntervalSince1970: Double(try r.i64()) / 1000)
                var set = SequenceSet()
                set.count = Int(try r.u64())
                set.lastSequence = Int(try r.i64())
                set.bits = try r.integers(try r.count(), as: UInt64.self)
                let sums = Int(try r.u64())
                guard sums == set.bits.count * 64 else { throw BinaryReader.Short() }
                set.sumsFrom = sums
                set.savedSums = SavedSums(file: file, offset: sumsAt, count: sums)
                sumsAt += 4 * sums
                for _ in 0..<(try r.count()) { set.sparse[Int(try r.i64())] = try r.u32() }
                saved.hosts.append((name, recorded, set))
            }
            for _ in 0..<(try r.count()) {
                let id = try r.string()
                let locs = try (0..<r.count()).map { _ throws(BinaryReader.Short) in try r.location() }
                saved.live.append((id, locs))
            }
            guard r.atEnd else { throw BinaryReader.Short() }
            body = []
            // The archive's keys, read straight into their array (no copy
            // of them in between: at ten million events they are 13 MB).
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
            let entriesAt = sumsAt
            // The file is as long as its parts say, and the sums and the
            // entries (read on demand later) are as written.
            let factsAt = entriesAt + entries * ArchiveFile.entrySize + locationCount * ArchiveFile.locationSize
            let end = factsAt + factsLength
            guard Int(st.st_size) == end else { throw Failure.invalid("truncated or malformed") }
            var tail: UInt32 = 0xFFFFFFFF
            var at = keysAt + entries * 16
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while at < entriesAt + entries * ArchiveFile.entrySize {
                let n = min(chunk.count, entriesAt + entries * ArchiveFile.entrySize - at)
                guard chunk.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, n, off_t(at)) }) == n else { throw BinaryReader.Short() }
                tail = chunk.withUnsafeBufferPointer { CRC32C.update(tail, UnsafeBufferPointer(rebasing: $0[0..<n])) }
                at += n
            }
            guard tail ^ 0xFFFFFFFF == tailCRC else { throw Failure.invalid("checksum mismatch") }
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

    /// Writes a checkpoint of `state` read to `marks`: to a temporary file
    /// beside `path`, renamed over it, so a reader sees the old one or the
    /// new one whole. False when the state cannot be kept (see
    /// `StoreState.saved`) or the cache cannot be written.
    @discardableResult
    static func write(_ path: String, store: String, files: [String], marks: [LogMark], bad: [BadRecord], badCount: Int,
                      state: StoreState) -> Bool {
        guard let saved = state.saved() else { return false }
        let archived = state.archive.entries()
        var body = BinaryWriter()
        body.string(store)
        body.u64(UInt64(files.count))
        for f in files { body.string(f) }
        body.u64(UInt64(marks.count))
        for m in marks {
            body.string(m.name)
            body.u64(m.device)
            body.u64(m.inode)
            body.u64(m.offset)
            if let last = m.last {
                body.u8(1)
                body.location(last)
            } else {
                body.u8(0)
            }
        }
        body.u64(UInt64(badCount))
        body.u64(UInt64(bad.count))
        for b in bad {
            body.string(b.file)
            body.u64(UInt64(b.offset))
            body.u64(UInt64(b.length))
            body.string(b.reason)
        }
        body.u64(UInt64(saved.eventCount))
        body.u64(UInt64(saved.duplicateCount))
        if let hlc = saved.maxHLC {
            body.u8(1)
            body.i64(hlc.millis)
            body.u32(UInt32(hlc.counter))
        } else {
            body.u8(0)
        }
        body.u64(UInt64(saved.hosts.count))
        for h in saved.hosts {
            body.string(h.name)
            body.i64(Int64((h.recorded.timeIntervalSince1970 * 1000).rounded(.down)))
            body.u64(UInt64(h.set.count))
            body.i64(Int64(h.set.lastSequence))
            body.u64(UInt64(h.set.bits.count))
            for w in h.set.bits { body.u64(w) }
            body.u64(UInt64(h.set.bits.count * 64))
            body.u64(UInt64(h.set.sparse.count))
            for (n, s) in h.set.sparse.sorted(by: { $0.key < $1.key }) {
                body.i64(Int64(n))
                body.u32(s)
            }
        }
        body.u64(UInt64(saved.live.count))
        for (id, locs) in saved.live {
            body.string(id)
            body.u64(UInt64(locs.count))
            for l in locs { body.location(l) }
        }
        var keys = BinaryWriter()
        for a in archived {
            guard let key = ArchiveFile.key(a.id) else { return false }
            keys.u64(key.a)
            keys.u64(key.b)
        }

        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        removeStaleTemporaries(of: path)
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        var ok = true
        defer {
            close(fd)
            if !ok { unlink(temporary) }
        }
        var out = BinaryWriter()
        // The sums and the entries are checked at every start: their
        // checksum is taken as they are written.
        var tail: UInt32 = 0xFFFFFFFF
        var inTail = false
        func flush(_ force: Bool = false) {
            guard ok, force || out.bytes.count >= 1 << 20 else { return }
            if inTail { tail = out.bytes.withUnsafeBufferPointer { CRC32C.update(tail, $0) } }
            var done = 0
            while done < out.bytes.count {
                let n = out.bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, out.bytes.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false
                    break
                }
                done += n
            }
            out.bytes.removeAll(keepingCapacity: true)
        }
        // Entries first (their locations' places are known by counting),
        // then the locations, read again from the old checkpoint's file.
        var locationCount = 0
        var entries = BinaryWriter()
        var lists: [() -> [RecordLocation]?] = []
        for a in archived {
            guard let locs = a.locations() else {
                ok = false
                return false
            }
            entries.u64(UInt64(locationCount))
            entries.u32(UInt32(locs.count))
            entries.u32(0)
            entries.i64(Int64((a.resolvedAt.timeIntervalSince1970 * 1000).rounded(.down)))
            locationCount += locs.count
            lists.append(a.locations)
        }
        // The header last, when the tail's checksum is known: a file cut
        // short has no valid header, or a size that does not add up.
        out.bytes = [UInt8](repeating: 0, count: headerSize) + body.bytes + keys.bytes
        let (bodyLength, bodyCRC, keysCRC) = (body.bytes.count, CRC32C.checksum(body.bytes), CRC32C.checksum(keys.bytes))
        body = BinaryWriter()
        keys = BinaryWriter()
        flush(true)
        inTail = true
        // Each host's checksums, by number: those a checkpoint gave this
        // state are read from its file.
        for h in saved.hosts {
            var all: [UInt32] = []
            if h.set.sumsFrom > 0 {
                guard let old = h.set.savedSums?.all(), old.count == h.set.sumsFrom else {
                    ok = false
                    return false
                }
                all = old
            }
            all += h.set.sums
            all += repeatElement(0, count: max(0, h.set.bits.count * 64 - all.count))
            out.sums(all.prefix(h.set.bits.count * 64))
            flush()
        }
        out.bytes += entries.bytes
        entries = BinaryWriter()
        flush(true)
        inTail = false
        var written = 0
        for list in lists {
            guard let locs = list() else {
                ok = false
                return false
            }
            out.locations(locs[...])
            written += locs.count
            flush()
        }
        flush(true)
        // The report's figures of each archived incident, in key order.
        var facts = FactsCodec()
        for a in archived {
            guard let f = a.facts() else {
                // The checkpoint this state started from has figures that
                // do not read back: it is removed, so that the next start
                // reads in full and writes a whole one (a screen that goes
                // on running keeps what it has).
                ok = false
                unlink(path)
                return false
            }
            facts.add(f)
        }
        out.bytes = facts.encoded()
        facts = FactsCodec()
        let (factsLength, factsCRC) = (out.bytes.count, CRC32C.checksum(out.bytes))
        flush(true)
        var header = BinaryWriter()
        header.bytes = magic
        header.u64(UInt64(bodyLength))
        header.u32(bodyCRC)
        header.u32(UInt32(archived.count))
        header.u64(UInt64(locationCount))
        header.u32(keysCRC)
        header.u32(tail ^ 0xFFFFFFFF)
        header.u64(UInt64(factsLength))
        header.u32(factsCRC)
        header.bytes += repeatElement(0, count: headerSize - header.bytes.count)
        guard ok, written == locationCount,
              header.bytes.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) == headerSize,
              fsync(fd) == 0, rename(temporary, path) == 0 else {
            ok = false
            return false
        }
        return true
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

/// Little-endian fields for the checkpoint file.
struct BinaryWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func location(_ l: RecordLocation) {
        u64(l.offset)
        u32(l.length)
        u32(l.file)
        u32(l.crc)
    }

    /// Many locations at once: a checkpoint holds one per event.
    mutating func locations(_ list: ArraySlice<RecordLocation>) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: list.count * ArchiveFile.locationSize))
        bytes.withUnsafeMutableBytes { raw in
            var at = start
            for l in list {
                raw.storeBytes(of: l.offset.littleEndian, toByteOffset: at, as: UInt64.self)
                raw.storeBytes(of: l.length.littleEndian, toByteOffset: at + 8, as: UInt32.self)
                raw.storeBytes(of: l.file.littleEndian, toByteOffset: at + 12, as: UInt32.self)
                raw.storeBytes(of: l.crc.littleEndian, toByteOffset: at + 16, as: UInt32.self)
                at += ArchiveFile.locationSize
            }
        }
    }

    /// Many checksums at once.
    mutating func sums(_ list: ArraySlice<UInt32>) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: list.count * 4))
        bytes.withUnsafeMutableBytes { raw in
            var at = start
            for s in list {
                raw.storeBytes(of: s.littleEndian, toByteOffset: at, as: UInt32.self)
                at += 4
            }
        }
    }
}

struct BinaryReader {
    struct Short: Error {}
    private let bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { at == bytes.count }

    mutating func skip(_ n: Int) { at += n }

    private mutating func take(_ n: Int) throws(Short) -> Int {
        guard n >= 0, at + n <= bytes.count else { throw Short() }
        defer { at += n }
        return at
    }

    mutating func u8() throws(Short) -> UInt8 { bytes[try take(1)] }

    mutating func u16() throws(Short) -> UInt16 {
        let k = try take(2)
        return UInt16(bytes[k]) | UInt16(bytes[k + 1]) << 8
    }

    mutating func u32() throws(Short) -> UInt32 {
        let k = try take(4)
        var v: UInt32 = 0
        for i in (0..<4).reversed() { v = v << 8 | UInt32(bytes[k + i]) }
        return v
    }

    mutating func u64() throws(Short) -> UInt64 {
        let k = try take(8)
        var v: UInt64 = 0
        for i in (0..<8).reversed() { v = v << 8 | UInt64(bytes[k + i]) }
        return v
    }

    mutating func i64() throws(Short) -> Int64 { Int64(bitPattern: try u64()) }

    /// A count of items, each at least a byte: no more than remain.
    mutating func count() throws(Short) -> Int {
        let n = try u64()
        guard n <= UInt64(bytes.count - at) else { throw Short() }
        return Int(n)
    }

    mutating func string() throws(Short) -> String {
        let n = Int(try u32())
        let k = try take(n)
        return String(decoding: bytes[k..<(k + n)], as: UTF8.self)
    }

    mutating func location() throws(Short) -> RecordLocation {
        let offset = try u64(), length = try u32(), file = try u32(), crc = try u32()
        return RecordLocation(file: file, offset: offset, length: length, crc: crc)
    }

    /// `n` little-endian integers of one width (the bitmap's words, the checksums).
    mutating func integers<T: FixedWidthInteger>(_ n: Int, as: T.Type) throws(Short) -> [T] {
        let size = MemoryLayout<T>.size
        let k = try take(n * size)
        return (0..<n).map { i in
            var v: T = 0
            for b in (0..<size).reversed() { v = v << 8 | T(bytes[k + i * size + b]) }
            return v
        }
    }
}

/// The report's figures of archived incidents (`IncidentFacts`), encoded:
/// the policies' tier tables and the customers once each, and one record
/// per incident (its id is not in it: the archive's key says it). Seconds
/// are 32 bits (0xFFFFFFFF: none), so a record is about 90 bytes. The
/// archive keeps what it archives this way (not as structs: a cold read
/// of a year archives 90,000 incidents), and the checkpoint's section is
/// `encoded()`: tables, customers, then the records in key order.
struct FactsCodec {
    private(set) var tables: [ComplianceTiers] = []
    private var tableIndex: [ObjectIdentifier: Int] = [:]
    private(set) var customers: [String] = []
    private var customerIndex: [String: Int] = [:]
    private(set) var records = BinaryWriter()

    private static let none: UInt32 = 0xFFFFFFFF
    private static func seconds(_ s: Int?) -> UInt32 { s.map { min(UInt32(clamping: max(0, $0)), none - 1) } ?? none }

    /// Appends one incident's record; where it lies in `records`.
    @discardableResult
    mutating func add(_ f: IncidentFacts) -> Range<Int> {
        let table: Int
        if let k = tableIndex[ObjectIdentifier(f.tiers)] {
            table = k
        } else if let k = tables.firstIndex(of: f.tiers) {
            // An equal table held by another object: found by content (the
            // identity map keeps only objects `tables` holds, whose
            // addresses cannot be reused).
            table = k
        } else {
            table = tables.count
            tables.append(f.tiers)
            tableIndex[ObjectIdentifier(f.tiers)] = table
        }
        var customer = 0
        if let c = f.customer {
            if let k = customerIndex[c] {
                customer = k + 1
            } else {
                customers.append(c)
                customerIndex[c] = customers.count - 1
                customer = customers.count
            }
        }
        let start = records.bytes.count
        records.string(f.title)
        records.i64(Int64((f.opened.timeIntervalSince1970 * 1000).rounded(.down)))
        records.u8(UInt8(Severity.allCases.firstIndex(of: f.severity)!))
        records.u32(UInt32(table))
        records.u32(UInt32(customer))
        records.u16(f.furthestTier.map { UInt16(clamping: $0) } ?? 0xFFFF)
        records.u32(FactsCodec.seconds(f.acknowledgedAfter))
        records.u32(FactsCodec.seconds(f.resolvedAfter))
        records.u32(FactsCodec.seconds(f.engagedAfter))
        records.u32(UInt32(clamping: f.updateIntervals))
        records.u32(UInt32(clamping: f.updatesOnTime))
        records.u32(FactsCodec.seconds(f.longestSilence))
        records.u16(UInt16(clamping: f.steps.count))
        for st in f.steps.prefix(Int(UInt16.max)) {
            records.u16(UInt16(clamping: st.tier))
            records.u8(st.outcome.rawValue)
            records.u32(FactsCodec.seconds(st.lateSeconds))
        }
        return start..<records.bytes.count
    }

    /// The record at `range` of `records`, for the incident `id`.
    func facts(_ id: String, at range: Range<Int>) -> IncidentFacts? {
        var r = BinaryReader(Array(records.bytes[range]))
        return try? FactsCodec.record(&r, id: id, tables: tables, customers: customers)
    }

    /// The section: tables, customers, records.
    func encoded() -> [UInt8] {
        var out = BinaryWriter()
        out.u64(UInt64(tables.count))
        for t in tables {
            out.u64(UInt64(t.tiers.count))
            for tier in t.tiers {
                out.string(tier.id)
                out.string(tier.name)
                out.string(tier.rule)
            }
            out.u16(t.engage.map { UInt16(clamping: $0) } ?? 0xFFFF)
        }
        out.u64(UInt64(customers.count))
        for c in customers { out.string(c) }
        return out.bytes + records.bytes
    }

    private struct Malformed: Error {}

    private static func record(_ r: inout BinaryReader, id: String, tables: [ComplianceTiers], customers: [String]) throws -> IncidentFacts {
        func seconds(_ v: UInt32) -> Int? { v == none ? nil : Int(v) }
        let title = try r.string()
        let opened = Date(timeIntervalSince1970: Double(try r.i64()) / 1000)
        let severity = Int(try r.u8()), table = Int(try r.u32()), customer = Int(try r.u32())
        let furthest = try r.u16()
        let ack = seconds(try r.u32()), resolved = seconds(try r.u32()), engaged = seconds(try r.u32())
        let intervals = Int(try r.u32()), onTime = Int(try r.u32())
        let silence = seconds(try r.u32())
        guard severity < Severity.allCases.count, table < tables.count, customer <= customers.count,
              furthest == 0xFFFF || Int(furthest) < tables[table].tiers.count else { throw Malformed() }
        var steps: [IncidentFacts.Step] = []
        for _ in 0..<(try r.u16()) {
            let tier = Int(try r.u16())
            guard tier < tables[table].tiers.count, let outcome = IncidentFacts.Outcome(rawValue: try r.u8()) else { throw Malformed() }
            steps.append(IncidentFacts.Step(tier: tier, outcome: outcome, lateSeconds: seconds(try r.u32()) ?? 0))
        }
        return IncidentFacts(id: id, title: title, customer: customer == 0 ? nil : customers[customer - 1],
                             severity: Severity.allCases[severity], opened: opened, tiers: tables[table], steps: steps,
                             furthestTier: furthest == 0xFFFF ? nil : Int(furthest), acknowledgedAfter: ack, resolvedAfter: resolved,
                             engagedAfter: engaged, updateIntervals: intervals, updatesOnTime: onTime, longestSilence: silence)
    }

    /// A checkpoint's section (`encoded()`) as the figures of `ids.count`
    /// incidents, or nil when it does not hold exactly that many
    /// well-formed records.
    static func decode(_ raw: [UInt8], ids: [String]) -> [IncidentFacts]? {
        var r = BinaryReader(raw)
        do {
            let tables = try (0..<r.count()).map { _ throws(BinaryReader.Short) -> ComplianceTiers in
                let tiers = try (0..<r.count()).map { _ throws(BinaryReader.Short) in
                    ComplianceTiers.Tier(id: try r.string(), name: try r.string(), rule: try r.string())
                }
                let engage = try r.u16()
                return ComplianceTiers(tiers, engage: engage == 0xFFFF ? nil : Int(engage))
            }
            let customers = try (0..<r.count()).map { _ throws(BinaryReader.Short) in try r.string() }
            var out: [IncidentFacts] = []
            out.reserveCapacity(ids.count)
            for id in ids { out.append(try record(&r, id: id, tables: tables, customers: customers)) }
            return r.atEnd ? out : nil
        } catch {
            return nil
        }
    }
}
