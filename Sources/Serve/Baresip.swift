import Escalation
import Foundation

/// One call through baresip, a real SIP user agent: a configuration of its
/// own for the call (the account, the message as its audio source), its
/// `ctrl_tcp` module to dial and to hear what happens (netstrings of JSON:
/// CALL_RINGING, CALL_ESTABLISHED, CALL_DTMF_START, CALL_CLOSED with the
/// SIP reason), then it is stopped.
struct BaresipCall {
    let dialer: Dialer
    let account: DialerSettings.SIPAccount

    struct Event: Decodable {
        var event: Bool?
        var response: Bool?
        var ok: Bool?
        var type: String?
        var param: String?
        var data: String?
    }

    func run(_ uri: String, wav: String, messageSeconds: Double, ringing: () -> Void, unwanted: @escaping Dialer.StillWanted) -> Result<CallResult, DialerProblem> {
        if let missing = dialer.agentMissing { return .failure(missing) }
        let password: String?
        switch Dialer.password(account) {
        case let .success(p): password = p
        case let .failure(why): return .failure(why)
        }
        var template = Array((NSTemporaryDirectory() + "/tierwatch-call-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { return .failure(DialerProblem("cannot make a directory for the call")) }
        let dir = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let control = Self.freePort(), let sip = Self.freePort() else { return .failure(DialerProblem("no free local port for the SIP agent")) }
        guard writeConfiguration(dir, control: control, sip: sip, wav: wav, password: password) else {
            return .failure(DialerProblem("cannot write the SIP agent's configuration"))
        }
        let p: Spawned
        switch Spawned.start([dialer.baresip, "-f", dir], output: .file(dir + "/log"), diesWithCaller: true) {
        case let .success(s): p = s
        case let .failure(why): return .failure(why)
        }
        defer { p.stop() }
        func failed(_ why: String) -> Result<CallResult, DialerProblem> {
            let tail = (try? String(contentsOfFile: dir + "/log", encoding: .utf8)).map { $0.split(separator: "\n").suffix(2).joined(separator: " / ") } ?? ""
            return .failure(DialerProblem(why + (tail.isEmpty ? "" : " (baresip: \(tail.sanitized.prefix(200)))")))
        }
        guard let fd = Self.connect(control, within: 5, while: { p.isRunning }) else { return failed("baresip did not start its control socket") }
        defer { close(fd) }
        let stream = Netstrings(fd)
        stream.unwanted = unwanted
        guard stream.send(["command": "dial", "params": uri, "token": "dial"]) else { return failed("cannot talk to baresip") }
        let started = Date()
        let ringDeadline = started.addingTimeInterval(Double(dialer.settings.ringTimeout.seconds))
        var endDeadline: Date?
        var provisional = false
        while true {
            let deadline = endDeadline ?? ringDeadline
            guard let e = stream.next(until: deadline) else {
                if let why = stream.hungUp {
                    _ = stream.send(["command": "hangup", "params": "", "token": "hangup"])
                    return .success(.hungUp(why))
                }
                if !stream.ended && Date() >= deadline {
                    _ = stream.send(["command": "hangup", "params": "", "token": "hangup"])
                    if endDeadline != nil { return .success(.answeredOnly) }
                    return .success(.notAnswered("no answer within \(dialer.settings.ringTimeout)"))
                }
                return failed("baresip stopped during the call")
            }
            if e.response == true, e.ok == false { return failed("baresip refused to dial \(uri.sanitized): \(e.data?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")") }
            switch e.type ?? "" {
            case "CALL_RINGING", "CALL_PROGRESS":
                if !provisional { ringing() }
                provisional = true
            case "CALL_ESTABLISHED":
                endDeadline = Date().addingTimeInterval(messageSeconds + 5)
            case "CALL_DTMF_START" where e.param == "1":
                _ = stream.send(["command": "hangup", "params": "", "token": "hangup"])
                return .success(.confirmed)
            case "REGISTER_FAIL":
                return failed("the SIP account could not register: \(e.param ?? "")")
            case "CALL_CLOSED":
                let why = e.param ?? ""
                if endDeadline != nil { return .success(.answeredOnly) }
                let code = Int(why.prefix(3))
                if let code, [401, 403, 407].contains(code) { return failed("the SIP account was refused (\(why)): check user, domain and password_file") }
                if code != nil || provisional { return .success(.notAnswered(why.isEmpty ? "call ended" : why)) }
                return failed("the call could not be placed: \(why.isEmpty ? "no answer from the SIP server" : why)")
            default: break
            }
        }
    }

    /// The agent's configuration in `dir`: its ports, the message to play,
    /// the account (the password in a file only its user reads).
    func writeConfiguration(_ dir: String, control: Int, sip: Int, wav: String, password: String?) -> Bool {
        let config = [
            "poll_method epoll", "sip_listen 0.0.0.0:\(sip)",
            "audio_player aufile,\(dir)/heard.wav", "audio_source aufile,\(wav)", "audio_alert aufile,\(dir)/alert.wav",
            "module_path /usr/lib/baresip/modules", "module g711.so", "module aufile.so",
            "module_app account.so", "module_app menu.so", "module_app ctrl_tcp.so", "ctrl_tcp_listen 127.0.0.1:\(control)",
        ].joined(separator: "\n") + "\n"
        var line = "<sip:\(account.user)@\(account.domain)>;regint=0"
        if let name = account.callerID { line = "\"\(name.filter { $0 != "\"" })\" " + line }
        if let password { line += ";auth_pass=\(password)" }
        if let proxy = account.proxy { line += ";outbound=\"\(proxy)\"" }
        let accounts = dir + "/accounts"
        return FileManager.default.createFile(atPath: dir + "/config", contents: Data(config.utf8))
            && FileManager.default.createFile(atPath: accounts, contents: Data((line + "\n").utf8), attributes: [.posixPermissions: 0o600])
            && FileManager.default.createFile(atPath: dir + "/contacts", contents: Data())
    }

    /// A port nothing listens on now (the agent binds it a moment later).
    static func freePort() -> Int? {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { return nil }
        defer { close(s) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = 0
        let bound = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { return nil }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        return Int(UInt16(bigEndian: a.sin_port))
    }

    static func connect(_ port: Int, within seconds: Double, while alive: () -> Bool) -> Int32? {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end && alive() {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_addr.s_addr = inet_addr("127.0.0.1")
            a.sin_port = in_port_t(UInt16(port).bigEndian)
            let ok = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if ok == 0 { return s }
            close(s)
            usleep(30_000)
        }
        return nil
    }
}

/// baresip's control protocol: `LEN:JSON,` both ways.
final class Netstrings: FDReader {
    func send(_ command: [String: String]) -> Bool {
        guard let json = try? JSONEncoder().encode(command) else { return false }
        let frame = Data("\(json.count):".utf8) + json + Data(",".utf8)
        return frame.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == frame.count
    }

    func next(until deadline: Date) -> BaresipCall.Event? {
        while true {
            if let colon = buffer.firstIndex(of: 58), let len = Int(String(decoding: buffer[..<colon], as: UTF8.self)) {
                let end = colon + 1 + len
                if buffer.count > end {
                    let body = Data(buffer[(colon + 1)..<end])
                    buffer.removeFirst(end + 1)
                    if let e = try? JSONDecoder().decode(BaresipCall.Event.self, from: body) { return e }
                    continue
                }
            } else if buffer.count > 16, buffer.firstIndex(of: 58) == nil {
                ended = true  // not a netstring: nothing more to read from it
                return nil
            }
            guard !ended, fill(until: deadline) else { return nil }
        }
    }
}
