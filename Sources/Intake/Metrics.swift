import Escalation
import Foundation

/// The Prometheus text exposition format (version 0.0.4), written by hand:
/// a few gauges and counters need no library.
public struct MetricsText {
    private var out = ""

    public init() {}

    public var text: String { out }

    /// One metric family: its help, type and samples.
    public mutating func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for s in samples {
            let labels = s.labels.isEmpty ? "" : "{" + s.labels.map { "\($0.0)=\"\(MetricsText.escape($0.1))\"" }.joined(separator: ",") + "}"
            out += "\(name)\(labels) \(MetricsText.number(s.value))\n"
        }
    }

    static func escape(_ v: String) -> String {
        var s = ""
        for c in v.unicodeScalars {
            switch c {
            case "\\": s += "\\\\"
            case "\"": s += "\\\""
            case "\n": s += "\\n"
            default: s.unicodeScalars.append(c)
            }
        }
        return s
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.3f", v)
    }
}

/// What `/metrics` says of the escalation: from the board of open
/// incidents and the breaches of every incident, at one instant.
public enum EscalationMetrics {
    /// Whether an incident's tier fell overdue at any time (late, missed,
    /// or overdue now), by tier id.
    public static func breaches(_ e: Board.Entry) -> [String] {
        e.ladder.rungs.filter { ComplianceReport.breached($0, resolvedAt: e.incident.resolved?.at) }.map(\.tier.id)
    }

    /// The intake series every serve has (`endpoint|result`).
    public static let intakeSeries = ["alertmanager|recorded", "alertmanager|unchanged", "alertmanager|invalid", "alertmanager|error", "alertmanager|client_left",
                                      "incidents|created", "incidents|existing", "incidents|invalid", "incidents|error", "incidents|client_left"]

    /// `hookRuns` is keyed `hook|result`; `hooks` names the policy's hooks.
    /// `callOuts` is keyed by result (`reached`, `voicemail`, `no_answer`,
    /// `hung_up`, `not_placed`); all are exported from the start when `callOut`.
    public static func render(open: [Board.Entry], breachesByTier: [String: Int], tiers: [String], intake: [String: Int], hookRuns: [String: Int] = [:], hooks: [String] = [],
                              callOuts: [String: Int] = [:], callOut: Bool = false,
                              badRecords: Int, unreadable: Bool, policyInvalid: Bool = false, lastEvent: [String: Date],
                              peers: [(host: String, lastSign: Date?, silent: Bool)], now: Date) -> String {
        var m = MetricsText()
        var byKind: [String: Int] = [:]
        for e in open { byKind["\(e.incident.severity.rawValue)|\(e.incident.state.rawValue)", default: 0] += 1 }
        m.family("tierwatch_open_incidents", "gauge", "Open incidents by severity and state.",
                 Severity.allCases.flatMap { sev in ["open", "acknowledged"].map { st in
                     (labels: [("severity", sev.rawValue), ("state", st)], value: Double(byKind["\(sev.rawValue)|\(st)"] ?? 0))
                 } })
        var overdue: [String: Int] = [:]
        for e in open { for r in e.ladder.rungs where r.status == .overdue { overdue[r.tier.id, default: 0] += 1 } }
        m.family("tierwatch_tiers_overdue", "gauge", "Open incidents with the tier overdue now.",
                 tiers.map { (labels: [("tier", $0)], value: Double(overdue[$0] ?? 0)) })
        m.family("tierwatch_tier_breaches_total", "counter", "Incidents (open or resolved) whose tier fell overdue: late, missed or overdue. Only grows (increase() counts new breaches).",
                 tiers.map { (labels: [("tier", $0)], value: Double(breachesByTier[$0] ?? 0)) })
        let updates = open.filter { e in e.ladder.nextCustomerUpdateAt.map { $0 < now } ?? false }.count
        m.family("tierwatch_customer_updates_overdue", "gauge", "Open incidents whose customer update is overdue.", [([], Double(updates))])
        // Every endpoint and result from the start, at 0: increase() then
        // sees the first error too.
        var intake = intake
        for key in intakeSeries where intake[key] == nil { intake[key] = 0 }
        m.family("tierwatch_intake_requests_total", "counter", "Requests to the intake endpoints, by endpoint and result.",
                 intake.sorted { $0.key < $1.key }.map { key, n in
                     let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                     return (labels: [("endpoint", parts[0]), ("result", parts.count > 1 ? parts[1] : "")], value: Double(n))
                 })
        // By hook and result: each of the policy's hooks from the start, at 0.
        var runs = hookRuns
        for name in hooks { for result in ["ok", "failed"] where runs["\(name)|\(result)"] == nil { runs["\(name)|\(result)"] = 0 } }
        m.family("tierwatch_hook_runs_total", "counter", "Hook runs by this serve process, by hook and result.",
                 runs.sorted { $0.key < $1.key }.map { key, n in
                     let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                     return (labels: [("hook", parts[0]), ("result", parts.count > 1 ? parts[1] : "")], value: Double(n))
                 })
        if callOut || !callOuts.isEmpty {
            m.family("tierwatch_call_outs_total", "counter", "Automatic calls by this serve process, by what came of them (not_placed: the dialer could not place it).",
                     ["reached", "voicemail", "no_answer", "hung_up", "not_placed"].map { (labels: [("result", $0)], value: Double(callOuts[$0] ?? 0)) })
        }
        m.family("tierwatch_store_bad_records", "gauge", "Records skipped because their checksum or JSON is bad.", [([], Double(badRecords))])
        m.family("tierwatch_store_unreadable", "gauge", "1 when part of the store cannot be read: incidents may be missing.", [([], unreadable ? 1 : 0)])
        m.family("tierwatch_policy_invalid", "gauge", "1 when the policy file does not parse: no incident can be opened, checks and hooks keep the last policy that parsed.",
                 [([], policyInvalid ? 1 : 0)])
        m.family("tierwatch_host_last_event_age_seconds", "gauge", "Seconds since each host's newest event was recorded.",
                 lastEvent.sorted { $0.key < $1.key }.map { (labels: [("host", $0.key)], value: max(0, now.timeIntervalSince($0.value).rounded())) })
        // A site never seen has no age (and tierwatch_peer_silent 1), not a -1.
        m.family("tierwatch_peer_last_sign_age_seconds", "gauge", "Seconds since each other site's last sign (heartbeat or event); absent for a site never seen.",
                 peers.compactMap { p in p.lastSign.map { (labels: [("host", p.host)], value: max(0, now.timeIntervalSince($0).rounded())) } })
        m.family("tierwatch_peer_silent", "gauge", "1 when another site has given no sign for longer than sites.silent_after.",
                 peers.map { (labels: [("host", $0.host)], value: $0.silent ? 1 : 0) })
        return m.text
    }
}
