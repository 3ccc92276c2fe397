import Foundation
import Testing

/// Automatic call-out by real `tierwatch serve` processes: when a tier with
/// `call_out:` starts, serve calls its contacts through baresip, and SIPp
/// (the callees) counts the INVITEs it received.
@Suite(.serialized) struct CallOutEndToEnd {
    let calls = CallEndToEnd()

    /// A policy whose management tier calls out, to SIPp's port.
    func store(port: Int, callOut: String, uri: String? = nil, secondPhone: String = "+1 555 0102", start: String = "") -> TempStore {
        let s = TempStore()
        let policy = """
        name: call-out-desk
        tiers:
          - id: management
            name: Management notified
            notify_within: 10m\(start)
            call_out: \(callOut)
            contacts:
              - { id: am, name: Account Manager, phone: "+1 555 0101" }
              - { id: director-support, name: Director of Customer Support, phone: "\(secondPhone)" }
        dialer:
          baresip: { user: tierwatch, domain: 127.0.0.1, caller_id: NOC desk }
          uri: "\(uri ?? "sip:{digits}@127.0.0.1:\(port)")"
          ring_timeout: 4s
          confirm_within: 2s

        """
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8))
        return s
    }

    /// SIPp answering up to `calls` calls with a scenario, logging every
    /// message it receives (to count the INVITEs).
    func sipp(_ scenario: String, port: Int, calls: Int, trace: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
        p.arguments = ["-sf", "\(CallEndToEnd.scenarios)/\(scenario).xml", "-i", "127.0.0.1", "-p", "\(port)", "-mi", "127.0.0.1",
                       "-m", "\(calls)", "-nostdin", "-timeout", "90s", "-trace_msg", "-message_file", trace]
        p.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(300_000)
        return p
    }

    /// The distinct calls SIPp received: one Call-ID per INVITE (a
    /// retransmission carries the same Call-ID), with the number called.
    func invites(_ trace: String) -> [String: String] {
        let text = String(decoding: FileManager.default.contents(atPath: trace) ?? Data(), as: UTF8.self)
        var out: [String: String] = [:]
        for message in text.components(separatedBy: "message received") {
            // SIP lines end in CRLF (one Character in Swift: split by scalars).
            let lines = message.components(separatedBy: .newlines).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let start = lines.firstIndex(where: { $0.hasPrefix("INVITE sip:") }) else { continue }
            let user = lines[start].dropFirst("INVITE sip:".count).prefix { $0 != "@" }
            if let callID = lines[start...].first(where: { $0.lowercased().hasPrefix("call-id:") }) {
                out[String(callID.dropFirst(8)).trimmingCharacters(in: .whitespaces)] = String(user)
            }
        }
        return out
    }

    func timeline(_ s: TempStore, _ id: String) -> [String] { Hooks().timeline(s, id) }

    @Test func twoServesOnOneHostRingEachContactOnceAndAReachedContactIsNotCalledAgain() throws {
        try calls.requirePeers()
        let port = calls.freePort()
        // The tier starts by the clock, 2 s after the opening: both serves
        // wake for it at the same instant and plan the same calls at once
        // (only the claim under the machine's lock keeps them to one each).
        let s = store(port: port, callOut: "{ recall: 10s, attempts: 2 }", start: "\n    start: { after: 2s, from: open }"); defer { s.cleanup() }
        let trace = s.path + ".sipp.log"
        let far = try sipp("answer-press-1", port: port, calls: 4, trace: trace)
        defer { if far.isRunning { far.terminate() } }
        let one = Hooks.ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let two = Hooks.ServeProcess(store: s.path, host: "noc1b", machine: "m1")
        let id = s.tw("raise", "--title", "Outbound calls dropping", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil(40) {
            let t = timeline(s, id)
            return t.contains("call to Account Manager: pressed 1 (automatic, try 1)") && t.contains("call to Director of Customer Support: pressed 1 (automatic, try 1)")
        }, "\(timeline(s, id))")
        // Past the recall: a reached contact is not called again, and the
        // second serve rang nobody a second time.
        sleep(13)
        let received = invites(trace)
        #expect(received.count == 2, "SIPp received one call per contact: \(received)")
        #expect(Set(received.values) == ["15550101", "15550102"], "\(received)")
        let t = timeline(s, id)
        #expect(t.filter { $0.hasPrefix("calling ") }.count == 2, "one claim per contact: \(t)")
        #expect(t.contains { $0.hasPrefix("calling Account Manager +1 555 0101 (noc1") && $0.hasSuffix("(automatic, try 1)") }, "\(t)")
        let j = try s.json("show", id)
        let contacts = (j["tiers"] as? [[String: Any]] ?? []).flatMap { $0["contacts"] as? [[String: Any]] ?? [] }
        #expect(contacts.filter { ["am", "director-support"].contains($0["id"] as? String) }.allSatisfy { $0["outcome"] as? String == "reached" }, "\(contacts)")
        _ = (one, two)
    }

    @Test func aContactNotReachedIsCalledAgainEveryRecallAtMostAttemptsTimes() throws {
        try calls.requirePeers()
        let port = calls.freePort()
        // One contact only: the director has no number (and is not called).
        let s = store(port: port, callOut: "{ recall: 10s, attempts: 2 }", secondPhone: ""); defer { s.cleanup() }
        let trace = s.path + ".sipp.log"
        let far = try sipp("answer-hang-up", port: port, calls: 4, trace: trace)
        defer { if far.isRunning { far.terminate() } }
        let serve = Hooks.ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let id = s.tw("raise", "--title", "Outbound calls dropping", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // While serve's first call rings, a desk's call to the same person is refused.
        #expect(waitUntil(20) { timeline(s, id).contains { $0.hasPrefix("calling Account Manager") } })
        let twice = s.tw("call", id, "am")
        #expect(twice.status == 1 && twice.stderr.contains("Account Manager is being called now (serve's automatic call, try 1"), "\(twice.stderr)")
        #expect(waitUntil(45) { timeline(s, id).contains("call to Account Manager: answered, no 1 pressed (automatic, try 2)") },
                "\(timeline(s, id))")
        // A third try would come 10 s after the second: attempts is 2.
        sleep(12)
        let received = invites(trace)
        #expect(received.count == 2 && Set(received.values) == ["15550101"], "two tries, then no more: \(received)")
        let t = timeline(s, id)
        #expect(t.filter { $0.hasPrefix("call to Account Manager: answered, no 1 pressed (automatic, try ") }.count == 2, "\(t)")
        // A contact with no number: the try is recorded as failed, nothing as a call.
        #expect(t.contains("automatic call to director-support (management, try 1)") && t.contains("call NOT placed: Director of Customer Support has no number on file: nothing to dial (automatic, try 1)"), "\(t)")
        #expect(!t.contains { $0.contains("calling Director") })
        let doctor = s.tw("doctor")
        #expect(doctor.status == 1 && doctor.stdout.contains("\(id) at ") && doctor.stdout.contains("call NOT placed: Director of Customer Support has no number on file"), "\(doctor.stdout)")
        _ = serve
    }

    @Test func aNumberThatMapsToNoURIIsAFailedTryNotACall() throws {
        try calls.requirePeers()
        let port = calls.freePort()
        let s = store(port: port, callOut: "true", uri: "sip:{e164}@127.0.0.1:\(port)", secondPhone: "555 0102"); defer { s.cleanup() }
        let serve = Hooks.ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let id = s.tw("raise", "--title", "Outbound calls dropping", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil(20) { timeline(s, id).contains { $0.hasPrefix("call NOT placed: Director of Customer Support: '555 0102' has no country code") && $0.hasSuffix("(automatic, try 1)") } },
                "\(timeline(s, id))")
        let t = timeline(s, id)
        #expect(!t.contains { $0.contains("calling Director") }, "\(t)")
        let j = try s.json("show", id)
        let director = (j["tiers"] as? [[String: Any]] ?? []).flatMap { $0["contacts"] as? [[String: Any]] ?? [] }.first { $0["id"] as? String == "director-support" }
        #expect(director?["outcome"] is NSNull || director?["outcome"] == nil, "nothing recorded as a call: \(String(describing: director))")
        // Prometheus sees the try that was not placed (TierwatchCallOutNotPlaced fires on it).
        let metrics = curl(["http://127.0.0.1:\(serve.port)/metrics"]).body
        #expect(metrics.contains("tierwatch_call_outs_total{result=\"not_placed\"} 1"), "\(metrics)")
        _ = serve
    }

    /// A number fixed in the people directory reaches serve's next call
    /// without a restart (serve resolves who to call from the policy file's
    /// people, as the screens do).
    @Test func aNumberFixedInThePolicyIsTheOneServeCalls() throws {
        try calls.requirePeers()
        let port = calls.freePort()
        let s = TempStore(); defer { s.cleanup() }
        func policy(_ phone: String) -> String {
            """
            name: call-out-desk
            people:
              - { id: dana, name: Dana Director, phone: "\(phone)" }
            tiers:
              - id: management
                name: Management notified
                notify_within: 10m
                call_out: { recall: 10m, attempts: 1 }
                contacts: [{ id: director-support, name: Director of Customer Support, person: dana }]
            dialer:
              baresip: { user: tierwatch, domain: 127.0.0.1 }
              uri: "sip:{e164}@127.0.0.1:\(port)"
              ring_timeout: 2s
              confirm_within: 1s

            """
        }
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy("555 0102").utf8))
        let serve = Hooks.ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let first = s.tw("raise", "--title", "Outbound calls dropping", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil(20) { timeline(s, first).contains { $0.hasPrefix("call NOT placed: Dana Director: '555 0102' has no country code") } }, "\(timeline(s, first))")
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy("+1 555 0102").utf8))
        let second = s.tw("raise", "--title", "Inbound calls failing", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil(20) { timeline(s, second).contains { $0.hasPrefix("calling Dana Director +1 555 0102 (noc1)") } }, "\(timeline(s, second))")
        _ = serve
    }

    /// Resolving the incident hangs up serve's calls in progress: nobody
    /// hears "press 1" for an incident that is over, and nothing is
    /// recorded as the contact's outcome.
    @Test func resolvingTheIncidentHangsUpItsCalls() throws {
        try calls.requirePeers()
        let port = calls.freePort()
        let s = store(port: port, callOut: "{ recall: 10m, attempts: 1 }", secondPhone: ""); defer { s.cleanup() }
        let policy = try String(contentsOfFile: s.path + "/policy.yaml", encoding: .utf8).replacingOccurrences(of: "ring_timeout: 4s", with: "ring_timeout: 30s")
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8))
        let far = try sipp("ring-no-answer", port: port, calls: 1, trace: s.path + ".sipp.log")
        defer { if far.isRunning { far.terminate() } }
        let serve = Hooks.ServeProcess(store: s.path, host: "noc1", machine: "m1")
        let id = s.tw("raise", "--title", "Outbound calls dropping", env: ["TIERWATCH_MACHINE_ID": "m1"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil(20) { timeline(s, id).contains { $0.hasPrefix("calling Account Manager") } }, "\(timeline(s, id))")
        sleep(1)
        let resolve = s.tw("resolve", id, "--message", "restored", env: ["TIERWATCH_MACHINE_ID": "m1"])
        #expect(resolve.status == 0, "\(resolve.stderr)")
        // Hung up within seconds of the resolve, not at the 30 s ring timeout.
        #expect(waitUntil(10) { timeline(s, id).contains("call to Account Manager: hung up by tierwatch: the incident was resolved (automatic, try 1)") },
                "\(timeline(s, id))")
        let am = (try s.json("show", id)["tiers"] as? [[String: Any]] ?? []).flatMap { $0["contacts"] as? [[String: Any]] ?? [] }.first { $0["id"] as? String == "am" }
        #expect(am?["outcome"] is NSNull, "nothing recorded as her answer: \(String(describing: am))")
        _ = serve
    }
}

