import Escalation
import Foundation
import Testing

/// What the fold and the ladder say follows when things happened, and a
/// closed incident's record says how each step went.
@Suite struct WhenThingsHappened {
    let management = Incident.ContactKey(tier: "management", contact: "vp-cx")

    @Test func aBackDatedUnansweredCallDoesNotUndoALaterReach() {
        var s = Scenario()
        s.reachManagement(at: 5)
        #expect(s.ladder(at: 6).rungs[1].status == .done)
        // Recorded afterwards, dated two minutes earlier: an older call.
        s.add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .noAnswer, person: nil), at: 3)
        let i = s.folded
        #expect(i.contacts[management]?.outcome == .reached && i.contacts[management]?.at == Scenario.at(5))
        #expect(s.ladder(at: 6).rungs[1].status == .done)
    }

    @Test func reachingSomeoneIsNotUndoneByALaterUnansweredCall() {
        var s = Scenario()
        s.reachManagement(at: 5)
        s.add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .noAnswer, person: nil), at: 7)
        let vp = s.ladder(at: 8).rungs[1].contacts[2]
        #expect(vp.outcome == .noAnswer && vp.reachedAt == Scenario.at(5))
        #expect(s.ladder(at: 8).rungs[1].status == .done)
    }

    @Test func aBackDatedCustomerUpdateDoesNotPullTheNextOneForward() {
        var s = Scenario()
        s.add(.customerUpdate(message: "now"), at: 10)
        #expect(s.ladder(at: 11).nextCustomerUpdateAt == Scenario.at(25))
        s.add(.customerUpdate(message: "late"), at: 2)
        #expect(s.folded.lastCustomerUpdate?.at == Scenario.at(10))
        #expect(s.ladder(at: 11).nextCustomerUpdateAt == Scenario.at(25))
    }

    @Test func theTimelineIsInTheOrderThingsHappened() {
        var s = Scenario()
        s.add(.note(message: "second"), at: 4)
        s.add(.note(message: "third"), at: 6)
        s.add(.note(message: "first, recorded last"), at: 2)
        s.add(.note(message: "also at four, recorded later"), at: 4)
        let i = s.folded
        let texts = i.timeline.map { entry -> String in
            if case let .note(m) = entry.event.action { return m }
            return entry.event.action.typeName
        }
        #expect(texts == ["opened", "first, recorded last", "second", "also at four, recorded later", "third"])
        #expect((0..<i.timelineCount).map { i.timelineEntry($0) } == i.timeline)
        // Applied one by one (as a live store does) gives the same order as folding at once.
        var live = Incident(opening: s.events[0])!
        for e in s.events.dropFirst() { live.apply(e) }
        #expect(live.timeline == i.timeline)
    }

    @Test func anActionCannotHappenBeforeTheOpeningNorAReopenBeforeItsResolve() {
        var s = Scenario()
        let i = s.folded
        #expect(i.refusal(of: .acknowledged, baseVersion: 1, at: Scenario.at(-2))?.contains("before K3F9 was opened") == true)
        s.add(.resolved(message: nil), at: 10)
        let resolved = s.folded
        #expect(resolved.refusal(of: .reopened, baseVersion: 2, at: Scenario.at(8))?.contains("before the resolve it undoes") == true)
        #expect(resolved.refusal(of: .reopened, baseVersion: 2, at: Scenario.at(11)) == nil)
        // Written anyway (an old writer, a hand edit): kept, marked, not applied.
        s.add(.reopened, at: 8)
        s.add(.note(message: "before it all"), at: -5)
        let folded = s.folded
        #expect(folded.state == .resolved)
        #expect(folded.timeline.filter(\.isStale).count == 2)
    }
}

@Suite struct HowEachStepWent {
    @Test func aTierMetAfterItsDueTimeIsLateByHowMuch() {
        var s = Scenario()
        for c in ["am", "director-support"] {
            s.add(.contactOutcome(tier: "management", contact: c, outcome: .reached, person: nil), at: 4)
        }
        s.add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .reached, person: nil), at: 13)
        let rung = s.ladder(at: 14).rungs[1]
        #expect(rung.status == .late && rung.lateSeconds == 180 && rung.metAt == Scenario.at(13))
        #expect(rung.status.isMet && rung.remainingSeconds == nil)
        #expect(s.ladder(at: 14).nextDeadline?.kind != .tierDue(1))
    }

    @Test func aResolvedIncidentsRecordIsDoneLateMissedOrNotStarted() {
        var s = Scenario()
        s.reachManagement(at: 8)
        s.add(.escalated(toTier: "technical"), at: 9)
        s.add(.contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), at: 25)
        s.add(.resolved(message: "fixed"), at: 28)
        let l = s.ladder(at: 60)
        #expect(l.rungs.map(\.status) == [.done, .done, .late, .notStarted])
        #expect(l.rungs[2].lateSeconds == 6 * 60)
    }

    @Test func aTierNeverMetBeforeTheResolutionWasMissedEvenIfReachedAfter() {
        var s = Scenario()
        s.add(.resolved(message: nil), at: 12)
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), at: 13)
        let l = s.ladder(at: 20)
        #expect(l.rungs[1].status == .missed && l.rungs[1].metAt == nil)
        #expect(l.rungs[2].status == .missed, "technical started by itself at 10m and nobody was engaged")
        #expect(l.rungs[3].status == .notStarted)
    }
}

@Suite struct EveryStepCanBreach {
    @Test func theBuiltInPolicyGivesEveryTierWithPeopleADeadline() throws {
        for tier in Policy.builtIn.tiers where tier.require != .none {
            #expect(tier.notifyWithin != nil, "\(tier.id)")
        }
        #expect(try Policy.check(yaml: Policy.builtInYAML, file: "built-in", at: Date(timeIntervalSince1970: 1_790_000_000)).warnings.isEmpty)
    }

    @Test func anUninformedCEOIsOverdueFiveMinutesAfterTheTierStarts() {
        var s = Scenario()
        s.reachManagement(at: 5)
        s.add(.escalated(toTier: "technical"), at: 6)
        s.add(.contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), at: 7)
        s.add(.customerUpdate(message: "working"), at: 30)
        // CEO tier: starts 20m after technical (at 26), due 5m later (at 31).
        let l = s.ladder(at: 37)
        #expect(l.rungs[3].isStarted && l.rungs[3].status == .overdue && l.rungs[3].remainingSeconds == -360)
        #expect(l.nextDeadline == Ladder.Deadline(at: Scenario.at(31), kind: .tierDue(3)))
    }

    @Test func aTierWithPeopleButNoDeadlineIsAWarningWithItsPosition() throws {
        let yaml = """
        name: p
        tiers:
          - id: first
            name: First
            contacts: [Someone]
            notify_within: 5m
          - id: second
            name: Second
            contacts: [Someone Else]
        """
        let (policy, warnings) = try Policy.check(yaml: yaml, file: "p.yaml", at: Date(timeIntervalSince1970: 1_790_000_000))
        #expect(policy.tiers.count == 2)
        #expect(warnings.map(\.description) == ["p.yaml:7:9: warning: tier 'second' has contacts to reach but no notify_within: this tier can never be overdue"])
    }
}

@Suite struct TimeRunsOneWay {
    @Test func aHostWhoseClockIsAFewSecondsSlowCanStillAct() {
        var s = Scenario()
        s.add(.acknowledged, at: -2.0 / 60, by: "bob")  // two seconds before the opening, by bob's clock
        #expect(s.folded.state == .acknowledged && !s.folded.timeline.last!.isStale)
        #expect(s.folded.refusal(of: .note(message: "x"), baseVersion: 2, at: Scenario.at(-0.5)) == nil)
        #expect(s.folded.refusal(of: .note(message: "x"), baseVersion: 2, at: Scenario.at(-2)) != nil)
    }

    @Test func nothingButFactsIsDatedBeforeTheReopenItFollows() {
        var s = Scenario()
        s.add(.resolved(message: nil), at: 10)
        s.add(.reopened, at: 20)
        let i = s.folded
        for action in [Action.resolved(message: nil), .acknowledged, .escalated(toTier: "technical")] {
            #expect(i.refusal(of: action, baseVersion: 3, at: Scenario.at(15))?.contains("before K3F9 was reopened") == true, "\(action)")
            #expect(i.refusal(of: action, baseVersion: 3, at: Scenario.at(21)) == nil, "\(action)")
        }
        // A call made while it was resolved is still a fact worth keeping.
        #expect(i.refusal(of: .note(message: "x"), baseVersion: 3, at: Scenario.at(15)) == nil)
    }
}

/// Copies of an incident share one log of events: appending never copies
/// it, and a copy that falls behind forks before it changes anything.
@Suite struct SharedLogs {
    @Test func aCopyKeepsWhatItSawAndABehindCopyForks() {
        var s = Scenario()
        s.add(.acknowledged, at: 1)
        let first = Incident.fold(s.events)!
        var ahead = first
        let note = s.add(.note(message: "later"), at: 2)
        let appended = ahead.apply(note)
        #expect(appended)
        #expect(first.version == 2 && first.events.count == 2 && ahead.version == 3)
        #expect(first.timeline.count == 2 && ahead.timeline.last?.event == note)
        // The old copy appends something else: it forks, and neither sees the other's.
        var behind = first
        var other = Scenario()
        other.add(.acknowledged, at: 1)
        other.add(.escalated(toTier: "technical"), at: 2)
        let escalation = other.events[2]
        let applied = behind.apply(escalation)
        #expect(applied)
        #expect(Array(behind.events.map(\.action)) == [s.events[0].action, .acknowledged, .escalated(toTier: "technical")])
        #expect(ahead.events.last?.action == .note(message: "later") && first.version == 2)
        #expect(behind != ahead && first == Incident.fold(Array(s.events.prefix(2)))!)
    }
}

@Suite struct TheNextActionInWords {
    @Test func waitingForATierSaysWhoItWillNeed() {
        var s = Scenario()
        s.reachManagement(at: 5)
        s.add(.escalated(toTier: "technical"), at: 6)
        s.add(.contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), at: 7)
        s.add(.customerUpdate(message: "working"), at: 19)
        let e = Board.Entry(s.folded, policies: PolicyBook(), at: Scenario.at(20))
        #expect(e.next.kind == .wait)
        #expect(Words.nextAction(e, now: Scenario.at(20)) == "Nothing due now — T3 CEO informed starts 06:00, then call CEO (no number on file)")
    }

    @Test func anOverdueTierNamesWhoToCallByWhenAndTheLastCall() {
        var s = Scenario()
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), at: 2)
        s.add(.contactOutcome(tier: "management", contact: "director-support", outcome: .noAnswer, person: nil), at: 9)
        let e = Board.Entry(s.folded, policies: PolicyBook(), at: Scenario.at(12))
        #expect(Words.nextAction(e, now: Scenario.at(12)) == "Call VP of Customer Experience (no number on file) — T1 Management notified due -02:00 — not called yet")
    }
}

@Suite struct SharedLogsAcrossThreads {
    /// Two copies at the log's end, appending on two threads at once: each
    /// keeps exactly its own events (the check that a copy is at the end
    /// and its append are one step; before, both could append to the shared
    /// log and one copy then read the other's event as its own).
    @Test func twoCopiesAtTheEndAppendingAtOnceEachKeepTheirOwn() {
        var s = Scenario()
        s.add(.acknowledged, at: 1)
        let start = Incident.fold(s.events)!
        var other = s
        let mine = s.add(.note(message: "mine"), at: 2)
        let theirs = other.add(.note(message: "theirs"), at: 2, host: "noc2")
        final class Results: @unchecked Sendable { var copies: [Incident?] = [nil, nil]; let ready = Atomicish() }
        final class Atomicish: @unchecked Sendable {
            private let lock = NSLock()
            private var n = 0
            func arrive() { lock.withLock { n += 1 } }
            var count: Int { lock.withLock { n } }
        }
        var wrong = 0
        for _ in 0..<20_000 {
            // A fresh log for each round, shared by both copies at its end.
            var base = start
            base.shrinkLog()
            let r = Results()
            let both = base
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                var copy = both
                r.ready.arrive()
                while r.ready.count < 2 {}  // both start together
                copy.apply(k == 0 ? mine : theirs)
                r.copies[k] = copy
            }
            if r.copies[0]?.events.last != mine || r.copies[1]?.events.last != theirs { wrong += 1 }
        }
        #expect(wrong == 0, "\(wrong) of 20000 rounds: a copy read another's event as its own")
    }

    /// A copy read on another thread while the owner appends: the lock in
    /// the log makes each read see a whole array (without it this crashed).
    @Test func aCopyCanBeReadWhileTheOwnerAppends() async {
        var s = Scenario()
        s.add(.acknowledged, at: 1)
        var owner = Incident.fold(s.events)!
        let copy = owner
        let reader = Task.detached {
            var seen = 0
            for _ in 0..<2000 { seen &+= copy.events.count + copy.timelineEntry(copy.timelineCount - 1).event.id.sequence }
            return seen
        }
        for n in 0..<30_000 {
            let e = IncidentEvent(id: EventID(host: "zz", sequence: n + 10), hlc: HLC(millis: Int64(2_000_000_000_000) + Int64(n), counter: 0),
                                  incident: "K3F9", operatorName: "w", unixUser: "w", at: Scenario.at(2), recordedAt: Scenario.at(2),
                                  baseVersion: 0, action: .note(message: "n\(n)"))
            _ = owner.apply(e)
        }
        let seen = await reader.value
        #expect(seen > 0 && copy.version == 2 && owner.version == 30_002)
    }
}

@Suite struct ValidUntilHoldsForTheNextAction {
    /// A tier with people but no deadline: the customer update falling due
    /// changes the next action, so the ladder says it holds only until then.
    @Test func theCustomerUpdateDueTimeEndsTheLadderValidity() throws {
        let yaml = "name: p\ncustomer_updates: 15m\ntiers:\n  - { id: desk, name: Desk, contacts: [Alice Oncall] }\n"
        var s = Scenario(policy: yaml)
        s.add(.note(message: "x"), at: 1)
        let l = s.ladder(at: 2)
        #expect(l.validUntil == Scenario.at(15))
        let before = NextAction(incident: s.folded, ladder: l, at: Scenario.at(2))
        let after = NextAction(incident: s.folded, ladder: s.ladder(at: 16), at: Scenario.at(16))
        #expect(before.kind == .call(tier: 0, contact: 0) && after.kind == .customerUpdate)
    }
}
