/// An escalation policy: the tiers an incident climbs, who to call at each,
/// and when each tier starts and falls due. Parsed from YAML by
/// `Policy(yaml:file:)`; `Policy.builtIn` is the process of DESIGN.md.
public struct Policy: Sendable, Equatable {
    public var name: String
    public var version: Int
    /// Cadence of proactive customer status updates; nil for none.
    public var customerUpdates: TimeSpan?
    public var tiers: [Tier]
    /// Per-customer contact overrides: customer -> contact id -> fields.
    public var customers: [String: [String: ContactOverride]]
    /// Per customer: where its status updates are sent (Apprise URLs;
    /// `customers: acme: { updates: [mailto://…] }`).
    public var updateRecipients: [String: [String]] = [:]
    /// The customer update's templates (`customer_update_template:`); nil: the defaults.
    public var updateTitle: String?
    public var updateBody: String?
    /// The directory: people that contacts, rotations and overrides name.
    public var people: [Person]
    /// On-call schedules that contacts name (`schedule: platform`).
    public var schedules: [Schedule]
    /// The sites sharing the store: who is expected, and when a silent one
    /// is shown as cut off.
    public var sites = Sites()
    /// How `tierwatch serve` turns alerts into incidents (`intake:`).
    public var intake = IntakeSettings()
    /// What `tierwatch serve` runs or posts when a step starts or breaches.
    public var hooks: [Hook] = []
    public var hookSettings = HookSettings()
    /// How tierwatch places calls itself (`dialer:`); nil: it does not.
    public var dialer: DialerSettings?
    /// The tier whose first reached contact is "technical teams engaged"
    /// in the compliance report (`engage: TIER`; without it, the tier whose
    /// id is `technical` if there is one); nil: the report does not measure it.
    public var engage: String?

    public struct Sites: Sendable, Equatable {
        /// Host names expected to give signs of life (heartbeats or events).
        public var expected: [String] = []
        /// A peer with no sign for longer than this is shown on every screen.
        public var silentAfter = TimeSpan(seconds: 120)
        /// How far a host's clock may be off against the others before its
        /// times are not trusted, and before this machine refuses to write.
        public var clockTolerance = TimeSpan(seconds: 60)
        public init(expected: [String] = [], silentAfter: TimeSpan = TimeSpan(seconds: 120), clockTolerance: TimeSpan = TimeSpan(seconds: 60)) {
            self.expected = expected
            self.silentAfter = silentAfter
            self.clockTolerance = clockTolerance
        }
    }

    public init(name: String, version: Int, customerUpdates: TimeSpan?, tiers: [Tier],
                customers: [String: [String: ContactOverride]] = [:], people: [Person] = [], schedules: [Schedule] = []) {
        self.name = name
        self.version = version
        self.customerUpdates = customerUpdates
        self.tiers = tiers
        self.customers = customers
        self.people = people
        self.schedules = schedules
    }

    public func tierIndex(id: String) -> Int? { tiers.firstIndex { $0.id == id } }

    /// The tier's contacts with the customer's overrides applied.
    public func contacts(ofTier index: Int, customer: String?) -> [Contact] {
        let overrides = customer.flatMap { customers[$0] } ?? [:]
        return tiers[index].contacts.map { contact in
            overrides[contact.id].map { contact.applying($0) } ?? contact
        }
    }

    /// Each contact's id and name (the customer's name for it where an
    /// override gives one), as "did you mean" candidates: `[am, Jane Roe]`.
    public func contactKeys(customer: String?) -> [[String]] {
        tiers.indices.flatMap { t in contacts(ofTier: t, customer: customer).map { [$0.id, $0.name] } }
    }

    /// Finds a contact by id or name, case-insensitively, also by the name a
    /// customer's override gives it ("Jane Roe" for acme's account manager).
    public func findContact(_ key: String, customer: String?) -> (tier: Int, contact: Contact)? {
        if let hit = findContact(key) { return hit }
        for t in tiers.indices {
            if let c = contacts(ofTier: t, customer: customer).first(where: { $0.name.lowercased() == key.lowercased() }) {
                return (t, c)
            }
        }
        return nil
    }

    /// A tier by id or name, case-insensitively, or by `T2`-style index.
    public func findTier(_ key: String) -> Int? {
        let k = key.lowercased()
        if let i = tiers.firstIndex(where: { $0.id == k || $0.name.lowercased() == k }) { return i }
        if k.hasPrefix("t"), let n = Int(k.dropFirst()), tiers.indices.contains(n) { return n }
        return nil
    }

    /// Finds a contact by id or name, case-insensitively, in one tier or in
    /// all tiers (first match by tier order).
    public func findContact(_ key: String, inTier index: Int? = nil) -> (tier: Int, contact: Contact)? {
        let wanted = key.lowercased()
        let candidates = index.map { [$0] } ?? Array(tiers.indices)
        for t in candidates {
            if let c = tiers[t].contacts.first(where: { $0.id.lowercased() == wanted }) { return (t, c) }
        }
        for t in candidates {
            if let c = tiers[t].contacts.first(where: { $0.name.lowercased() == wanted }) { return (t, c) }
        }
        return nil
    }
}

public struct Tier: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Its contacts are due within this span of the tier's start.
    public var notifyWithin: TimeSpan?
    /// When the tier starts by itself; nil: with the incident (leading tiers)
    /// or only by manual escalation (later tiers).
    public var start: StartRule?
    public var require: Requirement
    /// `unless: acknowledged`: no auto-start while the incident is acknowledged.
    public var suppressedWhileAcknowledged: Bool
    public var contacts: [Contact]
    /// `call_out:`: serve calls the tier's contacts itself when it starts.
    public var callOut: CallOut?

    public init(id: String, name: String, notifyWithin: TimeSpan? = nil, start: StartRule? = nil,
                require: Requirement = .all, suppressedWhileAcknowledged: Bool = false, contacts: [Contact], callOut: CallOut? = nil) {
        self.id = id
        self.name = name
        self.notifyWithin = notifyWithin
        self.start = start
        self.require = require
        self.suppressedWhileAcknowledged = suppressedWhileAcknowledged
        self.contacts = contacts
        self.callOut = callOut
    }
}

public struct StartRule: Sendable, Equatable {
    public enum Anchor: Sendable, Equatable {
        case open
        case tier(String)
    }
    public var after: TimeSpan
    public var from: Anchor

    public init(after: TimeSpan, from: Anchor) {
        self.after = after
        self.from = from
    }
}

/// Which contacts must be reached for a tier to be done.
public enum Requirement: String, Sendable, Equatable, CaseIterable {
    case all, any, none
}

public struct Contact: Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: String?
    public var phone: String?
    public var email: String?
    /// A person of the directory to call (by id).
    public var person: String?
    /// An on-call schedule whose person on call to call (by id); with
    /// `person` as well, that person is called when nobody is on call.
    public var schedule: String?

    public init(id: String, name: String, role: String? = nil, phone: String? = nil, email: String? = nil,
                person: String? = nil, schedule: String? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.phone = phone
        self.email = email
        self.person = person
        self.schedule = schedule
    }

    func applying(_ o: ContactOverride) -> Contact {
        Contact(id: id, name: o.name ?? name, role: o.role ?? role, phone: o.phone ?? phone, email: o.email ?? email,
                person: o.person ?? person, schedule: o.schedule ?? schedule)
    }

    /// A bare contact name's id: lower-case letters and digits joined by `-`.
    public static func slug(_ name: String) -> String {
        var out = ""
        var pendingDash = false
        for ch in name.lowercased().unicodeScalars {
            if ch.properties.isAlphabetic || ("0"..."9").contains(ch) {
                if pendingDash && !out.isEmpty { out += "-" }
                out.unicodeScalars.append(ch)
                pendingDash = false
            } else {
                pendingDash = true
            }
        }
        return out
    }
}

public struct ContactOverride: Sendable, Equatable {
    public var name: String?
    public var role: String?
    public var phone: String?
    public var email: String?
    public var person: String?
    public var schedule: String?

    public init(name: String? = nil, role: String? = nil, phone: String? = nil, email: String? = nil,
                person: String? = nil, schedule: String? = nil) {
        self.name = name
        self.role = role
        self.phone = phone
        self.email = email
        self.person = person
        self.schedule = schedule
    }
}

/// `intake:` in the policy: how Alertmanager's alerts become incidents.
/// The defaults work untouched.
public struct IntakeSettings: Sendable, Equatable {
    public enum Dedup: String, Sendable, Equatable {
        /// One incident per Alertmanager group (`groupKey`).
        case group
        /// One incident per alert (`fingerprint`).
        case fingerprint
    }
    public var dedup = Dedup.group
    /// The annotation that becomes the title (else the alert's name).
    public var titleAnnotation = "summary"
    /// The label naming the customer.
    public var customerLabel = "customer"
    /// The label giving the severity, read through `severityMap`.
    public var severityLabel = "severity"
    public var severityMap: [String: Severity] = ["critical": .sev1, "page": .sev1, "error": .sev2, "high": .sev2,
                                                   "warning": .sev3, "medium": .sev3, "info": .sev4, "low": .sev4]
    /// When the label is missing or maps to nothing.
    public var defaultSeverity = Severity.sev2
    /// Resolve the incident when monitoring reports resolved (default: a
    /// timeline entry, and a person resolves: the escalation ends when the
    /// customer's problem is solved, not when an alert clears).
    public var autoResolve = false
    /// The label that picks the policy an alert's incident opens under, by
    /// its value (`policies`); an alert without it, or with a value not
    /// listed, opens under the policy in force.
    public var policyLabel = "policy"
    /// Label value -> policy file (relative to the store).
    public var policies: [String: String] = [:]

    public init() {}
}

/// A hook: a program run (argv, never a shell) or a URL posted to when one
/// of its triggers happens to a matching incident. `tierwatch serve` runs
/// it once per occurrence (see docs/serve.md, "Hooks").
public struct Hook: Sendable, Equatable {
    public enum Trigger: String, Sendable, Equatable, CaseIterable {
        case incidentOpened = "incident_opened"
        case tierStarted = "tier_started"
        case tierOverdue = "tier_overdue"
        case customerUpdateDue = "customer_update_due"
        case acknowledged, escalated, resolved
    }
    public enum Target: Sendable, Equatable {
        case run([String])
        case post(url: String, tokenFile: String?)
        /// A message through Apprise (`apprise`, one URL syntax for 100+ services).
        case notify(Notify)
    }

    /// Whom a `notify:` hook reaches, and what it says.
    public struct Notify: Sendable, Equatable {
        /// Apprise URLs: `mailto://…`, `slack://…`, `json://…`.
        public var urls: [String] = []
        /// An Apprise configuration file (not readable by everyone).
        public var config: String?
        /// Whoever is on call in these schedules (ids), at their own URLs.
        public var onCall: [String] = []
        /// These people of the directory (ids), at their own URLs.
        public var people: [String] = []
        /// Templates (`{id}`, `{title}`, … see docs/serve.md, "Notifications"); nil: the trigger's default.
        public var title: String?
        public var body: String?
        public init() {}
    }
    public var name: String
    public var on: Set<Trigger>
    /// Only these tiers (ids), severities or customers; nil: any.
    public var tiers: Set<String>?
    public var severities: Set<Severity>?
    public var customers: Set<String>?
    public var target: Target
    public var timeout: TimeSpan
    /// Further tries after a failure, waiting `backoff`, then twice as long each time.
    public var retries: Int
    public var backoffMilliseconds: Int
    /// Variables passed to the program, besides `TIERWATCH_*` and `PATH`.
    public var environment: [String: String]

    public init(name: String, on: Set<Trigger>, tiers: Set<String>? = nil, severities: Set<Severity>? = nil, customers: Set<String>? = nil,
                target: Target, timeout: TimeSpan = TimeSpan(seconds: 10), retries: Int = 3, backoffMilliseconds: Int = 1000,
                environment: [String: String] = [:]) {
        self.name = name
        self.on = on
        self.tiers = tiers
        self.severities = severities
        self.customers = customers
        self.target = target
        self.timeout = timeout
        self.retries = retries
        self.backoffMilliseconds = backoffMilliseconds
        self.environment = environment
    }
}

/// `hook_settings:` in the policy.
public struct HookSettings: Sendable, Equatable {
    /// Another site's serve runs an incident's hook only when no claim from
    /// the incident's own site has arrived this long after the trigger.
    public var grace = TimeSpan(seconds: 60)
    /// A trigger missed while no serve ran fires late, unless older than this.
    public var maxAge = TimeSpan(seconds: 3600)
    public init() {}
}
