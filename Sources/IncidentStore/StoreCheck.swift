import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What `doctor` finds. Problems make it exit 1; notes are for information.
public struct StoreCheck {
    public var lines: [String] = []
    public var problems: [String] = [] { didSet { found.problems = problems } }
    /// The same, for `doctor --json`.
    public var found: Wire.Doctor
    public var json: JSONValue { Wire.value(found) }

    init(store: String) { found = Wire.Doctor(store: store) }

    public var text: String {
        var out = lines.joined(separator: "\n") + "\n"
        out += problems.isEmpty ? "ok: nothing needs attention\n"
            : "\(problems.count) problem(s) need attention:\n" + problems.map { "  - \($0)\n" }.joined()
        return out
    }

    public static func run(_ store: IncidentStore, now: Date) -> StoreCheck {
        var c = StoreCheck(store: store.path)
        var st = stat()
        guard lstat(store.path, &st) == 0 else {
            c.lines.append("store: \(store.path) does not exist (it is created on the first write)")
            c.problems.append("the store does not exist")
            return c
        }
        c.found.exists = true
        c.lines.append("store: \(store.path) (mode \(octal(st.st_mode)), uid \(st.st_uid), gid \(st.st_gid))")
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            c.problems.append("\(store.path) is not a directory: it cannot be a store")
            return c
        }
        if st.st_mode & 0o002 != 0 { c.problems.append("\(store.path) is writable by everyone (expected owner and group only)") }
        if access(store.path, R_OK | X_OK) != 0 { c.problems.append("\(store.path) is not readable by this user") }

        let watcher = StoreWatcher(storePath: store.path)
        let fs = watcher.fileSystem
        c.lines.append("file system: \(fs.name) at \(fs.mountPoint); inotify \(fs.isRemote ? "cannot see other hosts' writes here: followers poll" : "is trusted")")
        c.found.file_system = .init(inotify_trusted: !fs.isRemote && watcher.usesInotify, mount_point: fs.mountPoint, remote: fs.isRemote, type: fs.name)

        store.refresh()
        c.checkFiles(store)

        let state = store.state
        c.lines.append("records: \(state.eventCount) events read, \(state.duplicateCount) duplicates dropped, \(store.badRecordCount) bad")
        for bad in store.badRecords.prefix(20) { c.lines.append("  bad: events/\(bad)") }
        if store.badRecordCount > 0 { c.problems.append("\(store.badRecordCount) bad record(s) skipped (listed above)") }
        c.found.records = .init(bad: store.badRecordCount,
                                bad_records: store.badRecords.prefix(1000).map { .init(file: $0.file, length: $0.length, offset: $0.offset, reason: $0.reason) },
                                duplicates: state.duplicateCount, events: state.eventCount)

        c.checkHosts(store)
        if !state.futureEvents.isEmpty {
            c.problems.append("\(state.futureEvents.count) event(s) dated in the future, e.g. \(state.futureEvents[0].id) at \(ISOTime.format(state.futureEvents[0].recordedAt)): a host's clock is wrong")
        }
        c.found.future_events = state.futureEvents.map(\.id.description)
        if state.orphanCount > 0 {
            c.problems.append("\(state.orphanCount) event(s) belong to incidents whose opening is missing (a host's log not synced yet?)")
        }
        c.found.orphan_events = state.orphanCount
        // Two writers that used one host name: both kept, said loudly.
        c.lines.append("this writer: host \(store.host.sanitized), machine \(IncidentStore.machineID) (default host here: \(IncidentStore.defaultHost.sanitized))")
        for (host, n) in state.clashes.sorted(by: { $0.key < $1.key }) {
            c.problems.append(IncidentStore.clashWarning(host: host, events: n))
        }
        c.found.identity = .init(default_host: IncidentStore.defaultHost, host: store.host, machine_id: IncidentStore.machineID)
        c.found.host_clashes = state.clashes
        c.lines.append("incidents: \(state.incidents.count) (\(state.incidents.values.filter { $0.state != .resolved }.count) open)")
        c.found.incidents = state.incidents.count
        return c
    }

    /// Each file in events/: its size and mode, and what is wrong with it.
    mutating func checkFiles(_ store: IncidentStore) {
        let fm = FileManager.default
        var files: [Wire.FileCheck] = []
        let names = (try? fm.contentsOfDirectory(atPath: store.eventsDirectory))?.sorted() ?? []
        for name in names {
            let path = store.eventsDirectory + "/" + name
            var fst = stat()
            guard lstat(path, &fst) == 0 else { continue }
            let isLog = LogReader.isLogFile(name)
            let kind = (fst.st_mode & S_IFMT) == S_IFREG ? "file" : (fst.st_mode & S_IFMT) == S_IFLNK ? "symlink" : "other"
            files.append(.init(bytes: Int(fst.st_size), kind: kind, log: isLog, mode: Self.octal(fst.st_mode), name: name))
            lines.append("  events/\(name): \(fst.st_size) bytes, mode \(Self.octal(fst.st_mode))\(isLog ? "" : " (not a log: ignored)")")
            if kind == "symlink" { problems.append("events/\(name) is a symbolic link: tierwatch never follows it") }
            else if kind != "file" && isLog { problems.append("events/\(name) is not a regular file") }
            // A symbolic link's own mode is always 0777 and means nothing.
            if kind != "symlink", fst.st_mode & 0o002 != 0 { problems.append("events/\(name) is writable by everyone") }
            if isLog && access(path, R_OK) != 0 { problems.append("events/\(name) is not readable by this user") }
        }
        lines.insert("files: \(names.count) in events/", at: 2)
        found.files = files
    }

    /// Hosts, who wrote from them, and what the store shows of their clocks.
    mutating func checkHosts(_ store: IncidentStore) {
        let state = store.state
        // Hosts, who wrote from them, and what the store shows of their
        // clocks (see `ClockReading`).
        var hosts: [Wire.HostCheck] = []
        var lastRecorded: [String: Date] = [:]
        var counts: [String: Int] = [:]
        var users: [String: Set<String>] = [:]
        for i in state.incidents.values {
            for e in i.events {
                counts[e.id.host, default: 0] += 1
                users[e.id.host, default: []].insert(e.unixUser)
                if lastRecorded[e.id.host].map({ e.recordedAt > $0 }) ?? true { lastRecorded[e.id.host] = e.recordedAt }
            }
        }
        let clocks = store.clocks()
        let offsets = Dictionary(clocks.hosts.map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
        for host in counts.keys.sorted() {
            let who = (users[host] ?? []).sorted().map(\.sanitized).joined(separator: ", ")
            let off = offsets[host].map { "; clock about \(Words.span(Int(abs($0.offset).rounded()))) \($0.offset > 0 ? "ahead" : "behind") (\($0.evidence))" } ?? ""
            lines.append("host \(host.sanitized): \(counts[host]!) events by Unix user(s) \(who), last recorded \(ISOTime.format(lastRecorded[host]!))\(off)")
            hosts.append(.init(clock_evidence: offsets[host]?.evidence, clock_offset_seconds: offsets[host].map { $0.offset.rounded() },
                               events: counts[host]!, host: host, last_record_lead_seconds: state.clockLead[host].map { $0.rounded() },
                               last_recorded_at: lastRecorded[host]!, unix_users: (users[host] ?? []).sorted()))
        }
        problems += clocks.warnings
        found.clocks = clocks.wire(incidents: clocks.touched(state.incidents.values, me: store.host))
        found.hosts = hosts
    }

    static func octal(_ mode: mode_t) -> String { "0" + String(mode & 0o7777, radix: 8) }
}
