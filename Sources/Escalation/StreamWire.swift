import Foundation

/// The event stream's lines (`tierwatch watch --json`, and serve's
/// `GET /api/v1/events`) as types, in docs/openapi.json's `StreamEvent`,
/// `StreamOnCall`, `StreamOverruled`, `StreamDeadline` and `Keepalive`
/// (checked against these types by a test). An `event` (or `overruled`) is
/// the event as its record says (docs/store-format.md), less an opening's
/// policy text and the record's crc; `incident` is the incident after it,
/// without its tiers and timeline.
extension Wire {
    /// An event on an incident.
    public struct StreamEvent: Codable, Sendable {
        public var event: JSONValue
        public var incident: IncidentSummary

        public init(event: JSONValue, incident: IncidentSummary) { (self.event, self.incident) = (event, incident) }
    }

    /// An event on the on-call calendar (an override set or removed).
    public struct StreamOnCall: Codable, Sendable {
        public var event: JSONValue
        /// Always true: this line is about the calendar, not an incident.
        public var oncall: Bool

        public init(event: JSONValue) { (self.event, oncall) = (event, true) }
    }

    /// An event the store recorded but the incident did not take (it was
    /// stale: made on a version another operator had moved on from).
    public struct StreamOverruled: Codable, Sendable {
        public var incident: IncidentSummary
        public var overruled: JSONValue
        public var reason: String

        public init(incident: IncidentSummary, overruled: JSONValue, reason: String) {
            (self.incident, self.overruled, self.reason) = (incident, overruled, reason)
        }
    }

    /// A deadline the clock passed, with nobody recording anything.
    public struct StreamDeadline: Codable, Sendable {
        public var deadline: Deadline
        public var incident: IncidentSummary

        public init(deadline: Deadline, incident: IncidentSummary) { (self.deadline, self.incident) = (deadline, incident) }
    }

    public struct Deadline: Codable, Sendable {
        public var at: Date
        public var incident: String
        /// `started` (a tier started by itself), `overdue`, `update_overdue`.
        public var status: String
        public var text: String
        /// The tier's index (null: the customer update).
        public var tier: Int?

        public init(at: Date, incident: String, status: String, text: String, tier: Int?) {
            (self.at, self.incident, self.status, self.text, self.tier) = (at, incident, status, text, tier)
        }
    }

    /// What serve's stream sends after 15 quiet seconds.
    public struct Keepalive: Codable, Sendable {
        public var keepalive: Date
        public init(_ at: Date) { keepalive = at }
    }
}
