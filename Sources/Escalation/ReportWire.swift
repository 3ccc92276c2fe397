import Foundation

/// The report's, the handover's and the clocks' JSON shapes (docs/openapi.json's
/// `Report`, `Percentiles`, `Handover`, `HandoverIncident` and `Clocks`,
/// checked against these types by a test): each property is a field.
extension Wire {
    /// Clocks found off, and the incidents whose figures rest on them.
    public struct Clocks: Codable, Sendable {
        public var hosts: [ClockHost]
        public var incidents: [String]
        public var this_machine: ClockOffset?
        public var tolerance_seconds: Double

        public init(hosts: [ClockHost], incidents: [String], this_machine: ClockOffset?, tolerance_seconds: Double) {
            (self.hosts, self.incidents, self.this_machine, self.tolerance_seconds) = (hosts, incidents, this_machine, tolerance_seconds)
        }
    }

    public struct ClockHost: Codable, Sendable {
        public var evidence: String
        public var host: String
        public var offset_seconds: Double

        public init(evidence: String, host: String, offset_seconds: Double) {
            (self.evidence, self.host, self.offset_seconds) = (evidence, host, offset_seconds)
        }
    }

    public struct ClockOffset: Codable, Sendable {
        public var evidence: String
        public var offset_seconds: Double

        public init(evidence: String, offset_seconds: Double) { (self.evidence, self.offset_seconds) = (evidence, offset_seconds) }
    }

    /// One group of `tierwatch report --json`.
    public struct Report: Codable, Sendable {
        public var clocks: Clocks
        public var customer_updates: CustomerUpdates
        public var from: Date
        public var group: String?
        public var incidents: Int
        public var mtta_seconds: Percentiles
        public var mttr_seconds: Percentiles
        public var steps: [Step]
        public var time_to_engage_technical_seconds: Percentiles
        /// The names of the tiers time to engage measures (the policy's engage:).
        public var time_to_engage_tiers: [String]
        public var to: Date
        public var unacknowledged: Int
        public var weekly: [Week]
        public var worst: [Worst]

        public struct Step: Codable, Sendable {
            public var late: Int
            public var lateness_max_seconds: Int?
            public var lateness_seconds: Percentiles
            public var met: Int
            public var missed: Int
            public var name: String
            public var reached: Int
            public var rule: String
            public var share_met: Double?
            public var tier: String
        }

        public struct CustomerUpdates: Codable, Sendable {
            public var intervals: Int
            public var longest_silence_incident: String?
            public var longest_silence_seconds: Int?
            public var on_time: Int
        }

        public struct Worst: Codable, Sendable {
            public var id: String
            public var late_seconds: Int
            public var silence_seconds: Int
            public var title: String
        }

        public struct Week: Codable, Sendable {
            public var share_met: Double?
            public var week: Date
        }
    }

    public struct Percentiles: Codable, Sendable {
        public var count: Int
        public var p50: Int?
        public var p90: Int?

        public init(_ values: [Int]) {
            (count, p50, p90) = (values.count, ComplianceReport.percentile(values, 50), ComplianceReport.percentile(values, 90))
        }
    }

    /// `tierwatch handover --json`.
    public struct Handover: Codable, Sendable {
        public var breaches: [Breach]
        public var clocks: Clocks
        public var due_within_an_hour: [DueSoon]
        public var from: Date
        /// nil: not known (the policy file does not parse), never "none".
        public var handoffs: [Handoff]?
        public var late_customer_updates: [LateUpdate]
        public var notes: [Note]
        public var open: [HandoverIncident]
        public var opened: [HandoverIncident]
        public var resolved: [HandoverIncident]
        public var to: Date

        public struct Breach: Codable, Sendable {
            public var due_at: Date?
            public var id: String
            public var status: String
            public var tier: String
        }

        public struct DueSoon: Codable, Sendable {
            public var at: Date
            public var deadline: String
            public var id: String
        }

        public struct Handoff: Codable, Sendable {
            public var at: Date
            public var person: String?
            public var schedule: String
        }

        public struct LateUpdate: Codable, Sendable {
            public var due_at: Date
            public var id: String
            public var late_seconds: Int?
        }

        public struct Note: Codable, Sendable {
            public var at: Date
            public var by: String
            public var id: String
            public var text: String
        }
    }

    public struct HandoverIncident: Codable, Sendable {
        public var id: String
        public var next: String
        public var owner: String?
        public var severity: String
        public var state: String
        public var title: String
    }
}

extension ComplianceReport {
    /// One group of `tierwatch report --json`: `group` nil for the whole period.
    public func wire(group: String?, clocks: Wire.Clocks) -> Wire.Report {
        Wire.Report(
            clocks: clocks,
            customer_updates: .init(intervals: updateIntervals, longest_silence_incident: longestSilence?.incident,
                                    longest_silence_seconds: longestSilence?.seconds, on_time: updatesOnTime),
            from: from, group: group, incidents: incidents, mtta_seconds: .init(tta), mttr_seconds: .init(ttr),
            steps: steps.map { s in
                .init(late: s.late, lateness_max_seconds: s.lateness.max(), lateness_seconds: .init(s.lateness), met: s.met, missed: s.missed,
                      name: s.name, reached: s.reached, rule: s.rule, share_met: s.share, tier: s.tierID)
            },
            time_to_engage_technical_seconds: .init(tte), time_to_engage_tiers: engageTiers, to: to, unacknowledged: unacknowledged,
            weekly: weekly.map { .init(share_met: $0.share, week: $0.week) },
            worst: worst.map { .init(id: $0.incident, late_seconds: $0.lateSeconds, silence_seconds: $0.silenceSeconds, title: $0.title) })
    }
}

extension ShiftHandover {
    /// `tierwatch handover --json`.
    public func wire(clocks: Wire.Clocks) -> Wire.Handover {
        let now = self.now
        func brief(_ e: Board.Entry) -> Wire.HandoverIncident {
            .init(id: e.incident.id, next: Words.nextAction(e, now: now), owner: e.incident.acknowledged?.by, severity: e.incident.severity.rawValue,
                  state: e.incident.state.rawValue, title: e.incident.title)
        }
        return Wire.Handover(
            breaches: breaches.map { .init(due_at: $0.rung.dueAt, id: $0.entry.incident.id, status: $0.rung.status.rawValue, tier: $0.rung.tier.id) },
            clocks: clocks,
            due_within_an_hour: soon.map { .init(at: $0.deadline.at, deadline: Words.deadline($0.deadline, $0.entry.policy, .long), id: $0.entry.incident.id) },
            from: start,
            handoffs: handoffs.map { $0.map { .init(at: $0.at, person: $0.person, schedule: $0.schedule.id) } },
            late_customer_updates: lateUpdates.map { .init(due_at: $0.due, id: $0.entry.incident.id, late_seconds: $0.lateSeconds) },
            notes: notes.map { .init(at: $0.event.at, by: $0.event.operatorName, id: $0.entry.incident.id, text: $0.text) },
            open: open.map(brief), opened: opened.map(brief), resolved: resolved.map(brief), to: now)
    }
}
