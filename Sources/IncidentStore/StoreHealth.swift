#if canImport(Glibc)
import Glibc
#endif

/// Whether what was read is the whole store: the rule that no screen shows
/// "all clear" unless every log in the store was read. Built by
/// `IncidentStore.health` after a read.
public struct StoreHealth: Equatable, Sendable {
    public enum Access: Equatable, Sendable {
        /// The store's directory is there and can be read.
        case readable
        /// Nothing at the store's path (yet).
        case missing
        /// The path is a file or something else that is not a directory.
        case notADirectory
        /// The directory is there but cannot be read: the reason.
        case unreadable(String)
    }

    public var path: String
    public var access: Access
    /// What could not be read inside a readable store ("events/noc2.log"
    /// or "events"), with the reason, sorted by name.
    public var unreadable: [(name: String, reason: String)]
    /// The store has an `events/` directory: something was recorded once.
    public var hasEvents: Bool

    /// Every log in the store was read: what is shown is all there is.
    public var isComplete: Bool { access == .readable && unreadable.isEmpty }

    /// Nothing at all could be read: a read command fails (exit 2).
    public var cannotRead: Bool {
        access != .readable || unreadable.contains { $0.name == "events" }
    }

    /// One sentence for each thing that keeps the picture from being whole,
    /// naming the path and the reason: what every screen shows loudly.
    public var problems: [String] {
        switch access {
        case .missing: return ["no store at \(path): it does not exist"]
        case .notADirectory: return ["\(path) is not a directory: it cannot be a store"]
        case let .unreadable(why): return ["store \(path) unreadable: \(why) — incidents may be missing"]
        case .readable:
            return unreadable.map { "\($0.name) unreadable: \($0.reason) — incidents may be missing" }
        }
    }

    public static func == (a: StoreHealth, b: StoreHealth) -> Bool {
        a.path == b.path && a.access == b.access && a.hasEvents == b.hasEvents && a.unreadable.map(\.name) == b.unreadable.map(\.name)
            && a.unreadable.map(\.reason) == b.unreadable.map(\.reason)
    }

    /// Whether the store's directory can be read, by what the file system says now.
    static func access(of path: String) -> Access {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let code = errno
            return code == ENOENT ? .missing : .unreadable(Errno(code).description)
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return .notADirectory }
        guard let dir = opendir(path) else { return .unreadable(Errno(errno).description) }
        closedir(dir)
        return .readable
    }
}
