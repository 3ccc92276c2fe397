import Foundation
import Testing

/// `tierwatch call` on loopback with real components: baresip (the SIP user
/// agent tierwatch drives) calls SIPp UAS scenarios (Tests/tierwatchTests/
/// sipp/) that press 1 (a recording of RFC 2833 DTMF "1" from sip-tester),
/// answer and hang up, answer busy, or ring until tierwatch gives up.
@Suite(.serialized) struct CallEndToEnd {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("sipp").path

    func requirePeers() throws {
        try requireTool("/usr/bin/baresip", package: "baresip-core")
        try requireTool("/usr/bin/sipp", package: "sip-tester")
        try requireTool("/usr/bin/espeak-ng", package: "espeak-ng")
        try #require(FileManager.default.fileExists(atPath: "/usr/share/sip-tester/dtmf_2833_1.pcap"), "the DTMF recordings: apt-get install -y sip-tester")
    }

    /// A free UDP port on loopback for SIPp.
    func freePort() -> Int {
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(s) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        return Int(UInt16(bigEndian: a.sin_port))
    }

    /// SIPp answering one call with a scenario; it exits when the call is done.
    func sipp(_ scenario: String, port: Int) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
        p.arguments = ["-sf", "\(Self.scenarios)/\(scenario).xml", "-i", "127.0.0.1", "-p", "\(port)", "-mi", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", "40s"]
        p.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(300_000)
        return p
    }

    /// A store whose policy is the example one with a dialer to SIPp's port.
    func store(port: Int, dialer: String? = nil) -> TempStore {
        let s = TempStore()
        let example = s.tw("policy", "show", "--example").stdout
        let section = dialer ?? """
        dialer:
          baresip: { user: tierwatch, domain: 127.0.0.1, caller_id: NOC desk }
          uri: "sip:{digits}@127.0.0.1:\(port)"
          ring_timeout: 4s
          confirm_within: 2s
        """
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data((example + section + "\n").utf8))
        return s
    }

    func contact(_ s: TempStore, _ id: String, _ contact: String) throws -> [String: Any]? {
        let j = try s.json("show", id)
        let tiers = j["tiers"] as? [[String: Any]] ?? []
        return tiers.flatMap { $0["contacts"] as? [[String: Any]] ?? [] }.first { $0["id"] as? String == contact }
    }

    func timeline(_ s: TempStore, _ id: String) -> String { s.tw("show", id).stdout }

    @Test(arguments: [
        ("answer-press-1", "reached", "pressed 1"),
        ("answer-hang-up", "voicemail", "answered, no 1 pressed"),
        ("busy", "no_answer", "no answer (486 Busy Here)"),
        ("ring-no-answer", "no_answer", "no answer (no answer within 4s)"),
    ])
    func theOutcomeComesFromTheTelephony(scenario: String, outcome: String, words: String) throws {
        try requirePeers()
        let port = freePort()
        let s = store(port: port); defer { s.cleanup() }
        let id = s.raise("Outbound calls dropping", extra: ["--severity", "sev1"])
        let far = try sipp(scenario, port: port)
        defer { if far.isRunning { far.terminate() } }
        let r = s.tw("call", id, "am")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\(id): calling Jane Roe +1 555 0101 (sip:15550101@127.0.0.1:\(port))"))
        #expect(r.stdout.contains("\(id): Jane Roe: \(words)"), "\(r.stdout)")
        #expect(waitUntil(10) { !far.isRunning } && far.terminationStatus == 0, "SIPp received the call and ran its scenario to the end")
        let am = try contact(s, id, "am")
        #expect(am?["outcome"] as? String == outcome, "\(String(describing: am))")
        let t = timeline(s, id)
        #expect(t.contains("calling Jane Roe +1 555 0101 (noc1)") && !t.contains("(automatic"), "\(t)")
        #expect(t.contains("call to Jane Roe: \(words)"), "\(t)")
    }

    @Test func theDashboardShowsTheCallsOutcome() throws {
        try requirePeers()
        let port = freePort()
        let s = store(port: port); defer { s.cleanup() }
        let id = s.raise("Outbound calls dropping", extra: ["--severity", "sev1"])
        let far = try sipp("answer-press-1", port: port)
        defer { if far.isRunning { far.terminate() } }
        #expect(s.tw("call", id, "am").status == 0)
        let t = Tmux(width: 120, height: 40, command: "\(Binary.tierwatch) dashboard",
                     env: ["TIERWATCH_STORE": s.path, "TIERWATCH_OPERATOR": "carol", "TIERWATCH_HOST": "noc1", "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(t.wait(for: "call to Jane Roe: pressed 1"), "\(t.screen)")
        #expect(t.screen.contains("✓ Jane Roe  +1 555 0101") && t.screen.contains("reached by alice"), "\(t.screen)")
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }

    @Test func aCallThatCannotBePlacedIsNotRecordedAsACall() throws {
        try requirePeers()
        // An unreachable proxy (nothing listens on its TCP port).
        let dead = freePort()
        let s = store(port: dead, dialer: """
        dialer:
          baresip: { user: tierwatch, domain: 127.0.0.1, proxy: "sip:127.0.0.1:\(dead);transport=tcp" }
          uri: "sip:{digits}@127.0.0.1:\(dead)"
          ring_timeout: 4s
        """)
        defer { s.cleanup() }
        let id = s.raise()
        let r = s.tw("call", id, "am")
        #expect(r.status == 1 && r.stderr.contains("the call to Jane Roe was not placed"), "\(r.stderr)")
        #expect(try contact(s, id, "am")?["outcome"] == nil || contact(s, id, "am")?["outcome"] is NSNull, "no call recorded")
        #expect(timeline(s, id).contains("call NOT placed: Jane Roe: "))
        // A number that maps to no URI, and a password file others can read.
        let e164 = store(port: dead, dialer: """
        dialer:
          baresip: { user: tierwatch, domain: 127.0.0.1, password_file: \(s.path)/pw }
          uri: "sip:{e164}@127.0.0.1:\(dead)"
        """)
        defer { e164.cleanup() }
        writeFixture(atPath: s.path + "/pw", contents: Data("secret\n".utf8), attributes: [.posixPermissions: 0o644])
        let other = e164.raise()
        let readable = e164.tw("call", other, "am")
        #expect(readable.status == 1 && readable.stderr.contains("can be read by others (it holds the SIP password): chmod 600 it"), "\(readable.stderr)")
        #expect(e164.tw("call", other, "nobody").stderr.contains("no contact 'nobody'"))
        // A dialer program that hangs is stopped, and nothing is recorded as a call.
        let script = e164.path + "/hang.sh"
        writeFixture(atPath: script, contents: Data("#!/bin/sh\necho ringing\nsleep 600\n".utf8), attributes: [.posixPermissions: 0o755])
        let hang = store(port: dead, dialer: """
        dialer:
          program: \(script)
          uri: "sip:{digits}@pbx.example.org"
          ring_timeout: 1s
          confirm_within: 1s
        """)
        defer { hang.cleanup() }
        let third = hang.raise()
        let started = Date()
        let h = hang.tw("call", third, "am")
        #expect(h.status == 1 && h.stderr.contains("the dialer program said nothing conclusive"), "\(h.stderr)")
        #expect(Date().timeIntervalSince(started) < 40)
        #expect(try contact(hang, third, "am")?["outcome"] is NSNull)
        // No dialer at all: a configuration error.
        let plain = TempStore(); defer { plain.cleanup() }
        let p = plain.raise()
        let no = plain.tw("call", p, "am")
        #expect(no.status == 2 && no.stderr.contains("the policy has no dialer"), "\(no.stderr)")
    }

    /// A wrong password: the far end challenges, baresip answers with the
    /// account's password, the far end refuses it. A dialer problem, not the
    /// callee's answer: nothing recorded as a call.
    @Test func aRefusedAccountIsADialerProblemNotANoAnswer() throws {
        try requirePeers()
        let port = freePort()
        let s = store(port: port, dialer: """
        dialer:
          baresip: { user: tierwatch, domain: 127.0.0.1, password_file: PASSWORD }
          uri: "sip:{digits}@127.0.0.1:\(port)"
          ring_timeout: 4s
        """)
        defer { s.cleanup() }
        let policy = try String(contentsOfFile: s.path + "/policy.yaml", encoding: .utf8).replacingOccurrences(of: "PASSWORD", with: s.path + "/pw")
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8))
        writeFixture(atPath: s.path + "/pw", contents: Data("not-the-password\n".utf8), attributes: [.posixPermissions: 0o600])
        let id = s.raise()
        let far = try sipp("wrong-password", port: port)
        defer { if far.isRunning { far.terminate() } }
        let r = s.tw("call", id, "am")
        #expect(r.status == 1 && r.stderr.contains("the SIP account was refused (403 Forbidden): check user, domain and password_file"), "\(r.stderr)")
        #expect(try contact(s, id, "am")?["outcome"] is NSNull, "no call recorded")
        #expect(timeline(s, id).contains("call NOT placed: Jane Roe: the SIP account was refused"))
    }

    @Test func aProgramDialerFollowsTheContract() throws {
        try requireTool("/usr/bin/espeak-ng", package: "espeak-ng")
        let s = TempStore(); defer { s.cleanup() }
        let script = s.path + "/dial.sh"
        // Records its arguments; the WAV it is given is 8 kHz speech.
        writeFixture(atPath: script, contents: Data("#!/bin/sh\necho \"$1\" > \(s.path)/uri\ncp \"$2\" \(s.path)/message.wav\necho ringing\necho answered\necho 'dtmf 1'\n".utf8),
                     attributes: [.posixPermissions: 0o755])
        let example = s.tw("policy", "show", "--example").stdout
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data((example + """
        dialer:
          program: \(script)
          uri: "sip:{e164}@trunk.example.org"
          acknowledge: on_confirm
        """ + "\n").utf8))
        let id = s.raise("Outbound calls dropping", extra: ["--severity", "sev1"])
        let r = s.tw("call", id, "am")
        #expect(r.status == 0, "\(r.stderr)")
        #expect((try? String(contentsOfFile: s.path + "/uri", encoding: .utf8)) == "sip:+15550101@trunk.example.org\n")
        let wav = FileManager.default.contents(atPath: s.path + "/message.wav") ?? Data()
        #expect(wav.count > 8000 * 2 * 5, "seconds of speech")
        #expect(wav.prefix(4) == Data("RIFF".utf8) && wav[24..<28] == Data([0x40, 0x1F, 0, 0]), "8000 Hz")
        let j = try s.json("show", id)
        #expect(j["state"] as? String == "acknowledged", "pressing 1 acknowledges when the policy says so")
    }
}
