import Escalation
import Foundation

/// The stream's items as JSON lines: `Wire.StreamEvent` and the others
/// (Sources/Escalation/StreamWire.swift).
extension EventStream {
    /// The item as one JSON object (see `Wire.StreamEvent` and the others).
    public static func json(_ item: Item, now: Date) -> JSONValue {
        switch item {
        case let .event(e, entry):
            return Wire.value(Wire.StreamEvent(event: record(e), incident: entry.summary(now: now)))
        case let .onCall(e):
            return Wire.value(Wire.StreamOnCall(event: record(e)))
        case let .overruled(e, reason, entry):
            return Wire.value(Wire.StreamOverruled(incident: entry.summary(now: now), overruled: record(e), reason: reason))
        case let .deadline(entry, tier, status, text):
            let d = Wire.Deadline(at: now, incident: entry.incident.id, status: status, text: text, tier: tier)
            return Wire.value(Wire.StreamDeadline(deadline: d, incident: entry.summary(now: now)))
        }
    }

    /// The item as a JSON line (no newline).
    public static func jsonLine(_ item: Item, now: Date) -> String { line(json(item, now: now)) }

    /// A keepalive as a JSON line (no newline).
    public static func keepaliveLine(at: Date) -> String { line(Wire.value(Wire.Keepalive(at))) }

    private static func line(_ v: JSONValue) -> String { String(decoding: JSONText.data(v, pretty: false), as: UTF8.self) }

    /// The event as its record says, less an opening's policy text and the crc.
    static func record(_ e: IncidentEvent) -> JSONValue {
        var bytes = RecordCodec.encode(e)
        bytes.removeLast()
        return (JSONValue.parse(Data(bytes)) ?? [:]).removing(["policy", "crc"])
    }
}
