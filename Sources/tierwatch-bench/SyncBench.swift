import Escalation
import Foundation
import IncidentStore

/// Sync latency: an append in this process (timed when fsync returned) until
/// a follower in another process has the event in its folded state. The
/// follower prints `seen ID T` with T on CLOCK_MONOTONIC, which all processes
/// on a machine share. Baseline: a bare inotify reader in the same harness
/// that only reads the new bytes (the mechanism's own cost).
enum SyncBench {
    struct Result {
        var fromFsync: Sample
        var fromWrite: Sample
    }

    static var selfPath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs this benchmark executable as a child with `arguments`; what it
    /// printed, and its exit status.
    static func runSelf(_ arguments: [String]) throws -> (output: String, status: Int32) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: selfPath)
        child.arguments = arguments
        let out = Pipe()
        child.standardOutput = out
        try child.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        return (text, child.terminationStatus)
    }

    /// Runs `count` paced appends against a follower started with `followerArgs`.
    static func measure(count: Int, followerArgs: [String], storeEvents: Int = 0) throws -> Result {
        let dir = makeTempDir("sync")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if storeEvents > 0 { try StoreGenerator.generate(store: dir, events: storeEvents) }
        let store = IncidentStore(path: dir, host: "writer")
        try store.append { _ in
            IncidentStore.Draft(incident: "SYNC", action: .opened(Opening(title: "sync", customer: nil, severity: .sev3,
                policyYAML: Policy.builtInYAML, policyDigest: Policy.digest(of: Policy.builtInYAML))), operatorName: "bench", baseVersion: 0)
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: selfPath)
        child.arguments = followerArgs + [dir]
        let out = Pipe()
        child.standardOutput = out
        try child.run()
        defer { child.terminate(); child.waitUntilExit() }
        var lines = LineReader(out.fileHandleForReading)
        guard lines.next() == "ready" else { throw BenchError("follower did not start") }
        var fromFsync: [Double] = [], fromWrite: [Double] = []
        for n in 0..<count {
            let before = monotonic()
            let e = try store.append { s in
                IncidentStore.Draft(incident: "SYNC", action: .note(message: "sync \(n)"), operatorName: "bench",
                                    baseVersion: s.incidents["SYNC"]!.version)
            }
            let fsynced = monotonic()
            // Wait for the follower to report this very event.
            while let line = lines.next() {
                let parts = line.split(separator: " ")
                guard parts.count == 3, parts[0] == "seen" else { continue }
                if parts[1] == Substring(e.id.description) || followerArgs.first == "bare-follow" {
                    let seen = Double(parts[2])!
                    fromFsync.append(Swift.max(0, seen - fsynced) * 1000)
                    fromWrite.append((seen - before) * 1000)
                    break
                }
            }
        }
        return Result(fromFsync: Sample(fromFsync), fromWrite: Sample(fromWrite))
    }

    /// Child: follows the store, printing `seen ID T` once each event is folded.
    static func follow(store path: String, polling: Bool, interval: TimeInterval?) -> Never {
        let follower = StoreFollower(store: IncidentStore(path: path, host: "follower"), forcePolling: polling, pollInterval: interval)
        follower.store.refresh()
        emit("ready")
        while true {
            let change = follower.next()
            let t = monotonic()
            for e in change.events { emit("seen \(e.id) \(String(format: "%.9f", t))") }
        }
    }

    /// Child: the baseline. inotify on the writer's log, read the new bytes,
    /// report each complete line; no decoding, no folding.
    static func bareFollow(store path: String) -> Never {
        let file = path + "/events/writer.log"
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        _ = inotify_add_watch(fd, file, UInt32(IN_MODIFY))
        let log = open(file, O_RDONLY)
        var offset = lseek(log, 0, SEEK_END)
        var events = [UInt8](repeating: 0, count: 4096)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        emit("ready")
        while true {
            _ = events.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            while true {
                let n = buffer.withUnsafeMutableBytes { pread(log, $0.baseAddress, $0.count, offset) }
                guard n > 0 else { break }
                offset += off_t(n)
                let t = monotonic()
                for b in buffer[0..<n] where b == 10 { emit("seen - \(String(format: "%.9f", t))") }
            }
        }
    }

    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Reads lines from a pipe without Foundation's buffering surprises.
struct LineReader {
    let handle: FileHandle
    var pending: [UInt8] = []

    init(_ handle: FileHandle) { self.handle = handle }

    mutating func next() -> String? {
        while true {
            if let nl = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                return line
            }
            let data = handle.availableData
            if data.isEmpty { return nil }
            pending += data
        }
    }
}
