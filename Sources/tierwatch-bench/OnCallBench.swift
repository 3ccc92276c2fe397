import Escalation
import Foundation

/// What resolving every contact to the person on call costs the board: a
/// screen derives every entry again when an override arrives and at each
/// handoff, so the whole board under the example policy (nine contacts that
/// name a schedule or a person, layers, daylight saving zones) is timed
/// against the same board under the built-in policy (roles only).
enum OnCallBench {
    static func figure(quick: Bool) -> Figure {
        let open = 1000
        let now = Date()
        let runs = quick ? 5 : 50
        func incidents(_ text: String) -> ([Incident], PolicyBook) {
            var book = PolicyBook()
            var out: [Incident] = []
            for k in 0..<open {
                let t = now.addingTimeInterval(-Double(60 + k % 1800))
                let opening = IncidentEvent(id: EventID(host: "bench", sequence: k + 1), hlc: HLC(millis: Int64(k), counter: 0),
                                            incident: "B\(k)", operatorName: "bench", unixUser: "bench", at: t, recordedAt: t, baseVersion: 0,
                                            action: .opened(Opening(title: "incident \(k)", customer: ["acme", "globex", "initech", "umbrella"][k % 4],
                                                                    severity: .sev2, policyYAML: text, policyDigest: Policy.digest(of: text))))
                let i = Incident(opening: opening)!
                book.learn(i)
                out.append(i)
            }
            // An override in force, as after `oncall override`.
            let ben = Policy.example.person("ben")!
            book.record(IncidentEvent(id: EventID(host: "bench", sequence: open + 1), hlc: HLC(millis: Int64(open), counter: 0),
                                      incident: OverrideLog.key, operatorName: "bench", unixUser: "bench", at: now, recordedAt: now, baseVersion: 0,
                                      action: .onCallOverride(OverrideRequest(schedule: "platform", person: PersonRef(ben), phone: ben.phone,
                                                                              from: now.addingTimeInterval(-3600), to: now.addingTimeInterval(3600), replacing: nil))))
            return (out, book)
        }
        func time(_ text: String) -> Sample {
            let (list, book) = incidents(text)
            var ms: [Double] = []
            for _ in 0..<runs {
                let t0 = monotonic()
                let board = Board(list, policies: book, now: now)
                ms.append((monotonic() - t0) * 1000)
                precondition(board.entries.count == open)
            }
            return Sample(ms)
        }
        let roles = time(Policy.builtInYAML)
        let people = time(Policy.exampleYAML)
        let ratio = people.median / roles.median
        return Figure(
            name: "board of \(open) open incidents derived again (an override arrived, or a handoff), every contact resolved to the person on call (example policy)",
            value: "median \(fmt(people.median)) ms, max \(fmt(people.max)) ms",
            baseline: "built-in policy (roles, no schedules): median \(fmt(roles.median)) ms (ratio \(fmt(ratio)))",
            target: "<= 33 ms (one frame at 30 a second), ratio <= 1.5",
            verdict: people.median <= 33 && ratio <= 1.5 ? "met" : "MISSED",
            json: ["open": open, "median_ms": people.median, "max_ms": people.max, "baseline_median_ms": roles.median, "ratio": ratio])
    }
}
