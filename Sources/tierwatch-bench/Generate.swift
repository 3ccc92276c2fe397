import Escalation
import Foundation
import IncidentStore

/// Writes a large, realistic store: incidents over a year with the event mix
/// a NOC produces (acks, calls with mixed outcomes, escalations, customer
/// updates, notes, resolutions), spread over several hosts' logs. Records are
/// encoded exactly as the store writes them, without an fsync per record.
enum StoreGenerator {
    struct Summary {
        var events = 0
        var incidents = 0
        var open = 0
    }

    static let operators = ["alice", "bob", "carol", "dana", "erik", "femi", "gita", "hao"]
    static let customers = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"]
    static let titles = ["SIP trunk down", "Inbound calls failing", "One-way audio", "Voicemail delayed",
                         "Call recording export failing", "Fax gateway unreachable", "High jitter on PoP",
                         "Number porting stuck", "IVR not answering", "Conference bridge full"]

    @discardableResult
    static func generate(store: String, events target: Int, hosts: Int = 3, openIncidents: Int = 20,
                         end: Date = Date(), seed: UInt64 = 1) throws -> Summary {
        var rng = SplitMix(seed: seed)
        let policy = Policy.builtInYAML
        let digest = Policy.digest(of: policy)
        let hostNames = (1...max(1, hosts)).map { "noc\($0)" }
        // Each host's events, written at the end in the order the host
        // would have appended them: its clock's order, numbered 1, 2, 3…
        var logs = Array(repeating: [IncidentEvent](), count: hostNames.count)
        var summary = Summary()
        var ids = Set<String>()
        let year: TimeInterval = 365 * 86400

        // As a writer records them: times to the millisecond, the clock's
        // milliseconds the event's own.
        func emit(_ inc: String, _ action: Action, at exact: Date, host h: Int, op: String, base: Int) {
            let at = IncidentStore.millisecondPrecision(exact)
            let e = IncidentEvent(id: EventID(host: hostNames[h], sequence: 0),
                                  hlc: HLC(millis: Int64((at.timeIntervalSince1970 * 1000).rounded()), counter: 0),
                                  incident: inc, operatorName: op, unixUser: op, at: at, recordedAt: at,
                                  baseVersion: base, action: action)
            logs[h].append(e)
            summary.events += 1
        }

        var n = 0
        // Closed incidents fill the year; the last few stay open, so the
        // store looks like a NOC's: a year of history, a handful live.
        let closedBudget = max(0, target - openIncidents * 8)
        while summary.events < target {
            let isOpen = summary.events >= closedBudget
            // Closed incidents start evenly through the year by events
            // written, the last ones a couple of days before the end.
            let progress = min(1, Double(summary.events) / Double(max(1, closedBudget)))
            let start = isOpen ? end.addingTimeInterval(-Double(rng.next() % 1500) - 60)
                : end.addingTimeInterval(-year + (year - 2 * 86400) * progress)
            var id = ""
            repeat { id = IncidentID.generate(avoiding: { ids.contains($0) }, using: &rng) } while ids.contains(id)
            ids.insert(id)
            let h = Int(rng.next() % UInt64(hostNames.count))
            let op = operators[Int(rng.next() % UInt64(operators.count))]
            var t = start
            var version = 0
            func step(_ action: Action, after seconds: UInt64) {
                t = t.addingTimeInterval(Double(rng.next() % seconds + 5))
                guard summary.events < target, !(isOpen && t > end) else { return }
                emit(id, action, at: t, host: Int(rng.next() % UInt64(hostNames.count)), op: operators[Int(rng.next() % UInt64(operators.count))], base: version)
                version += 1
            }
            emit(id, .opened(Opening(title: titles[n % titles.count], customer: customers[Int(rng.next() % UInt64(customers.count))],
                                     severity: Severity.allCases[Int(rng.next() % 4)], policyYAML: policy, policyDigest: digest)),
                 at: start, host: h, op: op, base: 0)
            version = 1
            summary.incidents += 1
            if rng.next() % 10 < 9 { step(.acknowledged, after: 120) }
            for c in ["am", "director-support", "vp-cx"] {
                let outcome = [Outcome.reached, .reached, .voicemail, .noAnswer][Int(rng.next() % 4)]
                step(.contactOutcome(tier: "management", contact: c, outcome: outcome, person: nil), after: 240)
            }
            if rng.next() % 10 < 3 { step(.escalated(toTier: "technical"), after: 300) }
            if rng.next() % 10 < 6 { step(.contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), after: 300) }
            for k in 0..<Int(rng.next() % 4 + 1) { step(.customerUpdate(message: "Update \(k + 1): engineers are working on it; next update in 15 minutes."), after: 900) }
            for k in 0..<Int(rng.next() % 4) { step(.note(message: "Note \(k + 1): checked carrier status page and SBC logs."), after: 600) }
            if isOpen { summary.open += 1 } else { step(.resolved(message: "Service restored."), after: 3600) }
            n += 1
        }
        try FileManager.default.createDirectory(atPath: store + "/events", withIntermediateDirectories: true)
        for (k, host) in hostNames.enumerated() {
            logs[k].sort { $0.hlc < $1.hlc }
            // As a writer does: the policy's text once, before the first
            // opening that names it; openings name it by digest.
            if let first = logs[k].first {
                logs[k].insert(IncidentEvent(id: EventID(host: host, sequence: 0), hlc: HLC(millis: first.hlc.millis - 1, counter: 0),
                                             incident: PolicyText.key, operatorName: first.operatorName, unixUser: first.unixUser,
                                             at: first.at.addingTimeInterval(-0.001), recordedAt: first.at.addingTimeInterval(-0.001),
                                             baseVersion: 0, action: .policyText(PolicyText(digest: digest, text: policy))), at: 0)
            }
            var bytes: [UInt8] = []
            for (n, var e) in logs[k].enumerated() {
                e.id.sequence = n + 1
                bytes += RecordCodec.encode(e, policyText: false)
            }
            writeFixture(atPath: store + "/events/\(host).log", contents: Data(bytes))
        }
        return summary
    }
}

/// A small seeded generator, so a store can be generated again identically.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
