import Foundation

/// serve's own bodies (docs/openapi.json's `Error`, `IntakeResult` and
/// `Health`, checked against these types by a test).
extension Wire {
    /// What `/healthz` says.
    public struct Health: Codable, Sendable {
        /// `ok`: the whole store is read; `degraded`: it is not, or serve is stuck.
        public var status: String
        /// Which part cannot be read, or what is stuck (null when ok).
        public var problem: String?

        public init(problem: String?) { (status, self.problem) = (problem == nil ? "ok" : "degraded", problem) }
    }

    /// Every refusal (the schema `Error`): what was wrong, in words.
    public struct Refusal: Codable, Sendable {
        public var error: String

        public init(_ error: String) { self.error = error }
    }

    /// What an Alertmanager notification did.
    public struct IntakeResult: Codable, Sendable {
        public var alerts: Int
        public var incidents: [Done]

        public struct Done: Codable, Sendable {
            /// opened, noted or resolved.
            public var did: String
            public var id: String

            public init(did: String, id: String) { (self.did, self.id) = (did, id) }
        }

        public init(alerts: Int, incidents: [Done]) { (self.alerts, self.incidents) = (alerts, incidents) }
    }
}

extension Wire {
    /// What a hook gets: on stdin, or as the body of its POST.
    public struct HookPayload: Codable, Sendable {
        public var at: Date
        /// The tier's people: the person on call where a contact names a schedule.
        public var contacts: [Contact]
        public var hook: String
        public var incident: IncidentBrief
        /// The idempotency key: the same for every try of one occurrence.
        public var key: String
        public var late: Bool
        public var tier: String?
        public var trigger: String

        public struct Contact: Codable, Sendable {
            public var contact: String
            public var name: String
            public var phone: String?

            public init(contact: String, name: String, phone: String?) { (self.contact, self.name, self.phone) = (contact, name, phone) }
        }

        public init(at: Date, contacts: [Contact], hook: String, incident: IncidentBrief, key: String, late: Bool, tier: String?, trigger: String) {
            (self.at, self.contacts, self.hook, self.incident) = (at, contacts, hook, incident)
            (self.key, self.late, self.tier, self.trigger) = (key, late, tier, trigger)
        }
    }
}
