/// The policies incidents opened under, by digest. Each is parsed once,
/// when the first incident that carries it is folded, and looked up without
/// changing anything after that. A policy text that no longer parses (a
/// newer writer's, or a hand edit) is kept with its error: every screen
/// shows the error beside the incident, whose deadlines are then the
/// built-in policy's, and says so. Never a silent fallback.
public struct PolicyBook: Sendable {
    public struct Entry: Sendable, Equatable {
        public var policy: Policy
        /// Why the incident's own policy could not be used (nil: it is used).
        public var problem: String?
        /// The problem is that no text for the digest was read yet.
        public internal(set) var missingText = false
    }

    private var parsed: [String: Entry] = [:]
    /// The store's on-call overrides: with the policies, what a ladder
    /// needs to say who is on call for a contact that names a schedule.
    public private(set) var onCall = OverrideLog()
    /// The overrides in force or to come, for the ladders.
    public var overrides: [Override] { onCall.overrides }
    /// The policy in force (policy.yaml, synced with the store): its people
    /// and schedules answer who to call for every incident, so a corrected
    /// number reaches the open ones at once. Deadlines stay each incident's
    /// own. nil: each incident's own policy answers (no policy file, or one
    /// that does not parse).
    public private(set) var directory: Policy?

    public mutating func useDirectory(_ p: Policy?) { directory = p }

    /// The people and schedules that answer who to call for an incident
    /// under `own`: the policy in force's, and `own`'s where it has ids
    /// the policy in force lacks.
    public func resolver(for own: Policy) -> Policy {
        guard let current = directory else { return own }
        var p = own
        let people = Set(current.people.map(\.id)), schedules = Set(current.schedules.map(\.id))
        p.people = current.people + own.people.filter { !people.contains($0.id) }
        p.schedules = current.schedules + own.schedules.filter { !schedules.contains($0.id) }
        return p
    }

    public init() {}

    /// Takes in an override or cancel event (`OverrideLog.key`).
    public mutating func record(_ e: IncidentEvent) { onCall.add(e) }

    /// Parses the incident's policy if no incident with it was seen before.
    public mutating func learn(_ incident: Incident) {
        if parsed[incident.policyDigest] == nil || parsed[incident.policyDigest]?.missingText == true {
            parsed[incident.policyDigest] = PolicyBook.parse(incident)
        }
    }

    /// A policy text read from the store (a `policy` record): incidents that
    /// name it by digest and were folded before it arrived get their
    /// policy now.
    public mutating func learn(text: String, digest: String) {
        guard parsed[digest] == nil || parsed[digest]?.missingText == true else { return }
        do {
            parsed[digest] = Entry(policy: try Policy(yaml: text, file: "policy \(digest)"))
        } catch {
            parsed[digest] = Entry(policy: .builtIn, problem: "\(error.description) — deadlines shown are the built-in policy's")
        }
    }

    /// The incident's policy, and why it is not its own when it is not.
    public subscript(_ incident: Incident) -> Entry {
        // An incident the book never learnt (a test, a tool) is parsed
        // here, every time: correct, only slower.
        parsed[incident.policyDigest] ?? PolicyBook.parse(incident)
    }

    /// The incident's policy (see the subscript for when it is not its own).
    public func policy(for incident: Incident) -> Policy { self[incident].policy }

    /// Every policy text that did not parse, by digest.
    public var problems: [String: String] { parsed.compactMapValues(\.problem) }

    private static func parse(_ incident: Incident) -> Entry {
        if incident.policyYAML.isEmpty {
            // Named by digest, and no log read so far has the text.
            return Entry(policy: .builtIn, problem: "the text of policy \(incident.policyDigest) (incident \(incident.id)) is not in the store: a log not synced yet, or damaged — deadlines shown are the built-in policy's",
                         missingText: true)
        }
        do {
            return Entry(policy: try Policy(yaml: incident.policyYAML, file: "policy of incident \(incident.id)"))
        } catch {
            return Entry(policy: .builtIn, problem: "\(error.description) — deadlines shown are the built-in policy's")
        }
    }
}
