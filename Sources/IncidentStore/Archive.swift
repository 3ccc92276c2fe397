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
