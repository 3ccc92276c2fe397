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

/// Where a record lies: which log (by its number in `LogFiles`), at
/// which byte, how long (without its newline), and its checksum, so a
/// record read again by its location is known to be the same one.
public struct RecordLocation: Sendable, Equatable {
    public var offset: UInt64
    public var length: UInt32
    public var file: UInt32
    public var crc: UInt32

    public init(file: UInt32, offset: UInt64, length: UInt32, crc: UInt32) {
        self.file = file
        self.offset = offset
        self.length = length
        self.crc = crc
    }
}

/// The log files a reader has met, numbered in the order met: a
/// `RecordLocation` names its file by number. Shared by the reader and
/// the state's archive (which reads records again by location); numbers
/// are only ever added.
public final class LogFiles: @unchecked Sendable {
    public let directory: String
    private let lock = NSLock()
    private var names: [String] = []
    private var numbers: [String: UInt32] = [:]

    public init(directory: String, names: [String] = []) {
        self.directory = directory
        for n in names { _ = number(n) }
    }

    public func number(_ name: String) -> UInt32 {
        lock.lock()
        defer { lock.unlock() }
        if let k = numbers[name] { return k }
        let k = UInt32(names.count)
        names.append(name)
        numbers[name] = k
        return k
    }

    public func name(_ number: UInt32) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return Int(number) < names.count ? names[Int(number)] : nil
    }

    /// Takes a checkpoint's numbering; only before any log was met.
    func adopt(_ list: [String]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard names.isEmpty || names == list else { return false }
        names = list
        numbers = Dictionary(list.enumerated().map { ($1, UInt32($0)) }, uniquingKeysWith: { a, _ in a })
        return true
    }

    public var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return names
    }

    /// The events of the records at `locations`, in that order, each
    /// checked against the checksum its location carries; nil when any is
    /// missing or differs (the log changed under the location: the caller
    /// reads in full).
    public func events(at locations: [RecordLocation]) -> [IncidentEvent]? {
        var events: [IncidentEvent] = []
        events.reserveCapacity(locations.count)
        var fds: [UInt32: Int32] = [:]
        defer { for fd in fds.values { close(fd) } }
        let texts = RecordCodec.PolicyTexts()
        var buffer = [UInt8](repeating: 0, count: 4096)
        for loc in locations {
            let fd: Int32
            if let known = fds[loc.file] {
                fd = known
            } else {
                guard let name = name(loc.file) else { return nil }
                let opened = open(directory + "/" + name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
                guard opened >= 0 else { return nil }
                fds[loc.file] = opened
                fd = opened
            }
            let n = Int(loc.length)
            guard n <= RecordCodec.maxRecordBytes else { return nil }
            if buffer.count < n { buffer = [UInt8](repeating: 0, count: n) }
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(loc.offset)) }
            guard got == n else { return nil }
            let decoded = buffer.withUnsafeBufferPointer { b in
                try? RecordCodec.decodeChecked(UnsafeBufferPointer(rebasing: b[0..<n]), policies: texts)
            }
            guard let (e, crc) = decoded, crc == loc.crc else { return nil }
            events.append(e)
        }
        return events
    }
}

/// Where a reader stands in one log: what a checkpoint keeps so that the
/// next start reads only what was appended after it.
public struct LogMark: Sendable, Equatable {
    public var name: String
    public var device: UInt64
    public var inode: UInt64
    /// Bytes read: a line end.
    public var offset: UInt64
    /// The last record before `offset`, checked again before the mark is
    /// trusted (nil: none read).
    public var last: RecordLocation?
}
