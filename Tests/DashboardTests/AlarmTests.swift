import Dashboard
import Surface
import Escalation
import Foundation
import Testing

/// What the screens say when they cannot see the whole store, at a fixed
/// clock, asserted as text.
@Suite struct AlarmFrames {
    let unreadable = Alarm(problems: ["events/noc2.log unreadable: permission denied — incidents may be missing"])

    @Test func theDashboardPutsTheProblemAboveEverythingAndNeverSaysAllClear() {
        var m = Board.model([])
        _ = m.update(.alarm(unreadable))
        let text = m.view(width: 80, height: 24).text.split(separator: "\n").map(String.init)
        #expect(text[1] == " ⚠ events/noc2.log unreadable: permission denied — incidents may be missing")
        #expect(text[4] == "│  No open incidents in what could be read: part of the store is unreadable.   │")
        #expect(!m.view(width: 120, height: 40).text.contains("All clear"))
        // The problem row is in breach colours.
        #expect(m.view(width: 80, height: 24).roles(row: 1)[3] == .countdownCritical)
    }

    @Test func aStoreThatIsNotThereIsWaitedForNotAllClear() {
        var m = Board.model([])
        _ = m.update(.alarm(Alarm(waitingFor: "/srv/noc/store")))
        let frame = m.view(width: 120, height: 40).text
        #expect(frame.contains("⚠ Waiting for a store at /srv/noc/store: nothing can be shown until it exists"))
        #expect(frame.contains("No store to read yet: not all clear, nothing is known") && !frame.contains("All clear"))
    }

    @Test func aWarningLeavesTheAllClearTrueAndIsNotInBreachColours() {
        var m = Board.model([Board.Builder("B6XZ", title: "Fax", customer: nil, openedMinutesAgo: 60).add(.resolved(message: nil), minutesAgo: 30)])
        _ = m.update(.alarm(Alarm(warnings: ["policy.yaml:5:20: error: bad duration — new incidents cannot be opened"])))
        let f = m.view(width: 80, height: 24)
        #expect(f.text.contains("No open incidents. All clear.") && f.roles(row: 1)[3] == .headerWarning)
    }

    @Test func theWallSaysItDoesNotKnowInsteadOfAllClear() {
        var w = WallScenes.allClear()
        _ = w.update(.alarm(unreadable))
        let text = w.view(width: 80, height: 24).text
        #expect(text.contains("⚠ events/noc2.log unreadable: permission denied"))
        #expect(text.contains("Part of the store cannot be read: incidents may be missing. NOT all clear."))
        #expect(!text.contains("No open incidents"))
        // With incidents open the banner sits above the big panel.
        var busy = WallScenes.one()
        _ = busy.update(.alarm(unreadable))
        let lines = busy.view(width: 80, height: 24).text.split(separator: "\n").map(String.init)
        #expect(lines[1].contains("events/noc2.log unreadable") && busy.view(width: 80, height: 24).text.contains("SIP trunk down"))
    }

    @Test func aResolvedIncidentsLadderShowsLateMissedAndNotStarted() {
        let b = Board.Builder("K3F9", title: "SIP trunk down", customer: "acme", openedMinutesAgo: 40)
            .add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), minutesAgo: 25)
            .add(.contactOutcome(tier: "management", contact: "director-support", outcome: .reached, person: nil), minutesAgo: 25)
            .add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .reached, person: nil), minutesAgo: 25)
            .add(.resolved(message: "fixed"), minutesAgo: 20)
        var m = Board.model([b])
        _ = m.update(.key(.char("A")))
        let text = m.view(width: 120, height: 40).text
        #expect(text.contains("≈ T1 Management notified             late    from 17:20Z   due 17:30Z   +05:00 ███"))
        #expect(text.contains("✗ T2 Technical resources engaged     missed  from 17:30Z   due 17:40Z"))
        #expect(text.contains("– T3 CEO informed                    not started                               ░░░"))
    }
}
