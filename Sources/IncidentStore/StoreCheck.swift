import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What `doctor` finds. Problems make it exit 1; notes are for information.
public struct StoreCheck {
    public var lines: [String] = []
    public var problems: [String] = []
    public var json: JSONValue = [:]

    public var text: String {
        var out = lines.joined(separator: "\n") + "\n"
        out += problems.isEmpty ? "ok: nothing needs attention\n"
            : "\(problems.count) problem(s) need attention:\n" + problems.map { "  - \($0)\n" }.joined()
        return out
    }

    public static func run(_ store: IncidentStore, now: Date) -> StoreCheck {
        var c = StoreCheck()
        c.json["store"] = .string(store.path)
        var st = stat()
        guard lstat(store.path, &st) == 0 else {
            c.lines.append("store: \(store.path) does not exist (it is created on the first write)")
            c.problems.append("the store does not exist")
            c.json["exists"] = false
            c.json["problems"] = .strings(c.problems)
            return c
        }
        c.json["exists"] = true
        c.lines.append("store: \(store.path) (mode \(octal(st.st_mode)), uid \(st.st_uid), gid \(st.st_gid))")
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            c.problems.append("\(store.path) is not a directory: it cannot be a store")
            c.json["problems"] = .strings(c.problems)
            return c
        }
        if st.st_mode & 0o002 != 0 { c.problems.append("\(store.path) is writable by everyone (expected owner and group only)") }
        if access(store.path, R_OK | X_OK) != 0 { c.problems.append("\(store.path) is not readable by this user") }

        let watcher = StoreWatcher(storePath: store.path)
        let fs = watcher.fileSystem
        c.lines.append("file system: \(fs.name) at \(fs.mountPoint); inotify \(fs.isRemote ? "cannot see other hosts' writes here: followers poll" : "is trusted")")
        c.json["file_system"] = ["type": .string(fs.name), "mount_point": .string(fs.mountPoint), "remote": .bool(fs.isRemote), "inotify_trusted": .bool(!fs.isRemote && watcher.usesInotify)]

        store.refresh()
        c.checkFiles(store)

        let state = store.state
        c.lines.append("records: \(state.eventCount) events read, \(state.duplicateCount) duplicates dropped, \(store.badRecordCount) bad")
        for bad in store.badRecords.prefix(20) { c.lines.append("  bad: events/\(bad)") }
        if store.badRecordCount > 0 { c.problems.append("\(store.badRecordCount) bad record(s) skipped (listed above)") }
        c.json["records"] = ["events": .int(state.eventCount), "duplicates": .int(state.duplicateCount), "bad": .int(store.badRecordCount),
                             "bad_records": .array(store.badRecords.prefix(1000).map {
                                 ["file": .string($0.file), "offset": .int($0.offset), "length": .int($0.length), "reason": .string($0.reason)]
                             })]

        c.checkHosts(store)
        if !state.futureEvents.isEmpty {
            c.problems.append("\(state.futureEvents.count) event(s) dated in the future, e.g. \(state.futureEvents[0].id) at \(ISOTime.format(state.futureEvents[0].recordedAt)): a host's clock is wrong")
        }
        c.json["future_events"] = .strings(state.futureEvents.map(\.id.description))
        if state.orphanCount > 0 {
            c.problems.append("\(state.orphanCount) event(s) belong to incidents whose opening is missing (a host's log not synced yet?)")
        }
        c.json["orphan_events"] = .int(state.orphanCount)
        // Two writers that used one host name: both kept, said loudly.
        c.lines.append("this writer: host \(store.host.sanitized), machine \(IncidentStore.machineID) (default host here: \(IncidentStore.defaultHost.sanitized))")
        for (host, n) in state.clashes.sorted(by: { $0.key < $1.key }) {
            c.problems.append(IncidentStore.clashWarning(host: host, events: n))
        }
        c.json["identity"] = ["host": .string(store.host), "machine_id": .string(IncidentStore.machineID), "default_host": .string(IncidentStore.defaultHost)]
        c.json["host_clashes"] = .counts(state.clashes)
        c.lines.append("incidents: \(state.incidents.count) (\(state.incidents.values.filter { $0.state != .resolved }.count) open)")
        c.json["incidents"] = .int(state.incidents.count)
        c.json["problems"] = .strings(c.problems)
        return c
    }

    /// Each file in events/: its size and mode, and what is wrong with it.
    mutating func checkFiles(_ store: IncidentStore) {
        let fm = FileManager.default
        var files: [JSONValue] = []
        let names = (try? fm.contentsOfDirectory(atPath: store.eventsDirectory))?.sorted() ?? []
        for name in names {
            let path = store.eventsDirectory + "/" + name
            var fst = stat()
            guard lstat(path, &fst) == 0 else { continue }
            let isLog = LogReader.isLogFile(name)
            let kind = (fst.st_mode & S_IFMT) == S_IFREG ? "file" : (fst.st_mode & S_IFMT) == S_IFLNK ? "symlink" : "other"
            files.append(["name": .string(name), "bytes": .int(Int(fst.st_size)), "mode": .string(Self.octal(fst.st_mode)), "log": .bool(isLog), "kind": .string(kind)])
            lines.append("  events/\(name): \(fst.st_size) bytes, mode \(Self.octal(fst.st_mode))\(isLog ? "" : " (not a log: ignored)")")
            if kind == "symlink" { problems.append("events/\(name) is a symbolic link: tierwatch never follows it") }
            else if kind != "file" && isLog { problems.append("events/\(name) is not a regular file") }
            // A symbolic link's own mode is always 0777 and means nothing.
            if kind != "symlink", fst.st_mode & 0o002 != 0 { problems.append("events/\(name) is writable by everyone") }
            if isLog && access(path, R_OK) != 0 { problems.append("events/\(name) is not readable by this user") }
        }
        lines.insert("files: \(names.count) in events/", at: 2)
        json["files"] = .array(files)
    }

    /// Hosts, who wrote from them, and what the store shows of their clocks.
    mutating func checkHosts(_ store: IncidentStore) {
        let state = store.state
        // Hosts, who wrote from them, and what the store shows of their
        // clocks (see `ClockReading`).
        var hosts: [JSONValue] = []
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
            hosts.append(["host": .string(host), "events": .int(counts[host]!), "last_recorded_at": .time(lastRecorded[host]!),
                          "clock_offset_seconds": .double(offsets[host].map { $0.offset.rounded() }),
                          "clock_evidence": .string(offsets[host]?.evidence),
                          "last_record_lead_seconds": .double(state.clockLead[host].map { $0.rounded() }),
                          "unix_users": .strings((users[host] ?? []).sorted())])
        }
        problems += clocks.warnings
        json["clocks"] = clocks.json
        json["hosts"] = .array(hosts)
    }

    static func octal(_ mode: mode_t) -> String { "0" + String(mode & 0o7777, radix: 8) }
}
