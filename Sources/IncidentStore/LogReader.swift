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
    /// Bytes of complete records read so far, for `doctor`.
    public private(set) var filesSeen: Set<String> = []
    /// Only the first `keptBadRecords` are kept with their details; all are counted.
    public static let keptBadRecords = 1000
    static let chunkSize = 1 << 16

    private struct Cursor {
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

    /// Hands every complete record appended since the last call to `sink`.
    public mutating func readNew(_ sink: (IncidentEvent) -> Void) {
        let names = logFileNames()
        for name in names { read(file: name, into: sink) }
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

    private mutating func read(file name: String, into events: (IncidentEvent) -> Void) {
        let path = directory + "/" + name
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return }
        filesSeen.insert(name)
        let size = Int(st.st_size)
        var cursor = cursors[name] ?? Cursor(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: 0)
        if cursor.device != UInt64(st.st_dev) || cursor.inode != UInt64(st.st_ino) || size < cursor.offset {
            // Replaced by rename, or truncated: read it again from the start.
            // Events already folded are dropped as duplicates by their ids.
            cursor = Cursor(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: 0)
            let before = badRecords.count
            badRecords.removeAll { $0.file == name }
            badRecordCount -= before - badRecords.count
        }
        guard size > max(cursor.offset, cursor.scanFrom) else {
            cursors[name] = cursor
            return
        }
        var pending: [UInt8] = []
        var lineStart = cursor.offset
        var readPos = cursor.skipping ? cursor.scanFrom : cursor.offset
        var skipping = cursor.skipping
        var buffer = self.buffer  // moved out for the loop, which also reports
        self.buffer = []
        defer { self.buffer = buffer }
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
                        report(BadRecord(file: name, offset: lineStart, length: lineEnd - lineStart,
                                         reason: "record longer than \(RecordCodec.maxRecordBytes) bytes"))
                        skipping = false
                    } else if pending.isEmpty {
                        decode(UnsafeBufferPointer(rebasing: buf[s..<k]), file: name, offset: lineStart, into: events)
                    } else {
                        pending.append(contentsOf: UnsafeBufferPointer(rebasing: buf[s..<k]))
                        if pending.count > RecordCodec.maxRecordBytes {
                            report(BadRecord(file: name, offset: lineStart, length: pending.count,
                                             reason: "record longer than \(RecordCodec.maxRecordBytes) bytes"))
                        } else {
                            pending.withUnsafeBufferPointer { decode($0, file: name, offset: lineStart, into: events) }
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
        cursors[name] = cursor
    }

    private mutating func decode(_ line: UnsafeBufferPointer<UInt8>, file: String, offset: Int, into events: (IncidentEvent) -> Void) {
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
                    report(BadRecord(file: file, offset: offset, length: start, reason: error.message))
                    events(e)
                    return
                }
                k = start + 1
            }
            report(BadRecord(file: file, offset: offset, length: line.count + 1, reason: error.message))
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
