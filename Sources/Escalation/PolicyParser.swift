import Foundation
import Yams

extension Policy {
    /// Parses and validates a policy. `file` only names the source in errors.
    /// Every error carries the line and column of the offending node.
    public init(yaml text: String, file: String) throws(PolicyError) {
        var parser = PolicyParser(file: file)
        self = try parser.parse(text)
    }

    /// Parses and validates a policy, and lists what is valid but probably
    /// unmeant (`policy check` prints these): a tier with people to reach
    /// and no `notify_within` can never fall overdue.
    /// `now`: the instant the warnings are judged at (the domain reads no
    /// clock: the command passes the system's, a test its own).
    /// `machine`: what the warnings ask of this machine (is a hook's
    /// program there); the parser itself touches no disk.
    public static func check(yaml text: String, file: String, at now: Date,
                             machine: MachineChecks = .thisMachine) throws(PolicyError) -> (policy: Policy, warnings: [PolicyError]) {
        var parser = PolicyParser(file: file)
        parser.now = now
        parser.machine = machine
        let policy = try parser.parse(text)
        return (policy, parser.warnings)
    }
}

/// What `policy check` warns of that depends on the machine it runs on,
/// passed to the parser (a test passes its own).
public struct MachineChecks: Sendable {
    public var isExecutable: @Sendable (String) -> Bool
    public init(isExecutable: @escaping @Sendable (String) -> Bool) { self.isExecutable = isExecutable }
    /// This machine's files.
    public static let thisMachine = MachineChecks { FileManager.default.isExecutableFile(atPath: $0) }
    /// Checks nothing (parsing without `check`: no warnings are kept).
    static let none = MachineChecks { _ in true }
}

/// Walks the YAML node tree (not a Decodable) so every error can point at the
/// exact node: Decodable loses the marks.
struct PolicyParser {
    /// `customers: NAME: { updates: [URL…] }`, gathered while the customers are read.
    var updateRecipients: [String: [String]] = [:]
    let file: String
    /// What is valid but probably unmeant, in file order.
    var warnings: [PolicyError] = []
    /// The directory, read before the tiers that name it.
    var people: [Person] = []
    var schedules: [Schedule] = []
    /// The clock `policy check`'s warnings are judged by (a rotation that
    /// starts later than now leaves nobody on call until then).
    /// (Parsing without `check` keeps no warning: none is judged.)
    var now = Date.distantFuture
    var machine = MachineChecks.none
    /// Where each contact that names a schedule was written, for warnings.
    var scheduleUses: [(contact: String, tier: String, schedule: String, fallback: Bool, node: Node)] = []

    func error(_ node: Node?, _ message: String) -> PolicyError {
        let mark = node?.mark
        return PolicyError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
    }

    mutating func parse(_ text: String) throws(PolicyError) -> Policy {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw error(nil, "the policy is empty")
            }
            root = node
        } catch let e as PolicyError {
            throw e
        } catch let e as YamlError {
            throw yamlError(e)
        } catch {
            throw self.error(nil, "cannot read YAML: \(error)")
        }
        let top = try mapping(root, "the policy", keys: ["name", "version", "customer_updates", "tiers", "customers", "people", "schedules", "sites", "intake", "hooks", "hook_settings", "customer_update_template", "dialer", "engage"])
        let name = try requiredString(top, root, "name")
        let version = try top["version"].map { node throws(PolicyError) in try int(node, "version") } ?? 1
        let cadence = try top["customer_updates"].map { node throws(PolicyError) in try span(node, "customer_updates") }
        guard let tiersNode = top["tiers"] else { throw error(root, "missing key 'tiers'") }
        guard let tierSeq = tiersNode.sequence, !tierSeq.isEmpty else {
            throw error(tiersNode, "'tiers' must be a non-empty list of tiers")
        }
        people = try top["people"].map { node throws(PolicyError) in try parsePeople(node) } ?? []
        schedules = try top["schedules"].map { node throws(PolicyError) in try parseSchedules(node) } ?? []
        // The dialer first: a tier's call_out needs one.
        let dialer = try top["dialer"].map { node throws(PolicyError) in try parseDialer(node) }
        var tiers: [Tier] = []
        for tierNode in tierSeq {
            var tier = try parseTier(tierNode, previous: tiers)
            tier.callOut = try parseCallOut(tierNode, tier: tier, dialer: dialer)
            tiers.append(tier)
        }
        let customers = try top["customers"].map { node throws(PolicyError) in try parseCustomers(node, tiers: tiers) } ?? [:]
        var policy = Policy(name: name, version: version, customerUpdates: cadence, tiers: tiers, customers: customers,
                            people: people, schedules: schedules)
        if let node = top["sites"] { policy.sites = try parseSites(node) }
        policy.engage = try parseEngage(top["engage"], tiers: tiers)
        policy.updateRecipients = updateRecipients
        if let node = top["customer_update_template"] {
            let m = try mapping(node, "'customer_update_template'", keys: ["title", "body"])
            policy.updateTitle = try m["title"].map { n throws(PolicyError) in try string(n, "title") }
            policy.updateBody = try m["body"].map { n throws(PolicyError) in try string(n, "body") }
        }
        if let node = top["intake"] { policy.intake = try parseIntake(node) }
        if let node = top["hooks"] { policy.hooks = try parseHooks(node, tiers: tiers, directory: policy) }
        if let node = top["hook_settings"] {
            let m = try mapping(node, "'hook_settings'", keys: ["grace", "max_age"])
            if let g = m["grace"] { policy.hookSettings.grace = try span(g, "grace") }
            if let a = m["max_age"] { policy.hookSettings.maxAge = try span(a, "max_age") }
        }
        policy.dialer = dialer
        if let dialer, let node = top["dialer"] { warnUndialable(policy, dialer, node) }
        warnUncovered(policy)
        return policy
    }

    func parseSites(_ node: Node) throws(PolicyError) -> Policy.Sites {
        var sites = Policy.Sites()
        let m = try mapping(node, "'sites'", keys: ["expected", "silent_after", "clock_tolerance"])
        if let e = m["expected"] {
            guard let list = e.sequence else { throw error(e, "'expected' must be a list of host names, e.g. [noc-a, noc-b]") }
            for n in list { sites.expected.append(try string(n, "expected")) }
        }
        if let s = m["silent_after"] {
            let span = try span(s, "silent_after")
            guard span.seconds >= 15 else { throw error(s, "'silent_after' must be at least 15s (heartbeats come every third of it, at most every 5s)") }
            sites.silentAfter = span
        }
        if let t = m["clock_tolerance"] {
            let span = try span(t, "clock_tolerance")
            guard span.seconds >= 5 else { throw error(t, "'clock_tolerance' must be at least 5s (two machines on NTP agree within milliseconds; a few seconds is already a clock to fix)") }
            sites.clockTolerance = span
        }
        return sites
    }

    /// `engage: TIER` names the tier the report's "time to engage" measures;
    /// without it, the tier `technical` if there is one.
    func parseEngage(_ node: Node?, tiers: [Tier]) throws(PolicyError) -> String? {
        guard let node else { return tiers.contains { $0.id == "technical" } ? "technical" : nil }
        let id = try string(node, "engage")
        guard tiers.contains(where: { $0.id == id }) else {
            throw error(node, "unknown tier '\(id)'\(Suggest.didYouMean(id, among: tiers.map(\.id))) for 'engage' (the tiers: \(tiers.map(\.id).joined(separator: ", ")))")
        }
        return id
    }

    func yamlError(_ e: YamlError) -> PolicyError {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let prefix = context.map { "\($0.text), " } ?? ""
            return PolicyError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(prefix)\(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return PolicyError(file: file, line: context.mark.line, column: context.mark.column,
                               message: "duplicate key \(duplicates.joined(separator: ", "))")
        case let .reader(problem, offset, _, _):
            return PolicyError(file: file, line: 1, column: 1, message: "invalid YAML: \(problem) at byte \(offset ?? 0)")
        default:
            return PolicyError(file: file, line: 1, column: 1, message: "invalid YAML: \(e)")
        }
    }

    // MARK: Tiers

    mutating func parseTier(_ node: Node, previous: [Tier]) throws(PolicyError) -> Tier {
        let m = try mapping(node, "a tier", keys: ["id", "name", "notify_within", "start", "require", "unless", "contacts", "call_out"])
        let id = try requiredString(m, node, "id")
        try checkID(id, m["id"]!)
        if previous.contains(where: { $0.id == id }) { throw error(m["id"], "duplicate tier id '\(id)'") }
        let name = try requiredString(m, node, "name")
        let within = try m["notify_within"].map { n throws(PolicyError) in try span(n, "notify_within") }
        let start = try m["start"].map { n throws(PolicyError) in try parseStart(n, previous: previous, selfID: id) }
        var require = Requirement.all
        if let r = m["require"] {
            let text = try string(r, "require")
            guard let value = Requirement(rawValue: text) else {
                throw error(r, "'require' must be all, any or none, not '\(text)'")
            }
            require = value
        }
        var suppressed = false
        if let u = m["unless"] {
            let text = try string(u, "unless")
            guard text == "acknowledged" else { throw error(u, "'unless' can only be 'acknowledged', not '\(text)'") }
            suppressed = true
        }
        var contacts: [Contact] = []
        if let c = m["contacts"] {
            guard let seq = c.sequence else { throw error(c, "'contacts' must be a list") }
            for contactNode in seq {
                let contact = try parseContact(contactNode, tier: id)
                if let dup = previous.flatMap(\.contacts).first(where: { $0.id == contact.id }) ?? contacts.first(where: { $0.id == contact.id }) {
                    throw error(contactNode, "duplicate contact id '\(dup.id)' (contact ids are unique within a policy)")
                }
                contacts.append(contact)
            }
        }
        if require != .none && contacts.isEmpty {
            throw error(node, "tier '\(id)' requires contacts to be reached (require: \(require.rawValue)) but has none")
        }
        if require != .none && within == nil {
            var w = error(m["id"] ?? node, "tier '\(id)' has contacts to reach but no notify_within: this tier can never be overdue")
            w.isWarning = true
            warnings.append(w)
        }
        return Tier(id: id, name: name, notifyWithin: within, start: start, require: require,
                    suppressedWhileAcknowledged: suppressed, contacts: contacts)
    }

    func parseStart(_ node: Node, previous: [Tier], selfID: String) throws(PolicyError) -> StartRule {
        let m = try mapping(node, "'start'", keys: ["after", "from"])
        guard let afterNode = m["after"] else { throw error(node, "'start' needs 'after' (e.g. after: 10m)") }
        let after = try span(afterNode, "after")
        var anchor = StartRule.Anchor.open
        if let fromNode = m["from"] {
            let from = try string(fromNode, "from")
            if from == "open" {
                anchor = .open
            } else if from == selfID {
                throw error(fromNode, "tier '\(selfID)' cannot start from itself")
            } else if previous.contains(where: { $0.id == from }) {
                anchor = .tier(from)
            } else {
                throw error(fromNode, "'from: \(from)' must be 'open' or the id of an earlier tier")
            }
        }
        return StartRule(after: after, from: anchor)
    }

    // MARK: Contacts and customers

    mutating func parseContact(_ node: Node, tier: String) throws(PolicyError) -> Contact {
        if let scalar = node.scalar {
            let name = scalar.string.trimmingSpaces
            guard !name.isEmpty else { throw error(node, "a contact needs a name") }
            let id = Contact.slug(name)
            guard !id.isEmpty else { throw error(node, "contact name '\(name)' gives an empty id; add an explicit id") }
            return Contact(id: id, name: name)
        }
        let m = try mapping(node, "a contact", keys: ["id", "name", "role", "phone", "email", "person", "schedule"])
        guard let nameNode = m["name"] else { throw error(node, "a contact needs a name") }
        let name = try string(nameNode, "name").trimmingSpaces
        guard !name.isEmpty else { throw error(nameNode, "a contact needs a name") }
        var id = Contact.slug(name)
        if let idNode = m["id"] {
            id = try string(idNode, "id")
            try checkID(id, idNode)
        }
        let person = try m["person"].map { n throws(PolicyError) in try personRef(n, "person") }
        let schedule = try m["schedule"].map { n throws(PolicyError) in try scheduleRef(n) }
        if let schedule, let n = m["schedule"] {
            scheduleUses.append((id, tier, schedule, person != nil, n))
        }
        return Contact(id: id, name: name,
                       role: try m["role"].map { n throws(PolicyError) in try string(n, "role") },
                       phone: try m["phone"].map { n throws(PolicyError) in try string(n, "phone") },
                       email: try m["email"].map { n throws(PolicyError) in try string(n, "email") },
                       person: person, schedule: schedule)
    }

    mutating func parseCustomers(_ node: Node, tiers: [Tier]) throws(PolicyError) -> [String: [String: ContactOverride]] {
        guard let m = node.mapping else { throw error(node, "'customers' must map customer names to contact overrides") }
        let contactIDs = Set(tiers.flatMap(\.contacts).map(\.id))
        var out: [String: [String: ContactOverride]] = [:]
        for (keyNode, valueNode) in m {
            let customer = try string(keyNode, "customer")
            guard let overrides = valueNode.mapping else {
                throw error(valueNode, "customer '\(customer)' must map contact ids to fields, e.g. am: { name: Jane Roe }")
            }
            var byContact: [String: ContactOverride] = [:]
            for (cKey, cValue) in overrides {
                let contactID = try string(cKey, "contact id")
                if contactID == "updates" {
                    for item in cValue.sequence ?? [cValue] { updateRecipients[customer, default: []].append(try appriseURL(item)) }
                    continue
                }
                guard contactIDs.contains(contactID) else {
                    throw error(cKey, "customer '\(customer)' overrides unknown contact '\(contactID)'")
                }
                let f = try mapping(cValue, "a contact override", keys: ["name", "role", "phone", "email", "person", "schedule"])
                byContact[contactID] = ContactOverride(
                    name: try f["name"].map { n throws(PolicyError) in try string(n, "name") },
                    role: try f["role"].map { n throws(PolicyError) in try string(n, "role") },
                    phone: try f["phone"].map { n throws(PolicyError) in try string(n, "phone") },
                    email: try f["email"].map { n throws(PolicyError) in try string(n, "email") },
                    person: try f["person"].map { n throws(PolicyError) in try personRef(n, "person") },
                    schedule: try f["schedule"].map { n throws(PolicyError) in try scheduleRef(n) })
            }
            out[customer] = byContact
        }
        return out
    }

    // MARK: Scalars

    /// A mapping whose keys are all known; an unknown key is an error at the key.
    func mapping(_ node: Node, _ what: String, keys: Set<String>) throws(PolicyError) -> [String: Node] {
        guard let m = node.mapping else { throw error(node, "\(what) must be a mapping") }
        var out: [String: Node] = [:]
        for (k, v) in m {
            guard let key = k.scalar?.string else { throw error(k, "keys must be plain words") }
            guard keys.contains(key) else {
                throw error(k, "unknown key '\(key)' in \(what) (expected one of: \(keys.sorted().joined(separator: ", ")))")
            }
            out[key] = v
        }
        return out
    }

    func requiredString(_ m: [String: Node], _ parent: Node, _ key: String) throws(PolicyError) -> String {
        guard let node = m[key] else { throw error(parent, "missing key '\(key)'") }
        let value = try string(node, key)
        guard !value.trimmingSpaces.isEmpty else { throw error(node, "'\(key)' must not be empty") }
        return value
    }

    func string(_ node: Node, _ key: String) throws(PolicyError) -> String {
        guard let s = node.scalar else { throw error(node, "'\(key)' must be a single value") }
        return s.string
    }

    func int(_ node: Node, _ key: String) throws(PolicyError) -> Int {
        guard let s = node.scalar, let v = Int(s.string) else { throw error(node, "'\(key)' must be a whole number") }
        return v
    }

    func span(_ node: Node, _ key: String) throws(PolicyError) -> TimeSpan {
        let text = try string(node, key)
        guard let v = TimeSpan(parsing: text) else {
            throw error(node, "'\(key)' has a bad duration '\(text)' (write e.g. 90s, 10m, 1h30m, 2h)")
        }
        return v
    }

    func checkID(_ id: String, _ node: Node) throws(PolicyError) {
        let ok = !id.isEmpty && id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard ok else { throw error(node, "id '\(id)' must use only a-z, 0-9, '-' and '_'") }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
