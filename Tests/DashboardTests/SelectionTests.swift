import Dashboard
import Surface
import Escalation
import Testing

/// The selection is an incident id: what the operator sees is what a key
/// acts on, whatever the list does under their hands between two keys.
@Suite struct SelectionIsAnIncident {
    func press(_ m: inout Model, _ keys: Key...) -> [Command] { keys.flatMap { m.update(.key($0)) } }

    /// Another incident arrives (or is re-sorted) above the selected one.
    func arrive(_ m: inout Model, _ b: Board.Builder) {
        var book = m.policies
        book.learn(b.incident)
        _ = m.update(.changed(incidents: [b.incident], policies: book, badRecords: 0))
    }

    @Test func aReSortUnderTheOperatorsHandsKeepsTheIncidentTheyAreLookingAt() {
        var m = Board.model(Board.several)
        #expect(m.selectedID == "20AJ", "pinned to the top row at the first read, before any arrow key")
        // An incident opened 40 minutes ago (back-dated) is now the most
        // urgent: the top row changes between two of the operator's keys.
        arrive(&m, Board.Builder("N3WX", title: "New overdue", customer: "umbrella", openedMinutesAgo: 40, by: "bob"))
        #expect(m.entries.first?.incident.id == "N3WX")
        #expect(m.selectedID == "20AJ" && m.selection(in: m.entries)?.incident.id == "20AJ")
        _ = press(&m, .char("m"))
        #expect(m.overlay == .prompt(.init(purpose: .note(incident: "20AJ"), text: "")), "the note goes to the incident on screen")
        _ = press(&m, .escape)
        // Its detail pane is still 20AJ's.
        #expect(m.view(width: 120, height: 40).text.contains("20AJ · SIP trunk down in Frankfurt PoP"))
    }

    @Test func callsRecordedOneAfterAnotherStayOnOneIncidentWhenTheListReSorts() {
        // The issue's case: two incidents raised 30 s apart; the first one's
        // three managers are marked reached; the list re-sorts after the third.
        let first = Board.Builder("AAAA", title: "First", customer: "acme", openedMinutesAgo: 1)
        let second = Board.Builder("BBBB", title: "Second", customer: "globex", openedMinutesAgo: 0.5)
        var m = Board.model([first, second])
        let top = m.selectedID!
        let other = top == "AAAA" ? "BBBB" : "AAAA"
        let builder = top == "AAAA" ? first : second
        _ = press(&m, .tab, .tab)  // the contacts pane
        for contact in ["am", "director-support", "vp-cx"] {
            let cmds = press(&m, .char("r"))
            #expect(cmds.count == 1)
            guard case let .record(incident, .contactOutcome(_, c, .reached, _), _)? = cmds.first else {
                Issue.record("no call recorded: \(cmds)"); return
            }
            #expect(incident == top && c == contact)
            // The store's answer: the call is recorded, the list re-sorts.
            builder.add(.contactOutcome(tier: "management", contact: contact, outcome: .reached, person: nil), minutesAgo: 0)
            arrive(&m, builder)
            _ = press(&m, .down)
        }
        #expect(m.selectedID == top, "three calls later, still the same incident, whatever the order now")
        #expect(m.entries.map(\.incident.id).contains(other))
    }

    @Test func anIncidentResolvedElsewhereIsSaidGoneAndNoKeyFallsThroughToAnother() {
        var m = Board.model(Board.several)
        _ = press(&m, .down)
        #expect(m.selectedID == "G2D9")
        let resolved = Board.several[1].add(.resolved(message: "fixed"), minutesAgo: 0, by: "bob")
        arrive(&m, resolved)
        #expect(m.selection(in: m.entries) == nil)
        #expect(m.notice?.text.contains("bob on G2D9") == true)
        let screen = m.view(width: 120, height: 40).text
        #expect(screen.contains("G2D9 was resolved by bob") && screen.contains("↑/↓ choose another incident"), "\(screen)")
        #expect(screen.contains("↑↓ Choose") && !screen.contains("a Ack"), "the key bar offers no action that would be refused")
        #expect(press(&m, .char("a")).isEmpty)
        #expect(m.notice?.isError == true && m.notice!.text.contains("cannot acknowledge: G2D9 was resolved by bob"))
        #expect(press(&m, .char("m")).isEmpty && m.overlay == nil)
        _ = press(&m, .down)
        #expect(m.selectedID == m.entries.first?.incident.id, "an arrow chooses again, from the top")
    }

    /// The contacts cursor is a person too: when the pane moves to the next
    /// tier under it (the managers reached elsewhere), the next outcome key
    /// is refused once, with the news, instead of recording a call to
    /// whoever now sits at the same row.
    @Test func aContactsPaneThatMovedUnderTheCursorRecordsNothingUnseen() {
        let b = Board.Builder("J7FN", title: "Calls drop", customer: "globex", openedMinutesAgo: 12)
        var m = Board.model([b])
        _ = press(&m, .tab, .tab, .down, .down)
        #expect(m.focus == .contacts && m.selectedContact == 2 && m.shownTier(m.entries[0]) == 1)
        for c in ["am", "director-support", "vp-cx"] {
            b.add(.contactOutcome(tier: "management", contact: c, outcome: .reached, person: nil), minutesAgo: 0, by: "bob")
        }
        arrive(&m, b)
        #expect(m.shownTier(m.entries[0]) == 2, "the pane follows the work to T2")
        #expect(press(&m, .char("n")).isEmpty, "not recorded on whoever sits at row 3 now")
        #expect(m.notice?.text.hasPrefix("not recorded: the contacts changed under the cursor") == true, "\(String(describing: m.notice))")
        let again = press(&m, .char("n"))
        guard case let .record("J7FN", .contactOutcome(tier, contact, .noAnswer, _), _)? = again.first else {
            Issue.record("the second n records: \(again)"); return
        }
        #expect(tier == "technical" && m.entries[0].ladder.rungs[2].contacts[m.selectedContact].contact.id == contact)
    }

    @Test func theOperatorsOwnFilterMovesTheSelectionToWhatItShows() {
        var m = Board.model(Board.several)
        #expect(m.selectedID == "20AJ")
        _ = press(&m, .char("/"))
        for c in "voicemail" { _ = m.update(.key(.char(c))) }
        _ = press(&m, .enter)
        #expect(m.entries.map(\.incident.id) == ["G2D9"])
        #expect(m.selectedID == "G2D9", "the row the operator just filtered to")
    }
}
