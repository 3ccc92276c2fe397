import Escalation
import Foundation

/// Builds events for tests at minutes after a fixed opening instant.
struct Scenario {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21T14:13:20Z
    var incident = "K3F9"
    var policyText = Policy.builtInYAML
    var customer: String? = "acme"
    private(set) var events: [IncidentEvent] = []
    private var seq = 0

    static func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    init(policy: String = Policy.builtInYAML, customer: String? = "acme") {
        policyText = policy
        self.customer = customer
        add(.opened(Opening(title: "SIP trunk down", customer: customer, severity: .sev1,
                            policyYAML: policy, policyDigest: Policy.digest(of: policy))), at: 0, by: "alice")
    }

    /// Appends an event at `minutes` after t0; `base` defaults to "saw everything so far".
    @discardableResult
    mutating func add(_ action: Action, at minutes: Double, by op: String = "alice", host: String = "noc1", base: Int? = nil) -> IncidentEvent {
        seq += 1
        let t = Scenario.at(minutes)
        let e = IncidentEvent(id: EventID(host: host, sequence: seq),
                              hlc: HLC(millis: Int64(t0Millis) + Int64(seq), counter: 0),
                              incident: incident, operatorName: op, unixUser: op, at: t, recordedAt: t,
                              baseVersion: base ?? events.count, action: action)
        events.append(e)
        return e
    }

    /// Every management contact reached at `minutes`.
    mutating func reachManagement(at minutes: Double) {
        for c in ["am", "director-support", "vp-cx"] {
            add(.contactOutcome(tier: "management", contact: c, outcome: .reached, person: nil), at: minutes)
        }
    }

    private var t0Millis: Int64 { Int64(Scenario.t0.timeIntervalSince1970 * 1000) }

    var folded: Incident { Incident.fold(events)! }
    var policy: Policy { try! Policy(yaml: policyText, file: "test") }

    func ladder(at minutes: Double) -> Ladder {
        Ladder(incident: folded, policy: policy, at: Scenario.at(minutes))
    }
}
