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

    private func parseSites(_ node: Node) throws(PolicyError) -> Policy.Sites {
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
    private func parseEngage(_ node: Node?, tiers: [Tier]) throws(PolicyError) -> String? {
        guard let node else { return tiers.contains { $0.id == "technical" } ? "technical" : nil }
        let id = try string(node, "engage")
        guard tiers.contains(where: { $0.id == id }) else {
            throw error(node, "unknown tier '\(id)'\(Suggest.didYouMean(id, among: tiers.map(\.id))) for 'engage' (the tiers: \(tiers.map(\.id).joined(separator: ", ")))")
        }
        return id
    }

    private func yamlError(_ e: YamlError) -> PolicyError {
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

    private mutating func parseTier(_ node: Node, previous: [Tier]) throws(PolicyError) -> Tier {
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

    private func parseStart(_ node: Node, previous: [Tier], selfID: String) throws(PolicyError) -> StartRule {
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

    private mutating func parseContact(_ node: Node, tier: String) throws(PolicyError) -> Contact {
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

    private mutating func parseCustomers(_ node: Node, tiers: [Tier]) throws(PolicyError) -> [String: [String: ContactOverride]] {
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

    // MARK: Hooks

    /// An Apprise URL: `scheme://…`.
    private func appriseURL(_ n: Node) throws(PolicyError) -> String {
        let url = try string(n, "notify")
        guard let r = url.range(of: "://"), !url[..<r.lowerBound].isEmpty,
              url[..<r.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" }) else {
            throw error(n, "'\(url.sanitized)' is not an Apprise URL (scheme://…, e.g. mailto://user:pass@example.com or json://host/path)")
        }
        return url
    }

    private mutating func parseHooks(_ node: Node, tiers: [Tier], directory: Policy) throws(PolicyError) -> [Hook] {
        guard let seq = node.sequence else { throw error(node, "'hooks' must be a list of hooks") }
        var out: [Hook] = []
        for h in seq {
            let m = try mapping(h, "a hook", keys: ["name", "on", "tiers", "severities", "customers", "run", "post", "token_file",
                                                  "timeout", "retries", "backoff", "env", "notify", "notify_config", "title", "body"])
            let name = try requiredString(m, h, "name")
            try checkID(name, m["name"]!)
            if out.contains(where: { $0.name == name }) { throw error(m["name"], "duplicate hook name '\(name)'") }
            if [HookKey.callName, HookKey.callOutName].contains(name) { throw error(m["name"], "'\(name)' names tierwatch's own calls in the timeline: give the hook another name") }
            guard let onNode = m["on"] else { throw error(h, "hook '\(name)' needs 'on': one or more of \(Hook.Trigger.allCases.map(\.rawValue).joined(separator: ", "))") }
            var on: Set<Hook.Trigger> = []
            for n in onNode.sequence ?? [onNode] {
                let t = try string(n, "on")
                guard let trigger = Hook.Trigger(rawValue: t) else {
                    throw error(n, "unknown trigger '\(t)'\(Suggest.didYouMean(t, among: Hook.Trigger.allCases.map(\.rawValue))) (triggers: \(Hook.Trigger.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                on.insert(trigger)
            }
            func list(_ key: String) throws(PolicyError) -> [(String, Node)]? {
                guard let n = m[key] else { return nil }
                var out: [(String, Node)] = []
                for item in n.sequence ?? [n] { out.append((try string(item, key), item)) }
                return out
            }
            var tierSet: Set<String>?
            if let ts = try list("tiers") {
                tierSet = []
                for (t, n) in ts {
                    guard tiers.contains(where: { $0.id == t }) else { throw error(n, "unknown tier '\(t)'\(Suggest.didYouMean(t, among: tiers.map(\.id)))") }
                    tierSet!.insert(t)
                }
            }
            var sevs: Set<Severity>?
            if let ss = try list("severities") {
                sevs = []
                for (v, n) in ss {
                    guard let sev = Severity(rawValue: v) else { throw error(n, "'\(v)' is not a severity (sev1 … sev4)") }
                    sevs!.insert(sev)
                }
            }
            let customers = try list("customers").map { Set($0.map(\.0)) }
            let target: Hook.Target
            let given = ["run", "post", "notify"].filter { m[$0] != nil || ($0 == "notify" && m["notify_config"] != nil) }
            if given.count > 1 { throw error(h, "hook '\(name)' has \(given.joined(separator: " and ")): give one of run, post or notify") }
            if m["notify"] != nil || m["notify_config"] != nil {
                var n = Hook.Notify()
                for item in m["notify"].map({ $0.sequence ?? [$0] }) ?? [] {
                    if let pairs = item.mapping {
                        let mm = try mapping(item, "a notify target", keys: ["on_call", "person"])
                        if let s = mm["on_call"] {
                            let id = try string(s, "on_call")
                            guard directory.schedules.contains(where: { $0.id == id }) else {
                                throw error(s, "unknown schedule '\(id)'\(Suggest.didYouMean(id, among: directory.schedules.map(\.id)))")
                            }
                            n.onCall.append(id)
                        }
                        if let p = mm["person"] {
                            let id = try string(p, "person")
                            guard directory.people.contains(where: { $0.id == id }) else {
                                throw error(p, "unknown person '\(id)'\(Suggest.didYouMean(id, among: directory.people.map(\.id)))")
                            }
                            n.people.append(id)
                        }
                        _ = pairs
                    } else {
                        n.urls.append(try appriseURL(item))
                    }
                }
                if let c = m["notify_config"] {
                    let f = try string(c, "notify_config")
                    guard f.hasPrefix("/") else { throw error(c, "'notify_config' must be an absolute path") }
                    n.config = f
                }
                n.title = try m["title"].map { t throws(PolicyError) in try string(t, "title") }
                n.body = try m["body"].map { t throws(PolicyError) in try string(t, "body") }
                guard !n.urls.isEmpty || n.config != nil || !n.onCall.isEmpty || !n.people.isEmpty else {
                    throw error(m["notify"] ?? h, "hook '\(name)': 'notify' names nobody (Apprise URLs, { on_call: SCHEDULE } or { person: ID })")
                }
                target = .notify(n)
            } else if m["title"] != nil || m["body"] != nil {
                throw error(m["title"] ?? m["body"], "'title' and 'body' go with 'notify'")
            } else {
            switch (m["run"], m["post"]) {
            case let (run?, nil):
                guard let argv = run.sequence, !argv.isEmpty else { throw error(run, "'run' must be a list: the program and its arguments, e.g. [/usr/local/bin/page, --to, ceo]") }
                var words: [String] = []
                for a in argv { words.append(try string(a, "run")) }
                guard words[0].hasPrefix("/") else { throw error(argv[0], "the program '\(words[0])' must be an absolute path (hooks run without a shell or a search path)") }
                // A policy is shared by sites whose machines may differ: a
                // program missing here is a warning (its runs here fail and
                // say so), not a policy that cannot be used.
                if !machine.isExecutable(words[0]) {
                    var w = error(argv[0], "the program '\(words[0])' is not there or not executable on this machine: hook '\(name)' will fail here")
                    w.isWarning = true
                    warnings.append(w)
                }
                target = .run(words)
            case let (nil, post?):
                let url = try string(post, "post")
                guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else { throw error(post, "'post' must be an http:// or https:// URL, not '\(url)'") }
                let token = try m["token_file"].map { n throws(PolicyError) in
                    let f = try string(n, "token_file")
                    guard f.hasPrefix("/") else { throw error(n, "'token_file' must be an absolute path") }
                    return f
                }
                target = .post(url: url, tokenFile: token)
            case (nil, nil):
                throw error(h, "hook '\(name)' needs 'run' (a program) or 'post' (a URL)")
            default:
                throw error(m["post"], "hook '\(name)' has both 'run' and 'post': give one")
            }
            }
            var hook = Hook(name: name, on: on, tiers: tierSet, severities: sevs, customers: customers, target: target)
            if let n = m["timeout"] { hook.timeout = try span(n, "timeout") }
            if let n = m["retries"] {
                let r = try int(n, "retries")
                guard (0...10).contains(r) else { throw error(n, "'retries' must be 0 to 10") }
                hook.retries = r
            }
            if let n = m["backoff"] {
                let text = try string(n, "backoff")
                if text.hasSuffix("ms"), let ms = Int(text.dropLast(2)), ms >= 0 { hook.backoffMilliseconds = ms }
                else if let s = TimeSpan(parsing: text) { hook.backoffMilliseconds = s.seconds * 1000 }
                else { throw error(n, "'backoff' has a bad duration '\(text)' (write e.g. 500ms, 2s)") }
            }
            if let n = m["env"] {
                guard let pairs = n.mapping else { throw error(n, "'env' must map variable names to values") }
                for (k, v) in pairs { hook.environment[try string(k, "env")] = try string(v, "env") }
            }
            out.append(hook)
        }
        return out
    }

    // MARK: Intake

    private func parseIntake(_ node: Node) throws(PolicyError) -> IntakeSettings {
        let m = try mapping(node, "'intake'", keys: ["dedup", "title_annotation", "customer_label", "severity_label", "severity_map",
                                                   "default_severity", "auto_resolve", "policy_label", "policies"])
        var out = IntakeSettings()
        if let n = m["dedup"] {
            let text = try string(n, "dedup")
            guard let d = IntakeSettings.Dedup(rawValue: text) else { throw error(n, "'dedup' must be group or fingerprint, not '\(text)'") }
            out.dedup = d
        }
        if let n = m["title_annotation"] { out.titleAnnotation = try string(n, "title_annotation") }
        if let n = m["customer_label"] { out.customerLabel = try string(n, "customer_label") }
        if let n = m["severity_label"] { out.severityLabel = try string(n, "severity_label") }
        func severity(_ n: Node, _ key: String) throws(PolicyError) -> Severity {
            let text = try string(n, key)
            guard let s = Severity(rawValue: text) else { throw error(n, "'\(text)' is not a severity (sev1 … sev4)") }
            return s
        }
        if let n = m["severity_map"] {
            guard let pairs = n.mapping else { throw error(n, "'severity_map' must map label values to severities, e.g. { critical: sev1 }") }
            var map: [String: Severity] = [:]
            for (k, v) in pairs { map[try string(k, "severity_map").lowercased()] = try severity(v, "severity_map") }
            out.severityMap = map
        }
        if let n = m["default_severity"] { out.defaultSeverity = try severity(n, "default_severity") }
        if let n = m["policy_label"] { out.policyLabel = try string(n, "policy_label") }
        if let n = m["policies"] {
            guard let pairs = n.mapping else { throw error(n, "'policies' must map label values to policy files, e.g. { premium: premium.yaml }") }
            for (k, v) in pairs {
                let file = try string(v, "policies")
                guard !file.isEmpty, !file.split(separator: "/").contains("..") else { throw error(v, "a policy file must be a path inside the store or absolute, without '..'") }
                out.policies[try string(k, "policies")] = file
            }
        }
        if let n = m["auto_resolve"] {
            let text = try string(n, "auto_resolve")
            guard let b = ["true": true, "false": false][text] else { throw error(n, "'auto_resolve' must be true or false") }
            out.autoResolve = b
        }
        return out
    }

    // MARK: People and schedules

    private func parsePeople(_ node: Node) throws(PolicyError) -> [Person] {
        guard let seq = node.sequence else { throw error(node, "'people' must be a list of people, e.g. - { id: ana, name: Ana Lima, phone: \"+1 555 0142\" }") }
        var out: [Person] = []
        for p in seq {
            let m = try mapping(p, "a person", keys: ["id", "name", "phone", "phones", "email", "zone", "note", "notify"])
            let id = try requiredString(m, p, "id")
            try checkID(id, m["id"]!)
            if out.contains(where: { $0.id == id }) { throw error(m["id"], "duplicate person id '\(id)'") }
            let name = try requiredString(m, p, "name")
            var phones: [String] = []
            if let one = m["phone"] { phones.append(try string(one, "phone")) }
            if let many = m["phones"] {
                guard let list = many.sequence else { throw error(many, "'phones' must be a list of numbers") }
                for n in list { phones.append(try string(n, "phones")) }
            }
            var person = Person(id: id, name: name, phones: phones.filter { !$0.trimmingSpaces.isEmpty },
                                email: try m["email"].map { n throws(PolicyError) in try string(n, "email") },
                                zone: try m["zone"].map { n throws(PolicyError) in try zone(n) },
                                note: try m["note"].map { n throws(PolicyError) in try string(n, "note") })
            if let n = m["notify"] {
                for item in n.sequence ?? [n] { person.notify.append(try appriseURL(item)) }
            }
            out.append(person)
        }
        return out
    }

    private func parseSchedules(_ node: Node) throws(PolicyError) -> [Schedule] {
        guard let seq = node.sequence else { throw error(node, "'schedules' must be a list of on-call schedules") }
        var out: [Schedule] = []
        for sNode in seq {
            let m = try mapping(sNode, "a schedule", keys: ["id", "name", "zone", "rotations"])
            let id = try requiredString(m, sNode, "id")
            try checkID(id, m["id"]!)
            if out.contains(where: { $0.id == id }) { throw error(m["id"], "duplicate schedule id '\(id)'") }
            let name = try m["name"].map { n throws(PolicyError) in try string(n, "name") } ?? id
            guard let zoneNode = m["zone"] else { throw error(sNode, "schedule '\(id)' needs a time zone (zone: Europe/Berlin): handoffs are wall-clock times there") }
            let tz = try zone(zoneNode)
            guard let rNode = m["rotations"], let rSeq = rNode.sequence, !rSeq.isEmpty else {
                throw error(m["rotations"] ?? sNode, "schedule '\(id)' has no participants: give it 'rotations', a list with at least one rotation of people")
            }
            var layers: [Rotation] = []
            for r in rSeq { layers.append(try parseRotation(r, schedule: id)) }
            out.append(Schedule(id: id, name: name, zone: tz, layers: layers))
        }
        return out
    }

    private func parseRotation(_ node: Node, schedule: String) throws(PolicyError) -> Rotation {
        let m = try mapping(node, "a rotation", keys: ["people", "shift", "handoff", "start", "only"])
        guard let pNode = m["people"], let pSeq = pNode.sequence, !pSeq.isEmpty else {
            throw error(m["people"] ?? node, "a rotation of schedule '\(schedule)' has no participants: list them, people: [ana, ben]")
        }
        var ids: [String] = []
        for p in pSeq { ids.append(try personRef(p, "people")) }
        guard let shiftNode = m["shift"] else { throw error(node, "a rotation needs a shift: daily, weekly, or e.g. 12h, 3d, 2w") }
        let shiftText = try string(shiftNode, "shift")
        guard let shift = PolicyParser.shift(shiftText) else {
            throw error(shiftNode, "'shift' must be daily, weekly, or a number of hours, days or weeks (12h, 3d, 2w), not '\(shiftText)'")
        }
        var weekday: Int?
        var time = WallTime(hour: 0)
        if let h = m["handoff"] {
            let text = try string(h, "handoff")
            guard let parsed = PolicyParser.handoff(text) else {
                throw error(h, "'handoff' must be a time of day, optionally after a weekday: 09:00 or Mon 09:00, not '\(text)'")
            }
            (weekday, time) = parsed
        }
        guard let startNode = m["start"] else { throw error(node, "a rotation needs a start date (start: 2026-11-02): the first handoff, the first person's first shift") }
        let startText = try string(startNode, "start")
        guard let date = PolicyParser.date(startText) else { throw error(startNode, "'start' must be a date, YYYY-MM-DD, not '\(startText)'") }
        if let weekday, PolicyParser.weekday(of: date) != weekday {
            throw error(startNode, "start \(startText) is a \(PolicyParser.dayNames[PolicyParser.weekday(of: date) - 1]) but the handoff is on \(PolicyParser.dayNames[weekday - 1]): start on the day of the first handoff")
        }
        var restriction: Rotation.Restriction?
        if let only = m["only"] {
            let o = try mapping(only, "'only'", keys: ["days", "hours"])
            var days = Set(1...7)
            if let d = o["days"] {
                let text = try string(d, "days")
                guard let parsed = PolicyParser.days(text) else { throw error(d, "'days' must be weekdays like Mon-Fri or Sat,Sun, not '\(text)'") }
                days = parsed
            }
            var (from, to) = (WallTime(hour: 0), WallTime(hour: 0))
            if let h = o["hours"] {
                let text = try string(h, "hours")
                guard let parsed = PolicyParser.hours(text) else { throw error(h, "'hours' must be a span of the day like 09:00-17:00 (or 22:00-06:00 past midnight), not '\(text)'") }
                (from, to) = parsed
            }
            restriction = Rotation.Restriction(weekdays: days, from: from, to: to)
        }
        return Rotation(people: ids, shift: shift,
                        start: LocalDateTime(year: date.y, month: date.m, day: date.d, time: time), restriction: restriction)
    }

    /// A person id that must be in the directory.
    private func personRef(_ node: Node, _ key: String) throws(PolicyError) -> String {
        let id = try string(node, key)
        guard people.contains(where: { $0.id == id }) else {
            let hint = people.isEmpty ? " (the policy has no 'people:' directory)" : Suggest.didYouMean(id, among: people.map { [$0.id, $0.name] })
            throw error(node, "unknown person '\(id)'\(hint)")
        }
        return id
    }

    private func scheduleRef(_ node: Node) throws(PolicyError) -> String {
        let id = try string(node, "schedule")
        guard schedules.contains(where: { $0.id == id }) else {
            let hint = schedules.isEmpty ? " (the policy has no 'schedules:')" : Suggest.didYouMean(id, among: schedules.map(\.id))
            throw error(node, "unknown schedule '\(id)'\(hint)")
        }
        return id
    }

    private func zone(_ node: Node) throws(PolicyError) -> TimeZone {
        let name = try string(node, "zone")
        guard name.contains("/") || name == "UTC", let tz = TimeZone(identifier: name) else {
            throw error(node, "unknown time zone '\(name)'\(Suggest.didYouMean(name, among: TimeZone.knownTimeZoneIdentifiers)) (a tz database name such as Europe/Berlin or America/New_York)")
        }
        return tz
    }

    /// How far ahead `policy check` looks for hours nobody covers: two
    /// weeks see every weekday restriction twice.
    static let coverageHorizon: TimeInterval = 14 * 86400

    /// A warning for each schedule a contact names that leaves nobody on
    /// call at some instant (restricted layers with a gap between them),
    /// with the first such instant after every rotation has started.
    private mutating func warnUncovered(_ policy: Policy) {
        var seen: Set<String> = []
        for use in scheduleUses where !use.fallback && seen.insert(use.schedule).inserted {
            guard let s = policy.schedule(use.schedule) else { continue }
            // A rotation that has not started yet leaves nobody on call until it does.
            if let first = s.firstCovered, first > now {
                var w = error(use.node, "schedule '\(s.id)' has nobody on call until \(ISOTime.format(first)) (\(Words.localTime(first, zone: s.zone))), when its first rotation starts: contact '\(use.contact)' of tier '\(use.tier)' has nobody to call before then")
                w.isWarning = true
                warnings.append(w)
                continue
            }
            guard let gap = s.firstUncovered(within: PolicyParser.coverageHorizon) else { continue }
            let local = Words.localTime(gap, zone: s.zone)
            var w = error(use.node, "schedule '\(s.id)' leaves nobody on call from \(ISOTime.format(gap)) (\(local)): contact '\(use.contact)' of tier '\(use.tier)' has nobody to call then (add a 24/7 layer, or a fallback person: on the contact)")
            w.isWarning = true
            warnings.append(w)
        }
    }

    static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func shift(_ text: String) -> Rotation.Shift? {
        switch text.lowercased() {
        case "daily": return .days(1)
        case "weekly": return .weeks(1)
        default:
            guard let unit = text.last, let n = Int(text.dropLast()), n >= 1, n <= 1000 else { return nil }
            switch unit {
            case "h": return .hours(n)
            case "d": return .days(n)
            case "w": return .weeks(n)
            default: return nil
            }
        }
    }

    static func time(_ text: String) -> WallTime? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...23).contains(h), (0...59).contains(m) else { return nil }
        return WallTime(hour: h, minute: m)
    }

    static func day(_ text: Substring) -> Int? {
        dayNames.firstIndex { $0.lowercased() == text.prefix(3).lowercased() && text.count >= 3 }.map { $0 + 1 }
    }

    /// `09:00` or `Mon 09:00`.
    static func handoff(_ text: String) -> (weekday: Int?, time: WallTime)? {
        let words = text.split(separator: " ")
        switch words.count {
        case 1: return time(String(words[0])).map { (nil, $0) }
        case 2:
            guard let d = day(words[0]), let t = time(String(words[1])) else { return nil }
            return (d, t)
        default: return nil
        }
    }

    /// `Mon-Fri`, `Sat,Sun`, `Mon-Wed,Fri`, `every day`.
    static func days(_ text: String) -> Set<Int>? {
        if ["every day", "daily", "all"].contains(text.lowercased()) { return Set(1...7) }
        var out: Set<Int> = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard (1...2).contains(ends.count), let a = day(Substring(ends[0])), let b = day(Substring(ends[ends.count - 1])) else { return nil }
            var d = a
            while true {
                out.insert(d)
                if d == b { break }
                d = d % 7 + 1
            }
        }
        return out.isEmpty ? nil : out
    }

    /// `09:00-17:00`; `22:00-06:00` runs past midnight; `00:00-00:00` all day.
    static func hours(_ text: String) -> (WallTime, WallTime)? {
        let ends = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard ends.count == 2, let a = time(ends[0]), let b = time(ends[1] == "24:00" ? "00:00" : ends[1]) else { return nil }
        return (a, b)
    }

    static func date(_ text: String) -> (y: Int, m: Int, d: Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        // No 30 February: the date must come back from its day number.
        let days = ISOTime.daysFromCivil(Int64(y), Int64(m), Int64(d))
        guard ISOTime.format(Date(timeIntervalSince1970: Double(days) * 86400)).hasPrefix(text.count == 10 ? text : String(format: "%04d-%02d-%02d", y, m, d)) else { return nil }
        return (y, m, d)
    }

    /// ISO weekday, 1 = Monday.
    static func weekday(of date: (y: Int, m: Int, d: Int)) -> Int {
        let days = Int(ISOTime.daysFromCivil(Int64(date.y), Int64(date.m), Int64(date.d)))
        return ((days + 3) % 7 + 7) % 7 + 1
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

    private func requiredString(_ m: [String: Node], _ parent: Node, _ key: String) throws(PolicyError) -> String {
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

    private func checkID(_ id: String, _ node: Node) throws(PolicyError) {
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
