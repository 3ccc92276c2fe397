import Dashboard
import Surface
import Escalation
import Testing

/// Each key's message gives the expected store command and model change.
@Suite struct Keys {
    /// The model with `keys` pressed in order; returns every command they produced.
    func press(_ m: inout Model, _ keys: Key...) -> [Command] {
        keys.flatMap { m.update(.key($0)) }
    }

    func type(_ m: inout Model, _ text: String) -> [Command] {
        text.flatMap { m.update(.key(.char($0))) }
    }

    var model: Model { Scenes.several() }  // selection starts on 20AJ, the most urgent

    @Test func arrowsAndJKMoveTheSelection() {
        var m = model
        #expect(m.selection(in: m.entries)?.incident.id == "20AJ")
        _ = press(&m, .down)
        #expect(m.selectedID == "G2D9")
        _ = press(&m, .char("j"), .char("j"), .char("j"), .char("j"))
        #expect(m.selectedID == "D4H4", "stops at the last")
        _ = press(&m, .char("k"), .up)
        #expect(m.selectedID == "G2D9")
    }

    @Test func aAcknowledgesTheSelectedIncidentAtTheVersionShown() {
        var m = model
        _ = press(&m, .down)  // G2D9: open
        let version = m.incidents["G2D9"]!.version
        #expect(press(&m, .char("a")) == [.record(incident: "G2D9", action: .acknowledged, baseVersion: version)])
        #expect(press(&m, .function(2)) == [.record(incident: "G2D9", action: .acknowledged, baseVersion: version)])
    }

    @Test func ackOnAnAcknowledgedIncidentIsRefusedWithTheReason() {
        var m = model  // 20AJ is acknowledged
        #expect(press(&m, .char("a")).isEmpty)
        #expect(m.notice?.isError == true && m.notice!.text.contains("already acknowledged by alex"))
    }

    @Test func eAsksToConfirmThenEscalatesToTheNextTier() {
        var m = model
        _ = press(&m, .char("j"), .char("j"), .char("j"))  // D4H4: at T1
        #expect(press(&m, .char("e")).isEmpty)
        #expect(m.overlay == .confirmEscalate(incident: "D4H4", tier: 2))
        #expect(press(&m, .char("y")) == [.record(incident: "D4H4", action: .escalated(toTier: "technical"), baseVersion: 1)])
        #expect(m.overlay == nil)
        _ = press(&m, .char("e"))
        #expect(press(&m, .char("n")).isEmpty && m.notice?.text == "escalation cancelled")
    }

    @Test func rResolvesWithAnOptionalMessage() {
        var m = model
        _ = press(&m, .char("r"))
        #expect(m.overlay == .prompt(.init(purpose: .resolve(incident: "20AJ"), text: "")))
        _ = type(&m, "carrier fixed it")
        let version = m.incidents["20AJ"]!.version
        // Resolving stops every timer: it asks once more, and only y, n or Esc answer.
        #expect(press(&m, .enter).isEmpty && m.overlay == .confirmResolve(incident: "20AJ", message: "carrier fixed it"))
        #expect(press(&m, .char("s"), .char("a"), .enter).isEmpty && m.overlay == .confirmResolve(incident: "20AJ", message: "carrier fixed it"))
        #expect(press(&m, .char("y")) == [.record(incident: "20AJ", action: .resolved(message: "carrier fixed it"), baseVersion: version)])
        _ = press(&m, .char("r"))
        #expect(press(&m, .enter, .char("y")) == [.record(incident: "20AJ", action: .resolved(message: nil), baseVersion: version)])
        _ = press(&m, .char("r"), .enter)
        #expect(press(&m, .char("n")).isEmpty && m.overlay == nil && m.notice?.text == "not resolved")
        _ = press(&m, .char("r"))
        #expect(press(&m, .escape).isEmpty && m.overlay == nil)
    }

    @Test func uAndMRecordUpdatesAndNotesButNotEmptyOnes() {
        var m = model
        _ = press(&m, .char("u"))
        #expect(press(&m, .enter).isEmpty && m.notice?.isError == true)
        _ = press(&m, .char("u"))
        _ = type(&m, "next update 18:30")
        #expect(press(&m, .enter) == [.record(incident: "20AJ", action: .customerUpdate(message: "next update 18:30"), baseVersion: 8)])
        _ = press(&m, .char("m"))
        _ = type(&m, "BGP flapping")
        _ = press(&m, .backspace, .backspace)
        #expect(press(&m, .enter) == [.record(incident: "20AJ", action: .note(message: "BGP flappi"), baseVersion: 8)])
    }

    @Test func nAsksForTitleCustomerAndSeverity() {
        var m = model
        _ = press(&m, .char("n"))
        _ = type(&m, "One-way audio")
        _ = press(&m, .enter)
        _ = type(&m, "hooli")
        _ = press(&m, .enter)
        #expect(m.overlay == .prompt(.init(purpose: .newSeverity(title: "One-way audio", customer: "hooli"), text: "")))
        _ = press(&m, .backspace)
        _ = type(&m, "9")
        #expect(press(&m, .enter).isEmpty, "a bad severity asks again, at once, saying why")
        #expect(m.overlay == .prompt(.init(purpose: .newSeverity(title: "One-way audio", customer: "hooli"), text: "",
                                           hint: "'9' is not a severity: sev1, sev2, sev3 or sev4")))
        #expect(m.view(width: 80, height: 24).text.contains("'9' is not a severity"))
        _ = type(&m, "1")
        #expect(press(&m, .enter) == [.raise(title: "One-way audio", customer: "hooli", severity: .sev1)])
    }

    @Test func enterOnAContactRecordsTheCallOutcome() {
        var m = model
        _ = press(&m, .char("j"), .char("j"), .char("j"))  // D4H4, current tier T1 management
        _ = press(&m, .tab, .tab)
        #expect(m.focus == .contacts)
        _ = press(&m, .char("j"))
        _ = press(&m, .char(" "))
        #expect(m.overlay == .outcome(incident: "D4H4", tier: 1, contact: 1))
        #expect(press(&m, .char("v")) == [.record(incident: "D4H4", action: .contactOutcome(tier: "management", contact: "director-support", outcome: .voicemail, person: nil), baseVersion: 1)])
        _ = press(&m, .enter)
        #expect(press(&m, .enter) == [.record(incident: "D4H4", action: .contactOutcome(tier: "management", contact: "director-support", outcome: .reached, person: nil), baseVersion: 1)])
    }

    @Test func tabMovesFocusAndTiersChooseWhichContactsShow() {
        var m = model
        _ = press(&m, .tab)
        #expect(m.focus == .tiers)
        _ = press(&m, .char("k"))
        let e = m.selection(in: m.entries)!
        #expect(m.shownTier(e) == 1, "from the current tier T2 up to T1")
        _ = press(&m, .backTab, .backTab)
        #expect(m.focus == .timeline, "list, tiers, contacts, timeline, round again")
        _ = press(&m, .backTab)
        #expect(m.focus == .contacts)
    }

    @Test func theCommandLineRunsActionsByID() {
        var m = model
        _ = press(&m, .char(":"))
        _ = type(&m, "ack g2d9")
        #expect(press(&m, .enter) == [.record(incident: "G2D9", action: .acknowledged, baseVersion: 3)])
        _ = press(&m, .char(":"))
        _ = type(&m, "notify D4H4 jane roe voicemail")
        #expect(press(&m, .enter).isEmpty, "Jane Roe is acme's account manager, not globex's")
        _ = press(&m, .char(":"))
        _ = type(&m, "notify G2D9 jane roe voicemail")
        #expect(press(&m, .enter) == [.record(incident: "G2D9", action: .contactOutcome(tier: "management", contact: "am", outcome: .voicemail, person: nil), baseVersion: 3)])
        _ = press(&m, .char(":"))
        _ = type(&m, "resolve TSF2 restored")
        #expect(press(&m, .enter).isEmpty && m.overlay == .confirmResolve(incident: "TSF2", message: "restored"))
        #expect(press(&m, .char("y")) == [.record(incident: "TSF2", action: .resolved(message: "restored"), baseVersion: 2)])
        _ = press(&m, .char(":"))
        _ = type(&m, "ack ZZZZ")
        #expect(press(&m, .enter).isEmpty && m.notice?.text == "unknown incident 'ZZZZ'")
        _ = press(&m, .char(":"))
        _ = type(&m, "q")
        #expect(press(&m, .enter) == [.quit])
    }

    @Test func slashFiltersAsYouTypeAndEscClears() {
        var m = model
        _ = press(&m, .char("/"))
        _ = type(&m, "acme")
        #expect(m.entries.map(\.incident.id) == ["G2D9", "TSF2"])
        _ = press(&m, .enter)
        #expect(m.filter == "acme")
        _ = press(&m, .escape)
        #expect(m.filter.isEmpty && m.entries.count == 4)
    }

    @Test func sortAndShowResolved() {
        var m = model
        _ = press(&m, .char("s"))
        #expect(m.sort == .severity && m.entries.map(\.incident.severity) == [.sev1, .sev1, .sev2, .sev3])
        _ = press(&m, .char("s"))
        #expect(m.sort == .opened && m.entries.first?.incident.id == "D4H4")
        _ = press(&m, .char("A"))
        #expect(m.entries.count == 5)
    }

    @Test func qQuitsAndHelpClosesOnAnyKey() {
        var m = model
        _ = press(&m, .char("?"))
        #expect(m.overlay == .help)
        #expect(press(&m, .char("q")).isEmpty && m.overlay == nil, "q closes the help first")
        #expect(press(&m, .char("q")) == [.quit])
        #expect(press(&m, .function(10)) == [.quit])
    }

    @Test func theViewerRefusesEveryAction() {
        var m = Board.model(Board.several, readOnly: true)
        for key: Key in [.char("a"), .char("e"), .char("r"), .char("u"), .char("m"), .char("n"), .function(2), .function(4)] {
            #expect(press(&m, key).isEmpty)
            #expect(m.overlay == nil && m.notice?.text.hasPrefix("read-only viewer: cannot") == true)
        }
        _ = press(&m, .char(":"))
        _ = type(&m, "ack 20AJ")
        #expect(press(&m, .enter).isEmpty && m.notice?.text.hasPrefix("read-only viewer") == true)
        _ = press(&m, .char("j"))
        #expect(m.selectedID == "G2D9", "navigation still works")
    }

    @Test func storeAndClockMessagesUpdateTheModel() {
        var m = model
        _ = m.update(.tick(Board.now.addingTimeInterval(30)))
        #expect(m.now == Board.now.addingTimeInterval(30))
        _ = m.update(.store(incidents: [:], policies: PolicyBook(), badRecords: 3))
        #expect(m.entries.isEmpty && m.badRecords == 3)
        #expect(m.view(width: 80, height: 24).text.contains("⚠ 3 bad records"))
        _ = m.update(.failed("refused: already resolved"))
        #expect(m.notice == Model.Notice(text: "refused: already resolved", isError: true))
    }
}

@Suite struct CommandLineParsing {
    @Test func parsesEveryVerb() throws {
        #expect(try TypedCommand.parse("ack K3F9").get() == .ack("K3F9"))
        #expect(try TypedCommand.parse("escalate K3F9 ceo").get() == .escalate("K3F9", tier: "ceo"))
        #expect(try TypedCommand.parse("resolve K3F9 trunk restored").get() == .resolve("K3F9", message: "trunk restored"))
        #expect(try TypedCommand.parse("notify K3F9 am").get() == .notify("K3F9", contact: "am", outcome: .reached))
        #expect(try TypedCommand.parse("notify K3F9 Network Operations no-answer").get() == .notify("K3F9", contact: "Network Operations", outcome: .noAnswer))
        #expect(try TypedCommand.parse("update K3F9 next update 15:30").get() == .update("K3F9", message: "next update 15:30"))
        #expect(try TypedCommand.parse("  q ").get() == .quit)
        #expect(try TypedCommand.parse("sort severity").get() == .sort(.severity))
    }

    @Test func explainsWhatIsMissing() {
        #expect(TypedCommand.parse("ack") == .failure(CommandLineError("ack needs an incident id, e.g. :ack K3F9")))
        #expect(TypedCommand.parse("note K3F9") == .failure(CommandLineError("note needs a message: :note K3F9 TEXT")))
        if case let .failure(e) = TypedCommand.parse("frob\u{1B}[2J") { #expect(e.message.hasPrefix("unknown command 'frob␛[2j'")) } else { Issue.record("accepted") }
        #expect((try? TypedCommand.parse("").get()) == nil)
    }
}

@Suite struct TheCommandLineSaysWhatIsWrong {
    @Test func aWordThatIsNoOutcomeIsNamed() {
        var m = Scenes.several()
        _ = m.update(.key(.char(":")))
        for c in "notify G2D9 am maybe" { _ = m.update(.key(.char(c))) }
        #expect(m.update(.key(.enter)).isEmpty)
        #expect(m.notice?.text == "'maybe' is not a call outcome: reached, voicemail or no_answer")
    }

    @Test func sortTakesTheWordsTheHelpUses() throws {
        for (typed, sort) in [("sort opening time", Model.Sort.opened), ("sort severity", .severity), ("sort urgency", .urgency), ("sort age", .opened)] {
            #expect(try TypedCommand.parse(typed).get() == .sort(sort), "\(typed)")
        }
        #expect((try? TypedCommand.parse("sort colour").get()) == nil)
    }
}

@Suite struct OthersAreVisible {
    @Test func anotherOperatorsActionOnTheSelectedIncidentIsSaid() {
        var m = Scenes.several()  // 20AJ selected
        var incidents = m.incidents
        let b = Board.Builder("20AJ", title: "SIP trunk down in Frankfurt PoP", customer: "initech", severity: .sev1, openedMinutesAgo: 22, by: "alex")
        for e in m.incidents["20AJ"]!.events.dropFirst() { b.add(e.action, minutesAgo: Board.now.timeIntervalSince(e.at) / 60, by: e.operatorName) }
        b.add(.note(message: "carrier called back"), minutesAgo: 0, by: "carol")
        incidents["20AJ"] = b.incident
        _ = m.update(.store(incidents: incidents, policies: m.policies, badRecords: 0))
        #expect(m.notice?.text == "carol on 20AJ: note: carrier called back")
    }

    @Test func aNewIncidentFlashesAndRingsWithBell() {
        var m = Scenes.several()
        m.bell = true
        var incidents = m.incidents
        incidents["N3W1"] = Board.Builder("N3W1", title: "Raised elsewhere", customer: nil, openedMinutesAgo: 0, by: "dana").incident
        let commands = m.update(.store(incidents: incidents, policies: m.policies, badRecords: 0))
        #expect(commands == [.bell] && m.flashing["N3W1"] != nil)
        #expect(m.notice?.text == "dana opened N3W1: Raised elsewhere")
        #expect(m.update(.tick(Board.now.addingTimeInterval(1))).isEmpty, "rings once")
    }
}

/// Keys never act on what is not on screen.
@Suite struct WhatKeysActOnIsVisible {
    @Test func theContactsPaneScrollsToTheSelectedContact() throws {
        var m = Scenes.several()
        for key in [Key.tab, .tab, .down, .down, .down] { _ = m.update(.key(key)) }  // 20AJ: technical, 4 contacts
        let f = m.view(width: 80, height: 24)
        let row = try #require((0..<f.height).first { y in f.roles(row: y).contains(.selection) && f.text.split(separator: "\n")[y].contains("Network Operations") })
        #expect(row > 0)
        #expect(f.text.contains("above"), "the pane says what is above")
    }

    @Test func theTimelineScrollsToItsCursorAndEnterOpensThatEntry() {
        var m = Scenes.several()
        for key in [Key.tab, .tab, .tab] { _ = m.update(.key(key)) }
        for _ in 0..<6 { _ = m.update(.key(.down)) }
        let f = m.view(width: 80, height: 24)
        let selected = (0..<f.height).filter { f.roles(row: $0).contains(.selection) }
        #expect(!selected.isEmpty, "the cursor's entry is on screen")
        _ = m.update(.key(.enter))
        guard case let .entry(_, position)? = m.overlay else { Issue.record("no entry opened"); return }
        let i = m.incidents["20AJ"]!
        #expect(position == i.timelineCount - 1 - 6)
        #expect(m.view(width: 80, height: 24).text.contains("timeline entry 7 of \(i.timelineCount), newest first"))
    }

    @Test func whileAQuestionIsAskedTheKeyBarShowsItsAnswers() {
        var m = Scenes.several()
        _ = m.update(.key(.char("e")))
        let bar = m.view(width: 120, height: 40).text.split(separator: "\n").last!
        #expect(bar.hasPrefix("y Yes n No Esc No"))
    }

    @Test func aNearMissNamesTheContactByPrefixOrByTheCustomersName() {
        let keys = Policy.builtIn.contactKeys(customer: "acme")
        #expect(Suggest.didYouMean("vp", among: keys) == "; did you mean 'vp-cx'?")
        #expect(Suggest.didYouMean("director", among: keys) == "; did you mean 'director-support'?")
        #expect(Suggest.didYouMean("jane", among: keys) == "; did you mean 'am' (Jane Roe)?")
    }
}
