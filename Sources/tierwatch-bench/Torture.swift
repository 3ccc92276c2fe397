import Escalation
import Foundation
import IncidentStore

/// The store under hostile conditions, with figures: writers killed at random
/// instants, power-loss style damage, and many writers and followers at once.
/// `tierwatch-bench torture` is the short form CI runs; `--long` the long one.
enum Torture {
    struct Row {
        var name: String
        var figures: String
        var ok: Bool
    }

    static func run(long: Bool) -> Int32 {
        var rows: [Row] = []
        func progress(_ s: String) { FileHandle.standardError.write(Data("torture: \(s)\n".utf8)) }
        do {
            progress("crash loop")
            rows.append(try crashLoop(kills: long ? 1000 : 60))
            progress("damage")
            rows += try damage(rounds: long ? 200 : 20, everyOffset: long)
            progress("concurrency")
            rows.append(try concurrency(perWriter: long ? 2000 : 200))
        } catch {
            FileHandle.standardError.write(Data("torture: \(error)\n".utf8))
            return 1
        }
        print("| test | figures | |\n|---|---|---|")
        for r in rows { print("| \(r.name) | \(r.figures) | \(r.ok ? "ok" : "FAILED") |") }
        return rows.allSatisfy(\.ok) ? 0 : 1
    }

    static func writer(_ store: String, host: String, count: Int, open: Bool = false) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: SyncBench.selfPath)
        p.arguments = ["writer", "--store", store, "--host", host, "--incident", "TORT", "--count", "\(count)"] + (open ? ["--open"] : [])
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, out)
    }

    static func reported(_ w: (Process, Pipe)) -> [String] {
        let text = String(decoding: w.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        w.0.waitUntilExit()
        return text.split(separator: "\n").filter { $0.hasPrefix("ok ") }.map { String($0.dropFirst(3)) }
    }

    static func load(_ store: String) -> IncidentStore {
        let s = IncidentStore(path: store, host: "checker")
        s.refresh()
        return s
    }

    /// Writers killed with SIGKILL at random instants; after each kill the
    /// store loads, holds every reported append exactly once, and accepted
    /// nothing invalid (no bad record: torn tails are trimmed, never read).
    static func crashLoop(kills: Int) throws -> Row {
        let dir = makeTempDir("crash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = reported(try writer(dir, host: "noc1", count: 0, open: true))
        var rng = SystemRandomNumberGenerator()
        var all: Set<String> = []
        var failures = 0
        for _ in 0..<kills {
            let w = try writer(dir, host: "noc1", count: 1_000_000)
            usleep(UInt32.random(in: 2_000...30_000, using: &rng))
            kill(w.0.processIdentifier, SIGKILL)
            all.formUnion(reported(w))
            let s = load(dir)
            let ids = Set(s.state.incidents["TORT"]?.events.map(\.id.description) ?? [])
            if !all.isSubset(of: ids) || s.badRecordCount > 0 || s.state.duplicateCount > 0 { failures += 1 }
        }
        let s = load(dir)
        return Row(name: "crash loop: writers killed with SIGKILL", figures: "\(kills) kills survived, \(all.count) reported appends all present once, \(s.state.eventCount) events stored, \(s.badRecordCount) bad records, \(failures) failed checks", ok: failures == 0)
    }

    /// Torn tails at every offset, zeroed 512 B and 4 KiB blocks, bit flips,
    /// a file cut to nothing, a 64 MiB line, a file that is not text.
    static func damage(rounds: Int, everyOffset: Bool) throws -> [Row] {
        let dir = makeTempDir("damage")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreGenerator.generate(store: dir, events: 2000, hosts: 1)
        let log = dir + "/events/noc1.log"
        let clean = [UInt8](FileManager.default.contents(atPath: log)!)
        // Every record of the clean log (the policy's text too), as read.
        var cleanReader = LogReader(directory: dir + "/events")
        let originals = Dictionary(uniqueKeysWithValues: cleanReader.readNew().map { ($0.id, withoutPolicyText($0)) })
        var rng = SystemRandomNumberGenerator()
        var rows: [Row] = []

        func check(_ bytes: [UInt8]) -> (events: Int, bad: Int, invented: Int) {
            writeFixture(atPath: log, contents: Data(bytes))
            var reader = LogReader(directory: dir + "/events")
            let read = reader.readNew()
            return (read.count, reader.badRecordCount, read.filter { originals[$0.id] != withoutPolicyText($0) }.count)
        }
        /// An opening read without its policy's text (the policy record was
        /// damaged) still names it by digest: missing, not invented.
        func withoutPolicyText(_ e: IncidentEvent) -> IncidentEvent {
            guard case var .opened(o) = e.action else { return e }
            var e = e
            o.policyYAML = ""
            e.action = .opened(o)
            return e
        }

        // Torn tails at every byte offset of the last record.
        let lastStart = clean.dropLast().lastIndex(of: 10)! + 1
        var tornOK = true
        let offsets = Array(stride(from: lastStart, to: clean.count - 1, by: everyOffset ? 1 : 29))
        for k in offsets {
            let r = check(Array(clean[0..<k]))
            if r.events != originals.count - 1 || r.bad != 0 || r.invented != 0 { tornOK = false }
        }
        rows.append(Row(name: everyOffset ? "torn tail at every byte offset of the last record" : "torn tail at every 29th byte offset of the last record",
                        figures: "\(offsets.count) offsets; each time \(originals.count - 1) records loaded, 0 reported, 0 invented", ok: tornOK))

        for (name, size) in [("zeroed 512-byte blocks", 512), ("zeroed 4 KiB blocks", 4096)] {
            var damaged = 0, detected = 0, invented = 0
            for _ in 0..<rounds {
                var bytes = clean
                let at = Int.random(in: 0..<(bytes.count - size), using: &rng)
                for i in at..<at + size { bytes[i] = 0 }
                let r = check(bytes)
                damaged += originals.count - r.events
                detected += r.bad
                invented += r.invented
            }
            rows.append(Row(name: name, figures: "\(rounds) blocks: \(damaged) records lost in \(detected) reported bad lines, \(invented) invented", ok: invented == 0 && detected >= rounds))
        }

        var flipped = 0, lost = 0, reported = 0, invented = 0
        for _ in 0..<rounds {
            var bytes = clean
            let n = Int.random(in: 1...16, using: &rng)
            for _ in 0..<n { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng)) }
            flipped += n
            let r = check(bytes)
            lost += originals.count - r.events
            reported += r.bad
            invented += r.invented
        }
        rows.append(Row(name: "random bit flips", figures: "\(flipped) bits in \(rounds) rounds: \(lost) records lost, \(reported) reported, \(invented) invented", ok: invented == 0 && reported >= 1))

        let empty = check([])
        rows.append(Row(name: "file truncated to zero", figures: "\(empty.events) events, \(empty.bad) bad, no crash", ok: empty.events == 0))

        // A 64 MiB line without a newline, then a good record: memory stays bounded.
        let rssBefore = peakRSSMiB()
        writeFixture(atPath: log, contents: Data(clean))
        let h = FileHandle(forWritingAtPath: log)!
        h.seekToEndOfFile()
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<64 { h.write(chunk) }
        h.write(Data([10]))
        h.write(Data(clean[lastStart...]))
        try h.close()
        var reader = LogReader(directory: dir + "/events")
        let huge = reader.readNew()
        let grew = peakRSSMiB() - rssBefore
        rows.append(Row(name: "a 64 MiB line without a newline", figures: "skipped and reported (\(reader.badRecordCount) bad), \(huge.count) records loaded, peak RSS grew \(fmt(grew, 1)) MiB", ok: reader.badRecordCount == 1 && grew < 16))

        var junk = [UInt8](repeating: 0, count: 1 << 20)
        for i in junk.indices { junk[i] = UInt8.random(in: 0...255, using: &rng) }
        let bin = check(junk)
        rows.append(Row(name: "a file that is not text (1 MiB random)", figures: "\(bin.bad) bad lines reported, \(bin.invented) invented", ok: bin.invented == 0))
        return rows
    }

    /// 8 writers × N to one host's log and 4 other hosts × N to their own, while
    /// two followers read: nothing lost, doubled or torn, and both followers end
    /// with the same state.
    static func concurrency(perWriter n: Int) throws -> Row {
        let dir = makeTempDir("conc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = reported(try writer(dir, host: "noc1", count: 0, open: true))
        let followers = try (0..<2).map { _ -> (Process, Pipe) in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: SyncBench.selfPath)
            // The opening and its policy's text, then 12n notes.
            p.arguments = ["converge", dir, "\(2 + 12 * n)"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            return (p, out)
        }
        let writers = try (0..<8).map { _ in try writer(dir, host: "noc1", count: n) }
            + (2...5).map { try writer(dir, host: "noc\($0)", count: n) }
        var reportedIDs: [String] = []
        for w in writers { reportedIDs += reported(w) }
        let digests = followers.map { f -> String in
            let text = String(decoding: f.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            f.0.waitUntilExit()
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let s = load(dir)
        let ids = s.state.incidents["TORT"]!.events.map(\.id.description)
        let lost = Set(reportedIDs).subtracting(ids).count
        let doubled = ids.count - Set(ids).count
        let ok = lost == 0 && doubled == 0 && s.badRecordCount == 0 && digests[0] == digests[1] && digests[0] == digest(s.state)
        return Row(name: "8 writers × \(n) on one log + 4 hosts × \(n), 2 followers", figures: "\(reportedIDs.count) appends: \(lost) lost, \(doubled) doubled, \(s.badRecordCount) torn; followers \(digests[0] == digests[1] ? "converged" : "DIVERGED")", ok: ok)
    }

    /// A fingerprint of a state: every incident's event ids in order, and its state.
    static func digest(_ state: StoreState) -> String {
        let text = state.incidents.keys.sorted().map { id in
            let i = state.incidents[id]!
            return id + ":" + i.state.rawValue + ":" + i.events.map(\.id.description).joined(separator: ",")
        }.joined(separator: ";")
        return Policy.digest(of: text)
    }

    /// Child: follows until `expected` events are in, prints the state's digest.
    static func converge(store: String, expected: Int) -> Never {
        let f = StoreFollower(store: IncidentStore(path: store, host: "follower"))
        f.store.refresh()
        let end = monotonic() + 120
        while f.store.state.eventCount < expected && monotonic() < end { _ = f.next(timeout: 1) }
        print(digest(f.store.state))
        exit(0)
    }
}
