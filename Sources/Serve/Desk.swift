import Escalation
import Foundation
import IncidentStore
import Intake

/// The policy new incidents open under, as `tierwatch serve` reads it each
/// time (the CLI's PolicySource, passed in): its text, or why there is none.
public struct PolicyInForce: Sendable {
    public var policy: Policy
    public var text: String
    public init(policy: Policy, text: String) {
        self.policy = policy
        self.text = text
    }
}

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
    let loadPolicy: @Sendable () -> Result<PolicyInForce, DeskError>
    let operatorName: String
    /// Requests by endpoint and result, for `/metrics`.
    private(set) var requests: [String: Int] = [:]
    /// Per incident: its version when its breaches were counted, and them.
    private var breachCache: [String: BreachCount] = [:]
    /// Hook runs of this process by result, for `/metrics`.
    private(set) var hookRuns: [String: Int] = [:]
    /// Automatic calls of this process by result (ok: the telephony
    /// answered something; failed: no call placed).
    private(set) var callRuns: [String: Int] = [:]
    /// Sees other processes' writes without blocking (hooks look often).
    private lazy var follower = StoreFollower(store: store)

    public init(store: IncidentStore, operatorName: String, loadPolicy: @escaping @Sendable () -> Result<PolicyInForce, DeskError>) {
        self.store = store
        storePath = store.path
        self.operatorName = operatorName
        self.loadPolicy = loadPolicy
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
        switch loadPolicy() {
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
        guard case let .success(loaded) = loadPolicy() else {
            count("incidents", "error")
            if case let .failure(e) = loadPolicy() { throw e }
            throw DeskError(status: 500, message: "no policy")
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
        guard case let .success(loaded) = loadPolicy() else {
            if case let .failure(e) = loadPolicy() { return .failure(e) }
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
    static func encode(_ value: Any) -> Data {
        (JSONText.data(value, pretty: false) ?? (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)) + Data("\n".utf8)
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
        var policy: Policy
        var peers: [(host: String, lastSign: Date?, silent: Bool)]
        var requests: [String: Int]
        var hookRuns: [String: Int]
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
        let policy = (try? loadPolicy().get().policy) ?? .builtIn
        let peers = store.peers(expected: policy.sites.expected, silentAfter: Double(policy.sites.silentAfter.seconds), now: now)
        let health = store.health
        return MetricsInputs(incidents: store.state.incidents, policies: store.state.policies, now: now, breachCache: breachCache, policy: policy,
                             peers: peers.map { ($0.host, $0.lastSign, $0.isSilent) }, requests: requests, hookRuns: hookRuns,
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
        let tiers = Array(Set(m.policy.tiers.map(\.id)).union(byTier.keys)).sorted()
        return EscalationMetrics.render(open: board.entries, breachesByTier: byTier, tiers: tiers, intake: m.requests, hookRuns: m.hookRuns,
                                        hooks: m.policy.hooks.map(\.name), badRecords: m.badRecords, unreadable: m.unreadable,
                                        lastEvent: m.lastEvent, peers: m.peers, now: m.now)
    }

    // MARK: Hooks

    /// The hooks due now, each already claimed under the store's lock (so
    /// it runs once on this host, however many serve processes look), and
    /// how long until the clock may make another due.
    public func hooksDue() -> (jobs: [HookJob], calls: [CallJob], next: TimeInterval) {
        // Other processes' writes (the follower), and this process's own
        // (intake, the API, a read by /metrics that took in others').
        let changed = !follower.check().isEmpty || store.state.eventCount != hooksSeenEvents
        hooksSeenEvents = store.state.eventCount
        let now = store.clock.now()
        // Nothing written and no clock change due: nothing can be due now.
        if !changed, now < hooksWake { return ([], [], min(hooksIdle, max(0.002, hooksWake.timeIntervalSince(now)))) }
        guard let policy = try? loadPolicy().get().policy, !policy.hooks.isEmpty || policy.tiers.contains(where: { $0.callOut != nil }) else {
            // No hooks, no call-out: look again in a second (a policy edit may add some).
            hooksWake = now.addingTimeInterval(1)
            hooksIdle = 1
            return ([], [], 1)
        }
        let state = store.state
        let maxAge = Double(policy.hookSettings.maxAge.seconds)
        let grace = Double(policy.hookSettings.grace.seconds)
        // Open incidents, and those resolved within the max age (their `resolved` hook).
        let candidates = state.incidents.values.filter { i in i.state != .resolved || (i.resolved.map { now.timeIntervalSince($0.at) <= maxAge } ?? false) }
        var jobs: [HookJob] = []
        var calls: [CallJob] = []
        var wake = now.addingTimeInterval(60)
        for incident in candidates {
            let entry = Board.Entry(incident, policies: state.policies, at: now)
            if let v = entry.ladder.validUntil { wake = min(wake, v) }
            if let t = CallOutPlanner.nextTry(entry, now: now) { wake = min(wake, t) }
            // A claim with no result becomes a rerun when the hook (or call) could no longer be running.
            for (key, k) in incident.hookKeys where !k.finished {
                guard let at = k.claimedAt, let name = key.split(separator: "#").last else { continue }
                let limit: Double
                if name == CallOutPlanner.recordName, let d = entry.policy.dialer { limit = CallOutPlanner.maxRunSeconds(d) }
                else if let h = policy.hooks.first(where: { $0.name == name }) { limit = HookPlanner.maxRunSeconds(h) }
                else { continue }
                let expiry = at.addingTimeInterval(limit)
                if expiry > now { wake = min(wake, expiry) }
            }
            // Another site's incident: its hooks may become this site's when the grace ends.
            if incident.originMachine != IncidentStore.machineID {
                for o in HookPlanner.occurrences(entry) where o.at.addingTimeInterval(grace) > now { wake = min(wake, o.at.addingTimeInterval(grace)) }
            }
            for due in HookPlanner.due(entry, hooks: policy.hooks, settings: policy.hookSettings, now: now,
                                       machine: IncidentStore.machineID, host: store.host) {
                guard claim(due, settings: policy.hookSettings) else { continue }
                jobs.append(HookRunner.job(due, entry: entry, now: now, host: store.host))
            }
            calls += callOuts(entry, settings: policy.hookSettings, now: now)
        }
        hooksWake = wake
        hooksIdle = 0.1
        return (jobs, calls, min(hooksIdle, max(0.002, wake.timeIntervalSince(now))))
    }

    // MARK: Automatic call-out

    /// The incident's automatic calls due now, each claimed (like a hook) so
    /// two serves never ring a person twice for one try; planned against the
    /// incident's own policy and dialer. A call that cannot be planned (no
    /// number, no URI) is claimed and recorded as failed at once.
    private func callOuts(_ entry: Board.Entry, settings: HookSettings, now: Date) -> [CallJob] {
        guard let dialer = entry.policy.dialer else { return [] }
        var out: [CallJob] = []
        for due in CallOutPlanner.due(entry, dialer: dialer, settings: settings, now: now, machine: IncidentStore.machineID, host: store.host) {
            let claimed = claim(incident: due.incident, HookRecord(name: CallOutPlanner.recordName, key: due.key, result: .claimed, late: due.late), by: "call-out") { e, now in
                guard let d = e.policy.dialer else { return false }
                return CallOutPlanner.due(e, dialer: d, settings: settings, now: now, machine: IncidentStore.machineID, host: store.host)
                    .contains(where: { $0.key == due.key })
            }
            guard claimed else { continue }
            do {
                out.append(CallJob(due: due, plan: try CallPlan.make(entry, contact: due.contact, dialer: dialer, desk: entry.policy.name)))
            } catch {
                callFinished(due, ok: false, error.description)
            }
        }
        return out
    }

    /// "calling …" on the timeline and the message made, before the call.
    public func prepare(_ job: CallJob) -> Result<CallPlan.Message, CallPlan.Refusal> {
        do {
            return .success(try job.plan.prepare(host: store.host, record: recordCall))
        } catch let error as CallPlan.Refusal {
            return .failure(error)
        } catch {
            return .failure(CallPlan.Refusal(description: "\(job.due.incident): \(error)", usage: false))
        }
    }

    /// Records what came of an automatic call: the outcome (as `tierwatch
    /// call` does) and the claim's result.
    public func finished(_ job: CallJob, _ message: CallPlan.Message, _ outcome: Result<CallResult, DialerProblem>) {
        do {
            let plan = job.plan
            let result = try plan.finish(message, outcome, isOpen: { store.state.incidents[plan.incident]?.state == .open }, record: recordCall)
            callFinished(job.due, ok: true, "\(plan.who): \(result.words)")
        } catch {
            callFinished(job.due, ok: false, "\(error)")
        }
    }

    /// The claim's result: ok with what happened, or failed with why.
    public func callFinished(_ due: CallOutDue, ok: Bool, _ detail: String) {
        callRuns[ok ? "ok" : "failed", default: 0] += 1
        let record = HookRecord(name: CallOutPlanner.recordName, key: due.key, result: ok ? .ok : .failed, detail: detail, tries: due.attempt, late: due.late)
        _ = try? store.record(on: due.incident, operatorName: "call-out", at: nil) { _, _, _ in .hook(record) }
    }

    private func recordCall(_ id: String, _ action: Action) throws {
        _ = try store.record(on: id, operatorName: "call-out", at: nil) { _, _, _ in action }
    }

    /// Until when no hook can fall due by the clock alone.
    private var hooksWake = Date.distantPast
    /// The store's event count when hooks last looked.
    private var hooksSeenEvents = -1
    /// How often to look for other processes' writes: often with hooks to
    /// run (an ack's hook starts within this), seldom without.
    private var hooksIdle: TimeInterval = 1

    private struct AlreadyClaimed: Error {}

    /// Appends the claim unless one with the key is there (checked again
    /// under the lock, against every host's records read so far).
    private func claim(_ due: HookDue, settings: HookSettings) -> Bool {
        claim(incident: due.occurrence.incident, HookRecord(name: due.hook.name, key: due.key, result: .claimed, late: due.late)) { entry, now in
            HookPlanner.due(entry, hooks: [due.hook], settings: settings, now: now, machine: IncidentStore.machineID, host: store.host)
                .contains(where: { $0.key == due.key })
        }
    }

    /// Appends a claim record when `stillDue` holds under the lock for the
    /// incident as every host's records read so far have it.
    private func claim(incident id: String, _ record: HookRecord, by operatorName: String = "hook", stillDue: (Board.Entry, Date) -> Bool) -> Bool {
        do {
            // Two serves of this machine under different host names lock
            // different logs: the machine's lock makes their checks and
            // claims one after the other.
            _ = try store.withMachineLock { try store.append { state in
                // Checked again under the lock: another serve's claim (or
                // result) since the plan was made means it is theirs.
                let now = store.clock.now()
                guard let i = state.incidents[id], stillDue(Board.Entry(i, policies: state.policies, at: now), now) else { throw AlreadyClaimed() }
                return IncidentStore.Draft(incident: i.id, action: .hook(record), operatorName: operatorName, baseVersion: i.version)
            } }
            return true
        } catch {
            return false
        }
    }

    /// Records how a run went, on the incident's timeline.
    public func finished(_ job: HookJob, _ r: HookRunner.Result) {
        hookRuns["\(job.due.hook.name)|\(r.ok ? "ok" : "failed")", default: 0] += 1
        let record = HookRecord(name: job.due.hook.name, key: job.due.key, result: r.ok ? .ok : .failed, detail: r.detail, tries: r.tries, late: job.due.late)
        _ = try? store.record(on: job.due.occurrence.incident, operatorName: "hook", at: nil) { _, _, _ in .hook(record) }
    }

    /// Leaves this host's heartbeat (serve is a read-write process).
    public func beat() -> TimeInterval {
        try? store.beat(process: "serve")
        let sites = (try? loadPolicy().get().policy.sites) ?? Policy.Sites()
        return Heartbeat.interval(silentAfter: Double(sites.silentAfter.seconds))
    }

    public func countRequest(_ endpoint: String, _ result: String) { count(endpoint, result) }
}
