import Escalation
import Foundation
import Testing

@Suite struct TheFold {
    @Test func openingSetsTheHeader() {
        let i = Scenario().folded
        #expect(i.id == "K3F9" && i.title == "SIP trunk down" && i.customer == "acme" && i.severity == .sev1)
        #expect(i.state == .open && i.opened.by == "alice" && i.version == 1)
    }

    @Test func everyTransition() {
        var s = Scenario()
        s.add(.acknowledged, at: 1, by: "bob")
        #expect(s.folded.state == .acknowledged && s.folded.acknowledged?.by == "bob")
        s.add(.escalated(toTier: "technical"), at: 2)
        #expect(s.folded.escalations.map(\.tier) == ["technical"])
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .voicemail, person: nil), at: 3)
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), at: 4)
        #expect(s.folded.contacts[.init(tier: "management", contact: "am")]?.outcome == .reached)
        s.add(.customerUpdate(message: "working on it"), at: 5)
        #expect(s.folded.lastCustomerUpdate?.at == Scenario.at(5))
        s.add(.note(message: "carrier ticket 1"), at: 6)
        s.add(.resolved(message: "fixed"), at: 7, by: "carol")
        #expect(s.folded.state == .resolved && s.folded.resolved?.by == "carol" && s.folded.resolutionMessage == "fixed")
        s.add(.reopened, at: 8)
        let i = s.folded
        #expect(i.state == .open && i.resolved == nil && i.acknowledged == nil && i.lastReopened == Scenario.at(8))
        #expect(i.timeline.count == 9 && i.timeline.allSatisfy { !$0.isStale } && i.version == 9)
    }

    @Test func duplicatesAreIgnored() {
        var s = Scenario()
        let ack = s.add(.acknowledged, at: 1)
        let once = s.folded
        let twice = Incident.fold(s.events + [ack, s.events[0]])!
        #expect(twice == once)
    }

    @Test func ackOnAStaleViewIsKeptButNotApplied() {
        var s = Scenario()
        s.add(.resolved(message: nil), at: 5, by: "carol")           // version 2
        s.add(.acknowledged, at: 6, by: "bob", base: 1)               // bob saw version 1
        s.add(.escalated(toTier: "technical"), at: 6, by: "bob", base: 1)
        let i = s.folded
        #expect(i.state == .resolved && i.acknowledged == nil && i.escalations.isEmpty)
        let stale = i.timeline.suffix(2)
        #expect(stale.allSatisfy { $0.isStale && $0.staleReason!.hasPrefix("stale: acted on version 1, already resolved by carol") })
    }

    @Test func refusalsExplainThemselves() {
        var s = Scenario()
        s.add(.acknowledged, at: 1, by: "bob")
        let acked = s.folded
        #expect(acked.refusal(of: .acknowledged, baseVersion: acked.version, at: Scenario.at(3))?.hasPrefix("already acknowledged by bob") == true)
        #expect(acked.refusal(of: .reopened, baseVersion: acked.version, at: Scenario.at(3)) == "incident K3F9 is not resolved")
        s.add(.resolved(message: nil), at: 2)
        let resolved = s.folded
        #expect(resolved.refusal(of: .acknowledged, baseVersion: resolved.version, at: Scenario.at(3))?.hasPrefix("already resolved by alice") == true)
        #expect(resolved.refusal(of: .resolved(message: nil), baseVersion: resolved.version, at: Scenario.at(3)) != nil)
        #expect(resolved.refusal(of: .note(message: "x"), baseVersion: resolved.version, at: Scenario.at(3)) == nil)
    }

    @Test func aSecondOpeningIsMarkedNotApplied() {
        var s = Scenario()
        s.add(.opened(Opening(title: "other", customer: nil, severity: .sev4, policyYAML: "", policyDigest: "")), at: 1, host: "noc2")
        let i = s.folded
        #expect(i.title == "SIP trunk down" && i.timeline.last!.isStale)
    }

    @Test func eventsBeforeTheOpeningAndOfOtherIncidentsAreSkipped() {
        let s = Scenario()
        var other = s.events[0]
        other.incident = "ZZZZ"
        other.id = EventID(host: "x", sequence: 99)
        var i = s.folded
        i.apply(other)
        #expect(i.version == 1)
        #expect(Incident.fold([IncidentEvent]()) == nil)
    }
}

@Suite struct TheLadderOfTheDefaultPolicy {
    @Test func atOpenPlusNineMinutesManagementHasSixtySecondsLeft() {
        let l = Scenario().ladder(at: 9)
        #expect(l.rungs.map(\.status) == [.done, .active, .pending, .pending])
        #expect(l.rungs[1].remainingSeconds == 60)
        #expect(l.rungs[1].dueAt == Scenario.at(10))
        #expect(abs(l.rungs[1].progress - 0.9) < 1e-9)
        #expect(l.rungs[2].startAt == Scenario.at(10) && l.rungs[2].remainingSeconds == 60)
        #expect(l.rungs[3].startAt == Scenario.at(30))
        #expect(l.currentTier == 1)
        #expect(l.nextDeadline == Ladder.Deadline(at: Scenario.at(10), kind: .tierDue(1)))
    }

    @Test func managementTurnsOverdueFromItsTrueTime() {
        let l = Scenario().ladder(at: 10 + 1.0 / 60)
        #expect(l.rungs[1].status == .overdue && l.rungs[1].remainingSeconds == -1)
        #expect(l.rungs[2].status == .active && l.currentTier == 2)
        // An overdue tier stays the most urgent deadline.
        #expect(l.nextDeadline?.kind == .tierDue(1))
    }

    @Test func managementIsDoneWhenAllThreeAreReached() {
        var s = Scenario()
        for c in ["am", "director-support"] { s.add(.contactOutcome(tier: "management", contact: c, outcome: .reached, person: nil), at: 3) }
        s.add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .voicemail, person: nil), at: 4)
        #expect(s.ladder(at: 5).rungs[1].status == .active)
        s.add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .reached, person: nil), at: 6)
        #expect(s.ladder(at: 5).rungs[1].status == .active, "an outcome counts from its own time")
        #expect(s.ladder(at: 7).rungs[1].status == .done)
    }

    @Test func ceoTierIsActiveTwentyMinutesAndOneSecondAfterTechnicalStarted() {
        var s = Scenario()
        s.add(.escalated(toTier: "technical"), at: 3)
        let before = s.ladder(at: 23 - 1.0 / 60)
        #expect(before.rungs[3].status == .pending && before.rungs[3].remainingSeconds == 1)
        let l = s.ladder(at: 23 + 1.0 / 60)
        #expect(l.rungs[2].startAt == Scenario.at(3))
        #expect(l.rungs[3].status == .active && l.rungs[3].startAt == Scenario.at(23) && l.currentTier == 3)
        // Unattended, technical would have started at 10m and the CEO at 30m.
        #expect(Scenario().ladder(at: 30 + 1.0 / 60).rungs[3].status == .active)
    }

    @Test func escalatingToALaterTierStartsTheTiersBeforeIt() {
        var s = Scenario()
        s.add(.escalated(toTier: "ceo"), at: 1)
        let l = s.ladder(at: 2)
        #expect(l.rungs.allSatisfy { $0.isStarted })
        #expect(l.rungs[2].startAt == Scenario.at(1) && l.rungs[3].startAt == Scenario.at(1))
    }

    /// `validUntil` is the next instant the ladder's statuses, deadlines or
    /// contacts change: nothing but countdowns moves before it, and
    /// something has changed just after it.
    @Test func aLadderSaysUntilWhenItHolds() {
        struct Shape: Equatable {
            var rungs: [String]
            var next: Ladder.Deadline?
            /// The customer update is overdue: the next action turns to it.
            var updateOverdue: Bool
        }
        func shape(_ l: Ladder, at minutes: Double) -> Shape {
            Shape(rungs: l.rungs.map { "\($0.status) \($0.isStarted) \(String(describing: $0.startAt)) \(String(describing: $0.dueAt)) \($0.contacts.map { "\(String(describing: $0.outcome))" })" },
                  next: l.nextDeadline, updateOverdue: l.nextCustomerUpdateAt.map { $0 < Scenario.at(minutes) } ?? false)
        }
        var s = Scenario()
        s.add(.acknowledged, at: 2)
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), at: 4)
        s.add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .voicemail, person: nil), at: 14)
        s.add(.escalated(toTier: "technical"), at: 8)
        var changes = 0
        for minute in stride(from: 0.0, through: 45, by: 0.25) {
            let l = s.ladder(at: minute)
            guard let until = l.validUntil else { continue }
            let untilMinutes = until.timeIntervalSince(Scenario.t0) / 60
            #expect(untilMinutes >= minute)
            for k in 1...4 where minute + (untilMinutes - minute) * Double(k) / 5 < untilMinutes {
                let m = minute + (untilMinutes - minute) * Double(k) / 5
                #expect(shape(s.ladder(at: m), at: m) == shape(l, at: minute), "held from \(minute)m")
            }
            #expect(shape(s.ladder(at: untilMinutes + 0.5 / 60), at: untilMinutes + 0.5 / 60) != shape(l, at: minute), "changed just after \(untilMinutes)m")
            changes += 1
        }
        #expect(changes > 100)
        let resolved = { var r = s; r.add(.resolved(message: nil), at: 20); return r.ladder(at: 21) }()
        #expect(resolved.validUntil == nil, "a resolved incident's ladder never changes by the clock")
    }

    @Test func technicalIsDoneWhenAnyTeamIsReached() {
        var s = Scenario()
        s.add(.contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), at: 12)
        #expect(s.ladder(at: 13).rungs[2].status == .done)
    }

    @Test func resolvedStopsEverything() {
        var s = Scenario()
        s.add(.resolved(message: "fixed"), at: 5)
        let l = s.ladder(at: 45)
        #expect(l.nextDeadline == nil && l.nextCustomerUpdateAt == nil)
        // Nobody was called before the resolution: management was missed.
        #expect(l.rungs[0].status == .done && l.rungs[1].status == .missed)
        #expect(l.rungs[2].status == .notStarted && !l.rungs[2].isStarted && l.rungs[2].startAt == nil)
        #expect(l.rungs[3].startAt == nil && l.currentTier == 1)
    }

    @Test func reopeningResumesTimersThatFellDueWhileResolved() {
        var s = Scenario()
        s.add(.resolved(message: nil), at: 5)
        s.add(.reopened, at: 50)
        let l = s.ladder(at: 51)
        #expect(l.rungs[2].isStarted && l.rungs[2].startAt == Scenario.at(50))
        #expect(l.rungs[3].startAt == Scenario.at(70))
        #expect(l.nextCustomerUpdateAt == Scenario.at(65))
        #expect(l.rungs[1].status == .overdue, "management's due time did not move")
    }

    @Test func customerUpdatesFollowTheCadence() {
        var s = Scenario()
        #expect(s.ladder(at: 1).nextCustomerUpdateAt == Scenario.at(15))
        s.add(.customerUpdate(message: "update"), at: 12)
        #expect(s.ladder(at: 13).nextCustomerUpdateAt == Scenario.at(27))
    }

    @Test func contactsCarryTheCustomersOverridesAndOutcomes() {
        var s = Scenario()
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .noAnswer, person: nil), at: 2, by: "bob")
        let am = s.ladder(at: 3).rungs[1].contacts[0]
        #expect(am.contact.name == "Jane Roe" && am.contact.phone == "+1 555 0101")
        #expect(am.outcome == .noAnswer && am.by == "bob" && am.at == Scenario.at(2))
        #expect(Scenario(customer: "globex").ladder(at: 3).rungs[1].contacts[0].contact.name == "Account Manager")
    }

    @Test func nothingIsWrittenWhenATimerPasses() {
        let s = Scenario()
        let before = s.folded
        _ = s.ladder(at: 1000)
        #expect(s.folded == before && s.events.count == 1)
    }
}

@Suite struct SuppressionWhileAcknowledged {
    static let policy = """
    name: pager
    tiers:
      - { id: first, name: First, require: none, contacts: [Desk] }
      - { id: second, name: Second, start: { after: 5m, from: open }, unless: acknowledged, contacts: [Boss] }
    """

    @Test func anAcknowledgedIncidentDoesNotAutoEscalate() {
        var s = Scenario(policy: SuppressionWhileAcknowledged.policy)
        s.add(.acknowledged, at: 2)
        #expect(!s.ladder(at: 20).rungs[1].isStarted)
        #expect(s.ladder(at: 20).rungs[1].startAt == nil)
    }

    @Test func anAckAfterTheStartDoesNotUndoIt() {
        var s = Scenario(policy: SuppressionWhileAcknowledged.policy)
        s.add(.acknowledged, at: 7)
        #expect(s.ladder(at: 8).rungs[1].startAt == Scenario.at(5))
    }

    @Test func escalationStillWorksWhileAcknowledged() {
        var s = Scenario(policy: SuppressionWhileAcknowledged.policy)
        s.add(.acknowledged, at: 2)
        s.add(.escalated(toTier: "second"), at: 3)
        #expect(s.ladder(at: 4).rungs[1].status == .active)
    }
}
