import Foundation

/// The `--json` shape of an incident: `Wire.Incident` and the types it
/// holds, whose properties are its fields (named as the JSON names them,
/// in docs/openapi.json's `Incident`, `Tier`, `Contact`, `Person` and
/// `TimelineEntry`, checked against these types by a test). Times are
/// ISO-8601 UTC; absent values are null. One description: the CLI, the
/// HTTP API, hooks and the event stream all take it from here.
extension Wire {
    /// The incident: its brief and its timeline, in one object.
    public struct Incident: Codable, Sendable {
        public var brief: IncidentBrief
        public var timeline: [TimelineEntry]

        enum Keys: String, CodingKey { case timeline }

        public init(brief: IncidentBrief, timeline: [TimelineEntry]) { (self.brief, self.timeline) = (brief, timeline) }

        public init(from decoder: Decoder) throws {
            brief = try IncidentBrief(from: decoder)
            timeline = try decoder.container(keyedBy: Keys.self).decode([TimelineEntry].self, forKey: .timeline)
        }

        public func encode(to encoder: Encoder) throws {
            try brief.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(timeline, forKey: .timeline)
        }
    }

    /// The incident without its timeline, as hooks get it: its summary
    /// and its tiers, in one object.
    public struct IncidentBrief: Codable, Sendable {
        public var summary: IncidentSummary
        public var tiers: [Tier]

        enum Keys: String, CodingKey { case tiers }

        public init(summary: IncidentSummary, tiers: [Tier]) { (self.summary, self.tiers) = (summary, tiers) }

        public init(from decoder: Decoder) throws {
            summary = try IncidentSummary(from: decoder)
            tiers = try decoder.container(keyedBy: Keys.self).decode([Tier].self, forKey: .tiers)
        }

        public func encode(to encoder: Encoder) throws {
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(tiers, forKey: .tiers)
        }
    }

    /// The incident without its tiers and timeline, as the event stream
    /// gives it beside each item.
    public struct IncidentSummary: Codable, Sendable {
        public var acknowledged_at: Date?
        public var acknowledged_by: String?
        public var customer: String?
        public var id: String
        /// What to do now, in words.
        public var next_action: String
        public var next_customer_update_at: Date?
        public var next_deadline: String?
        public var next_deadline_at: Date?
        public var opened_at: Date
        public var opened_by: String
        public var policy: PolicyRef
        public var policy_problem: String?
        public var resolution: String?
        public var resolved_at: Date?
        public var resolved_by: String?
        public var severity: String
        public var state: String
        /// The current tier's index.
        public var tier: Int?
        public var title: String
        public var version: Int
    }

    /// The policy an incident runs under.
    public struct PolicyRef: Codable, Sendable {
        public var digest: String
        public var name: String
        public var version: Int
    }

    public struct Tier: Codable, Sendable {
        public var contacts: [Contact]
        public var due_at: Date?
        public var id: String
        public var index: Int
        public var late_seconds: Int?
        public var met_at: Date?
        public var name: String
        public var progress: Double
        public var remaining_seconds: Int?
        public var scheduled_start_at: Date?
        public var started_at: Date?
        public var status: String
    }

    public struct Contact: Codable, Sendable {
        public var at: Date?
        public var by: String?
        public var called_person: CalledPerson?
        public var email: String?
        public var id: String
        public var name: String
        public var nobody_on_call: Bool
        public var on_call_at_start: Person?
        public var on_call_until: Date?
        public var outcome: String?
        public var override: String?
        public var person: Person?
        /// The number to dial: the person's on call, else the contact's.
        public var phone: String?
        public var reached_at: Date?
        public var role: String?
        public var schedule: String?
    }

    /// Who a call recorded was made to.
    public struct CalledPerson: Codable, Sendable {
        public var id: String
        public var name: String
    }

    public struct Person: Codable, Sendable {
        public var email: String?
        public var id: String
        public var name: String
        public var note: String?
        public var phones: [String]
        public var zone: String?

        public init(_ p: Escalation.Person) {
            (email, id, name, note, phones, zone) = (p.email, p.id, p.name, p.note, p.phones, p.zone?.identifier)
        }
    }

    public struct TimelineEntry: Codable, Sendable {
        public var at: Date
        public var backdated: Bool
        public var event_id: String
        public var `operator`: String
        public var recorded_at: Date
        public var stale: Bool
        public var stale_reason: String?
        public var text: String
        public var type: String
        public var unix_user: String
    }
}

extension Board.Entry {
    /// The incident as `--json` prints it.
    public func wire(now: Date) -> Wire.Incident {
        let i = incident
        let tiers = wireTiers()
        let timeline = i.timeline.map { entry in
            let e = entry.event
            return Wire.TimelineEntry(
                at: e.at, backdated: entry.isBackdated, event_id: e.id.description, operator: e.operatorName, recorded_at: e.recordedAt,
                stale: entry.isStale, stale_reason: entry.staleReason, text: e.summary(policy: policy, customer: i.customer),
                type: e.action.typeName, unix_user: e.unixUser)
        }
        return Wire.Incident(brief: brief(now: now, tiers: tiers), timeline: timeline)
    }

    /// The tiers as the JSON gives them.
    private func wireTiers() -> [Wire.Tier] {
        let atStart = ladder.rungs.indices.map(onCallAtStart)
        return ladder.rungs.map { r in
            Wire.Tier(
                contacts: r.contacts.enumerated().map { k, c in
                    Wire.Contact(
                        at: c.at, by: c.by, called_person: c.calledPerson.map { Wire.CalledPerson(id: $0.id, name: $0.name) },
                        email: c.callee.email, id: c.contact.id, name: c.contact.name, nobody_on_call: c.callee.nobodyOnCall,
                        on_call_at_start: atStart[r.index][k]?.person.map(Wire.Person.init), on_call_until: c.callee.until,
                        outcome: c.outcome?.rawValue, override: c.callee.override, person: c.callee.person.map(Wire.Person.init),
                        phone: c.callee.phone, reached_at: c.reachedAt, role: c.contact.role, schedule: c.contact.schedule)
                },
                due_at: r.dueAt, id: r.tier.id, index: r.index, late_seconds: r.lateSeconds, met_at: r.metAt, name: r.tier.name,
                progress: (r.progress * 1000).rounded() / 1000, remaining_seconds: r.status.isMet ? nil : r.remainingSeconds,
                scheduled_start_at: r.isStarted ? nil : r.startAt, started_at: r.isStarted ? r.startAt : nil, status: r.status.rawValue)
        }
    }

    /// The incident without its timeline, as hooks get it.
    public func brief(now: Date) -> Wire.IncidentBrief { brief(now: now, tiers: wireTiers()) }

    private func brief(now: Date, tiers: [Wire.Tier]) -> Wire.IncidentBrief { Wire.IncidentBrief(summary: summary(now: now), tiers: tiers) }

    /// The incident without its tiers and timeline, as the event stream gives it.
    public func summary(now: Date) -> Wire.IncidentSummary {
        let i = incident, ladder = self.ladder
        return Wire.IncidentSummary(
            acknowledged_at: i.acknowledged?.at, acknowledged_by: i.acknowledged?.by, customer: i.customer, id: i.id,
            next_action: Words.nextAction(self, now: now), next_customer_update_at: ladder.nextCustomerUpdateAt,
            next_deadline: ladder.nextDeadline.map { Words.deadline($0, policy, .id) }, next_deadline_at: ladder.nextDeadline?.at,
            opened_at: i.opened.at, opened_by: i.opened.by,
            policy: Wire.PolicyRef(digest: i.policyDigest, name: policy.name, version: policy.version), policy_problem: policyProblem,
            resolution: i.resolutionMessage, resolved_at: i.resolved?.at, resolved_by: i.resolved?.by,
            severity: i.severity.rawValue, state: i.state.rawValue, tier: ladder.currentTier,
            title: i.title, version: i.version)
    }

    /// The incident's JSON, as `--json` prints it.
    public func json(now: Date) -> JSONValue { Wire.value(wire(now: now)) }

    /// A person as `--json` gives them.
    public static func json(person p: Person) -> JSONValue { Wire.value(Wire.Person(p)) }
}
