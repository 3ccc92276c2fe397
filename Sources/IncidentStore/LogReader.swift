import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads a store's log files incrementally: for each file it remembers how
/// far it has read, and on each `readNew()` returns only the events of the
/// complete lines appended since. A trailing partial line (a writer still
/// writing, or one killed mid-write) waits until it ends in a newline; a file
/// that was replaced (new inode) or shrank is read again from the start.
/// Reading never writes and never creates anything.
public struct LogReader {
    public let directory: String
    /// The logs met so far, by number (see `RecordLocation`).
    public let files: LogFiles
    public private(set) var badRecords: [BadRecord] = []
    public private(set) var badRecordCount = 0
    /// What could not be read on the last look, by name relative to the
    /// store ("events/noc2.log", or "events" when the directory itself
    /// cannot be listed), with the reason. A log that cannot be opened may
    /// hold incidents nobody sees: the screens must say so, not show less.
    public private(set) var unreadable: [String: String] = [:]
    /// Only the first `keptBadRecords` are kept with their details; all are counted.
    public static let keptBadRecords = 1000
    static let chunkSize = 1 << 16
    /// Below this many unread bytes, reading on one thread is as quick
    /// (2 MiB: about 10,000 format-2 records).
    let parallelAbove: Int
    /// The parallel path's pieces are at least this long.
    let minimumPiece: Int
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    struct Cursor {
        var device: UInt64
        var inode: UInt64
        /// File offset of the first byte not yet consumed (start of a partial line).
        var offset: Int
        /// Inside a line longer than the record limit: skip to its newline.
        var skipping = false
        /// Where scanning resumes when skipping (the partial line is not kept).
        var scanFrom = 0
        /// The last good record read.
        var last: RecordLocation?
    }

    private(set) var cursors: [String: Cursor] = [:]
    private let policies = RecordCodec.PolicyTexts()
    /// Reused between reads: allocating and zeroing it per read showed up in
    /// the cost of a single live update.
    private var buffer = [UInt8](repeating: 0, count: LogReader.chunkSize)

    /// `parallelAbove` and `minimumPiece` tune reading on several cores
    /// (see `readInParallel`); the tests make them tiny to check that path
    /// on small stores.
    public init(directory: String, parallelAbove: Int = 2 << 20, minimumPiece: Int = 512 << 10) {
        self.directory = directory
        files = LogFiles(directory: directory)
        self.parallelAbove = parallelAbove
        self.minimumPiece = max(1, minimumPiece)
    }

    /// Whether a file in the events directory is a log to read. Sync engines'
    /// temporary files (`.syncthing.x.tmp`, `~` backups, dot files) are not;
    /// their conflict copies (`host.sync-conflict-….log`) are, and are read
    /// as a union with the original (duplicates are dropped by event id).
    public static func isLogFile(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasSuffix("~") || name.hasSuffix(".tmp") { return false }
        return name.hasSuffix(".log") || name.contains(".sync-conflict-")
    }

    public func logFileNames() -> [String] {
        (try? LogReader.list(directory).get())?.filter(LogReader.isLogFile).sorted() ?? []
    }

    /// The names in a directory, or the errno that says why it cannot be
    /// listed (ENOENT: it does not exist).
    public static func list(_ directory: String) -> Result<[String], Errno> {
        guard let dir = opendir(directory) else { return .failure(Errno(errno)) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return .success(names)
    }

    private static let eventsName = "events"

    private mutating func noteUnreadable(_ name: String, _ reason: String?) {
        if unreadable[name] != reason { unreadable[name] = reason }
    }

    /// The log files, listed again only when the directory changed (its
    /// modification and change times) or every 10 s in any case (file
    /// systems with coarse timestamps): a safety-net poll on an idle store
    /// then costs a stat, not a directory listing.
    private var listing: (names: [String], mtime: timespec, ctime: timespec, at: time_t)?

    private mutating func currentNames() -> [String] {
        var st = stat()
        guard stat(directory, &st) == 0 else {
            // No events directory: nothing recorded yet (the store says
            // whether the store itself is there); anything else is a problem.
            let code = errno
            noteUnreadable(LogReader.eventsName, code == ENOENT ? nil : Errno(code).description)
            listing = nil
            return []
        }
        let now = time(nil)
        if let l = listing, now - l.at < 10, l.mtime.tv_sec == st.st_mtim.tv_sec, l.mtime.tv_nsec == st.st_mtim.tv_nsec,
           l.ctime.tv_sec == st.st_ctim.tv_sec, l.ctime.tv_nsec == st.st_ctim.tv_nsec {
            return l.names
        }
        switch LogReader.list(directory) {
        case let .success(all):
            noteUnreadable(LogReader.eventsName, nil)
            let names = all.filter(LogReader.isLogFile).sorted()
            listing = (names, st.st_mtim, st.st_ctim, now)
            return names
        case let .failure(code):
            noteUnreadable(LogReader.eventsName, (st.st_mode & S_IFMT) != S_IFDIR ? "not a directory" : code.description)
            listing = nil
            return []
        }
    }

    /// Hands every complete record appended since the last call to `sink`.
    public mutating func readNew(_ sink: (IncidentEvent) -> Void) {
        readNewChecked { e, _ in sink(e) }
    }

    /// The same, with each record's location (and so its checksum).
    public mutating func readNewChecked(_ sink: (IncidentEvent, RecordLocation) -> Void) {
        let names = currentNames()
        let pending = unread(names)
        if pending.reduce(0, +) > parallelAbove {
            readInParallel(names, into: sink)
        } else {
            // A file with nothing new is not even opened: an idle screen's
            // safety-net poll then costs a stat per log.
            for (name, n) in zip(names, pending) where n != 0 { read(file: name, into: sink) }
        }
        let present = Set(names)
        for gone in cursors.keys where !present.contains(gone) { cursors[gone] = nil }
        for gone in unreadable.keys where gone != LogReader.eventsName && !present.contains(String(gone.dropFirst(7))) {
            unreadable[gone] = nil
        }
    }

    /// Hands `sink` the records appended to the named files since the last
    /// call; names that are not log files are ignored.
    public mutating func readNew(files: Set<String>, _ sink: (IncidentEvent, RecordLocation) -> Void) {
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

    private mutating func read(file name: String, into events: (IncidentEvent, RecordLocation) -> Void) {
        guard let file = open(name) else { return }
        var buffer = self.buffer  // moved out and back: no copy
        self.buffer = []
        defer { self.buffer = buffer }
        let (cursor, restarted) = file.start(from: cursors[name])
        var scan = LogReader.scan(file, cursor: cursor, end: file.size, policies: policies, buffer: &buffer, into: events)
        scan.restarted = restarted
        apply(scan, name: name)
    }

    mutating func apply(_ scan: Scan, name: String) {
        if scan.restarted {
            let before = badRecords.count
            badRecords.removeAll { $0.file == name }
            badRecordCount -= before - badRecords.count
        }
        for b in scan.bad { report(b) }
        var cursor = scan.cursor
        if cursor.last == nil, !scan.restarted { cursor.last = cursors[name]?.last }
        cursors[name] = cursor
    }

    /// Where this reader stands in each log, for a checkpoint: the start
    /// of the first line not yet read whole (a line still being written,
    /// or an over-long one, is read again from there).
    public var marks: [LogMark] {
        cursors.map { name, c in
            LogMark(name: name, device: c.device, inode: c.inode, offset: UInt64(c.offset), last: c.last)
        }.sorted { $0.name < $1.name }
    }

    /// Takes up a checkpoint's marks and bad records, if every mark still
    /// holds: its log is there, no shorter, and its last record is the
    /// same record (its bytes and checksum) at the same place. A log a
    /// sync engine replaced (a new inode) holds when that record is still
    /// where it was: sync engines replace a log by a longer copy of it.
    /// Returns why not, when not; the reader is then untouched.
    public mutating func restore(files names: [String], marks: [LogMark], badRecords bad: [BadRecord], badRecordCount count: Int) -> String? {
        guard files.adopt(names) else { return "the reader has read already" }
        var restored: [String: Cursor] = [:]
        for m in marks {
            var st = stat()
            guard lstat(directory + "/" + m.name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return "events/\(m.name) is gone" }
            guard UInt64(st.st_size) >= m.offset else { return "events/\(m.name) is shorter than when last read" }
            if let last = m.last {
                guard last.offset + UInt64(last.length) < m.offset, files.events(at: [last]) != nil else { return "events/\(m.name) changed where it was read" }
            } else if m.offset > 0 {
                return "events/\(m.name) has no record to check"
            }
            restored[m.name] = Cursor(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: Int(m.offset), scanFrom: Int(m.offset), last: m.last)
        }
        cursors = restored
        badRecords = bad
        badRecordCount = count
        return nil
    }

    /// Opens a log, noting why when it cannot (a file that vanished in
    /// between is not a problem: it is simply gone).
    mutating func open(_ name: String) -> OpenLog? {
        switch OpenLog.open(directory: directory, name: name, number: files.number(name)) {
        case let .success(file):
            noteUnreadable("events/" + name, nil)
            return file
        case let .failure(why):
            noteUnreadable("events/" + name, why.code == ENOENT ? nil : why.reason)
            return nil
        }
    }

    /// A log file opened for reading, with what fstat said of it.
    final class OpenLog: @unchecked Sendable {
        let name: String
        let number: UInt32
        let fd: Int32
        let device: UInt64
        let inode: UInt64
        let size: Int

        struct Failure: Error {
            var code: Int32
            var reason: String
        }

        static func open(directory: String, name: String, number: UInt32) -> Result<OpenLog, Failure> {
            let fd = Glibc.open(directory + "/" + name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else {
                let code = errno
                return .failure(Failure(code: code, reason: code == ELOOP ? "a symbolic link (never followed)" : Errno(code).description))
            }
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                return .failure(Failure(code: EINVAL, reason: "not a regular file"))
            }
            return .success(OpenLog(fd: fd, name: name, number: number, stat: st))
        }

        private init(fd: Int32, name: String, number: UInt32, stat st: stat) {
            self.name = name
            self.number = number
            self.fd = fd
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
            size = Int(st.st_size)
        }

        deinit { close(fd) }

        /// Where reading resumes: the old cursor, or the start of a file that
        /// was replaced (new inode) or shrank; events already folded are then
        /// dropped as duplicates by their ids.
        func start(from old: Cursor?) -> (Cursor, restarted: Bool) {
            guard let old else { return (Cursor(device: device, inode: inode, offset: 0), false) }
            if old.device != device || old.inode != inode || size < old.offset {
                return (Cursor(device: device, inode: inode, offset: 0), true)
            }
            return (old, false)
        }

        /// The offset just after the first newline at or after `from`, or
        /// `size` if there is none.
        func lineEnd(from: Int) -> Int {
            var chunk = [UInt8](repeating: 0, count: 1 << 14)
            var at = from
            while at < size {
                let found: Int? = chunk.withUnsafeMutableBytes { b in
                    let n = pread(fd, b.baseAddress, min(b.count, size - at), off_t(at))
                    guard n > 0 else { return size }
                    guard let nl = memchr(b.baseAddress!, 10, n) else {
                        at += n
                        return nil
                    }
                    return at + (nl - b.baseAddress!) + 1
                }
                if let found { return found }
            }
            return size
        }
    }

    /// Bytes not yet read in each file: 0 when it is as it was when last
    /// read (same file, same size), -1 when it changed otherwise (replaced,
    /// shrunk) or cannot be stat'ed, so that reading it finds out.
    private func unread(_ names: [String]) -> [Int] {
        names.map { name in
            var st = stat()
            guard lstat(directory + "/" + name, &st) == 0 else { return -1 }
            let size = Int(st.st_size)
            guard let c = cursors[name] else { return size == 0 ? -1 : size }
            guard c.device == UInt64(st.st_dev), c.inode == UInt64(st.st_ino), size >= c.offset else { return -1 }
            return size - max(c.offset, c.scanFrom)
        }
    }

    /// Reads `file` from `cursor` up to `end` (a line end, or the file's
    /// size), handing each complete record's event to `events`.
    static func scan(_ file: OpenLog, cursor start: Cursor, end size: Int, policies: RecordCodec.PolicyTexts,
                     buffer: inout [UInt8], into sink: (IncidentEvent, RecordLocation) -> Void) -> Scan {
        let fd = file.fd, name = file.name, number = file.number
        var last: RecordLocation?
        func events(_ e: IncidentEvent, _ loc: RecordLocation) {
            last = loc
            sink(e, loc)
        }
        var cursor = start
        var result = Scan(cursor: cursor)
        guard size > max(cursor.offset, cursor.scanFrom) else { return result }
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
                        decode(UnsafeBufferPointer(rebasing: buf[s..<k]), file: name, number: number, offset: lineStart, policies: policies, bad: &bad, into: events)
                    } else {
                        pending.append(contentsOf: UnsafeBufferPointer(rebasing: buf[s..<k]))
                        if pending.count > RecordCodec.maxRecordBytes {
                            bad.append(BadRecord(file: name, offset: lineStart, length: pending.count, reason: tooLong))
                        } else {
                            pending.withUnsafeBufferPointer { decode($0, file: name, number: number, offset: lineStart, policies: policies, bad: &bad, into: events) }
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
        cursor.last = last
        result.cursor = cursor
        result.bad = bad
        return result
    }

    static func decode(_ line: UnsafeBufferPointer<UInt8>, file: String, number: UInt32, offset: Int, policies: RecordCodec.PolicyTexts,
                       bad: inout [BadRecord], into events: (IncidentEvent, RecordLocation) -> Void) {
        // A blank line is what terminating a torn tail can leave: not a record.
        if line.allSatisfy({ $0 == 32 || $0 == 13 }) { return }
        do {
            let (e, crc) = try RecordCodec.decodeChecked(line, policies: policies)
            events(e, RecordLocation(file: number, offset: UInt64(offset), length: UInt32(line.count), crc: crc))
        } catch {
            // Damage that destroyed a newline glues the next record onto this
            // one; a valid record may still start inside the bad line. Resync
            // on each later record start so damage never hides a good record.
            var k = 1
            while let start = LogReader.recordStart(in: line, from: k) {
                if let (e, crc) = try? RecordCodec.decodeChecked(UnsafeBufferPointer(rebasing: line[start...]), policies: policies) {
                    bad.append(BadRecord(file: file, offset: offset, length: start, reason: error.message))
                    events(e, RecordLocation(file: number, offset: UInt64(offset + start), length: UInt32(line.count - start), crc: crc))
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
