import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// Issue 26, the screens never lie, second pass: each case failed before.
@Suite struct SecondTruthPass {
    func press(_ m: inout Model, _ keys: Key...) -> [Command] { keys.flatMap { m.update(.key($0)) } }

    /// Opened 25 minutes ago, nobody called: T1 overdue 15 min, T2 (started
    /// by itself at 10 min) overdue 5 min, the customer update overdue 10
    /// min, and the CEO tier starting by itself in 5 minutes.
    static func everythingLate() -> Board.Builder {
        Board.Builder("C3EO", title: "Whole PoP down", customer: "acme", severity: .sev1, openedMinutesAgo: 25)
    }

    @Test func aScreenTooSmallTakesNoKeyButQuitEvenFromAQuestion() {
        var m = Board.model(Board.several)
        _ = press(&m, .char("r"), .enter)
        #expect(m.overlay == .confirmResolve(incident: "20AJ", message: nil))
        _ = m.update(.resized(width: 70, height: 20))
        #expect(m.view(width: 70, height: 20).text.contains("Terminal too small"))
        #expect(press(&m, .char("y")).isEmpty, "a hidden question takes no answer")
        #expect(m.overlay == .confirmResolve(incident: "20AJ", message: nil))
        #expect(press(&m, .char("q")) == [.quit], "q quits, as the screen says")
        _ = m.update(.resized(width: 120, height: 40))
        #expect(press(&m, .char("y")).count == 1, "seen again, the question takes its answer")
    }

    @Test func theHandoverListsTheMostUrgentFirstWhateverTheOrderItIsGiven() {
        let m = Board.model(Board.several + [Self.everythingLate()])
        let entries = m.incidents.values.map { Escalation.Board.Entry($0, policies: m.policies, at: m.now) }
        let texts = Set([entries, entries.reversed(), entries.sorted { $0.incident.id < $1.incident.id }].map {
            ShiftHandover($0, span: 8 * 3600, now: m.now, schedules: .builtIn, overrides: []).markdown(complete: true)
        })
        #expect(texts.count == 1, "one text whatever the order of the entries")
        let open = texts.first!.components(separatedBy: "## Open incidents")[1]
        #expect(open.firstRange(of: "**C3EO**").map { r in open[..<r.lowerBound].contains("**") } == false, "the most overdue first: \(open)")
    }

    @Test func theHandoverListsEveryDeadlineInTheHourAndLateCustomerUpdatesAsBreaches() {
        let m = Board.model([Self.everythingLate()])
        let entries = m.incidents.values.map { Escalation.Board.Entry($0, policies: m.policies, at: m.now) }
        let md = ShiftHandover(entries, span: 8 * 3600, now: m.now, schedules: .builtIn, overrides: []).markdown(complete: true)
        #expect(md.contains("**C3EO** T1 Management notified overdue"), "\(md)")
        #expect(md.contains("**C3EO** T2 Technical resources engaged overdue"), "\(md)")
        #expect(md.contains("**C3EO** customer update overdue"), "\(md)")
        #expect(md.contains("**C3EO** T3 CEO informed starts at"), "the CEO tier's automatic start is the next shift's business: \(md)")
        #expect(md.contains("C3EO customer update due") && md.contains("(not sent)"), "a late customer update is a breach: \(md)")
    }

    @Test func anArchivedWorstIncidentOpensAsAReplayNotAnotherIncident() {
        var m = Board.model(Board.several)
        // The report asks the loop for the archive's figures (update reads
        // no store); the loop's answer is a message.
        let asked = press(&m, .char("R"))
        guard case let .loadHistory(since)? = asked.first else { Issue.record("no load asked: \(asked)"); return }
        #expect(since == Board.now.addingTimeInterval(-7 * 86400))
        _ = m.update(.history(since: since, facts: [IncidentFacts(Escalation.Board.Entry(Board.Builder("OLD1", title: "Last week's outage", customer: "acme", openedMinutesAgo: 3 * 1440)
            .add(.resolved(message: "fixed"), minutesAgo: 3 * 1440 - 90).incident, policies: Board.model([]).policies, at: Board.now))]))
        guard let r = m.panel(ReportPanel.self), let k = r.worst.firstIndex(of: "OLD1") else {
            Issue.record("OLD1 is not among the worst: \(String(describing: m.overlay))"); return
        }
        for _ in 0..<k { _ = press(&m, .down) }
        #expect(press(&m, .enter) == [.replay(incident: "OLD1")], "the incident the row names, from the store")
        #expect(m.selectedID != "OLD1" || m.selection(in: m.entries) == nil)
    }

    @Test func aBreachOutsideTheFilterIsStillSaid() {
        var m = Board.model(Board.several)
        _ = press(&m, .char("/"))
        for c in "recording" { _ = m.update(.key(.char(c))) }
        _ = press(&m, .enter)
        #expect(m.entries.map(\.incident.id) == ["TSF2"])
        let text = m.view(width: 120, height: 40).text
        #expect(text.contains("2 overdue incidents outside the filter (Esc clears it)"), "G2D9 and 20AJ are overdue and hidden: \(text)")
    }

    @Test func theWallShowsEveryOverdueStepAndWhatIsNext() {
        var w = WallScenes.wall([Self.everythingLate()])
        _ = w.update(.tick(Board.now))
        let text = w.view(width: 120, height: 40).text
        #expect(text.contains("also: update due -10:00 · T2 due -05:00 · T3 starts 05:00"), "\(text)")
        #expect(text.contains("T3 starts 05:00"), "the CEO tier starting in five minutes is on the wall: \(text)")
    }

    @Test func theWallSaysHiddenIncidentsAreOverdueNotDueInMinusMinutes() {
        let many = (0..<30).map { k in Board.Builder(String(format: "Q%03d", k), title: "Outage \(k)", customer: "acme", openedMinutesAgo: 20 + Double(k)) }
        let text = WallScenes.wall(many).view(width: 120, height: 30).text
        #expect(!text.contains("in -"), "\(text)")
        #expect(text.contains("more open incidents not shown (") && text.contains("overdue, the longest by"), "\(text)")
    }

    @Test func aLongTierNameNeverRunsIntoTheCustomer() {
        let text = WallScenes.several().view(width: 200, height: 60).text
        #expect(!text.contains("dueacme") && !text.contains("dueglobex") && !text.contains("dueinitech"), "\(text)")
    }

    @Test func theNextActionLineNeverOverwritesTheBoxBorder() {
        let m = Board.model([Self.everythingLate()])
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let rows = m.view(width: w, height: h).text.split(separator: "\n", omittingEmptySubsequences: false)
            let next = rows.first { $0.contains("▶ ") && $0.hasPrefix("│") }
            #expect(next?.hasSuffix("│") == true, "\(w)x\(h): \(next ?? "no next-action row")")
        }
    }

    @Test func voicemailAndNoAnswerHaveTheirOwnSymbols() {
        let b = Board.Builder("V01C", title: "Calls", customer: "acme", openedMinutesAgo: 3)
            .add(.contactOutcome(tier: "management", contact: "am", outcome: .voicemail, person: nil), minutesAgo: 2)
            .add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .noAnswer, person: nil), minutesAgo: 1)
        let text = Board.model([b]).view(width: 120, height: 40).text
        #expect(text.contains("» Jane Roe") || text.contains("» Account Manager"), "\(text)")
        #expect(text.contains("~ VP of Customer Experience"), "\(text)")
    }

    @Test func spansAreRoundedNotCutDown() {
        #expect(Words.span(12 * 60 + 59) == "13m")
        #expect(Words.span(12 * 60 + 29) == "12m")
        #expect(Words.span(59 * 60 + 45) == "1h00m")
        #expect(Words.span(3 * 3600 + 59 * 60 + 50) == "4h00m")
        #expect(Words.span(86400 - 10) == "1d00h")
        #expect(Words.span(45) == "45s")
    }

    @Test func aMistypedStartOfAContactIsSuggested() {
        #expect(Suggest.didYouMean("directr", among: ["am", "director-support", "vp-cx"]) == "; did you mean 'director-support'?")
        var m = Board.model(Board.several)
        _ = press(&m, .char(":"))
        for c in "notify 20aj directr" { _ = m.update(.key(.char(c))) }
        _ = press(&m, .enter)
        #expect(m.notice?.text.contains("did you mean 'director-support'") == true, "\(String(describing: m.notice))")
    }

    @Test func aQuestionOnAnIncidentAnotherOperatorChangedIsWithdrawnAndSaysWhy() {
        var m = Board.model(Board.several)
        _ = press(&m, .char("r"), .enter)
        #expect(m.overlay == .confirmResolve(incident: "20AJ", message: nil))
        let b = Board.several[2].add(.resolved(message: "carrier fixed it"), minutesAgo: 0, by: "bob")
        var book = m.policies
        book.learn(b.incident)
        _ = m.update(.changed(incidents: [b.incident], policies: book, badRecords: 0))
        #expect(m.overlay == nil)
        #expect(m.notice?.text.hasPrefix("bob on 20AJ: resolved") == true && m.notice!.text.contains("your question was withdrawn"),
                "\(String(describing: m.notice))")
        // A text prompt keeps what was typed and says the news in itself.
        var n = Board.model(Board.several)
        _ = press(&n, .char("m"))
        for c in "checking" { _ = n.update(.key(.char(c))) }
        let acked = Board.several[2].add(.note(message: "on it"), minutesAgo: 0, by: "bob")
        book = n.policies
        book.learn(acked.incident)
        _ = n.update(.changed(incidents: [acked.incident], policies: book, badRecords: 0))
        guard case let .prompt(p)? = n.overlay else { Issue.record("the note prompt closed"); return }
        #expect(p.text == "checking" && p.hint?.hasPrefix("bob on 20AJ:") == true)
        #expect(n.view(width: 120, height: 40).text.contains("bob on 20AJ"))
    }

    /// At 80×24 the list shows a few rows: an overdue incident scrolled out
    /// of view is said on the frame, above or below.
    @Test func aScrolledListSaysTheOverdueIncidentsItHides() {
        // Opened 11..22 minutes ago: every one overdue at T1; the newest last.
        let many = (0..<12).map { k in Board.Builder(String(format: "L%03d", k), title: "Outage \(k)", customer: "acme", openedMinutesAgo: 11 + Double(k)) }
        var m = Board.model(many)
        _ = m.update(.resized(width: 80, height: 24))
        for _ in 0..<11 { _ = press(&m, .down) }
        let bottom = m.view(width: 80, height: 24).text
        #expect(bottom.contains("overdue above"), "\(bottom)")
        for _ in 0..<11 { _ = press(&m, .up) }
        let top = m.view(width: 80, height: 24).text
        #expect(top.contains("overdue below") && !top.contains("overdue above"), "\(top)")
    }

    /// At 80×24 the contacts pane has two rows for three people: the one to
    /// call next is marked, and working in the pane shows each outcome.
    @Test func aSmallContactsPaneStillSaysWhoIsNextAndHowCallsWent() {
        let b = Board.Builder("V01C", title: "Calls", customer: "acme", openedMinutesAgo: 3)
            .add(.contactOutcome(tier: "management", contact: "am", outcome: .voicemail, person: nil), minutesAgo: 2)
        var m = Board.model([b])
        _ = m.update(.resized(width: 80, height: 24))
        let rows = m.view(width: 80, height: 24).text.split(separator: "\n").map(String.init)
        let pane = rows.filter { $0.contains("Director") || $0.contains("Account Manager") || $0.contains("Jane Roe") }
        #expect(pane.contains { $0.contains("▶○") }, "the next to call is marked: \(rows.joined(separator: "\n"))")
        _ = press(&m, .tab, .tab)
        #expect(m.focus == .contacts)
        let worked = m.view(width: 80, height: 24).text
        #expect(worked.contains("voicemail by alice"), "the outcome under the cursor: \(worked)")
        #expect(worked.contains("more below"), "\(worked)")
    }

    /// The handover at 80×24 wraps its long lines and scrolls exactly to
    /// its last line, however often PgDn is pressed.
    @Test func theHandoverWrapsLongLinesAndStopsAtItsEnd() {
        var m = Board.model(Board.several + [Self.everythingLate()])
        _ = m.update(.resized(width: 80, height: 24))
        _ = press(&m, .char("H"))
        guard let lines = m.panel(HandoverPanel.self)?.lines else { Issue.record("no handover"); return }
        let long = lines.first { $0.count > 76 }
        #expect(long != nil, "a line longer than the box, to wrap: \(lines)")
        for _ in 0..<50 { _ = press(&m, .pageDown) }
        let text = m.view(width: 80, height: 24).text
        guard let scroll = m.panel(HandoverPanel.self)?.scroll else { Issue.record("closed"); return }
        #expect(scroll > 0)
        #expect(text.contains(lines.last { !$0.isEmpty }!.prefix(40)), "the last line shows at the end: \(text)")
        #expect(text.contains("any other key closes") && !text.contains("more line"), "\(text)")
        _ = press(&m, .up)
        guard let back = m.panel(HandoverPanel.self)?.scroll else { Issue.record("closed"); return }
        #expect(back == scroll - 1, "one up from the end is one line, not fifty pages")
        // Every word of the long line is on some screen: wrapped, not cut.
        _ = press(&m, .escape, .char("H"))
        var seen = m.view(width: 80, height: 24).text
        for _ in 0..<lines.count { _ = press(&m, .down); seen += m.view(width: 80, height: 24).text }
        if let long { #expect(long.split(separator: " ").allSatisfy { seen.contains($0) }, "\(long)") }
    }
}
