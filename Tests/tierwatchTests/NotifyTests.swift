import Escalation
import Foundation
import Testing

/// Issue 30, notifications: a `notify:` hook sends through the real Apprise
/// (Debian's `apprise`) to a real HTTP receiver (Apprise's `json://`), to
/// fixed URLs and to whoever is on call at their own URLs; a failure is
/// said on the timeline; URLs (they hold tokens) are never printed.
@Suite(.serialized) struct Notify {
    static let sinkScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../tools/http-sink.py").path

    /// Starts a receiver script (it prints its port once listening) on the
    /// real clock: under CI's faked dates a long-lived Python under
    /// libfaketime never answered.
    static func receiver(_ argv: [String]) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        var env = ProcessInfo.processInfo.environment
        for k in ["LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED", "FAKETIME_DONT_FAKE_MONOTONIC", "NO_FAKE_STAT"] { env[k] = nil }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice  // (an inherited stderr kept the test runner's pipe open)
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(line) else { throw Failure(message: "\(argv[1]) did not start: \(line)") }
        return (process, port)
    }

    /// A local HTTP receiver answering `status`; what it got, one JSON per request.
    final class Sink {
        let out: String
        let process: Process
        let port: Int
        init(status: Int = 200, delay: Double = 0) throws {
            out = TempStore().path + "/sink.jsonl"
            (process, port) = try Notify.receiver(["/usr/bin/env", "python3", Notify.sinkScript, out, String(status), String(delay)])
        }
        deinit { process.terminate() }
        var received: [(path: String, title: String, message: String)] {
            String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self).split(separator: "\n").compactMap { line in
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let body = o["body"] as? String,
                      let b = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
                return (o["path"] as? String ?? "", b["title"] as? String ?? "", b["message"] as? String ?? "")
            }
        }
    }

    /// A local SMTP server (Debian's python3-aiosmtpd, under Debian's
    /// python3); what it got, one JSON per message.
    final class Mailbox {
        let out: String
        let process: Process
        let port: Int
        init() throws {
            try requireTool("/usr/lib/python3/dist-packages/aiosmtpd", package: "python3-aiosmtpd")
            out = TempStore().path + "/mail.jsonl"
            let script = URL(fileURLWithPath: Notify.sinkScript).deletingLastPathComponent().appendingPathComponent("smtp-sink.py").path
            (process, port) = try Notify.receiver(["/usr/bin/python3", script, out])
        }
        deinit { process.terminate() }
        var received: [(to: [String], subject: String, body: String)] {
            String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self).split(separator: "\n").compactMap { line in
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                return (o["to"] as? [String] ?? [], o["subject"] as? String ?? "", o["body"] as? String ?? "")
            }
        }
        /// Apprise's URL for this server: plain SMTP on loopback, no login.
        func url(to: String) -> String { "mailto://127.0.0.1:\(port)?to=\(to)&from=noc@desk.example" }
    }

    /// The example policy with Cho (on call in platform at the fixed
    /// instant below) reachable at the sink, and `hooks` appended.
    func store(_ sink: Sink, hooks: String) -> TempStore {
        var s = TempStore()
        s.env = FakeClock.at("2026-12-03T10:00:00Z")  // platform: Cho's week (weekly, Mon 09:00 Berlin)
        var policy = s.tw("policy", "show", "--example").stdout
        policy = policy.replacingOccurrences(of: "  - { id: cho, name:", with: "  - { id: cho, notify: [\"json://127.0.0.1:\(sink.port)/cho\"], name:")
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data((policy + "hooks:\n" + hooks).utf8))
        return s
    }

    /// The timeline's texts (a message's line breaks shown as ␊).
    func timeline(_ s: TempStore, _ id: String) -> [String] {
        let show = (try? JSONSerialization.jsonObject(with: Data(s.tw("show", id, "--json").stdout.utf8))) as? [String: Any]
        return (show?["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
    }

    @Test func aNotifyHookReachesTheDeskAndWhoeverIsOnCallThroughApprise() throws {
        try requireTool("/usr/bin/apprise", package: "apprise")
        let sink = try Sink()
        let s = store(sink, hooks: """
          - { name: tell, on: [tier_started], tiers: [technical], notify: ["json://127.0.0.1:\(sink.port)/desk", { on_call: platform }],
              title: "{id} {tier_name} for {customer}" }

        """)
        defer { s.cleanup() }
        #expect(s.tw("policy", "check", s.path + "/policy.yaml").status == 0)
        let id = s.raise("SIP trunk down; $(touch /tmp/pwned)", customer: "acme")
        let r = s.tw("hooks", "test", "tell", "--incident", id)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let got = sink.received.sorted { $0.path < $1.path }
        #expect(got.map(\.path) == ["/cho", "/desk"], "\(got)")
        #expect(got.allSatisfy { $0.title == "\(id) Technical resources engaged for acme" }, "\(got.map(\.title))")
        // The default body: the title, what to do next, when it is due, who is on call.
        #expect(got.allSatisfy { $0.message.hasPrefix("SIP trunk down; $(touch /tmp/pwned)\nNext: ") && $0.message.contains("On call: ") && $0.message.contains("Cho Min-jun") }, "\(got.map(\.message))")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
        #expect(timeline(s, id).contains("hook tell test run: ok"), "\(timeline(s, id))")
        // URLs hold tokens: neither hooks list nor the directory's JSON prints them.
        let list = s.tw("hooks", "list").stdout
        #expect(list.contains("notifies json://…, on call in platform (Apprise)") && !list.contains("127.0.0.1"), "\(list)")
        #expect(!s.tw("oncall", "--json").stdout.contains("127.0.0.1"))
    }

    @Test func aFailedDeliveryAndSomeoneUnreachableAreSaid() throws {
        try requireTool("/usr/bin/apprise", package: "apprise")
        let refusing = try Sink(status: 500)
        let taking = try Sink()
        let s = store(refusing, hooks: """
          - { name: tell, on: [incident_opened], notify: ["json://127.0.0.1:\(refusing.port)/desk"], retries: 1, backoff: 10ms }
          - { name: both, on: [incident_opened], notify: ["json://127.0.0.1:\(refusing.port)/a", "json://127.0.0.1:\(taking.port)/b"], retries: 2, backoff: 10ms }
          - { name: netops, on: [incident_opened], notify: ["json://127.0.0.1:\(refusing.port)/x", { on_call: netops }], retries: 0 }

        """)
        defer { s.cleanup() }
        let id = s.raise("Outage")
        let failed = s.tw("hooks", "test", "tell", "--incident", id)
        #expect(failed.status == 1 && failed.stdout.contains("failed: json://127.0.0.1:\(refusing.port): apprise: exit 1 after 2 tries"), "\(failed.stdout)\(failed.stderr)")
        #expect(refusing.received.count == 2, "tried twice: \(refusing.received.map(\.path))")
        // A retry goes only to the destination that failed: nobody gets it twice.
        let both = s.tw("hooks", "test", "both", "--incident", id)
        #expect(both.status == 1, "\(both.stdout)")
        #expect(taking.received.map(\.path) == ["/b"], "sent once to the one that took it: \(taking.received.map(\.path))")
        #expect(refusing.received.filter { $0.path == "/a" }.count == 3, "three tries to the one that refused")
        let partly = s.tw("hooks", "test", "netops", "--incident", id)
        #expect(partly.status == 1 && partly.stdout.contains("apprise: exit 1; not reached: netops: Kai Weber (on call) has no notify URLs"), "\(partly.stdout)")
        #expect(timeline(s, id).contains { $0.contains("hook netops test run failed") }, "\(timeline(s, id))")
    }

    @Test func aNotifyHookRunsOncePerOccurrenceWithTwoServesOnOneMachine() throws {
        try requireTool("/usr/bin/apprise", package: "apprise")
        let sink = try Sink()
        var s = store(sink, hooks: "  - { name: tell, on: [incident_opened], notify: [\"json://127.0.0.1:\(sink.port)/desk\"] }\n")
        s.env = [:]  // serve runs on the real clock
        defer { s.cleanup() }
        let serve = Hooks.ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let other = Hooks.ServeProcess(store: s.path, host: "noc1b", machine: "m1")
        // Raised on serve's machine: its serve runs the hooks at once (another's waits its grace).
        let id = s.tw("raise", "--title", "Outage", "--customer", "acme", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil(20) { sink.received.count == 1 }, "\(sink.received)")
        #expect(waitUntil(10) { timeline(s, id).contains { $0.hasPrefix("hook tell (incident opened) ran: ok") } }, "\(timeline(s, id))")
        sleep(2)
        #expect(sink.received.count == 1, "once, with two serves looking: \(sink.received)")
        #expect(sink.received.first?.title.hasPrefix("[sev2] \(id) acme: opened — Outage") == true, "\(sink.received)")
        _ = (serve, other)
    }

    @Test func aBadNotifyHookIsRefusedWithItsPlace() throws {
        let s = TempStore(); defer { s.cleanup() }
        var policy = s.tw("policy", "show", "--example").stdout
        policy += "hooks:\n  - { name: tell, on: [tier_started], notify: [\"not a url\"] }\n"
        writeFixture(atPath: s.path + "/p1.yaml", contents: Data(policy.utf8))
        let bad = s.tw("policy", "check", s.path + "/p1.yaml")
        #expect(bad.status == 2 && bad.stderr.contains("p1.yaml:") && bad.stderr.contains("'not a url' is not an Apprise URL"), "\(bad.stderr)")
        let unknown = s.tw("policy", "show", "--example").stdout + "hooks:\n  - { name: tell, on: [tier_started], notify: [{ on_call: platfrom }] }\n"
        writeFixture(atPath: s.path + "/p2.yaml", contents: Data(unknown.utf8))
        let u = s.tw("policy", "check", s.path + "/p2.yaml")
        #expect(u.status == 2 && u.stderr.contains("unknown schedule 'platfrom'") && u.stderr.contains("platform"), "\(u.stderr)")
        let both = s.tw("policy", "show", "--example").stdout + "hooks:\n  - { name: tell, on: [tier_started], run: [/bin/true], notify: [\"json://x/y\"] }\n"
        writeFixture(atPath: s.path + "/p3.yaml", contents: Data(both.utf8))
        let b = s.tw("policy", "check", s.path + "/p3.yaml")
        #expect(b.status == 2 && b.stderr.contains("has run and notify: give one of run, post or notify"), "\(b.stderr)")
    }

    /// A store whose customer acme gets its updates at `urls`.
    func updateStore(_ urls: [String]) -> TempStore {
        let s = TempStore()
        var policy = s.tw("policy", "show", "--example").stdout
        let list = urls.map { "\"\($0)\"" }.joined(separator: ", ")
        policy = policy.replacingOccurrences(of: "  acme: { am: { person: jane } }", with: "  acme: { am: { person: jane }, updates: [\(list)] }")
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8))
        return s
    }

    func nextUpdate(_ s: TempStore, _ id: String) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(s.tw("show", id, "--json").stdout.utf8))) as? [String: Any])?["next_customer_update_at"] as? String
    }

    @Test func aCustomerUpdateIsDraftedSentAndRecordedWithWhomItReached() throws {
        try requireTool("/usr/bin/apprise", package: "apprise")
        let sink = try Sink()
        let s = updateStore(["json://127.0.0.1:\(sink.port)/acme"]); defer { s.cleanup() }
        let id = s.raise("Outbound calls dropping", customer: "acme")
        s.tw("note", id, "--message", "internal: Bob pushed the bad config, do not tell acme")
        let draft = s.tw("update", id, "--draft")
        #expect(draft.status == 0 && draft.stdout.hasPrefix("acme: Outbound calls dropping (our reference \(id))\n\nStatus: we are investigating.\nNext update by "), "\(draft.stdout)")
        #expect(!draft.stdout.contains("Bob"), "the desk's notes are not the customer's to read")
        // Not sent unread.
        let unread = s.tw("update", id, "--send")
        #expect(unread.status == 2 && unread.stderr.contains("the draft is not sent unread"), "\(unread.stderr)")
        #expect(!timeline(s, id).contains { $0.hasPrefix("customer update:") }, "a draft records nothing")
        let before = nextUpdate(s, id)
        sleep(1)
        // Read in the editor (left as it is) and sent.
        let sent = s.tw("update", id, "--send", "--edit", env: ["EDITOR": "true"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let got = try #require(sink.received.first)
        #expect(sink.received.count == 1 && got.title == "acme: Outbound calls dropping (our reference \(id))" && got.message.hasPrefix("Status: we are investigating.\nNext update by "), "\(sink.received)")
        // Recorded: exactly what was sent, to whom, delivered; the update timer starts again.
        #expect(timeline(s, id).contains { $0.hasPrefix("customer update: Status: we are investigating.") && $0.contains("[sent to json://127.0.0.1:\(sink.port): delivered]") }, "\(timeline(s, id))")
        #expect(nextUpdate(s, id).map { $0 > before ?? "" } == true, "\(String(describing: before)) -> \(String(describing: nextUpdate(s, id)))")
        // Edited in the operator's editor before it goes.
        let edited = s.tw("update", id, "--send", "--edit", env: ["EDITOR": "sed -i 1s/investigating/restoring/"])
        #expect(edited.status == 0 && sink.received.last?.message.hasPrefix("Status: we are restoring.\nLast update: Status: we are investigating.") == true, "\(edited.stderr) \(sink.received)")
    }

    @Test func anUpdateThatCannotBeDeliveredIsNotRecordedAsSent() throws {
        try requireTool("/usr/bin/apprise", package: "apprise")
        let refusing = try Sink(status: 503)
        let s = updateStore(["json://127.0.0.1:\(refusing.port)/acme"]); defer { s.cleanup() }
        let id = s.raise("Outbound calls dropping", customer: "acme")
        let before = nextUpdate(s, id)
        let r = s.tw("update", id, "--send", "--message", "We are on it.")
        #expect(r.status == 1 && r.stderr.contains("\(id): update NOT delivered, not recorded as sent; the next update is still due (json://127.0.0.1:\(refusing.port): apprise: exit 1)"), "\(r.stderr)")
        #expect(!timeline(s, id).contains { $0.hasPrefix("customer update:") }, "\(timeline(s, id))")
        #expect(timeline(s, id).contains { $0.hasPrefix("note: customer update not delivered (json://127.0.0.1:\(refusing.port): apprise: exit 1); no recipient confirmed it") }, "\(timeline(s, id))")
        #expect(nextUpdate(s, id) == before, "the update timer runs on")
        // The failed attempt is not offered as the latest word next time.
        #expect(!s.tw("update", id, "--draft").stdout.contains("not delivered"))
        // Nobody to send to, or no customer: usage errors naming what is missing.
        let other = s.raise("Outage", customer: "globex")
        let none = s.tw("update", other, "--send")
        #expect(none.status == 2 && none.stderr.contains("no update recipients for customer 'globex'"), "\(none.stderr)")
        let nobody = s.tw("raise", "--title", "No customer").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(s.tw("update", nobody, "--send").stderr.contains("has no customer"))
        #expect(s.tw("update", id).status == 2, "neither --message nor --send")
    }

    @Test func anUpdateThatReachesSomeIsRecordedWithWhoHasItAndWhoNot() throws {
        try requireTool("/usr/bin/apprise", package: "apprise")
        let good = try Sink(), refusing = try Sink(status: 503)
        let s = updateStore(["json://127.0.0.1:\(good.port)/acme", "json://127.0.0.1:\(refusing.port)/acme"]); defer { s.cleanup() }
        let id = s.raise("Outbound calls dropping", customer: "acme")
        let before = nextUpdate(s, id)
        sleep(1)
        let r = s.tw("update", id, "--send", "--message", "We are on it.")
        // Each recipient on its own: the one that answered has it, and the record says who does not.
        #expect(r.status == 1 && r.stderr.contains("update delivered to json://127.0.0.1:\(good.port) but NOT to json://127.0.0.1:\(refusing.port)"), "\(r.stderr)")
        #expect(good.received.count == 1 && good.received.first?.message == "We are on it.", "\(good.received)")
        #expect(timeline(s, id).contains {
            $0 == "customer update: We are on it.␊[sent to json://127.0.0.1:\(good.port): delivered; NOT delivered to json://127.0.0.1:\(refusing.port) (apprise: exit 1)]"
        }, "\(timeline(s, id))")
        #expect(nextUpdate(s, id).map { $0 > before ?? "" } == true, "the customer was told: the timer starts again")
    }

    /// The dashboard's `u` in a real terminal: the draft, edited, sent with
    /// ^D to a slow receiver while the screen goes on; quitting while an
    /// update is on its way waits for it and records it.
    @Test func theDashboardSendsTheEditedUpdateWithoutStoppingTheScreen() throws {
        try requireTool("/usr/bin/apprise", package: "apprise")
        let sink = try Sink(delay: 3)
        let s = updateStore(["json://127.0.0.1:\(sink.port)/acme"]); defer { s.cleanup() }
        let id = s.raise("Outbound calls dropping", customer: "acme")
        let t = Tmux(width: 120, height: 40, command: Binary.tierwatch,
                     env: ["TIERWATCH_STORE": s.path, "TIERWATCH_OPERATOR": "bob", "TIERWATCH_HOST": "noc1", "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(t.wait(for: id))
        t.send("u")
        #expect(t.wait(for: "Subject: acme: Outbound calls dropping (our reference \(id))") && t.screen.contains("To: json://127.0.0.1:\(sink.port)"), "\(t.screen)")
        #expect(t.screen.contains("Status: we are investigating."))
        // The first line rewritten, in place.
        t.send("Up", "C-a", "C-k")
        t.send("-l", "Status: restoring service now.")
        t.send("C-d")
        #expect(t.wait(for: "sending update \(id)"), "\(t.screen)")
        // The screen answers while the receiver takes its time.
        t.send("?")
        #expect(t.wait(for: "Any key closes this help.", timeout: 2) && t.screen.contains("sending update \(id)"), "\(t.screen)")
        t.send("Escape")
        #expect(t.wait(for: "\(id): update delivered to json://127.0.0.1:\(sink.port) and recorded", timeout: 20), "\(t.screen)")
        #expect(sink.received.first?.message.hasPrefix("Status: restoring service now.\nNext update by ") == true, "\(sink.received)")
        #expect(timeline(s, id).contains { $0.hasPrefix("customer update: Status: restoring service now.␊Next update by ") && $0.hasSuffix("[sent to json://127.0.0.1:\(sink.port): delivered]") },
                "\(timeline(s, id))")
        // Sent and at once quit: the update is waited for and recorded.
        t.send("u")
        #expect(t.wait(for: "Subject: acme"))
        t.send("C-d")
        t.send("q")
        #expect(t.wait(for: "EXIT=0", timeout: 20) && t.terminalRestored, "\(t.screen)")
        #expect(sink.received.count == 2)
        #expect(timeline(s, id).filter { $0.hasPrefix("customer update: ") }.count == 2, "\(timeline(s, id))")
    }

    /// Mail, through a real SMTP server on loopback: a notify hook's
    /// message, and a customer update with the operator's edit, whose
    /// timeline entry holds that text.
    @Test func mailReachesAnSMTPServerWithTheEditedUpdate() throws {
        try requireTool("/usr/bin/apprise", package: "apprise")
        let mail = try Mailbox()
        let s = updateStore([mail.url(to: "ops@acme.example")]); defer { s.cleanup() }
        var policy = try String(contentsOfFile: s.path + "/policy.yaml", encoding: .utf8)
        policy += "hooks:\n  - { name: mail-desk, on: [incident_opened], notify: [\"\(mail.url(to: "desk@noc.example"))\"] }\n"
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8))
        let id = s.raise("Outbound calls dropping", customer: "acme")
        let hook = s.tw("hooks", "test", "mail-desk", "--incident", id)
        #expect(hook.status == 0, "\(hook.stdout)\(hook.stderr)")
        let desk = try #require(mail.received.first { $0.to == ["desk@noc.example"] }, "\(mail.received)")
        #expect(desk.subject.contains(id) && desk.body.hasPrefix("Outbound calls dropping\nNext: "), "\(desk)")
        let sent = s.tw("update", id, "--send", "--edit", env: ["EDITOR": "sed -i 1s/investigating/rerouting/"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let update = try #require(mail.received.first { $0.to == ["ops@acme.example"] }, "\(mail.received)")
        #expect(update.subject == "acme: Outbound calls dropping (our reference \(id))", "\(update.subject)")
        #expect(update.body.hasPrefix("Status: we are rerouting.\nNext update by "), "\(update.body)")
        let firstLine = update.body.split(separator: "\n").first.map(String.init) ?? "?"
        #expect(timeline(s, id).contains { $0.hasPrefix("customer update: \(firstLine)␊Next update by ") && $0.hasSuffix("[sent to mailto: ops@acme.example: delivered]") },
                "\(timeline(s, id))")
    }
}
