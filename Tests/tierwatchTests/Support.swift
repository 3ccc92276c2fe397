import Foundation

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
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["TIERWATCH_OPERATOR"] = "alice"
        env["TIERWATCH_HOST"] = "noc1"
        if let store { env["TIERWATCH_STORE"] = store }
        for (k, v) in extra { env[k] = v }
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

    init() {
        var template = Array((NSTemporaryDirectory() + "/tierwatch-e2e-XXXXXX").utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func tw(_ args: String..., env: [String: String] = [:]) -> Binary.Result {
        Binary.run(args, store: path, env: env)
    }

    func json(_ args: String...) throws -> [String: Any] {
        let r = Binary.run(args + ["--json"], store: path)
        guard r.status == 0 else { throw Failure(message: "exit \(r.status): \(r.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    func raise(_ title: String = "SIP trunk down", customer: String = "acme", extra: [String] = []) -> String {
        let r = Binary.run(["raise", "--title", title, "--customer", customer] + extra, store: path)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Bytes of every file in the store, by relative path.
    func snapshot() -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: path)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: path + "/" + rel, isDirectory: &isDir)
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
