import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writing a checkpoint (docs/checkpoint.md): its sections in the order
/// the file holds them, the header last, when the tail's checksum is known.
extension Checkpoint {
    /// Writes a checkpoint of `state` read to `marks`: to a temporary file
    /// beside `path`, renamed over it, so a reader sees the old one or the
    /// new one whole. False when the state cannot be kept (see
    /// `StoreState.saved`) or the cache cannot be written.
    @discardableResult
    static func write(_ path: String, store: String, files: [String], marks: [LogMark], bad: [BadRecord], badCount: Int,
                      state: StoreState) -> Bool {
        guard let saved = state.saved() else { return false }
        let archived = state.archive.entries()
        var body = Self.body(store: store, files: files, marks: marks, bad: bad, badCount: badCount, saved: saved)
        guard var keys = archiveKeys(archived) else { return false }

        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        removeStaleTemporaries(of: path)
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        var file = SectionWriter(fd: fd)
        defer {
            close(fd)
            if !file.ok { unlink(temporary) }
        }
        // Entries first (their locations' places are known by counting),
        // then the locations, read again from the old checkpoint's file.
        guard var table = EntryTable(archived) else { return file.failed() }
        // The header last, when the tail's checksum is known: a file cut
        // short has no valid header, or a size that does not add up.
        file.out.bytes = [UInt8](repeating: 0, count: headerSize) + body.bytes + keys.bytes
        let (bodyLength, bodyCRC, keysCRC) = (body.bytes.count, CRC32C.checksum(body.bytes), CRC32C.checksum(keys.bytes))
        (body, keys) = (BinaryWriter(), BinaryWriter())
        file.flush(force: true)
        file.inTail = true
        guard writeSums(saved.hosts, to: &file) else { return file.failed() }
        file.out.bytes += table.entries.bytes
        table.entries = BinaryWriter()
        file.flush(force: true)
        file.inTail = false
        guard let written = writeLocations(table.lists, to: &file) else { return file.failed() }
        file.flush(force: true)
        // The report's figures of each archived incident, in key order.
        guard let facts = facts(archived) else {
            // The checkpoint this state started from has figures that do
            // not read back: it is removed, so that the next start reads in
            // full and writes a whole one (a screen that goes on running
            // keeps what it has).
            unlink(path)
            return file.failed()
        }
        let (factsLength, factsCRC) = (facts.count, CRC32C.checksum(facts))
        file.out.bytes = consume facts
        file.flush(force: true)
        var header = BinaryWriter()
        header.bytes = magic
        header.u64(UInt64(bodyLength))
        header.u32(bodyCRC)
        header.u32(UInt32(archived.count))
        header.u64(UInt64(table.locationCount))
        header.u32(keysCRC)
        header.u32(file.tail ^ 0xFFFFFFFF)
        header.u64(UInt64(factsLength))
        header.u32(factsCRC)
        header.bytes += repeatElement(0, count: headerSize - header.bytes.count)
        guard file.ok, written == table.locationCount,
              header.bytes.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) == headerSize,
              fsync(fd) == 0, rename(temporary, path) == 0 else { return file.failed() }
        return true
    }

    /// The body: the store's path, the logs by number, each log's mark,
    /// bad records, the counters, each host's sequence numbers, and the
    /// locations of everything held in memory.
    private static func body(store: String, files: [String], marks: [LogMark], bad: [BadRecord], badCount: Int,
                             saved: StoreState.Saved) -> BinaryWriter {
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
        hosts(saved.hosts, into: &body)
        body.u64(UInt64(saved.live.count))
        for (id, locs) in saved.live {
            body.string(id)
            body.u64(UInt64(locs.count))
            for l in locs { body.location(l) }
        }
        return body
    }

    /// Each host's sequence numbers: the count, the last, the bits and the sparse ones.
    private static func hosts(_ hosts: [(name: String, recorded: Date, set: SequenceSet)], into body: inout BinaryWriter) {
        body.u64(UInt64(hosts.count))
        for h in hosts {
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
    }

    /// The archive's sorted keys, 16 bytes each (nil: an id that is not one).
    private static func archiveKeys(_ archived: [Archive.Listed]) -> BinaryWriter? {
        var keys = BinaryWriter()
        for a in archived {
            guard let key = ArchiveFile.key(a.id) else { return nil }
            keys.u64(key.a)
            keys.u64(key.b)
        }
        return keys
    }

    /// The archive's entries (24 bytes each: where its locations start,
    /// how many, when it was resolved), and how to read each one's
    /// locations when they are written.
    private struct EntryTable {
        var entries = BinaryWriter()
        var lists: [() -> [RecordLocation]?] = []
        var locationCount = 0

        init?(_ archived: [Archive.Listed]) {
            for a in archived {
                guard let locs = a.locations() else { return nil }
                entries.u64(UInt64(locationCount))
                entries.u32(UInt32(locs.count))
                entries.u32(0)
                entries.i64(Int64((a.resolvedAt.timeIntervalSince1970 * 1000).rounded(.down)))
                locationCount += locs.count
                lists.append(a.locations)
            }
        }
    }

    /// Each host's checksums, by number: those a checkpoint gave this state
    /// are read from its file (false: they could not be).
    private static func writeSums(_ hosts: [(name: String, recorded: Date, set: SequenceSet)], to file: inout SectionWriter) -> Bool {
        for h in hosts {
            var all: [UInt32] = []
            if h.set.sumsFrom > 0 {
                guard let old = h.set.savedSums?.all(), old.count == h.set.sumsFrom else { return false }
                all = old
            }
            all += h.set.sums
            all += repeatElement(0, count: max(0, h.set.bits.count * 64 - all.count))
            file.out.sums(all.prefix(h.set.bits.count * 64))
            file.flush()
        }
        return true
    }

    /// The archived incidents' locations, in the entries' order; how many
    /// were written (nil: a list could not be read again).
    private static func writeLocations(_ lists: [() -> [RecordLocation]?], to file: inout SectionWriter) -> Int? {
        var written = 0
        for list in lists {
            guard let locs = list() else { return nil }
            file.out.locations(locs[...])
            written += locs.count
            file.flush()
        }
        return written
    }

    /// The report's figures of each archived incident, encoded (nil: one
    /// does not read back).
    private static func facts(_ archived: [Archive.Listed]) -> [UInt8]? {
        var facts = FactsCodec()
        for a in archived {
            guard let f = a.facts() else { return nil }
            facts.add(f)
        }
        return facts.encoded()
    }

    /// The file as it is written: what is buffered goes out a MiB at a
    /// time; the sums and the entries (the tail) are checksummed as they go,
    /// since they are checked at every start.
    private struct SectionWriter {
        let fd: Int32
        var out = BinaryWriter()
        var tail: UInt32 = 0xFFFFFFFF
        var inTail = false
        var ok = true

        init(fd: Int32) { self.fd = fd }

        mutating func flush(force: Bool = false) {
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

        /// Marks the write failed (the temporary file goes): false.
        mutating func failed() -> Bool {
            ok = false
            return false
        }
    }
}
