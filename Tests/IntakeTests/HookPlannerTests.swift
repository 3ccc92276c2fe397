import Escalation
import Foundation
import Intake
import Testing

/// Which hooks are due when: derived like the ladder, once per key.
@Suite struct HookPlanning {
    static let t0 = Date(timeIntervalSince1970: 1_796_000_000)
    static let page = Hook(name: "page", on: [.tierStarted], tiers: ["ceo"], target: .run(["/bin/true"]))

    /// An incident opened at t0 by `machine`, with events at minutes.
    static func incident(machine: String?, host: String = "noc1", _ actions: [(Action, Double)] = []) -> Incident {
        var seq = 0
        func ev(_ a: Action, _ minutes: Double) -> IncidentEvent {
            seq += 1
            let t = t0.addingTimeInterval(minutes * 60)
            return IncidentEvent(id: EventID(host: host, sequence: seq), hlc: HLC(millis: Int64(t.timeIntervalSince1970 * 1000), counter: 0), incident: "K3F9",
                                 operatorName: "alice", unixUser: "alice", at: t, recordedAt: t, baseVersion: seq - 1, action: a)
        }
        var i = Incident(opening: ev(.opened(Opening(title: "t", customer: "acme", severity: .sev1, policyYAML: Policy.builtInYAML,
                                                     policyDigest: Policy.digest(of: Policy.builtInYAML), originMachine: machine)), 0))!
        for (a, m) in actions { i.apply(ev(a, m)) }
        return i
    }

    func entry(_ i: Incident, at minutes: Double) -> Board.Entry {
        var book = PolicyBook()
        book.learn(i)
        return Board.Entry(i, policies: book, at: Self.t0.addingTimeInterval(minutes * 60))
    }

    func due(_ i: Incident, at minutes: Double, machine: String = "m-a", hooks: [Hook] = [page], settings: HookSettings = HookSettings()) -> [HookDue] {
        HookPlanner.due(entry(i, at: minutes), hooks: hooks, settings: settings, now: Self.t0.addingTimeInterval(minutes * 60), machine: machine, host: "noc1")
    }

    @Test func theCEOTierStartingIsDueOnceAtItsInstantWithTheSameKeyEverywhere() {
        let i = Self.incident(machine: "m-a")
        #expect(due(i, at: 29.9).isEmpty, "the CEO tier starts at 30 minutes (20 after technical at 10)")
        let d = due(i, at: 30.01)
        #expect(d.count == 1 && d[0].occurrence.trigger == .tierStarted && d[0].occurrence.tierID == "ceo" && !d[0].late)
        #expect(d[0].key == "K3F9/tier_started/ceo/\(Int64(Self.t0.timeIntervalSince1970 * 1000) + 30 * 60_000)#page")
        // Another site derives the same key.
        #expect(due(i, at: 31.5, machine: "m-b").first?.key == d[0].key)
    }

    @Test func theOriginFiresAtOnceAnotherSiteOnlyAfterTheGraceAndNotOnceClaimed() {
        let i = Self.incident(machine: "m-a")
        #expect(due(i, at: 30.5, machine: "m-b").isEmpty, "within the grace (60 s): the origin's turn")
        let late = due(i, at: 31.01, machine: "m-b")
        #expect(late.count == 1 && late[0].late, "after the grace another site takes over, marked late")
        let key = late[0].key
        let claimed = Self.incident(machine: "m-a", [(.hook(HookRecord(name: "page", key: key, result: .claimed)), 30.9)])
        #expect(due(claimed, at: 31.01, machine: "m-b").isEmpty && due(claimed, at: 31).isEmpty, "a claim stops everyone")
        // A claim with no result, older than the hook could run: its serve died; run again, same key.
        let stale = due(claimed, at: 30.9 + HookPlanner.maxRunSeconds(Self.page) / 60 + 0.1)
        #expect(stale.map(\.key) == [key])
        let done = Self.incident(machine: "m-a", [(.hook(HookRecord(name: "page", key: key, result: .claimed)), 30.01),
                                                  (.hook(HookRecord(name: "page", key: key, result: .failed, detail: "exit 3 after 4 tries")), 30.2)])
        #expect(due(done, at: 40).isEmpty, "a result, even a failure, ends it")
    }

    @Test func aTriggerMissedWhileDownFiresLateUnlessTooOldAndNothingButResolvedForAResolvedIncident() {
        let i = Self.incident(machine: "m-a")
        let d = due(i, at: 45)
        #expect(d.count == 1 && d[0].late, "15 minutes late")
        var s = HookSettings()
        s.maxAge = TimeSpan(seconds: 600)
        #expect(due(i, at: 45, settings: s).isEmpty, "older than max_age: not fired")
        let resolved = Self.incident(machine: "m-a", [(.resolved(message: "ok"), 40)])
        let both = [Self.page, Hook(name: "bye", on: [.resolved], target: .run(["/bin/true"]))]
        #expect(due(resolved, at: 41, hooks: both).map(\.hook.name) == ["bye"])
    }

    @Test func filtersByTierSeverityAndCustomer() {
        let i = Self.incident(machine: "m-a", [(.acknowledged, 1)])
        let onAck = Hook(name: "ack", on: [.acknowledged], severities: [.sev1], customers: ["acme"], target: .run(["/bin/true"]))
        #expect(due(i, at: 2, hooks: [onAck]).count == 1)
        var other = onAck
        other.customers = ["globex"]
        #expect(due(i, at: 2, hooks: [other]).isEmpty)
        other = onAck
        other.severities = [.sev3]
        #expect(due(i, at: 2, hooks: [other]).isEmpty)
    }

    @Test func policyCheckNamesTheLineAndColumnOfABadHook() {
        func err(_ hooks: String) -> PolicyError? {
            do { _ = try Policy(yaml: Policy.builtInYAML + "hooks:\n" + hooks, file: "p.yaml"); return nil } catch { return error }
        }
        let base = Policy.builtInYAML.split(separator: "\n", omittingEmptySubsequences: false).count + 1
        var e = err("  - { name: a, on: [tier_startd], run: [/bin/true] }\n")
        #expect(e?.line == base && e!.message.contains("unknown trigger 'tier_startd'; did you mean 'tier_started'?"), "\(String(describing: e))")
        e = err("  - { name: a, on: [tier_started], tiers: [cfo], run: [/bin/true] }\n")
        #expect(e!.message.contains("unknown tier 'cfo'") && e?.line == base && e!.column > 40, "\(String(describing: e))")
        e = err("  - { name: a, on: [resolved], run: [page.sh] }\n")
        #expect(e!.message.contains("must be an absolute path"), "\(String(describing: e))")
        // A program missing on this machine: a warning (the policy is shared by sites).
        #expect(err("  - { name: a, on: [resolved], run: [/nonexistent/page] }\n") == nil)
        let w = try? Policy.check(yaml: Policy.builtInYAML + "hooks:\n  - { name: a, on: [resolved], run: [/nonexistent/page] }\n", file: "p.yaml", at: Date(timeIntervalSince1970: 1_790_000_000)).warnings
        #expect(w?.first?.message.contains("is not there or not executable on this machine") == true, "\(String(describing: w))")
        e = err("  - { name: a, on: [resolved] }\n")
        #expect(e!.message.contains("needs 'run' (a program) or 'post' (a URL)"))
    }
}
