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
    /// Opening to the first reached contact of the technical tier.
    public var tte: [Int] = []
    public var worst: [Worst] = []
    /// Per week (Monday, UTC): the share of steps met on time.
    public var weekly: [(week: Date, share: Double?)] = []

    /// The report of the entries opened in [from, to), evaluated at `now`.
    public init(_ entries: [Board.Entry], from: Date, to: Date, now: Date) {
        self.from = from
        self.to = to
        let chosen = entries.filter { $0.incident.opened.at >= from && $0.incident.opened.at < to }
        incidents = chosen.count
        var byTier: [String: Step] = [:]
        var order: [String] = []
        var worst: [Worst] = []
        var weeks: [Date: (met: Int, reached: Int)] = [:]
        for e in chosen {
            let i = e.incident
            var lateTotal = 0
            // A step counts once it is decided: met (on time or late), or
            // past its due time unmet; one still running is not yet either.
            // A step without a deadline promises nothing: not reported.
            for r in e.ladder.rungs where r.tier.notifyWithin != nil && [.done, .late, .missed, .overdue].contains(r.status) {
                // Resolved before the step fell due: no promise was broken.
                if r.status == .missed, let due = r.dueAt, let end = i.resolved?.at, end <= due { continue }
                if byTier[r.tier.id] == nil {
                    order.append(r.tier.id)
                    let rule = "within \(r.tier.notifyWithin!) of its start"
                    byTier[r.tier.id] = Step(tierID: r.tier.id, name: r.tier.name, rule: rule)
                }
                byTier[r.tier.id]!.reached += 1
                let week = ComplianceReport.monday(i.opened.at)
                weeks[week, default: (0, 0)].reached += 1
                switch r.status {
                case .done:
                    byTier[r.tier.id]!.met += 1
                    weeks[week]!.met += 1
                case .late:
                    byTier[r.tier.id]!.late += 1
                    byTier[r.tier.id]!.lateness.append(r.lateSeconds ?? 0)
                    lateTotal += r.lateSeconds ?? 0
                default:  // missed, or overdue now
                    byTier[r.tier.id]!.missed += 1
                    if let due = r.dueAt { lateTotal += max(0, Int((i.resolved?.at ?? now).timeIntervalSince(due))) }
                }
            }
            if let a = i.acknowledged ?? i.timeline.lazy.map(\.event).first(where: { if case .acknowledged = $0.action { return true } else { return false } }).map({ Incident.Stamp(by: $0.operatorName, at: $0.at) }) {
                tta.append(max(0, Int(a.at.timeIntervalSince(i.opened.at))))
            } else {
                unacknowledged += 1
            }
            if let r = i.resolved { ttr.append(max(0, Int(r.at.timeIntervalSince(i.opened.at)))) }
            if let t = e.policy.tierIndex(id: "technical"),
               let reached = e.ladder.rungs[t].contacts.compactMap(\.reachedAt).min() {
                tte.append(max(0, Int(reached.timeIntervalSince(i.opened.at))))
            }
            // Customer updates: every gap between the opening (or the last
            // update) and the next one, against the cadence.
            var silence = 0
            var updateLate = false
            if let cadence = e.policy.customerUpdates?.seconds {
                var marks = [i.opened.at] + i.timeline.compactMap { t -> Date? in
                    if case .customerUpdate = t.event.action, !t.isStale { return t.event.at } else { return nil }
                }
                marks.sort()
                let end = i.resolved?.at ?? now
                for (a, b) in zip(marks, marks.dropFirst() + [end]) where b > a {
                    let gap = Int(b.timeIntervalSince(a))
                    silence = max(silence, gap)
                    if b == end && i.resolved == nil && gap <= cadence { continue }  // still open, not yet due
                    updateIntervals += 1
                    if gap <= cadence { updatesOnTime += 1 } else { updateLate = true }
                }
                if longestSilence.map({ silence > $0.seconds }) ?? (silence > 0) { longestSilence = (silence, i.id) }
            }
            // Worst: a step met late or missed, or the customer left waiting.
            if lateTotal > 0 || updateLate { worst.append(Worst(incident: i.id, title: i.title, lateSeconds: lateTotal, silenceSeconds: silence)) }
        }
        steps = order.map { byTier[$0]! }
        self.worst = Array(worst
            .sorted { ($0.lateSeconds, $0.silenceSeconds) > ($1.lateSeconds, $1.silenceSeconds) }.prefix(5))
        weekly = weeks.keys.sorted().map { w in (w, weeks[w]!.reached == 0 ? nil : Double(weeks[w]!.met) / Double(weeks[w]!.reached)) }
    }

    /// The Monday 00:00 UTC of the week `d` falls in.
    public static func monday(_ d: Date) -> Date {
        let days = Int((d.timeIntervalSince1970 / 86400).rounded(.down))
        let weekday = ((days + 3) % 7 + 7) % 7  // 0 = Monday
        return Date(timeIntervalSince1970: Double(days - weekday) * 86400)
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
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))]
    }

    /// The report as `tierwatch report` prints it and the dashboard shows it.
    public func text(group: String?) -> String {
        let r = self
        func span(_ s: Int?) -> String { s.map(Words.span) ?? "-" }
        func share(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : "\(Int((Double(a) / Double(b) * 100).rounded()))%" }
        var out = "Compliance\(group.map { " — \($0.sanitized)" } ?? ""): \(ISOTime.format(r.from)) to \(ISOTime.format(r.to)), \(r.incidents) incident\(r.incidents == 1 ? "" : "s")\n\n"
        var rows = [["STEP", "RULE", "MET ON TIME", "", "LATE", "MISSED", "LATENESS p50 / p90 / max"]]
        for s in r.steps {
            let filled = s.share.map { Int(($0 * 10).rounded()) } ?? 0
            rows.append([s.name.sanitized, s.rule, "\(s.met) of \(s.reached) (\(share(s.met, s.reached)))",
                         String(repeating: "█", count: filled) + String(repeating: "░", count: 10 - filled), "\(s.late)", "\(s.missed)",
                         s.lateness.isEmpty ? "-" : "\(span(ComplianceReport.percentile(s.lateness, 50))) / \(span(ComplianceReport.percentile(s.lateness, 90))) / \(span(s.lateness.max()))"])
        }
        out += r.steps.isEmpty ? "No step was decided in the period.\n" : Words.table(rows)
        out += "\nCustomer updates: \(r.updatesOnTime) of \(r.updateIntervals) intervals on time (\(share(r.updatesOnTime, r.updateIntervals)))"
        if let s = r.longestSilence { out += "; longest silence \(Words.span(s.seconds)) (\(s.incident))" }
        out += "\nMTTA: p50 \(span(ComplianceReport.percentile(r.tta, 50))), p90 \(span(ComplianceReport.percentile(r.tta, 90))) (\(r.tta.count) acknowledged; \(r.unacknowledged) never acknowledged, not counted)"
        out += "\nMTTR: p50 \(span(ComplianceReport.percentile(r.ttr, 50))), p90 \(span(ComplianceReport.percentile(r.ttr, 90))) (\(r.ttr.count) resolved)"
        out += "\nTime to engage technical teams: p50 \(span(ComplianceReport.percentile(r.tte, 50))), p90 \(span(ComplianceReport.percentile(r.tte, 90)))\n"
        if r.weekly.count > 1 {
            let bars = Array("▁▂▃▄▅▆▇█")
            out += "Steps met on time, by week (oldest first): " + String(r.weekly.map { w in w.share.map { bars[min(7, Int($0 * 7.999))] } ?? " " }) + "\n"
        }
        if !r.worst.isEmpty {
            out += "Worst:\n" + r.worst.map { "  \($0.incident)  late \(Words.span($0.lateSeconds)), longest silence \(Words.span($0.silenceSeconds))  \($0.title.sanitized)" }.joined(separator: "\n") + "\n"
        }
        return out
    }

}
