import Escalation
import Foundation
import Intake
import Testing

/// Which automatic calls are due when: per contact not yet reached, per try,
/// once per key like a hook, the origin first.
@Suite struct CallOutPlanning {
    static let t0 = HookPlanning.t0
    static let yaml = Policy.builtInYAML.replacingOccurrences(of: "    name: Management notified\n", with: "    name: Management notified\n    call_out: { recall: 5m, attempts: 3 }\n")
        + "dialer:\n  program: /bin/true\n  uri: \"sip:{e164}@trunk.example.org\"\n"

    /// An incident under the call-out policy opened at t0 by machine m-a, with events at minutes.
    static func incident(_ actions: [(Action, Double)] = []) -> Incident {
        var seq = 0
        func ev(_ a: Action, _ minutes: Double) -> IncidentEvent {
            seq += 1
            let t = t0.addingTimeInterval(minutes * 60)
            return IncidentEvent(id: EventID(host: "noc1", sequence: seq), hlc: HLC(millis: Int64(t.timeIntervalSince1970 * 1000), counter: 0), incident: "K3F9",
                                 operatorName: "alice", unixUser: "alice", at: t, recordedAt: t, baseVersion: seq - 1, action: a)
        }
        var i = Incident(opening: ev(.opened(Opening(title: "t", customer: "acme", severity: .sev1, policyYAML: yaml,
                                                     policyDigest: Policy.digest(of: yaml), originMachine: "m-a")), 0))!
        for (a, m) in actions { i.apply(ev(a, m)) }
        return i
    }

    func due(_ i: Incident, at minutes: Double, machine: String = "m-a") -> [CallOutDue] {
        var book = PolicyBook()
        book.learn(i)
        let now = Self.t0.addingTimeInterval(minutes * 60)
        let e = Board.Entry(i, policies: book, at: now)
        return CallOutPlanner.due(e, dialer: e.policy.dialer!, settings: HookSettings(), now: now, machine: machine, host: "noc1")
    }

    func claimed(_ key: String) -> Action { .hook(HookRecord(name: CallOutPlanner.recordName, key: key, result: .claimed)) }
    func ended(_ key: String) -> Action { .hook(HookRecord(name: CallOutPlanner.recordName, key: key, result: .ok, detail: "no answer")) }
    func reached(_ contact: String) -> Action { .contactOutcome(tier: "management", contact: contact, outcome: .reached, person: CalledPerson(nil)) }

    @Test func whenTheTierStartsEachContactIsDueOnceWithAKeyEverySiteDerives() {
        let d = due(Self.incident(), at: 0.01)
        #expect(d.map(\.contact) == ["am", "director-support", "vp-cx"], "only the tier with call_out (management), each of its contacts")
        #expect(d.allSatisfy { $0.attempt == 1 && $0.attempts == 3 && $0.at == Self.t0 && !$0.late })
        let ms = Int64(Self.t0.timeIntervalSince1970 * 1000)
        #expect(d[0].key == "K3F9/call_out/management/\(ms)/am/1#call-out")
        #expect(due(Self.incident(), at: 0.01, machine: "m-b").isEmpty, "another site waits for the grace")
        #expect(due(Self.incident(), at: 1.01, machine: "m-b").map(\.key) == d.map(\.key), "then takes over with the same keys, late")
    }

    @Test func aClaimStopsEveryoneATryRunsAgainEveryRecallAndAReachedContactIsNotCalled() {
        let ms = Int64(Self.t0.timeIntervalSince1970 * 1000)
        func key(_ c: String, _ n: Int) -> String { "K3F9/call_out/management/\(ms)/\(c)/\(n)#call-out" }
        let first = Self.incident([(claimed(key("am", 1)), 0.01), (claimed(key("director-support", 1)), 0.01), (claimed(key("vp-cx", 1)), 0.01)])
        #expect(due(first, at: 1).isEmpty, "claimed: nobody rings them again")
        // A first try made late (serve was down) and still ringing when the second falls due.
        let ringing = Self.incident([(claimed(key("am", 1)), 4.9)])
        #expect(!due(ringing, at: 5.01).contains { $0.contact == "am" }, "the second try waits while the first is in flight (no result yet)")
        // A claim with no result older than a call can take: its serve died; the next try goes ahead.
        #expect(due(first, at: 5.01).map(\.attempt) == [2, 2, 2])
        let after = Self.incident([(claimed(key("am", 1)), 0.01), (ended(key("am", 1)), 0.5), (reached("director-support"), 0.5),
                                   (claimed(key("director-support", 1)), 0.01), (ended(key("director-support", 1)), 0.5),
                                   (claimed(key("vp-cx", 1)), 0.01), (ended(key("vp-cx", 1)), 0.5)])
        #expect(due(after, at: 4.9).isEmpty, "nothing until the recall")
        let second = due(after, at: 5.01)
        #expect(second.map(\.contact) == ["am", "vp-cx"] && second.allSatisfy { $0.attempt == 2 }, "the director was reached: not called again")
        // Down for a while: the missed try is not made up, the latest is made.
        let third = due(after, at: 11)
        #expect(third.map(\.attempt) == [3, 3] && third.allSatisfy { $0.at == Self.t0.addingTimeInterval(600) })
        #expect(due(after, at: 30).allSatisfy { $0.attempt == 3 }, "at most `attempts` tries")
    }

    @Test func aMetTierOrAResolvedIncidentCallsNoOne() {
        let all = Self.incident([(reached("am"), 1), (reached("director-support"), 1), (reached("vp-cx"), 1)])
        #expect(due(all, at: 5.5).isEmpty, "the tier is met")
        #expect(due(Self.incident([(.resolved(message: nil), 1)]), at: 5.5).isEmpty)
        var book = PolicyBook()
        let i = Self.incident()
        book.learn(i)
        let e = Board.Entry(i, policies: book, at: Self.t0.addingTimeInterval(60))
        #expect(CallOutPlanner.nextTry(e, now: e.now) == Self.t0.addingTimeInterval(300), "serve wakes for the next try")
    }

    @Test func anOperatorsCallRingingKeepsServeFromRingingTheSamePerson() {
        let hand = HookKey.call(incident: "K3F9", tier: "management", millis: 5, contact: "am").description
        let i = Self.incident([(.hook(HookRecord(name: HookKey.callName, key: hand, result: .claimed, detail: "Jane Roe +1 555 0101 (noc-a)")), 0.005)])
        #expect(due(i, at: 0.01).map(\.contact) == ["director-support", "vp-cx"], "am is being called from a desk")
        let ended = Self.incident([(.hook(HookRecord(name: HookKey.callName, key: hand, result: .claimed)), 0.005),
                                   (.hook(HookRecord(name: HookKey.callName, key: hand, result: .ok, detail: "Jane Roe: busy")), 0.008)])
        #expect(due(ended, at: 0.01).map(\.contact) == ["am", "director-support", "vp-cx"], "once it ended, serve's try goes out")
    }

    /// What the screens say of serve's tries, from the same records.
    @Test func theScreensSayTheNextTryATryNotMadeAndTriesRunOut() {
        let ms = Int64(Self.t0.timeIntervalSince1970 * 1000)
        func key(_ n: Int) -> String { HookKey.callOut(incident: "K3F9", tier: "management", startMillis: ms, contact: "am", attempt: n).description }
        func entry(_ i: Incident, at minutes: Double) -> Board.Entry {
            var book = PolicyBook()
            book.learn(i)
            return Board.Entry(i, policies: book, at: Self.t0.addingTimeInterval(minutes * 60))
        }
        let made = Self.incident([(claimed(key(1)), 0.01), (ended(key(1)), 0.5)])
        #expect(entry(made, at: 1).autoCall("am", now: Self.t0.addingTimeInterval(60)) == .next(attempt: 2, of: 3, at: Self.t0.addingTimeInterval(300)))
        #expect(entry(made, at: 1).callWords("am", now: Self.t0.addingTimeInterval(60))?.text == "serve calls again in 04:00 (try 2 of 3)")
        // The try's time has come: serve is about to make it.
        #expect(entry(made, at: 5.1).callWords("am", now: Self.t0.addingTimeInterval(306))?.text == "serve calls now (try 2 of 3)")
        // No claim 15 s after the try's time and the grace (60 s): no serve made it.
        #expect(entry(made, at: 6.5).autoCall("am", now: Self.t0.addingTimeInterval(390)) == .notMade(attempt: 2, dueAt: Self.t0.addingTimeInterval(300)))
        #expect(entry(made, at: 6.5).callWords("am", now: Self.t0.addingTimeInterval(390))?.alarm == true)
        // The screen's own clock, not the entry's: a quiet store still turns the line into the alarm.
        #expect(entry(made, at: 1).callWords("am", now: Self.t0.addingTimeInterval(390))?.text == "automatic try 2 NOT made: is tierwatch serve running?")
        // Older than max_age (1 h): serve no longer makes it, so nothing is promised or alarmed.
        #expect(entry(made, at: 80).autoCall("am", now: Self.t0.addingTimeInterval(80 * 60)) == nil)
        let all = Self.incident([(claimed(key(1)), 0.01), (ended(key(1)), 0.5), (claimed(key(2)), 5), (ended(key(2)), 5.5),
                                 (claimed(key(3)), 10), (ended(key(3)), 10.5)])
        #expect(entry(all, at: 11).autoCall("am", now: Self.t0.addingTimeInterval(660)) == .exhausted(made: 3))
        #expect(entry(all, at: 11).callWords("am", now: Self.t0.addingTimeInterval(660))?.text == "3 automatic calls made, not reached")
        let ringing = Self.incident([(claimed(key(1)), 0.01)])
        let call = entry(ringing, at: 0.5).callsInFlight(now: Self.t0.addingTimeInterval(30))["am"]
        #expect(call?.attempt == 1 && call?.automatic == true && call?.since == Self.t0.addingTimeInterval(0.6))
        #expect(entry(ringing, at: 4).callsInFlight(now: Self.t0.addingTimeInterval(240)).isEmpty, "a claim older than a call can take: its serve died")
        // Every try failed: no phone rang, and the screens say so.
        func failed(_ k: String) -> Action { .hook(HookRecord(name: CallOutPlanner.recordName, key: k, result: .failed, detail: "Jane Roe: baresip is not installed")) }
        let none = Self.incident([(claimed(key(1)), 0.01), (failed(key(1)), 0.02), (claimed(key(2)), 5), (failed(key(2)), 5.01),
                                  (claimed(key(3)), 10), (failed(key(3)), 10.01)])
        #expect(entry(none, at: 5.5).callWords("am", now: Self.t0.addingTimeInterval(330))?.text == "automatic try 2 NOT placed (see the timeline): dial by hand")
        #expect(entry(none, at: 11).autoCall("am", now: Self.t0.addingTimeInterval(660)) == .notPlaced(attempt: 3))
        #expect(entry(Self.incident([(reached("am"), 1)]), at: 2).autoCall("am", now: Self.t0.addingTimeInterval(120)) == nil, "reached: nothing to say")
    }
}

