import Foundation
import Testing

/// Runs the real binaries the package built, beside the test bundle.
enum Binary {
    static var directory: URL {
        // /proc/self/exe is the test runner in .build/<triple>/debug/.
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent()
    }

    static var tierwatch: String { directory.appendingPathComponent("tierwatch").path }
    static var bench: String { directory.appendingPathComponent("tierwatch-bench").path }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `tierwatch ARGS` with the store and operator set, and waits.
    static func run(_ args: [String], executable: String = tierwatch, store: String? = nil,
                    env extra: [String: String] = [:]) -> Result {
        let p = Process()
        var env = ProcessInfo.processInfo.environment
        env["TIERWATCH_OPERATOR"] = "alice"
        env["TIERWATCH_HOST"] = "noc1"
        // No config file of the machine's user reaches a test (a test of
        // config files gives its own).
        env["XDG_CONFIG_HOME"] = "/nonexistent/tierwatch-tests"
        if let store { env["TIERWATCH_STORE"] = store }
        for (k, v) in extra { env[k] = v }
        let (executable, args) = FakeClock.wrap(executable, args, env: &env)
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try! p.run()
        // Read before waiting so a large output cannot fill the pipe and stall.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }
}

struct TempStore {
    let path: String
    /// Set for every command run on this store (tw, json, raise): e.g.
    /// `FakeClock.at(...)`, so a test that depends on the instant fixes it.
    var env: [String: String] = [:]

    init() {
        var template = Array((NSTemporaryDirectory() + "/tierwatch-e2e-XXXXXX").utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func tw(_ args: String..., env: [String: String] = [:]) -> Binary.Result {
        tw(args, env: env)
    }

    @discardableResult
    func tw(_ args: [String], env: [String: String] = [:]) -> Binary.Result {
        Binary.run(args, store: path, env: self.env.merging(env) { $1 })
    }

    func json(_ args: String...) throws -> [String: Any] {
        let r = Binary.run(args + ["--json"], store: path, env: env)
        guard r.status == 0 else { throw Failure(message: "exit \(r.status): \(r.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    @discardableResult
    func raise(_ title: String = "SIP trunk down", customer: String = "acme", extra: [String] = []) -> String {
        let r = Binary.run(["raise", "--title", title, "--customer", customer] + extra, store: path, env: env)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Bytes of every file in the store, by relative path.
    func snapshot() -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: path)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + rel, isDirectory: &isDir)
            out[rel] = isDir.boolValue ? Data() : FileManager.default.contents(atPath: path + "/" + rel)
        }
        return out
    }
}

struct Failure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Waits until `check` holds (polling every 50 ms) or `seconds` pass; the last answer.
func waitUntil(_ seconds: Double, _ check: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if check() { return true }
        usleep(50_000)
    }
    return check()
}

/// Writes a test's fixture file; a test cannot go on without it, so a failed
/// write stops the run and names the path.
func writeFixture(atPath path: String, contents: Data?, attributes: [FileAttributeKey: Any]? = nil) {
    precondition(FileManager.default.createFile(atPath: path, contents: contents, attributes: attributes), "cannot write the fixture \(path)")
}

/// Runs the real binaries at an instant the test chooses, through the
/// `faketime` wrapper (Debian package `faketime`) with an offset, so every
/// process of the test (commands, dashboards in tmux) shares one clock that
/// starts at that instant and runs at the normal rate. Tests whose outcome
/// depends on who is on call, the weekday or the hour use it; CI also runs
/// the suites under faketime at several dates (.ci/faketime-matrix) to find
/// any that forgot. The wrapper, not a bare LD_PRELOAD: libfaketime alone
/// sets FAKETIME_SHARED in its constructor, which moves `environ` and leaves
/// a Swift program with no arguments.
enum FakeClock {
    static let key = "TIERWATCH_TEST_FAKETIME"
    static let wrapper = "/usr/bin/faketime"

    /// The environment (for `TempStore.env`, `Binary.run`, `Tmux`) of a
    /// child whose clock reads `instant` now.
    static func at(_ instant: String) -> [String: String] {
        guard let target = ISO8601DateFormatter().date(from: instant) else {
            preconditionFailure("FakeClock.at: not an ISO 8601 instant: \(instant)")
        }
        // Under the CI matrix this process's own clock is shifted too, and
        // the wrapper below starts from the real clock: add that shift back.
        let own = ProcessInfo.processInfo.environment["FAKETIME"].flatMap { Double($0) } ?? 0
        return [key: String(format: "%+.3f", target.timeIntervalSinceNow + own)]
    }

    /// The environment of a child whose clock runs `seconds` ahead of this
    /// process's (behind when negative): a host with a wrong clock.
    static func offset(_ seconds: Double) -> [String: String] {
        let own = ProcessInfo.processInfo.environment["FAKETIME"].flatMap { Double($0) } ?? 0
        return [key: String(format: "%+.3f", seconds + own)]
    }

    /// What to run instead of `executable args` when `env` fixes the clock:
    /// the wrapper, with this process's own libfaketime settings removed.
    static func wrap(_ executable: String, _ args: [String], env: inout [String: String]) -> (String, [String]) {
        guard let spec = env.removeValue(forKey: key) else { return (executable, args) }
        if !FileManager.default.isExecutableFile(atPath: wrapper) {
            Issue.record("this test fixes the clock with faketime: apt-get install -y faketime (or bash .ci/deps)")
        }
        for k in ["LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED"] { env.removeValue(forKey: k) }
        env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        env["NO_FAKE_STAT"] = "1"  // see .ci/faketime-matrix: no semaphore shared by killed processes
        return (wrapper, ["-m", "-f", spec, executable] + args)
    }

    /// The same for a shell line run in tmux.
    static func wrap(shell command: String, env: inout [String: String]) -> String {
        guard env[key] != nil else { return command }
        let (exe, args) = wrap("", [], env: &env)
        return "env -u LD_PRELOAD -u FAKETIME -u FAKETIME_SHARED \(exe) \(args.dropLast().joined(separator: " ")) \(command)"
    }
}

/// A test that needs a program fails, naming the Debian package, when the
/// program is missing: never a silent skip (`bash .ci/deps` installs them all).
func requireTool(_ path: String, package: String) throws {
    try #require(FileManager.default.isExecutableFile(atPath: path),
                 "\(path) is missing: apt-get install -y \(package) (or bash .ci/deps)")
}
