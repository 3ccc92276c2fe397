import Escalation
import Foundation
import Testing

/// The compliance report on incidents whose answers are known.
@Suite struct Compliance {
    func entry(_ s: Scenario, at minutes: Double) -> Escalation.Board.Entry {
        var book = PolicyBook()
        book.learn(s.folded)
        return Escalation.Board.Entry(s.folded, policies: book, at: Scenario.at(minutes))
    }

    @Test func eachRuleMetLateAndMissedAnUnacknowledgedIncidentAndABackdatedUpdate() {
        // A: management all reached at 5 (met), acked at 2, technical escalated at 6 and engaged at 8, resolved at 20.
        var a = Scenario()
        a.add(.acknowledged, at: 2)
        a.reachManagement(at: 5)
        a.add(.escalated(toTier: "technical"), at: 6)
        a.add(.contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), at: 8)
        a.add(.customerUpdate(message: "on it"), at: 12)
        a.add(.resolved(message: "fixed"), at: 20)
        // B: management reached at 13 (3 minutes late), never acknowledged, resolved at 40 with the
        // technical tier (auto-started at 10, due 20) never engaged: missed; the CEO tier
        // started at 30 and was never informed: missed. A customer update back-dated to 14.
        var b = Scenario()
        b.reachManagement(at: 13)
        b.add(.customerUpdate(message: "late but sent"), at: 14)
        b.add(.resolved(message: "went away"), at: 40)
        let now = Scenario.at(60)
        let entries = [entry(a, at: 60), entry(b, at: 60)]
        let r = ComplianceReport(entries, from: Scenario.at(-1), to: Scenario.at(1), now: now)
        #expect(r.incidents == 2)
        let management = r.steps.first { $0.tierID == "management" }!
        #expect(management.reached == 2 && management.met == 1 && management.late == 1 && management.missed == 0)
        #expect(management.lateness == [180] && management.rule == "within 10m of its start")
        let technical = r.steps.first { $0.tierID == "technical" }!
        #expect(technical.reached == 2 && technical.met == 1 && technical.missed == 1)
        let ceo = r.steps.first { $0.tierID == "ceo" }!
        #expect(ceo.reached == 1 && ceo.missed == 1, "only B reached the CEO step")
        #expect(r.tta == [120] && r.unacknowledged == 1, "B never acknowledged: counted apart")
        #expect(r.ttr.sorted() == [1200, 2400])
        #expect(r.tte == [480])
        // Updates every 15m: A 0→12 on time, 12→20 on time; B 0→14 on time, 14→40 late (26m of silence).
        #expect(r.updateIntervals == 4 && r.updatesOnTime == 3)
        #expect(r.longestSilence?.seconds == 26 * 60)
        #expect(r.worst.first?.lateSeconds ?? 0 > 0)
    }

    @Test func theWeekOfAnInstantIsItsMondayInUTC() {
        #expect(ComplianceReport.monday(ISOTime.parse("2026-11-29T23:59:00Z")!) == ISOTime.parse("2026-11-23T00:00:00Z"))
        #expect(ComplianceReport.monday(ISOTime.parse("2026-11-30T00:00:00Z")!) == ISOTime.parse("2026-11-30T00:00:00Z"))
        #expect(ComplianceReport.percentile([5, 1, 3], 50) == 3 && ComplianceReport.percentile([], 50) == nil)
    }

    @Test func theSameFiguresInAnyOrderGiveTheSameReport() {
        let tiers = ComplianceTiers(Policy.builtIn)
        func facts(_ id: String, _ steps: [IncidentFacts.Step], silence: Int) -> IncidentFacts {
            IncidentFacts(id: id, title: id, customer: nil, severity: .sev2, opened: Scenario.at(0), tiers: tiers, steps: steps,
                          furthestTier: steps.map(\.tier).max(), acknowledgedAfter: nil, resolvedAfter: 600, engagedAfter: nil,
                          updateIntervals: 1, updatesOnTime: 1, longestSilence: silence)
        }
        // The first incident skips the technical step (resolved before it fell due).
        let a = facts("B", [.init(tier: 1, outcome: .met, lateSeconds: 0), .init(tier: 3, outcome: .missed, lateSeconds: 60)], silence: 900)
        let b = facts("A", [.init(tier: 1, outcome: .late, lateSeconds: 30), .init(tier: 2, outcome: .met, lateSeconds: 0)], silence: 900)
        let one = ComplianceReport(facts: [a, b], from: Scenario.at(-1), to: Scenario.at(1))
        let other = ComplianceReport(facts: [b, a], from: Scenario.at(-1), to: Scenario.at(1))
        #expect(one.steps.map(\.tierID) == ["management", "technical", "ceo"], "the policy's order")
        #expect(one.text(group: nil) == other.text(group: nil))
        #expect(one.longestSilence?.incident == "A" && other.longestSilence?.incident == "A", "a tie names the lowest id")
    }

    /// A policy whose tiers are named otherwise: `engage:` names the tier
    /// "time to engage" measures, and the report names it; without it, and
    /// with no `technical` tier, the report says it did not measure.
    static func policy(engage: String?) -> String {
        """
        name: own-names
        version: 2
        \(engage.map { "engage: \($0)" } ?? "")
        tiers:
          - id: first
            name: Duty manager told
            notify_within: 10m
            contacts: [{ id: dm, name: Duty manager }]
          - id: eng
            name: Engineers on the bridge
            notify_within: 10m
            require: any
            contacts: [Platform Engineering, Telecom]
        """
    }

    func engagedAtSeven(_ policy: String) -> ComplianceReport {
        var s = Scenario(policy: policy)
        s.add(.escalated(toTier: "eng"), at: 3)
        s.add(.contactOutcome(tier: "eng", contact: "telecom", outcome: .reached, person: nil), at: 7)
        s.add(.contactOutcome(tier: "first", contact: "dm", outcome: .reached, person: nil), at: 9)
        return ComplianceReport([entry(s, at: 30)], from: Scenario.at(-1), to: Scenario.at(1), now: Scenario.at(30))
    }

    @Test func timeToEngageMeasuresTheTierThePolicyNamesAndSaysWhichOne() throws {
        let named = engagedAtSeven(Compliance.policy(engage: "eng"))
        #expect(named.tte == [420], "the first contact reached in 'eng', not the duty manager at 9")
        #expect(named.engageTiers == ["Engineers on the bridge"])
        #expect(named.text(group: nil).contains("Time to engage (Engineers on the bridge): p50 7m"), "\(named.text(group: nil))")
        #expect(named.narrowText().contains("Time to engage (Engineers on the bridge): p50 7m"), "\(named.narrowText())")

        // No `engage:` and no tier `technical`: not measured, and said so,
        // rather than a figure of nothing or of another tier.
        let unnamed = engagedAtSeven(Compliance.policy(engage: nil))
        #expect(unnamed.tte.isEmpty && unnamed.engageTiers.isEmpty)
        #expect(unnamed.text(group: nil).contains("Time to engage: not measured (no tier to measure: name it with 'engage: TIER' in the policy)"),
                "\(unnamed.text(group: nil))")

        // The built-in policy measures its `technical` tier, by name.
        var b = Scenario()
        b.add(.contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), at: 12)
        let builtIn = ComplianceReport([entry(b, at: 30)], from: Scenario.at(-1), to: Scenario.at(1), now: Scenario.at(30))
        #expect(builtIn.tte == [720] && builtIn.text(group: nil).contains("Time to engage (Technical resources engaged): p50 12m"))
        #expect(try Policy(yaml: Policy.builtInYAML, file: "b").engage == "technical")
    }

    @Test func anEngageTierThatIsNotThereIsRefusedWithItsPlace() {
        #expect {
            try Policy(yaml: Compliance.policy(engage: "engineering"), file: "policy.yaml")
        } throws: { error in
            let e = error as? PolicyError
            return e?.file == "policy.yaml" && e?.line == 3 && e?.column == 9
                && (e?.message.contains("unknown tier 'engineering'") ?? false) && (e?.message.contains("first, eng") ?? false)
        }
    }
}
