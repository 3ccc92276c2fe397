import Foundation
import Testing

/// `tierwatch wall --speak-to DIR` with the real binary in tmux, the real
/// espeak-ng making the WAV and sox measuring it.
@Suite(.serialized) struct WallSpeechEndToEnd {
    func env(_ s: TempStore) -> [String: String] { s.env.merging(["TIERWATCH_STORE": s.path]) { $1 } }

    /// sox's figure for the file, e.g. "Maximum amplitude".
    func stat(_ wav: String, _ name: String) -> Double? {
        let r = Binary.run([wav, "-n", "stat"], executable: "/usr/bin/sox")
        let line = r.stderr.split(separator: "\n").first { $0.hasPrefix(name) }
        return line.flatMap { Double($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
    }

    @Test func aBreachIsWrittenAsSpeechWithItsWordsAndMMutesIt() throws {
        try requireTool("/usr/bin/espeak-ng", package: "espeak-ng")
        try requireTool("/usr/bin/sox", package: "sox")
        let s = TempStore(); defer { s.cleanup() }
        let out = s.path + "/spoken"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // The wall is up before the incident is opened 6 s short of its
        // deadline (a resolved one makes the store), so its start-up on a
        // loaded machine does not eat the lead.
        let earlier = s.raise("Resolved before", extra: ["--severity", "sev3"])
        #expect(s.tw("resolve", earlier, "--message", "done").status == 0)
        let t = Tmux(width: 120, height: 40, command: "\(Binary.tierwatch) wall --speak-to \(out)", env: env(s))
        #expect(t.wait(for: "No open incidents"))
        let id = s.raise("Outbound calls dropping", extra: ["--severity", "sev1", "--at", "-9m54s"])  // management due in 6 s
        #expect(t.wait(for: "\(id) · acme"))
        #expect(t.screen.contains("m mute speech"))
        func wavs() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter { $0.hasSuffix(".wav") }.sorted() }
        #expect(wavs().isEmpty, "nothing is said before the breach")
        #expect(waitUntil(20) { !wavs().isEmpty }, "the breach is said when the deadline passes")
        let wav = out + "/" + wavs()[0]
        let text = try String(contentsOfFile: wav.replacingOccurrences(of: ".wav", with: ".txt"), encoding: .utf8)
        let spelled = id.map(String.init).joined(separator: " ")
        #expect(text == "Breach. Incident \(spelled) for acme, severity 1: Outbound calls dropping. Management notified is overdue. Call Jane Roe.\n", "\(text)")
        #expect((stat(wav, "Length (seconds)") ?? 0) > 3, "a sentence, not a click")
        #expect((stat(wav, "Maximum amplitude") ?? 0) > 0.1, "not silent")
        #expect((stat(wav, "RMS     amplitude") ?? 0) > 0.01, "not silent")
        t.send("m")
        #expect(t.wait(for: "MUTED 1"), "the header says it is muted and for how long")
        #expect(t.screen.contains("m speak again"))
        t.send("q")
        #expect(t.wait(for: "EXIT=0") && t.terminalRestored)
        #expect(wavs().count == 1, "said once; no half-written file left")
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).contains { $0.hasSuffix(".part") })
    }

    @Test func aSpeakerThatCannotWorkIsRefusedBeforeTheScreenOpens() {
        let s = TempStore(); defer { s.cleanup() }
        s.raise()
        let r = s.tw("wall", "--speak-to", "/nonexistent/spoken")
        #expect(r.status == 2 && r.stderr.contains("--speak-to /nonexistent/spoken: not a directory this user can write"), "\(r.stderr)")
        let every = s.tw("wall", "--speak", "--speak-every", "5s")
        #expect(every.status == 2 && every.stderr.contains("at least 30s"))
    }

    @Test func aFailingSpeechCommandIsShownOnTheWall() {
        let s = TempStore(); defer { s.cleanup() }
        s.raise("Breached already", extra: ["--at", "-12m"])
        let t = Tmux(width: 120, height: 40, command: "\(Binary.tierwatch) wall --speak-command 'exit 3'", env: env(s))
        #expect(t.wait(for: "NOT SPOKEN: speech command: exit 3"), "\(t.screen)")
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }
}
