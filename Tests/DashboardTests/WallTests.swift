import Dashboard
import Escalation
import Foundation
import Testing

@Suite struct TheWall {
    @Test func digitsAreAtLeastFiveRowsTallAndGrowWithTheScreen() {
        let small = WallScenes.one().view(width: 80, height: 24).text.split(separator: "\n", omittingEmptySubsequences: false)
        let big = WallScenes.one().view(width: 200, height: 60).text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(small.filter { $0.contains("██") }.count >= 5)
        #expect(big.filter { $0.contains("██") }.count >= 10)
    }

    @Test func theFeaturedIncidentSaysWhoToCall() {
        let text = WallScenes.one().view(width: 80, height: 24).text
        #expect(text.contains("K3F9 · acme · sev1 · T1 Management notified due"))
        #expect(text.contains("call Jane Roe +1 555 0101 · Director of Customer Support · VP of Customer Exp…"), "cut to the width, with an ellipsis")
    }

    @Test func urgencyHasShapeAsWellAsColour() {
        let breach = WallScenes.several().view(width: 80, height: 24)
        #expect(breach.text.contains("!! BREACHED !!"))
        #expect(breach[30, 3].role == .wallBreached)
        var w = WallScenes.one()
        _ = w.update(.tick(Board.now.addingTimeInterval(5 * 60)))  // management due in 60 s
        let warn = w.view(width: 80, height: 24)
        #expect(warn.text.contains("⚠ WARNING") && warn[1, 2].role == .wallWarning)
        #expect(!WallScenes.one().view(width: 80, height: 24).text.contains("WARNING"))
    }

    @Test func fiveHundredOpenIncidentsAreNeverSilentlyDropped() {
        let builders = (0..<500).map { n in
            Board.Builder(String(format: "X%03d", n), title: "Incident \(n)", customer: "c\(n % 7)", openedMinutesAgo: Double(n % 9) + 0.5)
        }
        let w = WallScenes.wall(builders)
        for (width, height) in [(80, 24), (200, 60)] {
            let lines = w.view(width: width, height: height).text.split(separator: "\n").map(String.init)
            let listed = lines.filter { $0.hasPrefix(" ● ") || $0.hasPrefix(" ! ") || $0.hasPrefix(" ▲ ") }.count
            let more = lines.first { $0.contains("more open incidents not shown") }
            #expect(more != nil)
            let hidden = Int(more!.split(separator: " ")[1])!
            #expect(1 + listed + hidden == 500, "featured + listed + counted = all (\(listed) listed, \(hidden) counted)")
            #expect(more!.contains("earliest deadline in"))
        }
    }

    @Test func rotationCyclesTheUrgentIncidentsAndPauses() {
        var w = WallScenes.wall(Board.several, rotate: 10)
        let first = w.featured(w.entries)!.incident.id
        _ = w.update(.tick(Board.now.addingTimeInterval(5)))
        #expect(w.featured(w.entries)!.incident.id == first)
        _ = w.update(.tick(Board.now.addingTimeInterval(10)))
        let second = w.featured(w.entries)!.incident.id
        #expect(second != first)
        _ = w.update(.key(.char(" ")))
        #expect(w.paused)
        _ = w.update(.tick(Board.now.addingTimeInterval(30)))
        #expect(w.featured(w.entries)!.incident.id == second, "paused")
        #expect(w.view(width: 80, height: 24).text.contains("rotation paused"))
    }

    @Test func aNewBreachTakesTheBigPanelAndRingsOnce() {
        var w = WallScenes.wall([Board.Builder("AAAA", title: "calm", customer: "acme", openedMinutesAgo: 1),
                                 Board.Builder("BBBB", title: "about to breach", customer: "acme", openedMinutesAgo: 9.9)], bell: true)
        #expect(w.featured(w.entries)!.incident.id == "BBBB")
        let ring = w.update(.tick(Board.now.addingTimeInterval(7)))  // BBBB's management tier falls due
        #expect(ring == [.bell])
        #expect(w.update(.tick(Board.now.addingTimeInterval(8))).isEmpty, "once per breach")
        #expect(w.featured(w.entries)!.incident.id == "BBBB")
        #expect(w.view(width: 80, height: 24).text.contains("BREACHED"))
    }

    @Test func onlyQSpaceAndQuestionMarkDoAnything() {
        var w = WallScenes.several()
        for key: Key in [.char("a"), .char("e"), .char("r"), .char("n"), .char(":"), .enter, .function(2)] {
            #expect(w.update(.key(key)).isEmpty)
        }
        _ = w.update(.key(.char("?")))
        #expect(w.view(width: 80, height: 24).text.contains("The wall is read-only"))
        _ = w.update(.key(.char("x")))
        #expect(w.update(.key(.char("q"))) == [.quit])
    }

    @Test func staleDataIsSaidOnTheWall() {
        var w = WallScenes.one()
        _ = w.update(.watchStatus("polling every 500ms: the store is on nfs"))
        #expect(w.view(width: 120, height: 30).text.contains("⚠ STALE? polling every 500ms"))
    }
}
