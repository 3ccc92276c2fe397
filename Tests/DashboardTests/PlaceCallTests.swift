import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// `c` in the contacts pane: tierwatch calls the selected contact through
/// the policy's dialer, without stopping the screen.
@Suite struct PlaceCallTests {
    func press(_ m: inout Model, _ keys: Key...) -> [Command] { keys.flatMap { m.update(.key($0)) } }

    /// The demo mix with G2D9 (acme's: its Account Manager Jane Roe has a
    /// number) selected on its Account Manager, the contacts pane focused,
    /// and a policy in force with (or without) a dialer.
    func model(dialer: Bool = true) -> Model {
        var m = Scenes.several()
        var p = Policy.builtIn
        if dialer { p.dialer = DialerSettings(agent: .program("/usr/local/bin/dial"), uri: "sip:{e164}@trunk.example.org") }
        _ = m.update(.directory(.success(p)))
        m.selectedID = "G2D9"
        m.focus = .contacts
        let e = m.selection(in: m.entries)!
        m.selectedContact = e.ladder.rungs[m.shownTier(e)].contacts.firstIndex { $0.contact.id == "am" }!
        return m
    }

    @Test func cCallsTheSelectedContactAndTheContactSaysRingingUntilTheEnd() throws {
        var m = model()
        let e = try #require(m.selection(in: m.entries))
        let c = e.ladder.rungs[m.shownTier(e)].contacts[m.selectedContact]
        #expect(m.view(width: 120, height: 40).text.contains("c Dial"), "the key bar offers it where a dialer is set")
        let commands = press(&m, .char("c"))
        #expect(commands == [.call(incident: "G2D9", contact: c.contact.id)])
        let who = c.callee.person?.name ?? c.contact.name
        #expect(m.view(width: 120, height: 40).text.contains("calling G2D9 \(who) 00:00"), "the header says a call is on its way")
        #expect(m.view(width: 160, height: 40).text.contains("▶ calling 00:00"))
        // A second call for the same incident waits for the first.
        #expect(press(&m, .char("c")).isEmpty && m.notice?.isError == true && m.notice?.text.contains("one at a time") == true, "\(String(describing: m.notice))")
        _ = m.update(.tick(m.now.addingTimeInterval(3)))
        _ = m.update(.callRinging(incident: "G2D9"))
        _ = m.update(.tick(m.now.addingTimeInterval(12)))
        #expect(m.view(width: 160, height: 40).text.contains("▶ ringing 00:12"))
        _ = m.update(.callEnded(incident: "G2D9", text: "G2D9: \(who): pressed 1 → recorded as reached", isError: false))
        #expect(m.calls.isEmpty && !m.view(width: 160, height: 40).text.contains("ringing"))
        #expect(m.view(width: 160, height: 40).text.contains("pressed 1 → recorded as reached"))
    }

    @Test func withoutADialerCIsRefusedAndNotOffered() {
        var m = Scenes.several()
        _ = m.update(.directory(.success(.builtIn)))
        m.focus = .contacts
        #expect(!m.view(width: 120, height: 40).text.contains("c Dial"))
        #expect(press(&m, .char("c")).isEmpty)
        #expect(m.notice?.text.contains("the policy has no dialer") == true && m.calls.isEmpty, "\(String(describing: m.notice))")
        _ = m.update(.directory(.failure(DirectoryProblem("policy.yaml:3:1: bad"))))
        #expect(press(&m, .char("c")).isEmpty && m.notice?.text.contains("while the policy does not parse") == true)
        // Outside the contacts pane c is nothing.
        var list = model()
        list.focus = .list
        #expect(press(&list, .char("c")).isEmpty && list.calls.isEmpty)
    }

    /// serve's automatic call (`call_out:`) in flight: the contact says so,
    /// and `c` on them waits for its outcome instead of ringing them twice.
    @Test func anAutomaticCallInFlightShowsBesideTheContactAndCWaitsForIt() throws {
        let yaml = Policy.builtInYAML
            .replacingOccurrences(of: "    name: Management notified\n", with: "    name: Management notified\n    call_out: true\n")
            .replacingOccurrences(of: "{ id: am, name: Account Manager, role: account }", with: "{ id: am, name: Account Manager, role: account, phone: \"+1 555 0101\" }")
            + "dialer:\n  program: /usr/local/bin/dial\n  uri: \"sip:{e164}@trunk.example.org\"\n"
        // Try 2 of the tier that started with the opening, 6 minutes ago.
        let start = Int64((Board.now.timeIntervalSince1970 - 6 * 60) * 1000)
        let key = HookKey.callOut(incident: "A1C0", tier: "management", startMillis: start, contact: "am", attempt: 2).description
        let claimed = Board.Builder("A1C0", title: "Outbound calls dropping", customer: "acme", severity: .sev1, openedMinutesAgo: 6, policy: yaml)
            .add(.hook(HookRecord(name: "call-out", key: key, result: .claimed)), minutesAgo: 0.5, by: "hook")
        var m = Board.model([claimed])
        _ = m.update(.directory(.success(try Policy(yaml: yaml, file: "p.yaml"))))
        m.selectedID = "A1C0"
        m.focus = .contacts
        let e = try #require(m.selection(in: m.entries))
        m.selectedContact = try #require(e.ladder.rungs[m.shownTier(e)].contacts.firstIndex { $0.contact.id == "am" })
        #expect(m.view(width: 160, height: 40).text.contains("▶ automatic call 00:30 (try 2)"), "\(m.view(width: 160, height: 40).text)")
        #expect(m.view(width: 160, height: 40).text.contains("▶ Calling Jane Roe +1 555 0101 now — T1 Management notified due 04:00 — serve's automatic call, try 2"), "the next action says tierwatch calls her, not 'Call'")
        #expect(press(&m, .char("c")).isEmpty && m.notice?.text.contains("Jane Roe is being called now (serve's automatic call, try 2, since") == true,
                "\(String(describing: m.notice))")
        // The try ended: the contact's line is its own again, and c calls.
        let ended = claimed.add(.hook(HookRecord(name: "call-out", key: key, result: .ok, detail: "Account Manager: no answer (busy)")), minutesAgo: 0.1, by: "hook")
        var after = Board.model([ended])
        _ = after.update(.directory(.success(try Policy(yaml: yaml, file: "p.yaml"))))
        after.selectedID = "A1C0"
        after.focus = .contacts
        after.selectedContact = m.selectedContact
        #expect(!after.view(width: 160, height: 40).text.contains("automatic call 0"))
        #expect(after.view(width: 160, height: 40).text.contains("serve calls again in"), "the next try is said")
        #expect(press(&after, .char("c")) == [.call(incident: "A1C0", contact: "am")])
    }

    /// Two lines a contact in a pane too short for all of them: only those
    /// that fit whole are drawn, and the box's border says how many more
    /// (a third contact's second line once landed on the border at 80x24).
    @Test func contactsThatDoNotFitWholeLeaveTheBorderAlone() {
        var m = model()
        let text = m.view(width: 80, height: 24).text
        let lines = text.split(separator: "\n").map(String.init)
        let bottom = lines.firstIndex { $0.contains("more below") }
        #expect(bottom.map { lines[$0].hasPrefix("│└") && lines[$0].contains("─ 2 more below ─┘") } == true, "\(text)")
        _ = m.update(.key(.down))
        #expect(m.view(width: 80, height: 24).text.contains("above"), "the pane scrolls to the selected contact")
    }

    /// `:call G2D9 am` places the call as `c` does; with an outcome word it
    /// says that recording a call by hand is `:notify`.
    @Test func theCommandLineCallPlacesTheCall() {
        var m = model()
        m.focus = .list
        func typed(_ line: String) -> [Command] {
            _ = press(&m, .char(":"))
            for ch in line { _ = m.update(.key(.char(ch))) }
            return press(&m, .enter)
        }
        #expect(typed("call g2d9 jane roe") == [.call(incident: "G2D9", contact: "am")], "\(String(describing: m.notice))")
        #expect(m.calls["G2D9"]?.who == "Jane Roe")
        #expect(typed("call G2D9 am").isEmpty && m.notice?.text.contains("one at a time") == true)
        #expect(TypedCommand.parse("call G2D9 am voicemail") == .failure(.init(":call places the call itself; to record a call made by hand: :notify G2D9 am voicemail")))
        #expect(typed("call D4H4 nobody").isEmpty && m.notice?.text.contains("no contact 'nobody'") == true)
    }
}

