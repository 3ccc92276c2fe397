import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Turns changes to a store's files into a readable file descriptor that a
/// run loop can put in poll(2), at no cost while nothing changes.
///
/// inotify watches the store directory (for `events/` appearing) and
/// `events/` (appends, new host files, files replaced by rename, deletions).
/// inotify only sees writes made through this kernel, so on NFS, SMB/CIFS,
/// FUSE and other remote file systems another host's appends are invisible to
/// it: there polling is the mechanism, and `isRemote` says so. Polling runs on
/// every store anyway, at a low rate, as a safety net (`pollInterval`); the
/// caller refreshes when `nextPoll` passes.
public final class StoreWatcher {
    public let storePath: String
    /// The inotify descriptor to poll for reading; -1 when polling only.
    public private(set) var fileDescriptor: Int32 = -1
    public let pollInterval: TimeInterval
    /// Why polling is the only mechanism, or nil while inotify is in use.
    public private(set) var pollingReason: String?
    /// The store's file system, by statfs(2), e.g. `ext4`, `nfs`.
    public private(set) var fileSystem: FileSystemKind
    /// Changes lost by the kernel queue; each one triggers a full rescan.
    public private(set) var overflowCount = 0
    private var storeWatch: Int32 = -1
    private var eventsWatch: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// The default safety-net polling interval with inotify, and the interval
    /// when polling is the only way to see changes.
    public static let safetyNetInterval: TimeInterval = 2
    public static let remoteInterval: TimeInterval = 0.5

    public init(storePath: String, forcePolling: Bool = false, pollInterval: TimeInterval? = nil) {
        self.storePath = storePath
        fileSystem = FileSystemKind.of(storePath)
        if forcePolling {
            pollingReason = "polling forced (--poll)"
        } else if fileSystem.isRemote {
            pollingReason = "the store is on \(fileSystem.name): inotify cannot see other hosts' writes there"
        }
        self.pollInterval = pollInterval ?? (pollingReason == nil ? StoreWatcher.safetyNetInterval : StoreWatcher.remoteInterval)
        if !forcePolling {
            fileDescriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            if fileDescriptor < 0 {
                pollingReason = "inotify is unavailable: \(String(cString: strerror(errno)))"
            }
            addWatches()
        }
    }

    deinit {
        if fileDescriptor >= 0 { close(fileDescriptor) }
    }

    public var usesInotify: Bool { fileDescriptor >= 0 }

    /// Adds the watches that are missing: the store or `events/` may be
    /// created after the watcher starts. Cheap; call on every poll tick.
    public func addWatches() {
        guard fileDescriptor >= 0 else { return }
        if storeWatch < 0 {
            storeWatch = inotify_add_watch(fileDescriptor, storePath,
                                           UInt32(IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR))
        }
        if eventsWatch < 0 {
            eventsWatch = inotify_add_watch(fileDescriptor, storePath + "/events",
                                            UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM
                                                   | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR))
        }
    }

    /// What the pending notifications say changed.
    public enum Change: Equatable {
        case none
        /// Only these files in `events/` were written to: read just them.
        case files(Set<String>)
        /// Files appeared, went or were renamed, or the queue overflowed:
        /// look at the whole directory again.
        case rescan
    }

    /// Reads every pending notification and says what may have changed
    /// (the caller's reader then finds out what did).
    public func drain() -> Change {
        guard fileDescriptor >= 0 else { return .none }
        var files: Set<String> = []
        var rescan = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            var offset = 0
            buffer.withUnsafeBytes { raw in
                while offset + MemoryLayout<inotify_event>.size <= n {
                    let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let len = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    offset = nameStart + len
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 { overflowCount += 1 }
                    if mask & UInt32(IN_IGNORED) != 0 {
                        // The watched directory went away (deleted or renamed): watch again when it is back.
                        if wd == storeWatch { storeWatch = -1 }
                        if wd == eventsWatch { eventsWatch = -1 }
                    }
                    let appendOnly = mask & ~UInt32(IN_MODIFY | IN_CLOSE_WRITE) == 0
                    if wd == eventsWatch, appendOnly, len > 0 {
                        let bytes = UnsafeRawBufferPointer(rebasing: raw[nameStart..<nameStart + len]).prefix { $0 != 0 }
                        files.insert(String(decoding: bytes, as: UTF8.self))
                    } else {
                        rescan = true
                    }
                }
            }
        }
        if rescan || !files.isEmpty { addWatches() }
        return rescan ? .rescan : files.isEmpty ? .none : .files(files)
    }

    /// What a status line should say about how changes are seen.
    public var statusDescription: String {
        if let pollingReason { return "polling every \(Self.format(pollInterval)): \(pollingReason)" }
        return "inotify on \(fileSystem.name) (and polling every \(Self.format(pollInterval)) as a safety net)"
    }

    static func format(_ t: TimeInterval) -> String {
        t >= 1 && t == t.rounded() ? "\(Int(t))s" : "\(Int((t * 1000).rounded()))ms"
    }
}

/// A file system, as the kernel's mount table names it, and whether inotify
/// can see other hosts' writes on it.
public struct FileSystemKind: Sendable, Equatable {
    public var name: String
    public var mountPoint: String
    public var isRemote: Bool

    /// File systems whose files other machines write: inotify sees only the
    /// writes made through this kernel.
    public static func isRemoteType(_ type: String) -> Bool {
        let remote: Set<String> = ["nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "ceph", "afs",
                                   "coda", "gfs2", "lustre", "ocfs2", "glusterfs", "davfs", "fuse", "fuseblk"]
        return remote.contains(type) || type.hasPrefix("fuse.")
    }

    /// The file system holding `path` (or, if it does not exist yet, its
    /// nearest existing ancestor), from /proc/self/mountinfo.
    public static func of(_ path: String) -> FileSystemKind {
        var p = path
        while !FileManager.default.fileExists(atPath: p) {
            let parent = (p as NSString).deletingLastPathComponent
            if parent == p || parent.isEmpty { break }
            p = parent
        }
        let resolved = URL(fileURLWithPath: p).resolvingSymlinksInPath().path
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else {
            return FileSystemKind(name: "unknown", mountPoint: "/", isRemote: false)
        }
        var best = FileSystemKind(name: "unknown", mountPoint: "", isRemote: false)
        for line in table.split(separator: "\n") {
            // id parent major:minor root MOUNTPOINT options... - FSTYPE source superopts
            let fields = line.split(separator: " ")
            guard fields.count > 6, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            let mount = unescapeMountPath(String(fields[4]))
            let type = String(fields[dash + 1])
            let inside = mount == "/" || resolved == mount || resolved.hasPrefix(mount + "/")
            if inside && mount.count >= best.mountPoint.count {
                best = FileSystemKind(name: type, mountPoint: mount, isRemote: isRemoteType(type))
            }
        }
        return best
    }

    /// mountinfo writes space, tab, newline and backslash as octal escapes.
    public static func unescapeMountPath(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        let it = Array(s)
        var i = 0
        while i < it.count {
            if it[i] == "\\", i + 3 < it.count, let v = UInt8(String(it[i + 1...i + 3]), radix: 8) {
                out.append(Character(Unicode.Scalar(v)))
                i += 4
            } else {
                out.append(it[i])
                i += 1
            }
        }
        return out
    }
}
