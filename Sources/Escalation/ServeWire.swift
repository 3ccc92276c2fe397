import Foundation

/// serve's own bodies (docs/openapi.json's `Error` and `IntakeResult`,
/// checked against these types by a test).
extension Wire {
    /// Every refusal: what was wrong, in words.
    public struct Error: Codable, Sendable {
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
