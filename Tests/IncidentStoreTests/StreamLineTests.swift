import Escalation
import Foundation
@testable import IncidentStore
import Testing

/// The event stream's lines and the heartbeat file are Wire types now
/// (issue 28); their JSON is what the hand-built objects wrote: the event
/// as its record says less the policy text and crc, the incident as
/// `--json` gives it less its tiers and timeline.
@Suite struct StreamLines {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21T14:13:20Z

    static func event(_ seq: Int, _ action: Action, at minutes: Double) -> IncidentEvent {
        let t = t0.addingTimeInterval(minutes * 60)
        return IncidentEvent(id: EventID(host: "noc1", sequence: seq), hlc: HLC(millis: Int64(t.timeIntervalSince1970 * 1000) + Int64(seq), counter: 0),
                             incident: "K3F9", operatorName: "alice", unixUser: "alice", at: t, recordedAt: t, baseVersion: seq - 1, action: action)
    }

    static let opened = event(1, .opened(Opening(title: "SIP trunk down", customer: "acme", severity: .sev1,
                                                 policyYAML: Policy.builtInYAML, policyDigest: Policy.digest(of: Policy.builtInYAML))), at: 0)
    static let acked = event(2, .acknowledged, at: 2)
    static let now = t0.addingTimeInterval(15 * 60)

    static var entry: Board.Entry {
        let incident = Incident.fold([opened, acked])!
        var book = PolicyBook()
        book.learn(incident)
        return Board.Entry(incident, policies: book, at: now)
    }

    static func text(_ v: JSONValue?) -> String { v.map { String(decoding: JSONText.data($0, pretty: false), as: UTF8.self) } ?? "absent" }

    /// The incident beside a line: `--json`'s incident less tiers and timeline, byte for byte.
    @Test func theIncidentIsItsJSONWithoutTiersOrTimeline() throws {
        let line = EventStream.json(.event(Self.acked, Self.entry), now: Self.now)
        let full = Self.entry.json(now: Self.now)
        #expect(full["tiers"] != nil && full["timeline"] != nil)
        #expect(Self.text(line["incident"]) == Self.text(full.removing(["tiers", "timeline"])))
        #expect(line.members?.map(\.0) == ["event", "incident"])
    }

    /// The event is its record, less an opening's policy text and the crc.
    @Test func theEventIsItsRecordWithoutPolicyOrCRC() throws {
        let line = EventStream.json(.event(Self.opened, Self.entry), now: Self.now)
        var bytes = RecordCodec.encode(Self.opened)
        bytes.removeLast()
        let record = try #require(JSONValue.parse(Data(bytes)))
        #expect(record["policy"] != nil && record["crc"] != nil, "the record has what the line leaves out")
        #expect(Self.text(line["event"]) == Self.text(record.removing(["policy", "crc"])))
        #expect(line["event"]?["policy"] == nil && line["event"]?["crc"] == nil)
    }

    @Test func aDeadlineOverruledAndKeepaliveLine() {
        let summary = Self.text(Self.entry.json(now: Self.now).removing(["tiers", "timeline"]))
        let deadline = EventStream.jsonLine(.deadline(Self.entry, tier: 0, status: "overdue", text: "T0 Management is overdue"), now: Self.now)
        #expect(deadline == #"{"deadline":{"at":"2026-09-21T14:28:20Z","incident":"K3F9","status":"overdue","text":"T0 Management is overdue","tier":0},"incident":"#
                + summary + "}")
        let update = EventStream.json(.deadline(Self.entry, tier: nil, status: "update_overdue", text: "late"), now: Self.now)
        #expect(update["deadline"]?["tier"] == .null, "the customer update's deadline has a null tier, not none")
        let overruled = EventStream.json(.overruled(Self.acked, reason: "stale", Self.entry), now: Self.now)
        #expect(overruled.members?.map(\.0) == ["incident", "overruled", "reason"] && overruled["reason"] == "stale")
        #expect(EventStream.keepaliveLine(at: Self.now) == #"{"keepalive":"2026-09-21T14:28:20Z"}"#)
    }

    @Test func aHeartbeatIsWrittenAndReadBack() throws {
        var h = Heartbeat(host: "noc1", machine: "74c4d77f", at: Date(timeIntervalSince1970: 1_796_644_800.613), process: "dashboard")
        let unknown = String(decoding: JSONText.data(h.json, pretty: false), as: UTF8.self)
        #expect(unknown == #"{"at":"2026-12-07T12:00:00.613Z","clock_synchronised":null,"host":"noc1","machine":"74c4d77f","process":"dashboard"}"#)
        h.synchronised = false
        let data = JSONText.data(h.json, pretty: false)
        #expect(Heartbeat(json: data) == h)
        #expect(Heartbeat(json: Data(unknown.utf8))?.synchronised == nil)
        // What an older tierwatch wrote, and what a broken one might: tolerated, or refused.
        #expect(Heartbeat(json: Data(#"{"at":"2026-12-07T12:00:00.613Z","host":"noc1"}"#.utf8))?.machine == "")
        #expect(Heartbeat(json: Data(#"{"at":"2026-12-07T12:00:00Z","host":"noc1","clock_synchronised":"yes"}"#.utf8))?.synchronised == nil)
        #expect(Heartbeat(json: Data(#"{"at":"yesterday","host":"noc1"}"#.utf8)) == nil)
        #expect(Heartbeat(json: Data(#"{"at":"2026-12-07T12:00:00Z"}"#.utf8)) == nil)
    }
}
