import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A sign of life a read-write process leaves for the other sites: a small
/// file per host under `heartbeats/`, rewritten every `Heartbeat.interval`
/// for the threshold in force (never in the event log: it would grow it for
/// nothing). A sync engine
/// carries it like the logs; a site whose sign stops coming is shown as
/// silent, so a cut-off peer is never mistaken for a quiet one.
public struct Heartbeat: Sendable, Equatable {
    public var host: String
    public var machine: String
    public var at: Date
    /// What wrote it: `dashboard`, `serve`.
    public var process: String
    /// Whether its machine's kernel said its clock is synchronised (nil:
    /// it could not tell, or an older tierwatch wrote it).
    public var synchronised: Bool?

    /// How often to beat so that a peer is called silent only after about
    /// three missed beats: a third of `silentAfter`, between 5 and 30 s.
    public static func interval(silentAfter: TimeInterval) -> TimeInterval { min(30, max(5, silentAfter / 3)) }
    public static let directoryName = "heartbeats"

    public init(host: String, machine: String, at: Date, process: String) {
        self.host = host
        self.machine = machine
        self.at = at
        self.process = process
    }

    /// The file's JSON (docs/store-format.md): every member written, an
    /// unknown clock as null; `at` to the millisecond.
    var json: JSONValue { Wire.value(self) }

    /// A heartbeat file's sign, or nil when it is not one (no host, or no
    /// time): the members an older or newer tierwatch may lack are tolerated.
    init?(json data: Data) {
        guard let h = try? JSONDecoder().decode(Heartbeat.self, from: data) else { return nil }
        self = h
    }
}

extension Heartbeat: Codable {
    enum Keys: String, CodingKey { case at, clock_synchronised, host, machine, process }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(ISOTime.format(at, milliseconds: true), forKey: .at)
        try c.encodeIfPresent(synchronised, forKey: .clock_synchronised)
        try c.encode(host, forKey: .host)
        try c.encode(machine, forKey: .machine)
        try c.encode(process, forKey: .process)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let text = try c.decode(String.self, forKey: .at)
        guard let at = ISOTime.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: .at, in: c, debugDescription: "not an ISO-8601 time: \(text)")
        }
        let optional = { (key: Keys) in (try? c.decodeIfPresent(String.self, forKey: key)) ?? nil }
        self.init(host: try c.decode(String.self, forKey: .host), machine: optional(.machine) ?? "", at: at, process: optional(.process) ?? "")
        synchronised = (try? c.decodeIfPresent(Bool.self, forKey: .clock_synchronised)) ?? nil
    }
}

/// Another site as this one sees it: when it last gave a sign (a heartbeat
/// or an event it wrote), and whether that is too long ago.
public struct Peer: Sendable, Equatable {
    public var host: String
    /// nil: expected but never seen.
    public var lastSign: Date?
    public var isSilent: Bool

    /// What every screen says of a silent peer.
    public func warning(now: Date) -> String {
        guard let last = lastSign else { return "\(host.sanitized): expected, never seen — its actions may be missing" }
        return "\(host.sanitized): no sign for \(Words.span(Int(now.timeIntervalSince(last)))) — its actions may be missing"
    }

    /// The peers of `me`: every host with a heartbeat file and every
    /// expected host, each silent when its last sign (heartbeat or event)
    /// is older than `silentAfter`.
    public static func peers(of me: String, heartbeats: [Heartbeat], lastEvent: [String: Date], expected: [String],
                             silentAfter: TimeInterval, now: Date) -> [Peer] {
        var hosts = Set(heartbeats.map(\.host)).union(expected)
        hosts.remove(me)
        return hosts.sorted().map { h in
            let beat = heartbeats.filter { $0.host == h }.map(\.at).max()
            let last = [beat, lastEvent[h]].compactMap { $0 }.max()
            return Peer(host: h, lastSign: last, isSilent: last.map { now.timeIntervalSince($0) > silentAfter } ?? true)
        }
    }
}

extension IncidentStore {
    public var heartbeatsDirectory: String { path + "/" + Heartbeat.directoryName }

    /// Writes this host's heartbeat (a new file renamed over the old one: a
    /// reader never sees half of it). Only read-write processes call it.
    public func beat(process: String) throws {
        let dir = heartbeatsDirectory
        if mkdir(dir, 0o770) == 0 {
            // As the events folder: owner and group whatever the umask
            // (0750 under a umask of 027), keeping an inherited setgid bit.
            var st = stat()
            if lstat(dir, &st) == 0 { _ = chmod(dir, 0o770 | (st.st_mode & S_ISGID)) }
        } else if errno != EEXIST {
            throw StoreError.io(path: dir, operation: "create", reason: String(cString: strerror(errno)))
        }
        var beat = Heartbeat(host: host, machine: IncidentStore.machineID, at: clock.now(), process: process)
        beat.synchronised = ClockReading.kernelSynchronised
        let data = JSONText.data(beat.json, pretty: false)
        let tmp = dir + "/.\(host).json.tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: 0o660]) else {
            throw StoreError.io(path: tmp, operation: "write", reason: String(cString: strerror(errno)))
        }
        guard rename(tmp, dir + "/\(host).json") == 0 else {
            throw StoreError.io(path: dir + "/\(host).json", operation: "rename into place", reason: String(cString: strerror(errno)))
        }
    }

    /// Takes this host's heartbeat away: a process that stops cleanly is
    /// not a silent peer.
    public func removeHeartbeat() {
        unlink(heartbeatsDirectory + "/\(host).json")
    }

    /// Every host's heartbeat in the store (unreadable or malformed files are skipped).
    public func heartbeats() -> [Heartbeat] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: heartbeatsDirectory) else { return [] }
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: heartbeatsDirectory + "/" + name), data.count < 4096 else { return nil }
            return Heartbeat(json: data)
        }
    }

    /// The other sites as seen now (see `Peer.peers`).
    public func peers(expected: [String], silentAfter: TimeInterval, now: Date) -> [Peer] {
        Peer.peers(of: host, heartbeats: heartbeats(), lastEvent: state.lastRecorded, expected: expected, silentAfter: silentAfter, now: now)
    }
}
