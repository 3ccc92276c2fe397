import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Messages through Apprise's command (`apprise`, Debian's package): one
/// URL syntax for mail, chat and SMS. Used by `notify:` hooks and by
/// customer updates.
public enum Apprise {
    /// Where its command is looked for.
    static let paths = ["/usr/bin/apprise", "/usr/local/bin/apprise"]

    /// nil when Apprise delivered to every URL; else why not. The URLs go
    /// to it in a configuration file of this user's (mode 600, removed
    /// after), never in its arguments, which every user can read.
    public static func send(title: String, body: String, urls: [String], config: String? = nil,
                            environment: [String: String] = [:], timeout: TimeSpan = TimeSpan(seconds: 30)) -> String? {
        guard let apprise = paths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return "apprise is not installed here (apt-get install -y apprise)"
        }
        // The body on stdin (Apprise reads it there when no --body is
        // given): the incident's text is not in every user's `ps`.
        var argv = [apprise, "--title", title]
        if let config {
            var st = stat()
            guard stat(config, &st) == 0 else { return "cannot read the Apprise configuration \(config)" }
            guard st.st_mode & 0o004 == 0 else { return "\(config) is readable by everyone (it holds tokens): chmod 600 it" }
            argv += ["--config", config]
        }
        var file: String?
        if !urls.isEmpty {
            var template = Array((NSTemporaryDirectory() + "/tierwatch-notify-XXXXXX").utf8CString)
            let fd = mkstemp(&template)
            guard fd >= 0 else { return "cannot make a file for the URLs: \(String(cString: strerror(errno)))" }
            let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let text = Data((urls.joined(separator: "\n") + "\n").utf8)
            _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            file = path
            argv += ["--config", path]
        }
        defer { if let file { unlink(file) } }
        var env = environment
        env["PATH"] = env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        // Apprise keeps state under HOME; a service may have none.
        env["HOME"] = env["HOME"] ?? NSTemporaryDirectory()
        return HookRunner.runProgram(argv, environment: env, input: Data(body.utf8), timeout: timeout).map { "apprise: \($0)" }
    }

    /// A recipient as it may be shown and recorded, without its secrets:
    /// a mail's addressees (`mailto: ops@acme.example`), else the service
    /// and its host (`json://status.example.org`).
    public static func describe(_ url: String) -> String {
        guard let r = url.range(of: "://") else { return "?" }
        let scheme = String(url[..<r.lowerBound])
        let rest = url[r.upperBound...]
        if scheme.hasPrefix("mailto"), let q = rest.firstIndex(of: "?") {
            let to = rest[rest.index(after: q)...].split(separator: "&").first { $0.hasPrefix("to=") }.map { String($0.dropFirst(3)) }
            if let to, !to.isEmpty { return "\(scheme): \(to.removingPercentEncoding ?? to)".sanitized }
        }
        // The host (and port): after any user:password@, before any path or query.
        var host = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
        if let q = host.firstIndex(of: "?") { host = String(host[..<q]) }
        return "\(scheme)://\(host)".sanitized
    }
}
