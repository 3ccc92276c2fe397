import Foundation

/// The on-call JSON shapes (docs/openapi.json's `OnCall`, `OnCallHandoffs`
/// and `Override`, checked against these types by a test).
extension Wire {
    /// One row of `tierwatch oncall --json`: a schedule at an instant.
    public struct OnCall: Codable, Sendable {
        public var at: Date
        public var next: Person?
        public var override: Override?
        public var person: Person?
        public var schedule: ScheduleRef
        public var until: Date?

        public init(_ r: OnCallRow, at: Date, policy: Policy) {
            self.at = at
            next = r.next.map(Person.init)
            override = r.override.map { Override($0, policy: policy) }
            person = r.person.map(Person.init)
            schedule = ScheduleRef(id: r.schedule.id, name: r.schedule.name, zone: r.schedule.zone.identifier)
            until = r.until
        }
    }

    public struct ScheduleRef: Codable, Sendable {
        public var id: String
        public var name: String
        public var zone: String
    }

    /// One schedule of `tierwatch oncall SCHEDULE --next SPAN --json`.
    public struct OnCallHandoffs: Codable, Sendable {
        public var from: Date
        public var handoffs: [Handoff]
        public var on_call_at_start: Person?
        public var schedule: String
        public var to: Date

        public struct Handoff: Codable, Sendable {
            public var at: Date
            public var person: Person?

            public init(at: Date, person: Person?) { (self.at, self.person) = (at, person) }
        }

        public init(from: Date, handoffs: [Handoff], on_call_at_start: Person?, schedule: String, to: Date) {
            (self.from, self.handoffs, self.on_call_at_start, self.schedule, self.to) = (from, handoffs, on_call_at_start, schedule, to)
        }
    }

    /// An override, with the person it puts on call (as the directory
    /// knows them, else as recorded).
    public struct Override: Codable, Sendable {
        public var by: String?
        public var cancelled_at: Date?
        public var from: Date
        public var id: String
        public var person: Person
        public var recorded_at: Date?
        public var replacing: String?
        public var schedule: String
        public var to: Date

        public init(_ o: Escalation.Override, policy: Policy) {
            let p = policy.person(o.person) ?? o.snapshot ?? Escalation.Person(id: o.person, name: o.person)
            (by, cancelled_at, from, id, person) = (o.by, o.cancelled, o.from, o.id, Person(p))
            (recorded_at, replacing, schedule, to) = (o.recordedAt, o.replacing, o.schedule, o.to)
        }
    }
}
