import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// Issue 30, the dashboard's `u`: the customer's update drafted from the
/// incident, edited in place, sent with ^D without stopping the screen.
@Suite struct ComposeUpdate {
    func press(_ m: inout Model, _ keys: Key...) -> [Command] { keys.flatMap { m.update(.key($0)) } }
    func type(_ m: inout Model, _ text: String) -> [Command] { text.flatMap { m.update(.key($0 == "\n" ? .enter : .char($0))) } }

    static let urls = ["mailtos://desk:secret@mail.example.net?to=ops@initech.example", "json://status.initech.example/hook"]

    /// The demo mix (20AJ, initech's, is selected) with initech's update recipients in the policy in force.
    func model(recipients: [String] = urls) -> Model {
        var m = Scenes.several()
        var p = Policy.builtIn
        p.updateRecipients = ["initech": recipients]
        _ = m.update(.directory(.success(p)))
        return m
    }

    func composer(_ m: Model) -> Model.UpdateComposer? {
        if case let .composeUpdate(c)? = m.overlay { return c }
        return nil
    }

    @Test func uOpensTheDraftWithItsRecipientsAndNoSecrets() throws {
        var m = model()
        _ = press(&m, .char("u"))
        let c = try #require(composer(m))
        #expect(c.incident == "20AJ" && c.recipients == ["mailtos: ops@initech.example", "json://status.initech.example"])
        #expect(c.title == "initech: SIP trunk down in Frankfurt PoP (our reference 20AJ)")
        #expect(c.text.text.hasPrefix("Status: our engineers are working on it.\nNext update by "), "\(c.text.text)")
        let screen = m.view(width: 120, height: 40).text
        #expect(screen.contains("To: mailtos: ops@initech.example, json://status.initech.example"))
        #expect(screen.contains("Subject: initech: SIP trunk down in Frankfurt PoP (our reference 20AJ)"))
        #expect(screen.contains("^D sends it now"))
        #expect(!screen.contains("secret"), "a recipient's password is never drawn")
        #expect(screen.split(separator: "\n").last?.hasPrefix("^D Send Esc Cancel Enter New line ↑↓←→ Move") == true, "\(screen)")
    }

    @Test func editedTextIsWhatCtrlDSendsAndTheScreenSaysItIsOnItsWay() throws {
        var m = model()
        _ = press(&m, .char("u"))
        // Replace the first line's status, add a line at the end.
        _ = press(&m, .up, .up, .up, .ctrl("a"), .ctrl("k"))
        _ = type(&m, "Status: the trunk is back; we are watching it.")
        _ = press(&m, .ctrl("e"), .down, .down, .down, .ctrl("e"))
        _ = type(&m, "\nq and F10 are text here")
        let commands = press(&m, .function(10), .ctrl("d"))
        let body = try #require(commands.first.flatMap { c -> String? in
            if case let .sendUpdate(id, title, body, urls) = c, id == "20AJ", urls == ComposeUpdate.urls,
               title.hasSuffix("(our reference 20AJ)") { return body }
            return nil
        }, "\(commands)")
        let lines = body.split(separator: "\n").map(String.init)
        #expect(lines.first == "Status: the trunk is back; we are watching it." && lines.count == 3 && lines[1].hasPrefix("Next update by "), "\(body)")
        #expect(lines.last == "q and F10 are text here", "\(body)")
        #expect(m.overlay == nil && m.sending["20AJ"] == m.now)
        #expect(m.notice?.text == "sending the update for 20AJ to mailtos: ops@initech.example, json://status.initech.example…")
        let screen = m.view(width: 120, height: 40).text
        #expect(screen.contains("sending update 20AJ 00:00") && screen.contains("update on its way 00:00…"), "\(screen)")
        // A second update is not started while the first is on its way.
        #expect(press(&m, .char("u")).isEmpty && m.overlay == nil && m.notice?.text.hasPrefix("an update for 20AJ is on its way") == true)
        // Its result clears the sending mark, in words.
        _ = m.update(.updateSent(incident: "20AJ", text: "20AJ: update delivered to mailtos: ops@initech.example and recorded", isError: false))
        #expect(m.sending.isEmpty && m.notice?.text.hasPrefix("20AJ: update delivered") == true && m.notice?.isError == false)
    }

    @Test func escLeavesAnUneditedDraftAtOnceButAsksBeforeThrowingEditsAway() {
        var m = model()
        _ = press(&m, .char("u"), .escape)
        #expect(m.overlay == nil && m.notice?.text == "no update sent")
        _ = press(&m, .char("u"))
        _ = type(&m, " More soon.")
        #expect(press(&m, .escape).isEmpty && composer(m)?.discarding == true)
        #expect(m.view(width: 120, height: 40).text.contains("Discard your edited update? y discards it"))
        // Any other key goes back to the text, as it was.
        _ = press(&m, .char("n"))
        #expect(composer(m)?.discarding == false && composer(m)?.text.text.hasSuffix(" More soon.") == true)
        _ = press(&m, .escape, .char("y"))
        #expect(m.overlay == nil && m.notice?.text == "update discarded: nothing was sent for 20AJ")
    }

    @Test func anEmptyUpdateIsNotSent() {
        var m = model()
        _ = press(&m, .char("u"))
        for _ in 0..<200 { _ = press(&m, .backspace) }
        _ = type(&m, "  \n ")
        #expect(press(&m, .ctrl("d")).isEmpty && composer(m)?.hint == "the update is empty: nothing to send")
    }

    @Test func withNobodyToSendToUOnlyRecordsAndSaysWhy() {
        var m = model(recipients: [])
        _ = press(&m, .char("u"))
        guard case let .prompt(p)? = m.overlay else { Issue.record("\(String(describing: m.overlay))"); return }
        #expect(p.purpose == .customerUpdate(incident: "20AJ") && p.hint == "initech has no update recipients in the policy, so nothing is sent from here")
        #expect(m.view(width: 120, height: 40).text.contains("initech has no update recipients in the policy, so nothing is sent from here. Customer update sent for 20AJ:"))
        _ = press(&m, .escape)
        // A policy that does not parse: nothing is sent, and that is said.
        _ = m.update(.directory(.failure(DirectoryProblem("policy.yaml:3:1: bad"))))
        _ = press(&m, .char("u"))
        if case let .prompt(p)? = m.overlay { #expect(p.hint?.hasPrefix("nothing is sent from here while the policy does not parse") == true) } else { Issue.record("no prompt") }
    }

    @Test func someoneElsesActionMeanwhileIsSaidInTheEditorAndTheTextStays() throws {
        var m = model()
        _ = press(&m, .char("u"))
        _ = type(&m, " X")
        var i = try #require(m.incidents["20AJ"])
        let next = IncidentEvent(id: EventID(host: "noc2", sequence: 99), hlc: HLC(millis: 999, counter: 0), incident: "20AJ", operatorName: "bob",
                                 unixUser: "bob", at: m.now, recordedAt: m.now, baseVersion: i.version, action: .resolved(message: "fixed"))
        i = Incident.fold(Array(i.events) + [next])!
        _ = m.update(.changed(incidents: [i], policies: m.policies, badRecords: 0))
        let c = try #require(composer(m))
        #expect(c.hint?.hasPrefix("bob on 20AJ: resolved") == true && c.hint?.hasSuffix("meanwhile: read the update again before ^D") == true, "\(String(describing: c.hint))")
        #expect(c.text.text.hasSuffix(" X"))
    }

    @Test func textAreaEditsAcrossLinesAndWrapsWithTheCursor() {
        var t = TextArea("ab\ncd")
        #expect(t.row == 1 && t.column == 2)
        _ = t.handle(.home); _ = t.handle(.backspace)  // joins the lines
        #expect(t.text == "abcd" && t.row == 0 && t.column == 2)
        _ = t.handle(.enter)
        #expect(t.text == "ab\ncd" && t.row == 1 && t.column == 0)
        _ = t.handle(.left); _ = t.handle(.delete)
        #expect(t.text == "abcd")
        _ = t.handle(.ctrl("u"))
        #expect(t.text == "cd" && t.column == 0)
        let tookBell = t.handle(.char("\u{7}"))
        #expect(tookBell && t.text == "cd", "a control character is not typed into the text")
        let tookCtrlD = t.handle(.ctrl("d"))
        #expect(!tookCtrlD, "^D is not an editing key")
        let long = TextArea("0123456789abc")
        let laid = long.layout(width: 5)
        #expect(laid.rows == ["01234", "56789", "abc"] && laid.cursorRow == 2 && laid.cursorX == 3)
        let full = TextArea("01234").layout(width: 5)
        #expect(full.rows == ["01234", ""] && full.cursorRow == 1 && full.cursorX == 0, "at a full row's end the cursor is on the next")
        // Characters that join with the one before (a flag's halves, a
        // skin tone): the cursor stays within the line, and editing goes on.
        var joined = TextArea("ab")
        for c: Character in ["\u{1F1FA}", "\u{1F1F8}", "x", "\u{1F44D}", "\u{1F3FD}", "y"] { _ = joined.handle(.char(c)) }
        #expect(joined.column <= joined.lines[0].count && joined.text.hasPrefix("ab"))
        for key: Key in [.enter, .backspace, .left, .delete, .backspace, .char("z")] { _ = joined.handle(key) }
        #expect(joined.column <= joined.lines[joined.row].count)
        var capped = TextArea(String(repeating: "x", count: TextArea.maxCharacters))
        _ = capped.handle(.char("y")); _ = capped.handle(.enter)
        #expect(capped.text.count == TextArea.maxCharacters)
    }
}
