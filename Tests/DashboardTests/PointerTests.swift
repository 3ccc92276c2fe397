import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// Issue 33, the mouse: a click acts on what the frame drew under it.
@Suite struct Pointer {
    func press(_ screen: inout some Screen, _ f: Frame, at text: String, dx: Int = 0) -> [Command] {
        let rows = f.text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let y = rows.firstIndex(where: { $0.contains(text) }), let x = rows[y].range(of: text).map({ rows[y].distance(from: rows[y].startIndex, to: $0.lowerBound) }) else {
            Issue.record("no \(text) on screen")
            return []
        }
        return screen.update(.pointer(Mouse(.press, x: x + dx, y: y), f.hit(x: x + dx, y: y)))
    }

    @Test func aClickSelectsTheRowAndASecondOnAContactAsksForTheCall() {
        var m = Scenes.several()
        #expect(m.selectedID == "20AJ")
        _ = press(&m, m.view(width: 120, height: 40), at: "G2D9")
        #expect(m.selectedID == "G2D9" && m.focus == .list)
        // G2D9's contacts show management (overdue): the AM reached, the
        // director's voicemail, the VP to call next; a click on the director.
        let f = m.view(width: 120, height: 40)
        #expect(f.text.contains("Contacts · T1 Management notified"), "\(f.text)")
        _ = press(&m, f, at: "» Director of Customer Support")
        #expect(m.focus == .contacts && m.selectedContact == 1 && m.overlay == nil, "\(m.selectedContact)")
        _ = press(&m, m.view(width: 120, height: 40), at: "» Director of Customer Support")
        #expect(m.overlay == .outcome(incident: "G2D9", tier: 1, contact: 1), "\(String(describing: m.overlay))")
    }

    @Test func aStrayClickNeverAnswersAQuestion() {
        var m = Scenes.several()
        _ = m.update(.key(.char("e")))
        guard case .confirmEscalate? = m.overlay else { Issue.record("no question"); return }
        let f = m.view(width: 120, height: 40)
        #expect(press(&m, f, at: "G2D9").isEmpty)
        #expect({ if case .confirmEscalate? = m.overlay { return true }; return false }() && m.selectedID == "20AJ")
        // Its answer on the key bar is a deliberate click: it answers.
        let commands = press(&m, m.view(width: 120, height: 40), at: "y Yes")
        #expect(commands.count == 1 && m.overlay == nil, "\(commands)")
    }

    @Test func theWheelScrollsTheListUnderIt() {
        var m = Scenes.several()
        let f = m.view(width: 120, height: 40)
        let rows = f.text.split(separator: "\n", omittingEmptySubsequences: false)
        let y = rows.firstIndex { $0.contains("20AJ") }!
        _ = m.update(.pointer(Mouse(.wheelDown, x: 10, y: y), f.hit(x: 10, y: y)))
        #expect(m.selectedID == "G2D9" && m.focus == .list)
        _ = m.update(.pointer(Mouse(.wheelUp, x: 10, y: y), f.hit(x: 10, y: y)))
        #expect(m.selectedID == "20AJ")
    }

    @Test func theWheelUpOverTheTimelineStopsAtTheNewestEntry() {
        var m = Scenes.several()
        let f = m.view(width: 120, height: 40)
        let rows = f.text.split(separator: "\n", omittingEmptySubsequences: false)
        let y = rows.firstIndex { $0.contains("note: Carrier ticket 55123 opened") }!
        let x = rows[y].distance(from: rows[y].startIndex, to: rows[y].range(of: "note: Carrier")!.lowerBound)
        for _ in 0..<3 { _ = m.update(.pointer(Mouse(.wheelUp, x: x, y: y), f.hit(x: x, y: y))) }
        #expect(m.timelineScroll == 0 && m.timelineCursor == 0)
        #expect(m.view(width: 120, height: 40).text.contains("note: Carrier ticket 55123 opened"))
        _ = m.update(.pointer(Mouse(.wheelDown, x: x, y: y), f.hit(x: x, y: y)))
        #expect(m.timelineScroll == 3)
    }

    @Test func aTapOnTheWallShowsThatIncidentInTheBigPanel() {
        var w = WallScenes.several()
        let list = w.entries
        let first = w.featured(list)?.incident.id
        let other = list.map(\.incident.id).first { $0 != first }!
        _ = press(&w, w.view(width: 200, height: 60), at: " \(other) ")
        #expect(w.featured(w.entries)?.incident.id == other)
        // For a while: then the panel is the wall's own again.
        _ = w.update(.tick(Board.now.addingTimeInterval(31)))
        #expect(w.featured(w.entries)?.incident.id != other)
    }
}
