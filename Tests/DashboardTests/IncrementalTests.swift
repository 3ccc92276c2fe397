import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// The fast path's slow twin: screens told which incidents a read touched
/// (and deriving only those again) draw exactly what screens that derive
/// everything on every message draw.
@Suite struct OnlyWhatChanged {
    /// The scenes' incidents, then a story of changes: an ack, calls, a
    /// resolve, a new incident, a reopen, with the clock moving between.
    func story() -> [(minutes: Double, incidents: [String: Incident], changed: Set<String>)] {
        let several = Board.several
        var current = Dictionary(uniqueKeysWithValues: several.map { ($0.id, $0.incident) })
        var steps: [(Double, [String: Incident], Set<String>)] = []
        func change(_ b: Board.Builder, at minutes: Double, _ action: Action, by: String = "carol") {
            b.add(action, minutesAgo: -minutes, by: by)
            current[b.id] = b.incident
            steps.append((minutes, current, [b.id]))
        }
        let fresh = several[0], overdue = several[1], acked = several[3]
        change(fresh, at: 0.5, .acknowledged)
        change(overdue, at: 1, .contactOutcome(tier: "management", contact: "vp-cx", outcome: .reached, person: nil))
        change(overdue, at: 2, .contactOutcome(tier: "management", contact: "director-support", outcome: .reached, person: nil))
        change(acked, at: 3, .resolved(message: "fixed"))
        let late = Board.Builder("N3W1", title: "Raised later", customer: "acme", openedMinutesAgo: -4)
        current[late.id] = late.incident
        steps.append((4, current, [late.id]))
        change(acked, at: 6, .reopened)
        change(late, at: 30, .note(message: "still here"))
        return steps
    }

    @Test func theDashboardDrawsTheSameAsDerivingEverything() {
        var fast = Scenes.several(), slow = Scenes.several()
        for (minutes, incidents, changed) in story() {
            let t = Board.now.addingTimeInterval(minutes * 60)
            for m in [0, 1] {
                let message = m == 0 ? Message.changed(incidents: changed.map { incidents[$0]! }, policies: fast.policies, badRecords: 0)
                    : Message.store(incidents: incidents, policies: fast.policies, badRecords: 0)
                _ = m == 0 ? fast.update(.tick(t)) : slow.update(.tick(t))
                _ = m == 0 ? fast.update(message) : slow.update(message)
            }
            #expect(fast.view(width: 120, height: 40) == slow.view(width: 120, height: 40), "at +\(minutes)m")
            #expect(fast.entries.map(\.incident.id) == slow.entries.map(\.incident.id))
        }
        // And the clock alone, through an hour, second by second at the edges.
        for s in stride(from: 0, to: 3600, by: 7) {
            let t = Board.now.addingTimeInterval(1800 + Double(s))
            _ = fast.update(.tick(t))
            _ = slow.update(.tick(t))
            _ = slow.update(.store(incidents: slow.incidents, policies: slow.policies, badRecords: 0))
            #expect(fast.view(width: 120, height: 40) == slow.view(width: 120, height: 40), "at +\(s)s")
        }
    }

    @Test func theWallDrawsTheSameAsDerivingEverything() {
        var fast = WallScenes.several(), slow = WallScenes.several()
        for (minutes, incidents, changed) in story() {
            let t = Board.now.addingTimeInterval(minutes * 60)
            _ = fast.update(.tick(t))
            _ = slow.update(.tick(t))
            _ = fast.update(.changed(incidents: changed.map { incidents[$0]! }, policies: fast.policies, badRecords: 0))
            _ = slow.update(.store(incidents: incidents, policies: slow.policies, badRecords: 0))
            #expect(fast.view(width: 200, height: 60) == slow.view(width: 200, height: 60), "at +\(minutes)m")
        }
    }
}
