import Foundation

/// Did we keep our promise? Per step of the policy, how many incidents
/// reached it and how many met its deadline, late (by how much) or missed;
/// customer updates on time; MTTA and MTTR; the worst incidents. Derived
/// from the incidents and their ladders, like every screen.
public struct ComplianceReport: Sendable {
    public struct Step: Sendable {
        public var tierID: String
        public var name: String
        /// `within 10m of its start`.
        public var rule: String  // only steps with a deadline are reported
        public var reached = 0
        public var met = 0
        public var late = 0
        /// Started and never met before the resolution (or overdue now).
        public var missed = 0
        public var lateness: [Int] = []
        public var share: Double? { reached == 0 ? nil : Double(met) / Double(reached) }
    }

    public struct Worst: Sendable {
        public var incident: String
        public var title: String
        /// Seconds late over all its steps.
        public var lateSeconds: Int
        /// The longest time the customer heard nothing, in seconds.
        public var silenceSeconds: Int
    }

    public var from: Date
    public var to: Date
    public var incidents = 0
    public var steps: [Step] = []
    public var updateIntervals = 0
    public var updatesOnTime = 0
    public var longestSilence: (seconds: Int, incident: String)?
    /// Opening to first acknowledgement, of those acknowledged.
    public var tta: [Int] = []
    public var unacknowledged = 0
    /// Opening to resolution, of those resolved.
    public var ttr: [Int] = []
    /// Opening to the first reached contact of the engage tier
    /// (the policy's `engage`), of those engaged.
    public var tte: [Int] = []
    /// The names of the tiers `tte` measures, as the incidents' policies
    /// name them (none: no policy names one, and it is not measured).
    public var engageTiers: [String] = []
    public var worst: [Worst] = []
    /// Per week (Monday, UTC): the share of steps met on time.
    public var weekly: [(week: Date, share: Double?)] = []

    /// The report of the entries opened in [from, to), evaluated at `now`.
    public init(_ entries: [Board.Entry], from: Date, to: Date, now: Date) {
        self.init(facts: entries.map { IncidentFacts($0) }, from: from, to: to)
    }

    /// The report of the incidents opened in [from, to), from what each
    /// one's ladder decided (`IncidentFacts`): those in memory derived now,
    /// archived ones as the checkpoint kept them.
    public init(facts: [IncidentFacts], from: Date, to: Date) {
        self.from = from
        self.to = to
        // A year is 90,000 incidents: each step finds its row through the
        // tier table's slots (most incidents share one table), and only
        // the five worst are kept as the incidents go by.
        var rows: [Step] = []
        var slotsByTable: [ObjectIdentifier: [Int?]] = [:]
        var rowByID: [String: Int] = [:]
        /// Each row's place in its policy (the lowest index it had): the
        /// rows are listed in the policy's order, whatever order the
        /// incidents come in.
        var rowIndex: [Int] = []
        var lastTable: ComplianceTiers?
        var lastSlots: [Int?] = []
        var worst: [Worst] = []
        var weeks: [Int: (met: Int, reached: Int)] = [:]
        for f in facts where f.opened >= from && f.opened < to {
            incidents += 1
            if f.tiers !== lastTable {
                lastSlots = slotsByTable[ObjectIdentifier(f.tiers)] ?? Array(repeating: nil, count: f.tiers.tiers.count)
                lastTable = f.tiers
                if let k = f.tiers.engage, !engageTiers.contains(f.tiers.tiers[k].name) { engageTiers.append(f.tiers.tiers[k].name) }
            }
            let week = ComplianceReport.mondayDay(f.opened)
            var lateTotal = 0
            for s in f.steps {
                let row: Int
                if let known = lastSlots[s.tier] {
                    row = known
                } else {
                    let tier = f.tiers.tiers[s.tier]
                    if let k = rowByID[tier.id] {
                        row = k
                        rowIndex[k] = min(rowIndex[k], s.tier)
                    } else {
                        row = rows.count
                        rows.append(Step(tierID: tier.id, name: tier.name, rule: tier.rule))
                        rowIndex.append(s.tier)
                        rowByID[tier.id] = row
                    }
                    lastSlots[s.tier] = row
                    slotsByTable[ObjectIdentifier(f.tiers)] = lastSlots
                }
                rows[row].reached += 1
                weeks[week, default: (0, 0)].reached += 1
                lateTotal += s.lateSeconds
                switch s.outcome {
                case .met:
                    rows[row].met += 1
                    weeks[week]!.met += 1
                case .late:
                    rows[row].late += 1
                    rows[row].lateness.append(s.lateSeconds)
                case .missed:
                    rows[row].missed += 1
                }
            }
            tally(f)
            // Worst: a step met late or missed, or the customer left waiting.
            if lateTotal > 0 || f.updatesOnTime < f.updateIntervals {
                ComplianceReport.keep(Worst(incident: f.id, title: f.title, lateSeconds: lateTotal, silenceSeconds: f.longestSilence ?? 0), in: &worst)
            }
        }
        // Sorted once, so that every percentile of them is a lookup.
        for k in rows.indices { rows[k].lateness.sort() }
        tta.sort()
        ttr.sort()
        tte.sort()
        steps = rows.indices.sorted { (rowIndex[$0], rows[$0].tierID) < (rowIndex[$1], rows[$1].tierID) }.map { rows[$0] }
        self.worst = worst
        weekly = weeks.keys.sorted().map { d in
            (Date(timeIntervalSince1970: Double(d) * 86400), weeks[d]!.reached == 0 ? nil : Double(weeks[d]!.met) / Double(weeks[d]!.reached))
        }
    }

    /// One incident's times to acknowledge, resolve and engage, its
    /// customer updates and its longest silence (on a tie, the lowest id:
    /// the same whatever the order).
    private mutating func tally(_ f: IncidentFacts) {
        if let a = f.acknowledgedAfter { tta.append(a) } else { unacknowledged += 1 }
        if let r = f.resolvedAfter { ttr.append(r) }
        if let e = f.engagedAfter { tte.append(e) }
        updateIntervals += f.updateIntervals
        updatesOnTime += f.updatesOnTime
        if let silence = f.longestSilence, silence > 0,
           longestSilence.map({ silence > $0.seconds || (silence == $0.seconds && f.id < $0.incident) }) ?? true {
            longestSilence = (silence, f.id)
        }
    }

    /// Keeps `w` among the five worst, most late first, then longest silence, then id.
    static func keep(_ w: Worst, in worst: inout [Worst]) {
        func worse(_ a: Worst, _ b: Worst) -> Bool {
            (a.lateSeconds, a.silenceSeconds, b.incident) > (b.lateSeconds, b.silenceSeconds, a.incident)
        }
        guard worst.count < 5 || worse(w, worst[worst.count - 1]) else { return }
        worst.insert(w, at: worst.firstIndex { worse(w, $0) } ?? worst.count)
        if worst.count > 5 { worst.removeLast() }
    }

    /// The day number (since 1970) of the Monday of the week `d` falls in.
    static func mondayDay(_ d: Date) -> Int {
        let days = Int((d.timeIntervalSince1970 / 86400).rounded(.down))
        return days - ((days + 3) % 7 + 7) % 7  // 0 = Monday
    }

    /// The Monday 00:00 UTC of the week `d` falls in.
    public static func monday(_ d: Date) -> Date {
        Date(timeIntervalSince1970: Double(mondayDay(d)) * 86400)
    }

    /// Whether a tier broke its promise: met late, or past its due time
    /// unmet (a tier the incident was resolved before it fell due did not).
    public static func breached(_ r: Ladder.Rung, resolvedAt: Date?) -> Bool {
        switch r.status {
        case .late, .overdue: return true
        case .missed: return r.dueAt.map { due in resolvedAt.map { $0 > due } ?? true } ?? false
        default: return false
        }
    }

    /// A percentile of seconds, or nil.
    public static func percentile(_ values: [Int], _ p: Double) -> Int? {
        guard !values.isEmpty else { return nil }
        // The report's own lists are sorted already (a year's are long).
        let sorted = zip(values, values.dropFirst()).allSatisfy { $0 <= $1 } ? values : values.sorted()
        return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))]
    }
}

/// The tiers of one policy as the report names them: shared by every
/// incident opened under it (one table per policy, not per incident).
public final class ComplianceTiers: Sendable, Equatable {
    public struct Tier: Sendable, Equatable {
        public var id: String
        public var name: String
        /// `within 10m of its start` (empty: the tier has no deadline).
        public var rule: String
        public init(id: String, name: String, rule: String) {
            self.id = id
            self.name = name
            self.rule = rule
        }
    }

    public let tiers: [Tier]
    /// The tier "time to engage" measures (index in `tiers`; the policy's `engage`).
    public let engage: Int?

    public init(_ tiers: [Tier], engage: Int? = nil) {
        self.tiers = tiers
        self.engage = engage.flatMap { tiers.indices.contains($0) ? $0 : nil }
    }

    public convenience init(_ policy: Policy) {
        self.init(policy.tiers.map { Tier(id: $0.id, name: $0.name, rule: $0.notifyWithin.map { "within \($0) of its start" } ?? "") },
                  engage: policy.engage.flatMap(policy.tierIndex(id:)))
    }

    public static func == (a: ComplianceTiers, b: ComplianceTiers) -> Bool { a === b || (a.tiers == b.tiers && a.engage == b.engage) }
}

/// What the compliance report needs of one incident, decided by its ladder:
/// each step with a deadline met on time, late or missed; the times to
/// acknowledge, resolve and engage; the customer updates. An incident
/// resolved long ago keeps these in the checkpoint beside its archive
/// entry, so a year's report reads no event (see docs/operations.md, "The store on disk").
/// Once an incident is resolved they no longer change with the clock.
public struct IncidentFacts: Sendable, Equatable {
    public enum Outcome: UInt8, Sendable {
        case met = 0, late = 1, missed = 2
    }

    /// A step decided: met on time or late, or past its due time unmet.
    public struct Step: Sendable, Equatable {
        /// The tier's index in `tiers`.
        public var tier: Int
        public var outcome: Outcome
        /// Late: how late it was met. Missed: how long it stayed unmet
        /// past its due time (to the resolution, or to now while open).
        public var lateSeconds: Int

        public init(tier: Int, outcome: Outcome, lateSeconds: Int) {
            self.tier = tier
            self.outcome = outcome
            self.lateSeconds = lateSeconds
        }
    }

    public var id: String
    public var title: String
    public var customer: String?
    public var severity: Severity
    public var opened: Date
    public var tiers: ComplianceTiers
    public var steps: [Step]
    /// The furthest tier started (index in `tiers`), for `--by tier`.
    public var furthestTier: Int?
    /// Seconds from the opening to the first acknowledgement (nil: never).
    public var acknowledgedAfter: Int?
    /// Seconds from the opening to the resolution (nil: not resolved).
    public var resolvedAfter: Int?
    /// Seconds from the opening to the first contact reached in the tier
    /// `tiers.engage` (the policy's `engage`).
    public var engagedAfter: Int?
    /// Intervals between customer updates decided (the opening counts as
    /// one end; an open interval not yet due is not), and how many of them
    /// were no longer than the policy's cadence.
    public var updateIntervals: Int
    public var updatesOnTime: Int
    /// The longest time the customer heard nothing (nil: the policy asks for no updates).
    public var longestSilence: Int?

    public init(id: String, title: String, customer: String?, severity: Severity, opened: Date, tiers: ComplianceTiers, steps: [Step],
                furthestTier: Int?, acknowledgedAfter: Int?, resolvedAfter: Int?, engagedAfter: Int?,
                updateIntervals: Int, updatesOnTime: Int, longestSilence: Int?) {
        self.id = id
        self.title = title
        self.customer = customer
        self.severity = severity
        self.opened = opened
        self.tiers = tiers
        self.steps = steps
        self.furthestTier = furthestTier
        self.acknowledgedAfter = acknowledgedAfter
        self.resolvedAfter = resolvedAfter
        self.engagedAfter = engagedAfter
        self.updateIntervals = updateIntervals
        self.updatesOnTime = updatesOnTime
        self.longestSilence = longestSilence
    }

    /// The facts of an entry at its instant (`tiers`: the policy's shared
    /// table, when the caller keeps one).
    public init(_ e: Board.Entry, tiers: ComplianceTiers? = nil) {
        self.init(e.incident, policy: e.policy, ladder: e.ladder, now: e.now, tiers: tiers)
    }

    /// The facts of an incident under its policy at `now`, without the
    /// rest of a board entry (who to call, the next action).
    public init(_ i: Incident, policy: Policy, at now: Date, tiers: ComplianceTiers? = nil) {
        let ladder = Ladder(incident: i, policy: policy, at: now, overrides: []) { _ in Callee(person: nil, phone: nil, email: nil) }
        self.init(i, policy: policy, ladder: ladder, now: now, tiers: tiers)
    }

    private init(_ i: Incident, policy: Policy, ladder: Ladder, now: Date, tiers shared: ComplianceTiers?) {
        id = i.id
        title = i.title
        customer = i.customer
        severity = i.severity
        opened = i.opened.at
        tiers = shared ?? ComplianceTiers(policy)
        furthestTier = ladder.currentTier
        var steps: [Step] = []
        // A step counts once it is decided: met (on time or late), or
        // past its due time unmet; one still running is not yet either.
        // A step without a deadline promises nothing: not reported.
        for r in ladder.rungs where r.tier.notifyWithin != nil && [.done, .late, .missed, .overdue].contains(r.status) {
            switch r.status {
            case .done: steps.append(Step(tier: r.index, outcome: .met, lateSeconds: 0))
            case .late: steps.append(Step(tier: r.index, outcome: .late, lateSeconds: r.lateSeconds ?? 0))
            default:  // missed, or overdue now
                // Resolved before the step fell due: no promise was broken.
                if r.status == .missed, let due = r.dueAt, let end = i.resolved?.at, end <= due { continue }
                let late = r.dueAt.map { max(0, Int((i.resolved?.at ?? now).timeIntervalSince($0))) } ?? 0
                steps.append(Step(tier: r.index, outcome: .missed, lateSeconds: late))
            }
        }
        self.steps = steps
        // One pass over the events (in log order: only instants matter):
        // the first acknowledgement, and the customer updates applied.
        var firstAck: Date?
        var marks = [i.opened.at]
        for (k, e) in i.events.enumerated() {
            switch e.action {
            case .acknowledged: if firstAck.map({ e.at < $0 }) ?? true { firstAck = e.at }
            case .customerUpdate: if !i.isStale(at: k) { marks.append(e.at) }
            default: break
            }
        }
        acknowledgedAfter = (i.acknowledged?.at ?? firstAck).map { max(0, Int($0.timeIntervalSince(i.opened.at))) }
        resolvedAfter = i.resolved.map { max(0, Int($0.at.timeIntervalSince(i.opened.at))) }
        engagedAfter = tiers.engage.flatMap { t in ladder.rungs[t].contacts.compactMap(\.reachedAt).min() }
            .map { max(0, Int($0.timeIntervalSince(i.opened.at))) }
        // Customer updates: every gap between the opening (or the last
        // update) and the next one, against the cadence.
        var intervals = 0, onTime = 0
        var silence: Int?
        if let cadence = policy.customerUpdates?.seconds {
            marks.sort()
            let end = i.resolved?.at ?? now
            var longest = 0
            for (a, b) in zip(marks, marks.dropFirst() + [end]) where b > a {
                let gap = Int(b.timeIntervalSince(a))
                longest = max(longest, gap)
                if b == end && i.resolved == nil && gap <= cadence { continue }  // still open, not yet due
                intervals += 1
                if gap <= cadence { onTime += 1 }
            }
            silence = longest
        }
        updateIntervals = intervals
        updatesOnTime = onTime
        longestSilence = silence
    }

    /// The group `--by tier` puts the incident in: the furthest tier that
    /// started for it ("up to T3 CEO informed").
    public var furthestTierLabel: String {
        furthestTier.map { "up to T\($0) \(tiers.tiers[$0].name)" } ?? "no tier started"
    }
}

extension Incident {
    /// When the customer last heard from the desk, in order: the opening,
    /// then every customer update applied (a stale one, overruled by a
    /// newer action, does not count). The handover's late updates; the
    /// report's intervals follow the same rule in their one pass.
    public var customerUpdateMarks: [Date] {
        var marks = [opened.at]
        for (k, e) in events.enumerated() {
            if case .customerUpdate = e.action, !isStale(at: k) { marks.append(e.at) }
        }
        return marks.sorted()
    }
}
