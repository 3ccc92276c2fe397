import Foundation
import Testing

/// Writer processes of `tierwatch-bench writer`, which print `ok HOST/SEQ`
/// after each append has been fsync'd: the appends that reported success.
struct Writer {
    let process = Process()
    let output = Pipe()

    init(store: String, host: String, incident: String = "TEST", count: Int, open: Bool = false) {
        process.executableURL = URL(fileURLWithPath: Binary.bench)
        process.arguments = ["writer", "--store", store, "--host", host, "--incident", incident, "--count", "\(count)"] + (open ? ["--open"] : [])
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try! process.run()
    }

    /// What was read of its output before the end.
    final class Seen: @unchecked Sendable { var data = Data() }
    let seen = Seen()

    /// Blocks until the writer reported its first append (or ended): a
    /// kill after this lands while it is appending, however slow the
    /// machine is to start a process.
    func waitForFirstAppend() {
        while !String(decoding: seen.data, as: UTF8.self).contains("ok ") {
            let d = output.fileHandleForReading.availableData
            if d.isEmpty { return }
            seen.data += d
        }
    }

    /// Waits for the writer to end; returns the event ids it reported.
    func reported() -> [String] {
        let text = String(decoding: seen.data + output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").filter { $0.hasPrefix("ok ") }.map { String($0.dropFirst(3)) }
    }
}

/// Every event id in the store, as `tierwatch export --events` prints them.
func storedIDs(_ store: String) -> [String] {
    Binary.run(["export", "--events"], store: store).stdout.split(separator: "\n").map { line in
        let obj = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        return "\(obj["host"]!)/\(obj["seq"]!)"
    }
}

@Suite struct SeveralWriters {
    /// Eight processes append 500 events each to one host's log while two
    /// other hosts write their own logs: every append that reported success
    /// is stored exactly once, and nothing is torn.
    @Test func eightProcessesTimesFiveHundredAppendsLoseNothing() throws {
        let s = TempStore(); defer { s.cleanup() }
        #expect(Writer(store: s.path, host: "noc1", count: 0, open: true).reported().isEmpty)
        let writers = (0..<8).map { _ in Writer(store: s.path, host: "noc1", count: 500) }
            + ["noc2", "noc3"].map { Writer(store: s.path, host: $0, count: 500) }
        var reported: [String] = []
        for w in writers {
            reported += w.reported()
            #expect(w.process.terminationStatus == 0)
        }
        #expect(reported.count == 5000 && Set(reported).count == 5000, "sequence numbers are unique per host")
        let ids = storedIDs(s.path)
        #expect(ids.count == 5001 && Set(ids).count == 5001)
        #expect(Set(reported).isSubset(of: Set(ids)))
        let doctor = Binary.run(["doctor"], store: s.path)
        // Records read: the 5001 events and the policy's text in noc1's log.
        #expect(doctor.status == 0 && doctor.stdout.contains("5002 events read, 0 duplicates dropped, 0 bad"), "\(doctor.stdout)")
        let log = try String(contentsOfFile: s.path + "/events/noc1.log", encoding: .utf8)
        #expect(log.split(separator: "\n", omittingEmptySubsequences: false).count == 4003, "the policy's text, 4001 events and a final newline")
    }

    /// Writers killed with SIGKILL at random instants, 200 times: afterwards
    /// the store loads, every append that reported success is there exactly
    /// once, and no torn record was accepted or left behind as damage.
    @Test func twoHundredKillsLoseNoReportedAppend() {
        let s = TempStore(); defer { s.cleanup() }
        #expect(Writer(store: s.path, host: "noc1", count: 0, open: true).reported().isEmpty)
        var rng = SystemRandomNumberGenerator()
        var reported: [String] = []
        for _ in 0..<200 {
            let w = Writer(store: s.path, host: "noc1", count: 1_000_000)
            // Killed at a random instant once it is appending (a fixed
            // delay from the start made fewer kills land in appends on a
            // loaded machine).
            w.waitForFirstAppend()
            usleep(UInt32.random(in: 0...30_000, using: &rng))
            kill(w.process.processIdentifier, SIGKILL)
            reported += w.reported()
        }
        let ids = storedIDs(s.path)
        #expect(Set(ids).count == ids.count, "no event stored twice")
        #expect(Set(reported).isSubset(of: Set(ids)), "every append that reported success survived")
        #expect(reported.count >= 200, "every writer appended before its kill (\(reported.count) appends)")
        let doctor = Binary.run(["doctor"], store: s.path)
        #expect(doctor.stdout.contains(", 0 bad"), "\(doctor.stdout)")
    }
}
