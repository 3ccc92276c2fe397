import Foundation

/// The compliance report in words: as `tierwatch report` prints it, and
/// as the dashboard's panel shows it (a line at a time, a worst incident's
/// with its id; on a narrow screen, each step on two lines).
extension ComplianceReport {
    /// The report for a narrow screen (the dashboard's overlay under about
    /// 120 columns): each step on two lines, the numbers first, so that
    /// nothing an operator needs is cut at 80 columns. The group is the
    /// overlay's title, not repeated here.
    public func narrowText() -> String { Self.text(lines(group: nil, narrow: true)) }

    /// The narrow form up to the worst incidents.
    fileprivate func narrowHead(_ bar: Marks) -> String {
        let r = self
        func minute(_ d: Date) -> String { ISOTime.format(d).prefix(16).replacingOccurrences(of: "T", with: " ") }
        var out = "\(r.incidents) incident\(r.incidents == 1 ? "" : "s") opened \(minute(r.from)) to \(minute(r.to)) UTC\n"
        for s in r.steps {
            let p = Self.percentiles(s.lateness)
            let lateness = s.lateness.isEmpty ? "" : " (p50 \(p.p50), p90 \(p.p90), max \(p.max))"
            out += bar.of(s.share) + " \(Self.share(s.met, s.reached).leftPadded(4))  \(s.name.sanitized), \(s.rule)\n"
            out += "  \(s.met) of \(s.reached) on time\(bar.separator)missed \(s.missed)\(bar.separator)late \(s.late)\(lateness)\n"
        }
        if r.steps.isEmpty { out += "No step was decided in the period.\n" }
        out += "Updates on time: \(r.updatesOnTime) of \(r.updateIntervals) (\(Self.share(r.updatesOnTime, r.updateIntervals)))"
        out += tail(unacknowledged: "never, counted apart", engaged: "Time to engage", bar)
        return out
    }

    /// What the report is drawn with beside letters: a share's bar, the
    /// weekly sparkline's steps, the separators (the dashboard passes its
    /// glyphs: ASCII on a terminal without Unicode).
    public struct Marks: Sendable {
        public var full: String
        public var empty: String
        /// Eight steps, lowest first.
        public var ramp: [Character]
        public var separator: String
        public var dash: String

        public init(full: String = "█", empty: String = "░", ramp: [Character] = Array("▁▂▃▄▅▆▇█"), separator: String = " · ", dash: String = " — ") {
            (self.full, self.empty, self.ramp, self.separator, self.dash) = (full, empty, ramp, separator, dash)
        }

        /// Ten cells filled by a share.
        func of(_ share: Double?) -> String { Words.bar(share, full: full, empty: empty, rounding: .toNearestOrAwayFromZero) }
    }

    static func share(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : "\(Int((Double(a) / Double(b) * 100).rounded()))%" }

    /// p50, p90 and max of seconds, as spans ("-" for none).
    static func percentiles(_ v: [Int]) -> (p50: String, p90: String, max: String) {
        func span(_ s: Int?) -> String { s.map(Words.span) ?? "-" }
        return (span(percentile(v, 50)), span(percentile(v, 90)), span(v.max()))
    }

    /// What both forms print after the customer updates' figures: the
    /// longest silence, MTTA, MTTR, time to engage and the weekly
    /// sparkline, in the form's own words.
    fileprivate func tail(unacknowledged: String, engaged: String, _ marks: Marks) -> String {
        let r = self
        var out = ""
        if let s = r.longestSilence { out += "; longest silence \(Words.span(s.seconds)) (\(s.incident))" }
        let (tta, ttr, tte) = (Self.percentiles(r.tta), Self.percentiles(r.ttr), Self.percentiles(r.tte))
        out += "\nMTTA: p50 \(tta.p50), p90 \(tta.p90) (\(r.tta.count) acknowledged; \(r.unacknowledged) \(unacknowledged))"
        out += "\nMTTR: p50 \(ttr.p50), p90 \(ttr.p90) (\(r.ttr.count) resolved)"
        out += "\n" + engageLine(engaged, tte) + "\n"
        if r.weekly.count > 1 { out += "Steps met on time, by week (oldest first): \(sparkline(marks.ramp))\n" }
        return out
    }

    /// One line of the report as a screen lays it out: a worst incident's
    /// line carries its id, for the dashboard to pick and open.
    public struct Line: Sendable, Equatable {
        public var text: String
        public var incident: String?
    }

    /// The report's lines: as `tierwatch report` prints it (`narrow`:
    /// each step on two lines, the group left to the caller's title), the
    /// worst incidents last, each with its id.
    public func lines(group: String?, narrow: Bool, marks bar: Marks = Marks()) -> [Line] {
        let head = narrow ? narrowHead(bar) : wideHead(group: group, bar)
        var out = head.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { Line(text: String($0), incident: nil) }
        if !worst.isEmpty {
            let silence = narrow ? "silence" : "longest silence"
            out.append(Line(text: "Worst:", incident: nil))
            out += worst.map {
                Line(text: "  \($0.incident)  late \(Words.span($0.lateSeconds)), \(silence) \(Words.span($0.silenceSeconds))  \($0.title.sanitized)",
                     incident: $0.incident)
            }
        }
        return out
    }

    static func text(_ lines: [Line]) -> String { lines.map { $0.text + "\n" }.joined() }

    /// Time to engage, naming the tier it measures as the policies name it;
    /// when incidents were counted but no policy names one, it says so and
    /// how to name it, rather than a figure of nothing.
    fileprivate func engageLine(_ label: String, _ tte: (p50: String, p90: String, max: String)) -> String {
        if engageTiers.isEmpty && incidents > 0 {
            return "\(label): not measured (no tier to measure: name it with 'engage: TIER' in the policy)"
        }
        let tiers = engageTiers.isEmpty ? "" : " (\(engageTiers.map(\.sanitized).joined(separator: " / ")))"
        return "\(label)\(tiers): p50 \(tte.p50), p90 \(tte.p90)"
    }

    /// The weekly share of steps met on time, a bar a week.
    func sparkline(_ bars: [Character]) -> String {
        String(weekly.map { w in w.share.map { bars[min(7, Int($0 * 7.999))] } ?? " " })
    }

    /// The report as `tierwatch report` prints it and the dashboard shows it.
    public func text(group: String?) -> String { Self.text(lines(group: group, narrow: false)) }

    /// The wide form up to the worst incidents.
    fileprivate func wideHead(group: String?, _ bar: Marks) -> String {
        let r = self
        var out = "Compliance\(group.map { "\(bar.dash)\($0.sanitized)" } ?? ""): \(ISOTime.format(r.from)) to \(ISOTime.format(r.to)), \(r.incidents) incident\(r.incidents == 1 ? "" : "s")\n\n"
        var rows = [["STEP", "RULE", "MET ON TIME", "", "LATE", "MISSED", "LATENESS p50 / p90 / max"]]
        for s in r.steps {
            let p = Self.percentiles(s.lateness)
            rows.append([s.name.sanitized, s.rule, "\(s.met) of \(s.reached) (\(Self.share(s.met, s.reached)))", bar.of(s.share), "\(s.late)", "\(s.missed)",
                         s.lateness.isEmpty ? "-" : "\(p.p50) / \(p.p90) / \(p.max)"])
        }
        out += r.steps.isEmpty ? "No step was decided in the period.\n" : Words.table(rows)
        out += "\nCustomer updates: \(r.updatesOnTime) of \(r.updateIntervals) intervals on time (\(Self.share(r.updatesOnTime, r.updateIntervals)))"
        out += tail(unacknowledged: "never acknowledged, not counted", engaged: "Time to engage", bar)
        return out
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
