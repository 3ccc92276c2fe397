import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A record that could not be believed: where it is and why.
public struct BadRecord: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var offset: Int
    public var length: Int
    public var reason: String

    public var description: String { "\(file):byte \(offset): \(reason) (\(length) bytes skipped)" }
}

/// Reads a store's log files incrementally: for each file it remembers how
/// far it has read, and on each `readNew()` returns only the events of the
/// complete lines appended since. A trailing partial line (a writer still
/// writing, or one killed mid-write) waits until it ends in a newline; a file
/// that was replaced (new inode) or shrank is read again from the start.
/// Reading never writes and never creates anything.
public struct LogReader {
    public let directory: String
    public private(set) var badRecords: [BadRecord] = []
    public private(set) var badRecordCount = 0
    /// Only the first `keptBadRecords` are kept with their details; all are counted.
    public static let keptBadRecords = 1000
    static let chunkSize = 1 << 16
    /// Below this many unread bytes, reading files one after another is as quick.
    static let parallelThreshold = 4 << 20

    struct Cursor {
        var device: UInt64
        var inode: UInt64
        /// File offset of the first byte not yet consumed (start of a partial line).
        var offset: Int
        /// Inside a line longer than the record limit: skip to its newline.
        var skipping = false
        /// Where scanning resumes when skipping (the partial line is not kept).
        var scanFrom = 0
    }

    private var cursors: [String: Cursor] = [:]
    private let policies = RecordCodec.PolicyTexts()
    /// Reused between reads: allocating and zeroing it per read showed up in
    /// the cost of a single live update.
    private var buffer = [UInt8](repeating: 0, count: LogReader.chunkSize)

    public init(directory: String) { self.directory = directory }

    /// Whether a file in the events directory is a log to read. Sync engines'
    /// temporary files (`.syncthing.x.tmp`, `~` backups, dot files) are not;
    /// their conflict copies (`host.sync-conflict-….log`) are, and are read
    /// as a union with the original (duplicates are dropped by event id).
    public static func isLogFile(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasSuffix("~") || name.hasSuffix(".tmp") { return false }
        return name.hasSuffix(".log") || name.contains(".sync-conflict-")
    }

    public func logFileNames() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter(LogReader.isLogFile).sorted()
    }

    /// The log files, listed again only when the directory changed (its
    /// modification and change times) or every 10 s in any case (file
    /// systems with coarse timestamps): a safety-net poll on an idle store
    /// then costs a stat, not a directory listing.
    private var listing: (names: [String], mtime: timespec, ctime: timespec, at: time_t)?

    private mutating func currentNames() -> [String] {
        var st = stat()
        guard stat(directory, &st) == 0 else { listing = nil; return [] }
        let now = time(nil)
        if let l = listing, now - l.at < 10, l.mtime.tv_sec == st.st_mtim.tv_sec, l.mtime.tv_nsec == st.st_mtim.tv_nsec,
           l.ctime.tv_sec == st.st_ctim.tv_sec, l.ctime.tv_nsec == st.st_ctim.tv_nsec {
            return l.names
        }
        let names = logFileNames()
        listing = (names, st.st_mtim, st.st_ctim, now)
        return names
    }

    /// Hands every complete record appended since the last call to `sink`.
    public mutating func readNew(_ sink: (IncidentEvent) -> Void) {
        let names = currentNames()
        let pending = unread(names)
        if pending.filter({ $0 > 0 }).count > 1 && pending.reduce(0, +) > LogReader.parallelThreshold {
            readInParallel(names, into: sink)
        } else {
            for name in names { read(file: name, into: sink) }
        }
        let present = Set(names)
        for gone in cursors.keys where !present.contains(gone) { cursors[gone] = nil }
    }

    /// Hands `sink` the records appended to the named files since the last
    /// call; names that are not log files are ignored.
    public mutating func readNew(files: Set<String>, _ sink: (IncidentEvent) -> Void) {
        for name in files.sorted() where LogReader.isLogFile(name) { read(file: name, into: sink) }
    }

    /// Events of every complete record appended since the last call.
    public mutating func readNew() -> [IncidentEvent] {
        var events: [IncidentEvent] = []
        readNew { events.append($0) }
        return events
    }

    private mutating func report(_ bad: BadRecord) {
        badRecordCount += 1
        if badRecords.count < LogReader.keptBadRecords { badRecords.append(bad) }
    }

    /// What reading one file found: its new cursor and its bad records.
    /// Reading does not touch the reader, so several files can be read at once.
    struct Scan {
        var cursor: Cursor
        var bad: [BadRecord] = []
        /// The file was replaced or shrank: its old bad records no longer apply.
        var restarted = false
    }

    private mutating func read(file name: String, into events: (IncidentEvent) -> Void) {
        var buffer = self.buffer  // moved out and back: no copy
        self.buffer = []
        defer { self.buffer = buffer }
        guard let scan = LogReader.scan(directory: directory, name: name, cursor: cursors[name], policies: policies,
                                        buffer: &buffer, into: events) else { return }
        apply(scan, name: name)
    }

    private mutating func apply(_ scan: Scan, name: String) {
        if scan.restarted {
            let before = badRecords.count
            badRecords.removeAll { $0.file == name }
            badRecordCount -= before - badRecords.count
        }
        for b in scan.bad { report(b) }
        cursors[name] = scan.cursor
    }

    /// A cold start reads every byte of every host's log; with more than one
    /// log and enough bytes to matter, the logs are read and decoded on all
    /// cores at once (decoding is most of a cold start), then handed to the
    /// sink in file order as usual.
    private mutating func readInParallel(_ names: [String], into sink: (IncidentEvent) -> Void) {
        var results = [(Scan?, [IncidentEvent])](repeating: (nil, []), count: names.count)
        let directory = self.directory
        let cursors = self.cursors
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: names.count) { k in
                var buffer = [UInt8](repeating: 0, count: LogReader.chunkSize)
                var events: [IncidentEvent] = []
                // Each task its own policy cache: the shared one is not thread-safe.
                let scan = LogReader.scan(directory: directory, name: names[k], cursor: cursors[names[k]],
                                          policies: RecordCodec.PolicyTexts(), buffer: &buffer) { events.append($0) }
                out[k] = (scan, events)
            }
        }
        for (k, (scan, events)) in results.enumerated() {
            guard let scan else { continue }
            apply(scan, name: names[k])
            for e in events { sink(e) }
        }
    }

    /// Bytes not yet read in each file (0 for files that cannot be stat'ed).
    private func unread(_ names: [String]) -> [Int] {
        names.map { name in
            var st = stat()
            guard lstat(directory + "/" + name, &st) == 0 else { return 0 }
            return max(0, Int(st.st_size) - (cursors[name]?.offset ?? 0))
        }
    }

    static func scan(directory: String, name: String, cursor old: Cursor?, policies: RecordCodec.PolicyTexts,
                     buffer: inout [UInt8], into events: (IncidentEvent) -> Void) -> Scan? {
        let path = directory + "/" + name
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(st.st_size)
        var cursor = old ?? Cursor(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: 0)
        var result = Scan(cursor: cursor)
        if cursor.device != UInt64(st.st_dev) || cursor.inode != UInt64(st.st_ino) || size < cursor.offset {
            // Replaced by rename, or truncated: read it again from the start.
            // Events already folded are dropped as duplicates by their ids.
            cursor = Cursor(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: 0)
            result.restarted = true
        }
        guard size > max(cursor.offset, cursor.scanFrom) else {
            result.cursor = cursor
            return result
        }
        var pending: [UInt8] = []
        var lineStart = cursor.offset
        var readPos = cursor.skipping ? cursor.scanFrom : cursor.offset
        var skipping = cursor.skipping
        var bad: [BadRecord] = []
        let tooLong = "record longer than \(RecordCodec.maxRecordBytes) bytes"
        while readPos < size {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min($0.count, size - readPos), off_t(readPos)) }
            guard n > 0 else { break }
            buffer.withUnsafeBufferPointer { buf in
                var s = 0
                while s < n {
                    let nl = memchr(buf.baseAddress! + s, 10, n - s).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - buf.baseAddress! }
                    guard let k = nl else {
                        if !skipping {
                            pending.append(contentsOf: UnsafeBufferPointer(rebasing: buf[s..<n]))
                            if pending.count > RecordCodec.maxRecordBytes {
                                skipping = true
                                pending = []
                            }
                        }
                        s = n
                        break
                    }
                    let lineEnd = readPos + k
                    if skipping {
                        bad.append(BadRecord(file: name, offset: lineStart, length: lineEnd - lineStart, reason: tooLong))
                        skipping = false
                    } else if pending.isEmpty {
                        decode(UnsafeBufferPointer(rebasing: buf[s..<k]), file: name, offset: lineStart, policies: policies, bad: &bad, into: events)
                    } else {
                        pending.append(contentsOf: UnsafeBufferPointer(rebasing: buf[s..<k]))
                        if pending.count > RecordCodec.maxRecordBytes {
                            bad.append(BadRecord(file: name, offset: lineStart, length: pending.count, reason: tooLong))
                        } else {
                            pending.withUnsafeBufferPointer { decode($0, file: name, offset: lineStart, policies: policies, bad: &bad, into: events) }
                        }
                        pending = []
                    }
                    lineStart = lineEnd + 1
                    s = k + 1
                }
            }
            readPos += n
        }
        cursor.offset = lineStart
        cursor.skipping = skipping
        cursor.scanFrom = readPos
        result.cursor = cursor
        result.bad = bad
        return result
    }

    static func decode(_ line: UnsafeBufferPointer<UInt8>, file: String, offset: Int, policies: RecordCodec.PolicyTexts,
                       bad: inout [BadRecord], into events: (IncidentEvent) -> Void) {
        // A blank line is what terminating a torn tail can leave: not a record.
        if line.allSatisfy({ $0 == 32 || $0 == 13 }) { return }
        do {
            events(try RecordCodec.decode(line, policies: policies))
        } catch {
            // Damage that destroyed a newline glues the next record onto this
            // one; a valid record may still start inside the bad line. Resync
            // on each later record start so damage never hides a good record.
            var k = 1
            while let start = LogReader.recordStart(in: line, from: k) {
                if let e = try? RecordCodec.decode(UnsafeBufferPointer(rebasing: line[start...]), policies: policies) {
                    bad.append(BadRecord(file: file, offset: offset, length: start, reason: error.message))
                    events(e)
                    return
                }
                k = start + 1
            }
            bad.append(BadRecord(file: file, offset: offset, length: line.count + 1, reason: error.message))
        }
    }

    private static let recordMarker = Array(#"{"v":"#.utf8)

    static func recordStart(in line: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i + recordMarker.count <= line.count {
            guard let p = memchr(line.baseAddress! + i, Int32(recordMarker[0]), line.count - i) else { return nil }
            let at = UnsafePointer(p.assumingMemoryBound(to: UInt8.self)) - line.baseAddress!
            guard at + recordMarker.count <= line.count else { return nil }
            if (0..<recordMarker.count).allSatisfy({ line[at + $0] == recordMarker[$0] }) { return at }
            i = at + 1
        }
        return nil
    }
}
