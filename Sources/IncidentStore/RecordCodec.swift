import Escalation
import Foundation

/// One event is one line of JSON that `jq` can read, ending in a CRC-32C of
/// the line's own bytes:
///
///     {"v":1,"host":"noc1","seq":7,"hlc":1764179400123,"hlc_c":0,"inc":"K3F9",
///      "type":"acknowledged","op":"alice","user":"alice","at":"…","rec":"…",
///      "base":3,"crc":"1a2b3c4d"}
///
/// The checksum covers every byte before `,"crc":`, so any change to the
/// record (a flipped bit, a zeroed block, a torn write) is detected before
/// the record is believed.
public enum RecordCodec {
    public static let formatVersion: Int64 = 1
    /// A record longer than this is skipped and reported, never loaded whole.
    public static let maxRecordBytes = 1 << 20

    private static let crcPrefix = Array(#","crc":""#.utf8)
    private static let trailerCount = crcPrefix.count + 8 + 2  // 8 hex digits, `"}`

    public static func encode(_ e: IncidentEvent) -> [UInt8] {
        var w = FlatJSON.Writer()
        w.field("v", formatVersion)
        w.field("host", e.id.host)
        w.field("seq", Int64(e.id.sequence))
        w.field("hlc", e.hlc.millis)
        w.field("hlc_c", Int64(e.hlc.counter))
        w.field("inc", e.incident)
        w.field("type", e.action.typeName)
        w.field("op", e.operatorName)
        w.field("user", e.unixUser)
        w.field("at", ISOTime.format(e.at, milliseconds: true))
        w.field("rec", ISOTime.format(e.recordedAt, milliseconds: true))
        w.field("base", Int64(e.baseVersion))
        switch e.action {
        case let .opened(o):
            w.field("title", o.title)
            w.field("customer", o.customer)
            w.field("severity", o.severity.rawValue)
            w.field("policy_digest", o.policyDigest)
            w.field("policy", o.policyYAML)
        case .acknowledged, .reopened:
            break
        case let .escalated(tier):
            w.field("tier", tier)
        case let .contactOutcome(tier, contact, outcome):
            w.field("tier", tier)
            w.field("contact", contact)
            w.field("outcome", outcome.rawValue)
        case let .customerUpdate(message), let .note(message):
            w.field("message", message)
        case let .resolved(message):
            w.field("message", message)
        }
        var bytes = w.bytes
        let crc = CRC32C.checksum(bytes)
        bytes.append(contentsOf: crcPrefix)
        bytes.append(contentsOf: CRC32C.hex(crc).utf8)
        bytes.append(contentsOf: Array(#""}"#.utf8))
        bytes.append(10)
        return bytes
    }

    public struct DecodeError: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    /// Decodes one line (without its newline).
    public static func decode(_ line: UnsafeBufferPointer<UInt8>) throws(DecodeError) -> IncidentEvent {
        guard line.count > trailerCount else { throw DecodeError(message: "record too short") }
        let trailerStart = line.count - trailerCount
        for (k, b) in crcPrefix.enumerated() where line[trailerStart + k] != b {
            throw DecodeError(message: "no checksum at the end of the record")
        }
        let hexStart = trailerStart + crcPrefix.count
        guard line[line.count - 2] == 34, line[line.count - 1] == 125,
              let stored = UInt32(String(decoding: UnsafeBufferPointer(rebasing: line[hexStart..<hexStart + 8]), as: UTF8.self), radix: 16)
        else { throw DecodeError(message: "malformed checksum") }
        let actual = CRC32C.checksum(UnsafeBufferPointer(rebasing: line[0..<trailerStart]))
        guard stored == actual else {
            throw DecodeError(message: "checksum mismatch (stored \(CRC32C.hex(stored)), computed \(CRC32C.hex(actual)))")
        }
        let f: [String: FlatJSON.Value]
        do { f = try FlatJSON.parse(line) } catch {
            throw DecodeError(message: "invalid JSON at byte \(error.offset): \(error.message)")
        }
        return try event(from: f)
    }

    public static func decode(_ line: [UInt8]) throws(DecodeError) -> IncidentEvent {
        try line.withUnsafeBufferPointer { buffer throws(DecodeError) in try decode(buffer) }
    }

    private static func event(from f: [String: FlatJSON.Value]) throws(DecodeError) -> IncidentEvent {
        func str(_ k: String) throws(DecodeError) -> String {
            guard case let .string(s)? = f[k] else { throw DecodeError(message: "missing or non-string field '\(k)'") }
            return s
        }
        func optStr(_ k: String) throws(DecodeError) -> String? {
            switch f[k] {
            case nil, .null?: return nil
            case let .string(s)?: return s
            default: throw DecodeError(message: "field '\(k)' must be a string")
            }
        }
        func int(_ k: String) throws(DecodeError) -> Int64 {
            guard case let .int(v)? = f[k] else { throw DecodeError(message: "missing or non-integer field '\(k)'") }
            return v
        }
        func time(_ k: String) throws(DecodeError) -> Date {
            let s = try str(k)
            guard let d = ISOTime.parse(s) else { throw DecodeError(message: "field '\(k)' is not an ISO-8601 time: '\(s)'") }
            return d
        }
        let v = try int("v")
        guard v == formatVersion else { throw DecodeError(message: "unknown record format version \(v)") }
        let host = try str("host")
        let seq = try int("seq")
        let inc = try str("inc")
        guard !host.isEmpty, !inc.isEmpty, seq >= 0 else { throw DecodeError(message: "empty host or incident id, or negative sequence") }
        let type = try str("type")
        let action: Action
        switch type {
        case "opened":
            let sevText = try str("severity")
            guard let sev = Severity(rawValue: sevText) else { throw DecodeError(message: "unknown severity '\(sevText)'") }
            action = .opened(Opening(title: try str("title"), customer: try optStr("customer"), severity: sev,
                                     policyYAML: try str("policy"), policyDigest: try str("policy_digest")))
        case "acknowledged": action = .acknowledged
        case "reopened": action = .reopened
        case "escalated": action = .escalated(toTier: try str("tier"))
        case "contact":
            let o = try str("outcome")
            guard let outcome = Outcome(rawValue: o) else { throw DecodeError(message: "unknown outcome '\(o)'") }
            action = .contactOutcome(tier: try str("tier"), contact: try str("contact"), outcome: outcome)
        case "customer_update": action = .customerUpdate(message: try str("message"))
        case "note": action = .note(message: try str("message"))
        case "resolved": action = .resolved(message: try optStr("message"))
        default: throw DecodeError(message: "unknown event type '\(type)'")
        }
        let counter = try int("hlc_c")
        let base = try int("base")
        guard counter >= 0, counter < Int64(Int32.max), base >= 0, base < Int64(Int32.max) else {
            throw DecodeError(message: "field out of range")
        }
        return IncidentEvent(id: EventID(host: host, sequence: Int(seq)),
                             hlc: HLC(millis: try int("hlc"), counter: Int(counter)),
                             incident: inc, operatorName: try str("op"), unixUser: try str("user"),
                             at: try time("at"), recordedAt: try time("rec"), baseVersion: Int(base), action: action)
    }
}
