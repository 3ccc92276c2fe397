import Escalation
import Foundation

/// `doctor --json`: what `StoreCheck` found, section by section. Every
/// member is written; a section that was not checked (the store does not
/// exist, no dialer is set) is null. No schema in docs/openapi.json: it
/// describes this machine, not the API.
extension Wire {
    public struct Doctor: Codable, Sendable {
        public var checkpoint: CheckpointCheck?
        public var clock: ClockCheck?
        public var clocks: Clocks?
        public var dialer: DialerCheck?
        public var exists: Bool
        public var file_system: FileSystemCheck?
        public var files: [FileCheck]?
        public var future_events: [String]?
        public var host_clashes: [String: Int]?
        public var hooks_failed: [HookFailure]?
        public var hosts: [HostCheck]?
        public var identity: Identity?
        public var incidents: Int?
        public var orphan_events: Int?
        public var peers: [PeerCheck]?
        public var policy: PolicyCheck?
        /// What needs attention: the exit status is 1 when this is not empty.
        public var problems: [String]
        public var records: RecordsCheck?
        public var silent_after_seconds: Int?
        public var store: String

        public init(store: String) { (self.store, exists, problems) = (store, false, []) }
    }

    public struct CheckpointCheck: Codable, Sendable {
        public var detail: String?
        public var path: String?
        /// off, none, unusable, ok, differed.
        public var state: String

        public init(detail: String? = nil, path: String? = nil, state: String) { (self.detail, self.path, self.state) = (detail, path, state) }
    }

    public struct ClockCheck: Codable, Sendable {
        public var estimated_error_us: Int?
        /// adjtimex's answer (-1: it failed).
        public var state: Int
        public var synchronised: Bool

        public init(estimated_error_us: Int?, state: Int, synchronised: Bool) {
            (self.estimated_error_us, self.state, self.synchronised) = (estimated_error_us, state, synchronised)
        }
    }

    public struct DialerCheck: Codable, Sendable {
        public var agent: String
        public var call_out: [String]
        public var problems: [String]
        public var ready: Bool

        public init(agent: String, call_out: [String], problems: [String], ready: Bool) {
            (self.agent, self.call_out, self.problems, self.ready) = (agent, call_out, problems, ready)
        }
    }

    public struct FileSystemCheck: Codable, Sendable {
        public var inotify_trusted: Bool
        public var mount_point: String
        public var remote: Bool
        public var type: String
    }

    public struct FileCheck: Codable, Sendable {
        public var bytes: Int
        /// file, symlink, other.
        public var kind: String
        public var log: Bool
        public var mode: String
        public var name: String
    }

    public struct HookFailure: Codable, Sendable {
        public var at: Date
        public var detail: String
        public var hook: String
        public var incident: String
        /// hook, or call (a call tierwatch could not place).
        public var kind: String

        public init(at: Date, detail: String, hook: String, incident: String, kind: String) {
            (self.at, self.detail, self.hook, self.incident, self.kind) = (at, detail, hook, incident, kind)
        }
    }

    public struct HostCheck: Codable, Sendable {
        public var clock_evidence: String?
        public var clock_offset_seconds: Double?
        public var events: Int
        public var host: String
        public var last_record_lead_seconds: Double?
        public var last_recorded_at: Date
        public var unix_users: [String]
    }

    public struct Identity: Codable, Sendable {
        public var default_host: String
        public var host: String
        public var machine_id: String
    }

    public struct PeerCheck: Codable, Sendable {
        public var host: String
        public var last_sign: Date?
        public var silent: Bool

        public init(host: String, last_sign: Date?, silent: Bool) { (self.host, self.last_sign, self.silent) = (host, last_sign, silent) }
    }

    public struct PolicyCheck: Codable, Sendable {
        public var error: String?
        public var name: String?
        public var ok: Bool
        public var source: String
        public var warnings: [String]?

        public init(error: String? = nil, name: String? = nil, ok: Bool, source: String, warnings: [String]? = nil) {
            (self.error, self.name, self.ok, self.source, self.warnings) = (error, name, ok, source, warnings)
        }
    }

    public struct RecordsCheck: Codable, Sendable {
        public var bad: Int
        public var bad_records: [BadRecord]
        public var duplicates: Int
        public var events: Int
    }

    public struct BadRecord: Codable, Sendable {
        public var file: String
        public var length: Int
        public var offset: Int
        public var reason: String
    }
}
