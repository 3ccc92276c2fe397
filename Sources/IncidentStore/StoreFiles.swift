import Escalation
import Foundation
import Glibc

/// The store's files as one writer touches them: the directories, its
/// own log (opened, its torn tail repaired, its last writer checked), the
/// machine's lock.
extension IncidentStore {

    func ensureDirectory(_ dir: String) throws {
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
    func syncDirectory(_ dir: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError(dir, "open to sync", errno) }
        defer { close(fd) }
        // Some file systems cannot sync a directory (EINVAL): nothing more to do there.
        guard fsync(fd) == 0 || errno == EINVAL else { throw ioError(dir, "fsync", errno) }
    }

    /// Opens this host's log for appending; `isNew` when this call made it
    /// or it is still empty.
    func openLog() throws -> (fd: Int32, isNew: Bool) {
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
    func repairTornTail(_ fd: Int32) throws {
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
    func checkLastWriter(_ fd: Int32) throws {
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

    func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
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

    func flockRetrying(_ fd: Int32, _ op: Int32) -> Int32 {
        while true {
            let r = flock(fd, op)
            if r == 0 || errno != EINTR { return r }
        }
    }

    func ioError(_ path: String, _ op: String, _ code: Int32) -> StoreError {
        .io(path: path, operation: op, reason: String(cString: strerror(code)))
    }
}
