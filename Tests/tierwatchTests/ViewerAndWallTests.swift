import Foundation
import Testing

/// Whether strace can trace here (ptrace may be forbidden in a sandbox).
/// strace proves what a process never does; a test that needs it fails (not
/// skips) when it is missing or cannot trace here.
func requireStrace() throws {
    try requireTool("/usr/bin/strace", package: "strace")
    let traced = Binary.run(["-f", "-o", "/dev/null", "/bin/true"], executable: "/usr/bin/strace")
    try #require(traced.status == 0, "strace cannot trace here (ptrace refused?): \(traced.stderr)")
}

@Suite(.serialized) struct ViewerAndWall {
    let env = ["TIERWATCH_OPERATOR": "carol", "TIERWATCH_HOST": "noc1", "TERM": "xterm-256color", "LANG": "C.UTF-8"]

    func env(_ s: TempStore) -> [String: String] { env.merging(["TIERWATCH_STORE": s.path]) { $1 } }

    @Test func theViewerRefusesActionsAndLeavesTheStoreByteIdentical() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let before = s.snapshot()
        let t = Tmux(command: "\(Binary.tierwatch) view", env: env(s))
        #expect(t.wait(for: "READ-ONLY VIEWER"))
        // Each key's own refusal (each differs from the one before, so a
        // refusal left on screen by the previous key does not pass for it).
        for (key, verb) in [("a", "acknowledge"), ("e", "escalate"), ("r", "resolve"), ("u", "send a customer update"), ("m", "add a note"),
                            ("n", "open an incident"), ("F2", "acknowledge"), ("F4", "resolve")] {
            t.send(key)
            #expect(t.wait(for: "read-only viewer: cannot \(verb)", timeout: 10), "key \(key): \(t.screen)")
        }
        t.send(":", "ack \(id)", "Enter")
        #expect(t.wait(for: "read-only viewer: cannot change incidents"))
        t.send("Tab", "Tab", "Space")
        #expect(t.wait(for: "cannot record a call"))
        t.send("j", "/", "acme", "Enter", "?")
        #expect(t.wait(for: "actions are disabled"))
        t.send("x", "q")
        #expect(t.wait(for: "EXIT=0") && t.terminalRestored)
        #expect(s.snapshot() == before, "no byte and no file changed")
    }

    @Test func theViewerWorksOnAStoreItCannotWriteTo() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("Read me, do not touch")
        // Owned by root, readable by all, writable by no one else; the viewer runs as nobody.
        for (path, mode) in [(s.path, 0o755), (s.path + "/events", 0o555), (s.path + "/events/noc1.log", 0o444)] {
            chmod(path, mode_t(mode))
        }
        let t = Tmux(command: "setpriv --reuid=65534 --regid=65534 --clear-groups \(Binary.tierwatch) view", env: env(s))
        #expect(t.wait(for: id))
        #expect(t.screen.contains("Read me, do not touch"))
        t.send("a")
        #expect(t.wait(for: "read-only viewer: cannot"))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
        chmod(s.path + "/events", 0o755)
    }

    @Test func straceSeesNoWriteModeOpenOfAnyStorePath() throws {
        try requireStrace()
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let log = s.path + ".strace"
        defer { unlink(log) }
        let t = Tmux(command: "strace -f -qq -o \(log) -e trace=open,openat,creat,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2,truncate,link,symlink \(Binary.tierwatch) view",
                     env: env(s))
        #expect(t.wait(for: id))
        t.send("a", "r", "n", ":", "resolve \(id) done", "Enter")
        #expect(t.wait(for: "read-only viewer"))
        // Another operator writes meanwhile: the viewer reads it, and still writes nothing.
        _ = s.tw("note", id, "--message", "written by someone else")
        usleep(500_000)
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
        let trace = try String(contentsOfFile: log, encoding: .utf8)
        let touchingStore = trace.split(separator: "\n").filter { $0.contains(s.path) }
        #expect(!touchingStore.isEmpty, "the trace saw the viewer read the store")
        let writes = touchingStore.filter { line in
            ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "mkdir", "unlink", "rename", "creat(", "truncate", "link("].contains { line.contains($0) }
        }
        #expect(writes.isEmpty, "write-mode access: \(writes)")
    }

    /// The wall and the dashboard paint their own background, so a light
    /// terminal (xterm's default is black on white) shows them as a dark one
    /// does; COLORFGBG saying the background is light picks the light theme.
    @Test func screensPaintTheirOwnBackgroundAndALightTerminalGetsTheLightTheme() {
        let s = TempStore(); defer { s.cleanup() }
        s.raise()
        for (command, colorfgbg, background) in [("wall", nil, "48;5;16"), ("wall", "0;15", "48;5;231"), ("", "0;15", "48;5;231"), ("", "15;0", "48;5;16")] {
            var e = env(s)
            e["NO_COLOR"] = ""  // (the test runner's own NO_COLOR would make every screen monochrome)
            if let colorfgbg { e["COLORFGBG"] = colorfgbg }
            let t = Tmux(command: "\(Binary.tierwatch) \(command)", env: e)
            #expect(t.wait(for: "SIP trunk down"), "\(command) \(colorfgbg ?? "-"): \(t.screen)")
            let painted = t.coloured
            #expect(painted.contains("[\(background)m") || painted.contains(";\(background)m") || painted.contains("\(background);"),
                    "\(command) COLORFGBG=\(colorfgbg ?? "-"): background \(background) painted: \(painted.prefix(300).debugDescription)")
            t.send("q")
            #expect(t.wait(for: "EXIT=0"))
        }
    }

    /// A terminal that answers OSC 11 is believed over COLORFGBG: tmux
    /// answers with its pane's background (a white pane: the light theme; a
    /// black one: the default theme, although COLORFGBG says light).
    @Test func theTerminalIsAskedForItsBackground() {
        let s = TempStore(); defer { s.cleanup() }
        s.raise()
        for (pane, colorfgbg, background) in [("colour231", nil, "48;5;231"), ("colour16", "0;15", "48;5;16"), ("colour255", "15;0", "48;5;231")] {
            var e = env(s)
            e["NO_COLOR"] = ""
            if let colorfgbg { e["COLORFGBG"] = colorfgbg }
            let t = Tmux(command: Binary.tierwatch, env: e, paneBackground: pane)
            #expect(t.wait(for: "SIP trunk down"), "\(pane): \(t.screen)")
            let painted = t.coloured
            #expect(painted.contains("[\(background)m") || painted.contains(";\(background)m") || painted.contains("\(background);"),
                    "pane \(pane) COLORFGBG=\(colorfgbg ?? "-"): background \(background) painted: \(painted.prefix(300).debugDescription)")
            // The answer was read before the screen started: none of it typed as keys.
            #expect(!t.screen.contains("11;rgb"), "\(t.screen)")
            t.send("q")
            #expect(t.wait(for: "EXIT=0"))
        }
    }

    @Test func theWallShowsTickingDigitsAndABreachWhenADeadlinePasses() {
        let s = TempStore(); defer { s.cleanup() }
        // The wall is up before the incident is opened 7 s short of its
        // deadline (a resolved one makes the store).
        let earlier = s.raise("Resolved before", extra: ["--severity", "sev3"])
        #expect(s.tw("resolve", earlier, "--message", "done").status == 0)
        let t = Tmux(width: 100, height: 30, command: "\(Binary.tierwatch) wall", env: env(s))
        #expect(t.wait(for: "No open incidents"))
        let id = s.raise("About to breach", extra: ["--at", "-9m53s"])  // management due in 7 s
        #expect(t.wait(for: "\(id) · acme"))
        #expect(t.screen.contains("████"))
        let first = t.screen
        usleep(1_500_000)
        #expect(t.screen != first, "the digits tick")
        #expect(!t.screen.contains("BREACHED"))
        #expect(t.wait(for: "BREACHED", timeout: 12), "the breach appears when the deadline passes")
        t.send("a", "e", "r")
        #expect(!t.screen.contains("acknowledg"), "the wall has no actions")
        t.send("q")
        #expect(t.wait(for: "EXIT=0") && t.terminalRestored)
    }

    @Test func signalsAndACrashLeaveTheTerminalUsableFromTheWallToo() {
        for signal in ["TERM", "HUP", "INT"] {
            let s = TempStore(); defer { s.cleanup() }
            let t = Tmux(command: "sh -c 'echo $$ > \(s.path)/pid; exec \(Binary.tierwatch) wall'", env: env(s))
            #expect(t.wait(for: "No incidents in this store yet."))
            let pid = (try? String(contentsOfFile: s.path + "/pid", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            _ = Binary.run(["-\(signal)", pid], executable: "/bin/kill")
            #expect(t.wait(for: "EXIT=0") && t.terminalRestored, "SIG\(signal)")
        }
        let s = TempStore(); defer { s.cleanup() }
        let t = Tmux(command: "\(Binary.tierwatch) wall", env: env(s).merging(["TIERWATCH_TEST_CRASH": "1"]) { $1 })
        #expect(t.wait(for: "forced crash") && t.wait(for: "EXIT=13"))
        #expect(t.terminalRestored)
    }

    @Test func theWallSurvivesResizeAndAllClearIsCalm() {
        let s = TempStore(); defer { s.cleanup() }
        let t = Tmux(width: 120, height: 40, command: "\(Binary.tierwatch) wall --theme wall", env: env(s))
        #expect(t.wait(for: "No incidents in this store yet."))
        t.resize(200, 60)
        #expect(t.wait(for: "tierwatch wall"))
        let id = s.raise()
        #expect(t.wait(for: id, timeout: 10))
        t.send("q")
        #expect(t.wait(for: "EXIT=0") && t.terminalRestored)
    }
}
