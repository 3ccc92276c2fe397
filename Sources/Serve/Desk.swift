import Escalation
import Foundation
import IncidentStore
import Intake

/// A request the store refused or could not take, as HTTP says it.
public struct DeskError: Error, Sendable {
    public var status: Int
    public var message: String
    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
}

extension Desk {
    /// A write that failed: 503 while this machine's clock is off against
    /// the other hosts (it may come right; the sender retries), else 500.
    static func failure(_ error: Error) -> DeskError {
        if let e = error as? StoreError, case .clock = e { return DeskError(status: 503, message: e.description) }
        return DeskError(status: 500, message: "\(error)")
    }
}

/// The one place `serve` touches the store: an actor, so requests take
/// their turn; each write goes through the store's lock and checks like
/// the CLI's, so several serve processes and the CLI share one store.
public actor Desk {
    let store: IncidentStore
    /// The store's directory, for readers of their own (the event stream).
    public nonisolated let storePath: String
    /// The policy file as it reads now (read again when it changes).
    let loadPolicy: @Sendable () -> PolicyReading
    let operatorName: String
    /// Requests by endpoint and result, for `/metrics`.
    private(set) var requests: [String: Int] = [:]
    /// Per incident: its version when its breaches were counted, and them.
    private var breachCache: [String: BreachCount] = [:]
    /// Hook runs of this process by result, for `/metrics`.
    var hookRuns: [String: Int] = [:]
    /// Automatic calls of this process by result: the outcome recorded
    /// (`reached`, `voicemail`, `no_answer`) or `not_placed`.
    var callRuns: [String: Int] = [:]
    /// This process's automatic calls in progress, by key.
    var activeCalls: [String: CallJob] = [:]
    /// Sees other processes' writes without blocking (hooks look often).
    lazy var follower = StoreFollower(store: store)

    public init(store: IncidentStore, operatorName: String, loadPolicy: @escaping @Sendable () -> PolicyReading) {
        self.store = store
        storePath = store.path
        self.operatorName = operatorName
        self.loadPolicy = loadPolicy
    }

    /// The policy new incidents open under, or why none can be opened (503:
    /// an edit may come right; Alertmanager retries).
    func policyInForce() -> Result<PolicyInForce, DeskError> {
        loadPolicy().current.mapError { DeskError(status: 503, message: "the policy file does not parse, so no incident can be opened: \($0.message)") }
    }

    func count(_ endpoint: String, _ result: String) { requests["\(endpoint)|\(result)", default: 0] += 1 }

    /// What one webhook request did: per incident, `opened`, `noted`,
    /// `resolved`; nothing for a repeat.
    public struct Outcome: Sendable {
        public var incident: String
        public var did: String
    }

    /// Takes an Alertmanager group in: plans against the freshest state
    /// and records each step under the store's lock.
    public func intake(_ group: AlertGroup, stillWanted: @Sendable () -> Bool = { true }) throws(DeskError) -> [Outcome] {
        let loaded: PolicyInForce
        switch policyInForce() {
        case let .success(p):
            loaded = p
            store.clockTolerance = Double(p.policy.sites.clockTolerance.seconds)
        case let .failure(e):
            count("alertmanager", "error")
            throw e
        }
        store.refresh()
        let steps = AlertIntake.plan(group, settings: loaded.policy.intake) { store.state.incidents(dedupKey: $0) }
        var out: [Outcome] = []
        do {
            for var step in steps {
                var text = loaded.text
                if case let .openUnder(file, inner) = step {
                    text = try policyText(file)
                    step = inner
                }
                switch step {
                case .openUnder:
                    break  // unwrapped above
                case let .open(title, customer, severity, key, note):
                    let opening = Opening(title: title, customer: customer, severity: severity, policyYAML: text,
                                          policyDigest: Policy.digest(of: text), dedupKey: key, originMachine: IncidentStore.machineID)
                    // Only the first write asks whether the client is still
                    // there: once one is made, the group is taken in whole.
                    let first = out.isEmpty
                    let e = try openOnce(opening, key: key, stillWanted: { !first || stillWanted() })
                    _ = try store.record(on: e, operatorName: operatorName, at: nil) { _, _, _ in .monitoring(note) }
                    out.append(Outcome(incident: e, did: "opened"))
                case let .note(id, note):
                    let first = out.isEmpty
                    _ = try store.record(on: id, operatorName: operatorName, at: nil) { (_: Incident, _: Policy, _: Date) throws -> Action in
                        guard !first || stillWanted() else { throw ClientLeft() as any Error }
                        return .monitoring(note)
                    }
                    out.append(Outcome(incident: id, did: "noted"))
                case let .resolve(id, message):
                    let first = out.isEmpty
                    _ = try store.record(on: id, operatorName: operatorName, at: nil) { (_: Incident, _: Policy, _: Date) throws -> Action in
                        guard !first || stillWanted() else { throw ClientLeft() as any Error }
                        return .resolved(message: message)
                    }
                    out.append(Outcome(incident: id, did: "resolved"))
                }
            }
        } catch let e as DeskError {
            count("alertmanager", "error")
            throw e
        } catch is ClientLeft {
            count("alertmanager", "client_left")
            throw Desk.clientLeft
        } catch {
            count("alertmanager", "error")
            throw Desk.failure(error)
        }
        count("alertmanager", out.isEmpty ? "unchanged" : "recorded")
        return out
    }

    /// The text of a policy file `intake.policies` names (relative to the
    /// store), checked: a file that does not parse refuses the request
    /// (Alertmanager retries it), never opens an incident under a guess.
    private func policyText(_ file: String) throws(DeskError) -> String {
        let path = file.hasPrefix("/") ? file : storePath + "/" + file
        guard let data = FileManager.default.contents(atPath: path), data.count <= 256 * 1024,
              let text = String(data: data, encoding: .utf8) else {
            throw DeskError(status: 500, message: "\(path): the policy intake.policies names cannot be read")
        }
        do { _ = try Policy(yaml: text, file: path) } catch {
            throw DeskError(status: 500, message: "\(error.description) (named by intake.policies)")
        }
        return text
    }

    /// Opens an incident for `key` unless another writer (a second serve
    /// process) opened one for it since the plan was made: checked again
    /// under the lock. Returns the incident's id.
    /// With no key, always opens one. `stillWanted` is asked under the lock
    /// before anything is written: a client that has gone gets nothing done.
    private func openOnce(_ opening: Opening, key: String?, stillWanted: () -> Bool) throws -> String {
        var opened: String?
        var rng = SystemRandomNumberGenerator()
        do {
            _ = try store.append { state in
            if let key, let open = state.incidents(dedupKey: key).last(where: { $0.state != .resolved }) {
                opened = open.id
                throw AlreadyOpen()
            }
            guard stillWanted() else { throw ClientLeft() }
            let id = IncidentID.generate(avoiding: { state.incidents[$0] != nil || state.orphans[$0] != nil || state.archive.contains($0) }, using: &rng)
            opened = id
            return IncidentStore.Draft(incident: id, action: .opened(opening), operatorName: operatorName, baseVersion: 0)
            }
        } catch is AlreadyOpen {}
        return opened!
    }

    private struct AlreadyOpen: Error {}
    /// The client closed its connection before its write was carried out.
    struct ClientLeft: Error {}
    static let clientLeft = DeskError(status: 499, message: "the client closed the connection before its request was carried out: nothing was recorded")

    /// `POST /api/v1/incidents`: opens an incident, or returns the open one
    /// with the same dedup key. Returns (created, incident JSON).
    public func raise(title: String, customer: String?, severity: Severity, dedupKey: String?,
                      stillWanted: @Sendable () -> Bool = { true }) throws(DeskError) -> (created: Bool, id: String, json: Data) {
        let loaded: PolicyInForce
        switch policyInForce() {
        case let .success(p): loaded = p
        case let .failure(e):
            count("incidents", "error")
            throw e
        }
        store.clockTolerance = Double(loaded.policy.sites.clockTolerance.seconds)
        store.refresh()
        let key = dedupKey.map { "api/" + $0 }
        do {
            if let key, let open = store.state.incidents(dedupKey: key).last(where: { $0.state != .resolved }) {
                count("incidents", "existing")
                return (false, open.id, json(open))
            }
            let opening = Opening(title: title, customer: customer, severity: severity, policyYAML: loaded.text,
                                  policyDigest: Policy.digest(of: loaded.text), dedupKey: key, originMachine: IncidentStore.machineID)
            let id = try openOnce(opening, key: key, stillWanted: stillWanted)
            count("incidents", "created")
            return (true, id, json(store.state.incidents[id]!))
        } catch is ClientLeft {
            count("incidents", "client_left")
            throw Desk.clientLeft
        } catch {
            count("incidents", "error")
            throw Desk.failure(error)
        }
    }

    /// `GET /api/v1/oncall/SCHEDULE.ics` and `/api/v1/oncall/people/PERSON.ics`:
    /// the shifts of the next `weeks` with overrides, as `tierwatch oncall --ics` prints them.
    public func calendar(schedule: String?, person: String?, weeks: Int, version: String) -> Result<String, DeskError> {
        // The schedules of the policy in force, or while it does not parse
        // the last that did: a calendar is not an incident to open.
        guard let loaded = loadPolicy().working else {
            if case let .failure(e) = policyInForce() { return .failure(e) }
            return .failure(DeskError(status: 503, message: "no policy"))
        }
        store.refresh()
        let policy = loaded.policy
        let now = store.clock.now()
        var schedules = policy.schedules
        var who: Person?
        if let schedule {
            guard let s = policy.findSchedule(schedule) else { return .failure(DeskError(status: 404, message: "unknown schedule '\(schedule.sanitized)'")) }
            schedules = [s]
        }
        if let person {
            guard let p = policy.person(person.lowercased()) else { return .failure(DeskError(status: 404, message: "unknown person '\(person.sanitized)'")) }
            who = p
        }
        let shifts = OnCallCalendar.shifts(policy, schedules: schedules, overrides: store.state.policies.overrides, from: now,
                                           to: now.addingTimeInterval(Double(weeks) * 7 * 86400), person: who?.id)
        let name = "on call: " + (who?.name ?? schedules.map(\.name).joined(separator: ", "))
        return .success(OnCallCalendar.ics(shifts, name: name.sanitized, now: now, version: version))
    }

    /// An incident as the API gives it: the CLI's JSON, compact, with a newline.
    func json(_ i: Incident) -> Data {
        let now = store.clock.now()
        return JSONText.data(Board.Entry(i, policies: store.state.policies, at: now).json(now: now), pretty: false) + Data("\n".utf8)
    }

    /// The store as read now, for work done off the actor (a long list
    /// must not hold up intake, health or hooks): a copy of values.
    public func snapshot() -> (incidents: [String: Incident], policies: PolicyBook, now: Date) {
        store.refresh()
        return (store.state.incidents, store.state.policies, store.clock.now())
    }

    /// A page of `GET /api/v1/incidents`: the board, most urgent first.
    public struct Page: Sendable {
        public var body: Data
        /// The id to pass as `after` for the next page; nil on the last.
        public var next: String?
        public var total: Int
    }

    /// `GET /api/v1/incidents[?all=true][&limit=N][&after=ID]`, built from a
    /// snapshot outside the actor. `after` is the last id of the previous
    /// page in the board's order; an id no longer listed is an error (the
    /// client starts again), never a silently different page.
    public nonisolated func list(all: Bool, limit: Int, after: String?, byOpening: Bool = false) async throws(DeskError) -> Page {
        let (incidents, policies, now) = await snapshot()
        var entries = Board(incidents, policies: policies, now: now, includeResolved: all).entries
        // Urgency moves incidents between pages as they change (an ack puts
        // one later); the opening order never does: every incident once.
        if byOpening {
            entries.sort { ($0.incident.opened.at, $0.incident.id) < ($1.incident.opened.at, $1.incident.id) }
        }
        var start = 0
        if let after {
            guard let k = entries.firstIndex(where: { $0.incident.id == after.uppercased() }) else {
                throw DeskError(status: 400, message: "after: '\(after.sanitized)' is not in the list now (resolved, or not an incident); start again without after")
            }
            start = k + 1
        }
        let page = entries[start...].prefix(limit)
        let next = start + page.count < entries.count ? page.last?.incident.id : nil
        var body = Data()
        JSONText.writeArray(values: page.lazy.map { $0.json(now: now) }, pretty: false) { body.append($0) }
        body.append(0x0A)
        return Page(body: body, next: next, total: entries.count)
    }

    /// `GET /api/v1/incidents/ID`.
    public func show(_ typed: String) -> Data? {
        store.refresh()
        return store.state.incident(typed).map { json($0) }
    }

    /// JSON as the CLI's `--json` prints it (sorted keys), with a newline.
    static func encode(_ value: JSONValue) -> Data {
        JSONText.data(value, pretty: false) + Data("\n".utf8)
    }

    /// What `/healthz` says: nil when the whole store was read.
    public func healthProblem() -> String? {
        store.refresh()
        let h = store.health
        let problem = h.isComplete && h.access == .readable ? nil : h.problems.joined(separator: "; ")
        live.health(problem, at: Date())
        return problem
    }

    /// What serve knows without waiting for the actor: the last health
    /// look and the connection table. `/healthz` answers from it at once.
    public nonisolated let live = Live()

    public final class Live: @unchecked Sendable {
        private let lock = NSLock()
        private var problem: String?
        private var lookedAt: Date?
        public var connections: ConnectionTable? {
            get { lock.withLock { table } }
            set { lock.withLock { table = newValue } }
        }
        private var table: ConnectionTable?

        private var responses: [Int: Int] = [:]

        func health(_ problem: String?, at: Date) { lock.withLock { (self.problem, lookedAt) = (problem, at) } }

        func answered(_ code: Int) { lock.withLock { responses[code, default: 0] += 1 } }

        /// The HTTP side's series: answers by status class and code (the
        /// usual ones from the start, at 0), and the connection table's.
        public func httpMetrics() -> String {
            let (counts, table) = lock.withLock { (responses, self.table) }
            var m = MetricsText()
            let codes = Set([200, 201, 400, 401, 404, 405, 413, 500, 503]).union(counts.keys).sorted()
            m.family("tierwatch_http_responses_total", "counter", "Answers given by serve's HTTP API, by status code.",
                     codes.map { (labels: [("code", "\($0)")], value: Double(counts[$0] ?? 0)) })
            return m.text + (table?.metrics() ?? "")
        }

        /// The last look's finding, or why there is none to trust: a look
        /// older than `stale` means the desk is stuck (a lock held, a disk
        /// that hangs), which is a problem in itself.
        public func healthProblem(now: Date, stale: TimeInterval = 5) -> String? {
            lock.withLock {
                guard let at = lookedAt else { return "starting: the store has not been read yet" }
                let age = now.timeIntervalSince(at)
                if age > stale { return "the store has not been looked at for \(Int(age))s (serve is stuck on a write or a slow disk)" }
                return problem
            }
        }
    }

    /// What `/metrics` is made from, read on the actor (quick: a refresh,
    /// copies of values, the heartbeat files); the counting is done off it.
    struct MetricsInputs: Sendable {
        var incidents: [String: Incident]
        var policies: PolicyBook
        var now: Date
        var breachCache: [String: BreachCount]
        var policy: PolicyReading
        var peers: [(host: String, lastSign: Date?, silent: Bool)]
        var requests: [String: Int]
        var hookRuns: [String: Int]
        var callRuns: [String: Int]
        var badRecords: Int
        var unreadable: Bool
        var lastEvent: [String: Date]
    }

    struct BreachCount: Sendable {
        var version: Int
        var tiers: [String]
    }

    func metricsInputs() -> MetricsInputs {
        store.refresh()
        let now = store.clock.now()
        let reading = loadPolicy()
        let sites = reading.sites
        let peers = store.peers(expected: sites.expected, silentAfter: Double(sites.silentAfter.seconds), now: now)
        let health = store.health
        return MetricsInputs(incidents: store.state.incidents, policies: store.state.policies, now: now, breachCache: breachCache, policy: reading,
                             peers: peers.map { ($0.host, $0.lastSign, $0.isSilent) }, requests: requests, hookRuns: hookRuns, callRuns: callRuns,
                             badRecords: store.badRecordCount, unreadable: !health.isComplete || health.access != .readable,
                             lastEvent: store.state.lastRecorded.filter { !$0.key.contains("~") })
    }

    /// Keeps the resolved incidents' breach counts of the last scrape, and
    /// returns the totals by tier never below what was exported before: a
    /// breach undone later (an ack back-dated, another site's arriving late)
    /// must not make the counter fall (Prometheus would read a restart).
    func keep(_ cache: [String: BreachCount], totals: [String: Int]) -> [String: Int] {
        breachCache = cache
        for (tier, n) in totals { breachTotals[tier] = max(n, breachTotals[tier] ?? 0) }
        return breachTotals
    }
    private var breachTotals: [String: Int] = [:]

    /// `GET /metrics`: the counting (every incident's ladder) is done off
    /// the actor, so a scrape of a large store holds up no write or hook.
    public nonisolated func metrics() async -> String {
        let m = await metricsInputs()
        let board = Board(m.incidents, policies: m.policies, now: m.now, includeResolved: false)
        // Breaches of every incident ever: a resolved one's never change,
        // so each is counted again only when it changed.
        var byTier: [String: Int] = [:]
        var cache: [String: BreachCount] = [:]
        for (id, i) in m.incidents {
            let tiers: [String]
            if i.state == .resolved, let cached = m.breachCache[id], cached.version == i.version {
                tiers = cached.tiers
            } else {
                tiers = EscalationMetrics.breaches(Board.Entry(i, policies: m.policies, at: m.now))
            }
            if i.state == .resolved { cache[id] = BreachCount(version: i.version, tiers: tiers) }
            for t in tiers { byTier[t, default: 0] += 1 }
        }
        byTier = await keep(cache, totals: byTier)
        // The tiers and hooks of the policy serve works under (the last that
        // parsed while the file does not: tierwatch_policy_invalid says so).
        let working = m.policy.working?.policy
        let tiers = Array(Set((working?.tiers ?? []).map(\.id)).union(byTier.keys)).sorted()
        return EscalationMetrics.render(open: board.entries, breachesByTier: byTier, tiers: tiers, intake: m.requests, hookRuns: m.hookRuns,
                                        hooks: (working?.hooks ?? []).map(\.name), callOuts: m.callRuns,
                                        callOut: working?.tiers.contains { $0.callOut != nil } ?? false,
                                        badRecords: m.badRecords, unreadable: m.unreadable, policyInvalid: m.policy.problem != nil,
                                        lastEvent: m.lastEvent, peers: m.peers, now: m.now)
    }

    /// Until when no hook can fall due by the clock alone.
    var hooksWake = Date.distantPast
    /// The store's event count when hooks last looked.
    var hooksSeenEvents = -1
    /// How often to look for other processes' writes: often with hooks to
    /// run (an ack's hook starts within this), seldom without.
    var hooksIdle: TimeInterval = 1

    /// Leaves this host's heartbeat (serve is a read-write process).
    public func beat() -> TimeInterval {
        try? store.beat(process: "serve")
        let sites = loadPolicy().sites
        return Heartbeat.interval(silentAfter: Double(sites.silentAfter.seconds))
    }

    public func countRequest(_ endpoint: String, _ result: String) { count(endpoint, result) }
}
