import Dashboard
import Surface
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
        #expect(text.contains("▶ Call Jane Roe +1 555 0101 — not called yet"))
    }

    @Test func aBreachedCountdownKeepsItsHeightAt80x24() {
        let rows = WallScenes.several().view(width: 80, height: 24).text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.filter { $0.contains("██") }.count >= 10)
    }

    /// The panel flashes (filled, then plain) while the digits are drawn
    /// to be read at every instant.
    @Test func aBreachFlashesThePanelNeverTheDigits() throws {
        var w = WallScenes.several()
        for second in 0..<2 {
            _ = w.update(.tick(Board.now.addingTimeInterval(Double(second))))
            let f = w.view(width: 80, height: 24)
            let ink = try #require((0..<f.width).first { f.character(x: $0, y: 4) == "█" })
            let panel = try #require((0..<f.width).first { f.character(x: $0, y: 4) == " " && $0 > 2 })
            let (inkRole, panelRole) = (f[ink, 4].role, f[panel, 4].role)
            #expect(inkRole != panelRole || inkRole == .wallBreached, "second \(second): digits readable on the panel")
            #expect(second == 0 ? panelRole == .wallBreached : panelRole == .normal)
        }
    }

    /// A new breach takes the big panel from an older one at once, even
    /// one overdue since long before.
    @Test func aNewBreachTakesTheBigPanel() {
        let old = Board.Builder("OLD1", title: "Forgotten since yesterday", customer: "acme", openedMinutesAgo: 26 * 60)
        let fresh = Board.Builder("NEW1", title: "Management due any second", customer: "globex", openedMinutesAgo: 9.9)
        var w = WallScenes.wall([old, fresh])
        #expect(w.featured(w.entries)?.incident.id == "OLD1")
        _ = w.update(.tick(Board.now.addingTimeInterval(10)))
        #expect(w.featured(w.entries)?.incident.id == "NEW1")
        #expect(w.view(width: 80, height: 24).text.contains("Management due any second"))
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

    /// The wall derives its ladders again only when one of them changes
    /// (`Ladder.validUntil`) or the store does. Ticking through an hour of
    /// starts, dues and breaches, it shows exactly what a wall with the same
    /// history that derives everything again every second shows.
    @Test func ticksDrawWhatDerivingEverySecondDraws() {
        var ticking = WallScenes.several()
        var reference = WallScenes.several()
        let m = Board.model(Board.several)
        var recomputed = 0
        for s in stride(from: 1, through: 3600, by: 7) {
            let t = Board.now.addingTimeInterval(Double(s))
            let before = ticking.entries.map(\.ladder)
            _ = ticking.update(.tick(t))
            if ticking.entries.map(\.ladder) != before { recomputed += 1 }
            _ = reference.update(.tick(t))
            _ = reference.update(.store(incidents: m.incidents, policies: m.policies, badRecords: 0))  // derives again
            #expect(ticking.view(width: 120, height: 40).text == reference.view(width: 120, height: 40).text, "at +\(s) s")
            #expect(ticking.view(width: 120, height: 40) == reference.view(width: 120, height: 40), "at +\(s) s")
        }
        #expect(recomputed > 3 && recomputed < 100, "derived again only when a ladder changed (\(recomputed) times)")
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

@Suite struct TheWallSaysWhenItGuesses {
    @Test func anIncidentWhosePolicyDoesNotParseSaysSo() {
        let b = Board.Builder("BADP", title: "Opened by a newer writer", customer: "acme", severity: .sev1, openedMinutesAgo: 3,
                              policy: "name: from-the-future\ntiers: 7\n")
        let w = WallScenes.wall([b])
        #expect(w.view(width: 120, height: 40).text.contains("BADP · acme · sev1 · T1 Management notified due · ⚠ its policy does not parse"))
    }
}
