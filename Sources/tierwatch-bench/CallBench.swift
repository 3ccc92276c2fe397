import Escalation
import Foundation
import IncidentStore
import Serve

/// Automatic call-out measured end to end with real components: a tier with
/// `call_out:` starts (an incident opened in the store), a real `tierwatch
/// serve` notices it, claims the call, makes the message with espeak-ng and
/// has baresip dial; SIPp (the callee, answering 486 Busy so each call ends
/// at once) logs when the INVITE arrived. Beside it, in the same run, the
/// dialer's own part: baresip asked directly to dial (message already made)
/// until the same SIPp logs the INVITE.
enum CallBench {
    static let scenario = """
    <?xml version="1.0" encoding="ISO-8859-1" ?>
    <scenario name="busy">
      <recv request="INVITE"/>
      <send><![CDATA[
    SIP/2.0 486 Busy Here
    [last_Via:]
    [last_From:]
    [last_To:];tag=[pid]SIPpTag01[call_number]
    [last_Call-ID:]
    [last_CSeq:]
    Content-Length: 0

      ]]></send>
      <recv request="ACK"/>
    </scenario>
    """

    static func figures(quick: Bool, progress: (String) -> Void) throws -> [Figure] {
        for (tool, package) in [("/usr/bin/baresip", "baresip-core"), ("/usr/bin/sipp", "sip-tester"), ("/usr/bin/espeak-ng", "espeak-ng")]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw BenchError("\(tool) is missing: apt-get install -y \(package)")
        }
        guard FileManager.default.isExecutableFile(atPath: ServeBench.tierwatch) else { throw BenchError("\(ServeBench.tierwatch) is not built") }
        let samples = quick ? 5 : 50
        let dir = makeTempDir("call")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = ServeBench.freePort()
        writeFixture(atPath: dir + "/busy.xml", contents: Data(scenario.utf8))
        let trace = dir + "/sipp.log"
        let sipp = Process()
        sipp.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
        sipp.arguments = ["-sf", dir + "/busy.xml", "-i", "127.0.0.1", "-p", "\(port)", "-nostdin", "-trace_msg", "-message_file", trace]
        sipp.standardOutput = FileHandle.nullDevice
        sipp.standardError = FileHandle.nullDevice
        try sipp.run()
        defer { sipp.terminate(); sipp.waitUntilExit() }
        usleep(300_000)

        let dialer = """
        dialer:
          baresip: { user: bench, domain: 127.0.0.1 }
          uri: "sip:{digits}@127.0.0.1:\(port)"
          ring_timeout: 4s
          confirm_within: 1s
        """
        let policy = """
        name: call-bench
        tiers:
          - id: management
            name: Management notified
            notify_within: 10m
            call_out: { recall: 10m, attempts: 1 }
            contacts: [{ id: am, name: Account Manager, phone: "+1 555 0101" }]
        \(dialer)

        """
        writeFixture(atPath: dir + "/policy.yaml", contents: Data(policy.utf8))
        let settings = try Policy(yaml: policy, file: "bench").dialer!

        // The dialer alone: baresip started and asked to dial, to the INVITE.
        progress("call: baresip alone, dial -> INVITE at the callee, \(samples) calls")
        let wav = dir + "/message.wav"
        guard case let .success(seconds) = VoiceMessage.write("This is the bench.", to: wav, silenceAfter: 1) else { throw BenchError("espeak-ng made no message") }
        var alone: [Double] = []
        for _ in 0..<samples {
            let seen = invites(trace).count
            let t0 = Date()
            _ = Dialer(settings).call("sip:15550101@127.0.0.1:\(port)", wav: wav, messageSeconds: seconds)
            let all = invites(trace)
            guard all.count == seen + 1 else { throw BenchError("SIPp logged \(all.count - seen) INVITEs for one call") }
            alone.append(all[seen].timeIntervalSince(t0) * 1000)
        }

        // Through serve: the tier's start (the incident's opening) to the INVITE.
        progress("call: tier start -> INVITE through tierwatch serve, \(samples) incidents")
        let serve = try ServeBench.Serve(store: dir)
        let store = IncidentStore(path: dir, host: "bench")
        var viaServe: [Double] = []
        for k in 0..<samples {
            let seen = invites(trace).count
            let opened = try store.openIncident(Opening(title: "bench \(k)", customer: nil, severity: .sev1, policyYAML: policy,
                                                        policyDigest: Policy.digest(of: policy)), operatorName: "bench")
            let start = monotonic()
            while invites(trace).count == seen {
                if monotonic() - start > 10 { throw BenchError("serve placed no call for \(opened.incident) within 10 s") }
                usleep(2_000)
            }
            viaServe.append(invites(trace)[seen].timeIntervalSince(opened.at) * 1000)
            // The call ends (486) and is recorded before the next tier starts.
            while !(store.state.incidents[opened.incident]?.hookRecords.contains { $0.result == .ok || $0.result == .failed } ?? false) {
                if monotonic() - start > 15 { throw BenchError("the call for \(opened.incident) was never recorded") }
                usleep(20_000)
                store.refresh()
            }
        }
        _ = serve
        let (v, a) = (Sample(viaServe), Sample(alone))
        return [Figure(
            name: "automatic call-out: a tier with call_out starts -> the callee's INVITE (serve, espeak-ng, baresip, SIPp on loopback)",
            value: "p50 \(fmt(v.median, 0)) ms, p99 \(fmt(v.p99, 0)) ms",
            baseline: "baresip alone, dial -> INVITE: p50 \(fmt(a.median, 0)) ms, p99 \(fmt(a.p99, 0)) ms; ratio of medians \(fmt(v.median / a.median))",
            target: "p99 <= 1000 ms",
            verdict: v.p99 <= 1000 ? "met" : "MISSED",
            json: ["p50_ms": v.median, "p99_ms": v.p99, "dialer_p50_ms": a.median, "dialer_p99_ms": a.p99, "samples": samples])]
    }

    /// When each INVITE reached SIPp, in order (one per Call-ID: a
    /// retransmission is not a new call), from its message log's stamps.
    static func invites(_ trace: String) -> [Date] {
        let text = String(decoding: FileManager.default.contents(atPath: trace) ?? Data(), as: UTF8.self)
        var seen = Set<String>()
        var out: [Date] = []
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = .current
        format.dateFormat = "yyyy-MM-dd HH:mm:ss"
        for block in text.components(separatedBy: "----------------------------------------------- ").dropFirst() {
            let lines = block.components(separatedBy: .newlines)
            guard lines.count > 3, lines[1].contains("message received"),
                  let invite = lines.firstIndex(where: { $0.hasPrefix("INVITE ") }),
                  let callID = lines[invite...].first(where: { $0.lowercased().hasPrefix("call-id:") }),
                  seen.insert(callID).inserted else { continue }
            // "2026-12-07 07:01:00.454523": seconds by the formatter, microseconds by hand.
            let stamp = lines[0].trimmingCharacters(in: .whitespaces)
            let parts = stamp.split(separator: ".")
            guard parts.count == 2, let whole = format.date(from: String(parts[0])), let micro = Double("0." + parts[1]) else { continue }
            out.append(whole.addingTimeInterval(micro))
        }
        return out
    }
}
