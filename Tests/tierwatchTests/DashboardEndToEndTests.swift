import Foundation
import Testing

/// The real binary in a real terminal (tmux).
@Suite(.serialized) struct DashboardInATerminal {
    func dashboard(_ s: TempStore, width: Int = 120, height: Int = 40, extra: String = "", env: [String: String] = [:]) -> Tmux {
        var e = ["TIERWATCH_STORE": s.path, "TIERWATCH_OPERATOR": "bob", "TIERWATCH_HOST": "noc1", "TERM": "xterm-256color", "LANG": "C.UTF-8"]
        for (k, v) in env { e[k] = v }
        return Tmux(width: width, height: height, command: "\(Binary.tierwatch) \(extra)", env: e)
    }

    @Test func showsTheLadderAndACountdownThatTicks() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("SIP trunk down", extra: ["--at", "-8m"])
        let t = dashboard(s)
        #expect(t.wait(for: "T1 Management notified"))
        #expect(t.screen.contains(id) && t.screen.contains("Jane Roe  +1 555 0101  account"))
        let countdown = { (screen: String) -> String? in
            screen.split(separator: "\n").first { $0.contains("T1 Management notified") }?
                .split(separator: " ").first { $0.count == 5 && $0.contains(":") && $0.first!.isNumber }.map(String.init)
        }
        let first = countdown(t.screen)
        #expect(first != nil)
        usleep(2_100_000)
        let second = countdown(t.screen)
        #expect(second != nil && second != first, "the countdown ticked: \(first ?? "?") then \(second ?? "?")")
        t.send("q")
        #expect(t.wait(for: "EXIT=0") && t.terminalRestored)
    }

    @Test func aAcknowledgesInTheStoreAsTheOperator() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let t = dashboard(s)
        #expect(t.wait(for: id))
        t.send("a")
        #expect(t.wait(for: "\(id): acknowledged"))
        let j = try s.json("show", id)
        #expect(j["state"] as? String == "acknowledged" && j["acknowledged_by"] as? String == "bob")
        t.send("a")
        #expect(t.wait(for: "already acknowledged by bob"))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }

    @Test func anIncidentRaisedElsewhereAppears() {
        let s = TempStore(); defer { s.cleanup() }
        let t = dashboard(s)
        #expect(t.wait(for: "No incidents recorded in this store yet."))
        let id = s.raise("Raised by another operator")
        #expect(t.wait(for: "Raised by another operator", timeout: 10))
        #expect(t.screen.contains(id))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }

    @Test func resizingRelaysTheScreenOut() {
        let s = TempStore(); defer { s.cleanup() }
        s.raise()
        let t = dashboard(s)
        #expect(t.wait(for: "Incidents"))
        t.resize(90, 30)
        #expect(t.wait(for: String(repeating: "─", count: 60) + "┐"))
        let wide = t.screen.split(separator: "\n").first { $0.hasPrefix("┌─ Incidents") }
        #expect(wide.map { $0.count == 90 } == true, "the list box spans the new width")
        t.resize(60, 20)
        #expect(t.wait(for: "Terminal too small: 60×20"))
        t.resize(120, 40)
        #expect(t.wait(for: "T1 Management notified"), "recovers when enlarged")
        t.send("q")
        #expect(t.wait(for: "EXIT=0") && t.terminalRestored)
    }

    /// Nothing acts unseen: a resolve confirmation hidden by "Terminal too
    /// small" takes no `y`, a contact's outcome no `v`, and q quits even
    /// from a prompt, as the screen says.
    @Test func aScreenTooSmallTakesNoKeyButQuit() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let t = dashboard(s)
        #expect(t.wait(for: "T1 Management notified"))
        t.send("r")
        #expect(t.wait(for: "Resolve \(id)"), "\(t.screen)")
        t.resize(70, 20)
        #expect(t.wait(for: "Terminal too small: 70×20"))
        t.send("Enter")
        t.send("y")
        t.send("Tab", "Tab", "v")
        Thread.sleep(forTimeInterval: 0.5)
        let shown = try s.json("show", id)
        #expect(shown["state"] as? String == "open", "nothing resolved unseen")
        #expect((shown["timeline"] as? [Any])?.count == 1, "nothing recorded unseen: \(shown["timeline"] ?? "")")
        t.send("q")
        #expect(t.wait(for: "EXIT=0") && t.terminalRestored, "q quits, even from the hidden prompt")
    }

    @Test func sigtermAndSighupEndCleanly() {
        for signal in ["TERM", "HUP", "INT"] {
            let s = TempStore(); defer { s.cleanup() }
            let t = Tmux(command: "sh -c 'echo $$ > \(s.path)/pid; exec \(Binary.tierwatch)'",
                         env: ["TIERWATCH_STORE": s.path, "TERM": "xterm-256color", "LANG": "C.UTF-8"])
            #expect(t.wait(for: "No incidents recorded"))
            let pid = (try? String(contentsOfFile: s.path + "/pid", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            _ = Binary.run(["-\(signal)", pid], executable: "/bin/kill")
            #expect(t.wait(for: "EXIT=0"), "SIG\(signal)")
            #expect(t.terminalRestored, "SIG\(signal)")
        }
    }

    @Test func aCrashRestoresTheTerminalBeforeTheReport() {
        let s = TempStore(); defer { s.cleanup() }
        let t = dashboard(s, env: ["TIERWATCH_TEST_CRASH": "1"])
        #expect(t.wait(for: "EXIT=13"), "killed by a trap signal: the shell reports 128+n")
        #expect(t.wait(for: "forced crash"), "the report is readable after the restore")
        #expect(t.terminalRestored)
    }

    @Test func aDumbTerminalExitsTwoWithAMessage() {
        let s = TempStore(); defer { s.cleanup() }
        let t = dashboard(s, env: ["TERM": "dumb"])
        #expect(t.wait(for: "EXIT=2"))
        #expect(t.screen.contains("TERM=dumb cannot draw this screen"))
        let unknown = dashboard(s, env: ["TERM": "no-such-terminal-type"])
        #expect(unknown.wait(for: "EXIT=2"))
        #expect(unknown.screen.contains("not in the terminfo database"))
        let notATTY = Binary.run([], store: s.path)
        #expect(notATTY.status == 2 && notATTY.stderr.contains("needs a terminal"))
    }

    /// A press and its release at a cell (1-based, as a terminal reports
    /// them in SGR mode), or a wheel turn (button 64 up, 65 down).
    func click(_ t: Tmux, x: Int, y: Int, button: Int = 0) {
        t.send("-l", "\u{1B}[<\(button);\(x + 1);\(y + 1)M" + (button < 64 ? "\u{1B}[<\(button);\(x + 1);\(y + 1)m" : ""))
    }

    func row(_ t: Tmux, containing text: String) -> Int? {
        t.screen.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) }
    }

    /// Issue 33, the mouse: a click selects a row and focuses its pane, the
    /// wheel scrolls the timeline, a click on a key-bar entry does what its
    /// key does, a second click on a contact asks for the call; --no-mouse
    /// leaves the terminal's own selection (no mouse reporting asked).
    @Test func theMouseSelectsFocusesScrollsAndClicksTheKeyBar() throws {
        let s = TempStore(); defer { s.cleanup() }
        let first = s.raise("Fax gateway down", extra: ["--at", "-3m"])
        let second = s.raise("SIP trunk down", extra: ["--at", "-8m"])
        for k in 0..<30 { _ = Binary.run(["note", second, "--message", "note \(k)"], store: s.path, env: s.env) }
        let t = dashboard(s)
        #expect(t.wait(for: "Fax gateway down"))
        #expect(t.flag("mouse_standard_flag") == "1" || t.flag("mouse_button_flag") == "1", "the dashboard asks for mouse reports")
        // The most urgent (second) is selected; a click on the other's row selects it.
        let y = try #require(row(t, containing: "Fax gateway down"))
        click(t, x: 20, y: y)
        #expect(t.wait(for: "─ \(first) · Fax gateway down"), "\(t.screen)")
        // Back to the other, then a click in the timeline focuses it.
        click(t, x: 20, y: try #require(row(t, containing: "SIP trunk down")))
        #expect(t.wait(for: "─ \(second) · SIP trunk down"))
        let noteRow = try #require(row(t, containing: "note: note 29"))
        click(t, x: 100, y: noteRow)
        #expect(t.wait(for: "Enter Open"), "the timeline has the focus: \(t.screen)")
        // The wheel scrolls it.
        for _ in 0..<3 { click(t, x: 100, y: noteRow, button: 65) }
        #expect(t.wait(for: "newer above"), "\(t.screen)")
        // A key-bar entry does what its key does: ? opens the help.
        click(t, x: 0, y: 39)
        #expect(t.wait(for: "Any key closes this help."))
        click(t, x: 60, y: 20)  // a click closes it, as any key does
        #expect(t.waitUntilGone("Any key closes this help."))
        // A contact: a click selects it, a second asks for the call's outcome.
        let contact = try #require(row(t, containing: "○ Director of Customer Support"), "\(t.screen)")
        click(t, x: 10, y: contact)
        #expect(t.wait(for: "Call…"), "the contacts have the focus: \(t.screen)")
        click(t, x: 10, y: contact)
        #expect(t.wait(for: "Call to Director of Customer Support (\(second)): r/Enter reached"), "\(t.screen)")
        t.send("v")
        #expect(t.wait(for: "voicemail"))
        #expect(try s.json("show", second)["timeline"].map { "\($0)" }?.contains("voicemail") == true)
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
        // --no-mouse: no mouse reporting is asked of the terminal.
        let quiet = dashboard(s, extra: "--no-mouse")
        #expect(quiet.wait(for: "Fax gateway down"))
        #expect(quiet.flag("mouse_standard_flag") == "0" && quiet.flag("mouse_button_flag") == "0" && quiet.flag("mouse_any_flag") == "0")
        quiet.send("q")
    }
}
