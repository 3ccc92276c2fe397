import Escalation
import Foundation

/// One event is one line of JSON that `jq` can read, ending in a CRC-32C of
/// the line's own bytes:
///
///     {"v":2,"host":"noc1","seq":7,"inc":"K3F9","type":"acknowledged",
///      "op":"alice","at":"2026-11-26T17:56:12.386Z","base":3,"crc":"1a2b3c4d"}
///
/// The checksum covers every byte before `,"crc":`, so any change to the
/// record (a flipped bit, a zeroed block, a torn write) is detected before
/// the record is believed.
///
/// Format 2 (this one) leaves out what it can say by default: `hlc` when it
/// is `at` in milliseconds, `hlc_c` when 0, `user` when it is `op`, `rec`
/// when it is `at`; and an opening names
/// its policy by digest only, the text being in a `policy` record written
/// once in each host's log before the first opening that names it (an
/// opening may still carry the text, as format 1's always did). Format 1
/// records read as before.
public enum RecordCodec {
    public static let formatVersion: Int64 = 2
    /// A record longer than this is skipped and reported, never loaded whole.
    public static let maxRecordBytes = 1 << 20

    private static let crcPrefix = Array(#","crc":""#.utf8)
    private static let trailerCount = crcPrefix.count + 8 + 2  // 8 hex digits, `"}`

    /// `writer`: the writing machine's id (`IncidentStore.machineID`),
    /// written as `wid`, so a writer can tell a log another machine
    /// extended under the same host name. Readers skip it.
    /// `policyText`: an opening carries its policy's text (false: the
    /// digest only; a `policy` record in the same log has the text).
    public static func encode(_ e: IncidentEvent, writer: String? = nil, policyText: Bool = true) -> [UInt8] {
        var w = FlatJSON.Writer()
        w.field("v", formatVersion)
        w.field("host", e.id.host)
        w.field("seq", Int64(e.id.sequence))
        // The clock's milliseconds are `at`'s unless the event is back-dated
        // (or the clock had to step past a later one).
        // (Left out only when the reader gets it back exactly from `at`.)
        let at = ISOTime.format(e.at, milliseconds: true)
        if ISOTime.parse(at).map({ Int64(($0.timeIntervalSince1970 * 1000).rounded()) }) != e.hlc.millis { w.field("hlc", e.hlc.millis) }
        if e.hlc.counter != 0 { w.field("hlc_c", Int64(e.hlc.counter)) }
        w.field("inc", e.incident)
        w.field("type", e.action.typeName)
        w.field("op", e.operatorName)
        if e.unixUser != e.operatorName { w.field("user", e.unixUser) }
        if let writer { w.field("wid", writer) }
        w.field("at", at)
        if e.recordedAt != e.at { w.field("rec", ISOTime.format(e.recordedAt, milliseconds: true)) }
        w.field("base", Int64(e.baseVersion))
        switch e.action {
        case let .opened(o):
            w.field("title", o.title)
            w.field("customer", o.customer)
            w.field("severity", o.severity.rawValue)
            w.field("policy_digest", o.policyDigest)
            if policyText, !o.policyYAML.isEmpty { w.field("policy", o.policyYAML) }
            if let key = o.dedupKey { w.field("dedup_key", key) }
            if let m = o.originMachine { w.field("origin", m) }
        case .acknowledged, .reopened:
            break
        case let .escalated(tier):
            w.field("tier", tier)
        case let .contactOutcome(tier, contact, outcome, person):
            w.field("tier", tier)
            w.field("contact", contact)
            w.field("outcome", outcome.rawValue)
            if let person = person.ref {
                w.field("person", person.id)
                w.field("person_name", person.name)
            }
        case let .customerUpdate(message), let .note(message):
            w.field("message", message)
        case let .resolved(message):
            w.field("message", message)
        case let .onCallOverride(r):
            w.field("schedule", r.schedule)
            w.field("person", r.person.id)
            w.field("person_name", r.person.name)
            w.field("phone", r.phone)
            w.field("from", ISOTime.format(r.from, milliseconds: true))
            w.field("to", ISOTime.format(r.to, milliseconds: true))
            w.field("replacing", r.replacing)
        case let .onCallCancel(id):
            w.field("override", id)
        case let .policyText(p):
            w.field("policy_digest", p.digest)
            w.field("policy", p.text)
        case let .monitoring(m):
            w.field("status", m.status)
            w.field("alerts", m.alerts.joined(separator: ","))
            w.field("message", m.text)
        case let .hook(h):
            w.field("hook", h.name)
            w.field("hook_key", h.key)
            w.field("result", h.result.rawValue)
            w.field("tries", Int64(h.tries))
            w.field("late", Int64(h.late ? 1 : 0))
            w.field("message", h.detail)
        }
        var bytes = w.bytes
        let crc = CRC32C.checksum(bytes)
        bytes.append(contentsOf: crcPrefix)
        bytes.append(contentsOf: CRC32C.hex(crc).utf8)
        bytes.append(contentsOf: Array(#""}"#.utf8))
        bytes.append(10)
        return bytes
    }

    /// The checksum an encoded record (with its newline) carries.
    public static func checksum(ofEncoded bytes: [UInt8]) -> UInt32 {
        let end = bytes.last == 10 ? bytes.count - 1 : bytes.count
        return bytes.withUnsafeBufferPointer { b in hex32(UnsafeBufferPointer(rebasing: b[(end - 10)..<(end - 2)])) } ?? 0
    }

    public struct DecodeError: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    /// Policy texts already decoded, by digest. Every opening carries its
    /// policy's whole text, and most share a few policies: with a cache the
    /// reader unescapes each text once and every incident shares one copy.
    public final class PolicyTexts {
        var byDigest: [String: String] = [:]
        public init() {}
    }

    /// Decodes one line (without its newline).
    public static func decode(_ line: UnsafeBufferPointer<UInt8>, policies: PolicyTexts? = nil) throws(DecodeError) -> IncidentEvent {
        try decodeChecked(line, policies: policies).event
    }

    /// Decodes one line, with the record's checksum: two records are the
    /// same event only when their checksums match (see `StoreState.stage`).
    public static func decodeChecked(_ line: UnsafeBufferPointer<UInt8>, policies: PolicyTexts? = nil) throws(DecodeError) -> (event: IncidentEvent, crc: UInt32) {
        guard line.count > trailerCount else { throw DecodeError(message: "record too short") }
        let trailerStart = line.count - trailerCount
        for (k, b) in crcPrefix.enumerated() where line[trailerStart + k] != b {
            throw DecodeError(message: "no checksum at the end of the record")
        }
        let hexStart = trailerStart + crcPrefix.count
        guard line[line.count - 2] == 34, line[line.count - 1] == 125,
              let stored = hex32(UnsafeBufferPointer(rebasing: line[hexStart..<hexStart + 8]))
        else { throw DecodeError(message: "malformed checksum") }
        let actual = CRC32C.checksum(UnsafeBufferPointer(rebasing: line[0..<trailerStart]))
        guard stored == actual else {
            throw DecodeError(message: "checksum mismatch (stored \(CRC32C.hex(stored)), computed \(CRC32C.hex(actual)))")
        }
        // The fields found, on the stack: one allocation less per record.
        return try withUnsafeTemporaryAllocation(of: FlatJSON.Raw?.self, capacity: Field.allCases.count) { fields throws(DecodeError) in
            fields.initialize(repeating: nil)
            var hint = 0
            do throws(FlatJSON.ParseError) {
                try FlatJSON.scan(line) { key, value throws(FlatJSON.ParseError) in
                    guard let f = Field(key, hint: hint) else { return }  // unknown keys: a newer writer's extras
                    hint = f.rawValue + 1
                    guard fields[f.rawValue] == nil else { throw FlatJSON.ParseError(offset: 0, message: "duplicate key '\(f)'") }
                    fields[f.rawValue] = value
                }
            } catch {
                throw DecodeError(message: "invalid JSON at byte \(error.offset): \(error.message)")
            }
            return (try Fields(line: line, raw: UnsafeBufferPointer(fields), policies: policies).event(), stored)
        }
    }

    /// Eight hex digits (either case), or nil.
    static func hex32(_ digits: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var v: UInt32 = 0
        for c in digits {
            switch c {
            case 48...57: v = v << 4 | UInt32(c - 48)
            case 97...102: v = v << 4 | UInt32(c - 87)
            case 65...70: v = v << 4 | UInt32(c - 55)
            default: return nil
            }
        }
        return v
    }

    public static func decode(_ line: [UInt8]) throws(DecodeError) -> IncidentEvent {
        try line.withUnsafeBufferPointer { buffer throws(DecodeError) in try decode(buffer) }
    }

    /// The keys a record may carry, matched on their bytes without hashing.
    enum Field: Int, CaseIterable {
        case v, host, seq, hlc, hlc_c, inc, type, op, user, at, rec, base
        case title, customer, severity, policy_digest, policy, tier, contact, outcome, message
        case schedule, person, person_name, phone, from, to, replacing, override
        case dedup_key, status, alerts, origin, hook, hook_key, result, tries, late, crc

        /// Each name as its length and its bytes packed into two words (no
        /// name is longer than 16 bytes): a key is matched by comparing
        /// three integers, where comparing arrays of bytes cost a sixth of
        /// decoding a record.
        static let packed: [(count: Int, lo: UInt64, hi: UInt64)] = allCases.map { f in
            let bytes = Array("\(f)".utf8)
            return bytes.withUnsafeBufferPointer { Field.pack($0)! }
        }

        static func pack(_ key: UnsafeBufferPointer<UInt8>) -> (count: Int, lo: UInt64, hi: UInt64)? {
            guard key.count <= 16 else { return nil }
            var lo: UInt64 = 0, hi: UInt64 = 0
            for (k, byte) in key.enumerated() {
                if k < 8 { lo |= UInt64(byte) << UInt64(8 * k) } else { hi |= UInt64(byte) << UInt64(8 * (k - 8)) }
            }
            return (key.count, lo, hi)
        }

        /// Records list their keys in one order, so the field after the
        /// previous one (`hint`) is tried first.
        init?(_ key: UnsafeBufferPointer<UInt8>, hint: Int = 0) {
            guard let k = Field.pack(key) else { return nil }
            let packed = Field.packed
            if hint < packed.count, packed[hint] == k {
                self.init(rawValue: hint)
                return
            }
            guard let found = packed.firstIndex(where: { $0 == k }) else { return nil }
            self.init(rawValue: found)
        }
    }

    private struct Fields {
        let line: UnsafeBufferPointer<UInt8>
        let raw: UnsafeBufferPointer<FlatJSON.Raw?>
        let policies: PolicyTexts?

        func str(_ f: Field) throws(DecodeError) -> String {
            guard case let .string(range, escaped)? = raw[f.rawValue] else { throw DecodeError(message: "missing or non-string field '\(f)'") }
            return try text(range, escaped)
        }

        func optStr(_ f: Field) throws(DecodeError) -> String? {
            switch raw[f.rawValue] {
            case nil, .null?: return nil
            case let .string(range, escaped)?: return try text(range, escaped)
            default: throw DecodeError(message: "field '\(f)' must be a string")
            }
        }

        func text(_ range: Range<Int>, _ escaped: Bool) throws(DecodeError) -> String {
            do { return try FlatJSON.string(line, range, escaped: escaped) } catch {
                throw DecodeError(message: "invalid JSON at byte \(error.offset): \(error.message)")
            }
        }

        func int(_ f: Field) throws(DecodeError) -> Int64 {
            guard case let .int(v)? = raw[f.rawValue] else { throw DecodeError(message: "missing or non-integer field '\(f)'") }
            return v
        }

        /// The person a record names, with their name as recorded (a
        /// record without a name shows the id).
        func personRef() throws(DecodeError) -> PersonRef? {
            guard let id = try optStr(.person) else { return nil }
            return PersonRef(id: id, name: try optStr(.person_name) ?? id)
        }

        func time(_ f: Field) throws(DecodeError) -> Date {
            guard case let .string(range, false)? = raw[f.rawValue],
                  let d = ISOTime.parse(utf8: UnsafeBufferPointer(rebasing: line[range])) else {
                throw DecodeError(message: "field '\(f)' is not an ISO-8601 time")
            }
            return d
        }

        /// The policy text, unescaped only the first time its digest is
        /// seen. A format-2 opening without one gets the text this reader
        /// has seen for its digest, else "" (the state fills it in from
        /// the log's `policy` record; see `StoreState`).
        func policyText(digest: String, required: Bool) throws(DecodeError) -> String {
            if let known = policies?.byDigest[digest] {
                switch raw[Field.policy.rawValue] {
                case .string?: return known
                case nil where !required: return known
                default: throw DecodeError(message: "missing or non-string field 'policy'")
                }
            }
            if !required, raw[Field.policy.rawValue] == nil { return "" }
            let text = try str(.policy)
            policies?.byDigest[digest] = text
            return text
        }

        func event() throws(DecodeError) -> IncidentEvent {
            let v = try int(.v)
            guard v == 1 || v == formatVersion else { throw DecodeError(message: "unknown record format version \(v)") }
            let v1 = v == 1
            let host = try str(.host)
            let seq = try int(.seq)
            let inc = try str(.inc)
            guard !host.isEmpty, !inc.isEmpty, seq >= 0 else { throw DecodeError(message: "empty host or incident id, or negative sequence") }
            let type = try str(.type)
            let action: Action
            switch type {
            case "opened":
                let sevText = try str(.severity)
                guard let sev = Severity(rawValue: sevText) else { throw DecodeError(message: "unknown severity '\(sevText)'") }
                let digest = try str(.policy_digest)
                action = .opened(Opening(title: try str(.title), customer: try optStr(.customer), severity: sev,
                                         policyYAML: try policyText(digest: digest, required: v1), policyDigest: digest, dedupKey: try optStr(.dedup_key), originMachine: try optStr(.origin)))
            case "acknowledged": action = .acknowledged
            case "reopened": action = .reopened
            case "escalated": action = .escalated(toTier: try str(.tier))
            case "contact":
                let o = try str(.outcome)
                guard let outcome = Outcome(rawValue: o) else { throw DecodeError(message: "unknown outcome '\(o)'") }
                action = .contactOutcome(tier: try str(.tier), contact: try str(.contact), outcome: outcome, person: CalledPerson(try personRef()))
            case "customer_update": action = .customerUpdate(message: try str(.message))
            case "note": action = .note(message: try str(.message))
            case "resolved": action = .resolved(message: try optStr(.message))
            case "oncall_override":
                guard inc == OverrideLog.key else { throw DecodeError(message: "an on-call override recorded under incident '\(inc)'") }
                guard let person = try personRef() else { throw DecodeError(message: "missing or non-string field 'person'") }
                let (from, to) = (try time(.from), try time(.to))
                guard from < to else { throw DecodeError(message: "an on-call override that ends before it starts") }
                action = .onCallOverride(OverrideRequest(schedule: try str(.schedule), person: person, phone: try optStr(.phone),
                                                         from: from, to: to, replacing: try optStr(.replacing)))
            case "monitoring":
                let status = try str(.status)
                guard status == "firing" || status == "resolved" else { throw DecodeError(message: "unknown monitoring status '\(status)'") }
                let alerts = try str(.alerts)
                action = .monitoring(MonitoringNote(status: status, alerts: alerts.isEmpty ? [] : alerts.split(separator: ",").map(String.init),
                                                    text: try str(.message)))
            case "hook":
                let r = try str(.result)
                guard let result = HookRecord.Result(rawValue: r) else { throw DecodeError(message: "unknown hook result '\(r)'") }
                let tries = try int(.tries)
                guard tries >= 0, tries < 1000 else { throw DecodeError(message: "field out of range") }
                action = .hook(HookRecord(name: try str(.hook), key: try str(.hook_key), result: result, detail: try str(.message),
                                          tries: Int(tries), late: try int(.late) != 0))
            case "policy" where !v1:
                guard inc == PolicyText.key else { throw DecodeError(message: "a policy text recorded under incident '\(inc)'") }
                let digest = try str(.policy_digest)
                action = .policyText(PolicyText(digest: digest, text: try policyText(digest: digest, required: true)))
            case "oncall_cancel":
                guard inc == OverrideLog.key else { throw DecodeError(message: "an on-call cancel recorded under incident '\(inc)'") }
                action = .onCallCancel(override: try str(.override))
            default: throw DecodeError(message: "unknown event type '\(type)'")
            }
            if inc == OverrideLog.key, !action.isOnCall {
                throw DecodeError(message: "a '\(type)' event recorded under the on-call key '\(inc)'")
            }
            if inc == PolicyText.key, action.typeName != "policy" {
                throw DecodeError(message: "a '\(type)' event recorded under the policy key '\(inc)'")
            }
            let op = try str(.op)
            let at = try time(.at)
            let counter = v1 || raw[Field.hlc_c.rawValue] != nil ? try int(.hlc_c) : 0
            let base = try int(.base)
            guard counter >= 0, counter < Int64(Int32.max), base >= 0, base < Int64(Int32.max) else {
                throw DecodeError(message: "field out of range")
            }
            return IncidentEvent(id: EventID(host: host, sequence: Int(seq)),
                                 hlc: HLC(millis: v1 || raw[Field.hlc.rawValue] != nil ? try int(.hlc) : Int64((at.timeIntervalSince1970 * 1000).rounded()),
                                          counter: Int(counter)),
                                 incident: inc, operatorName: op, unixUser: v1 ? try str(.user) : try optStr(.user) ?? op,
                                 at: at, recordedAt: v1 ? try time(.rec) : raw[Field.rec.rawValue] == nil ? at : try time(.rec),
                                 baseVersion: Int(base), action: action)
        }
    }
}
