import Foundation
import Testing

/// Whether Debian's syncthing is installed (`.ci/run` installs it).

/// Two NOC sites sharing one store through two real Syncthing instances on
/// loopback (Tests/tools/syncthing-pair.py): actions cross, concurrent
/// actions converge with nothing lost, a cut-off site is shown as silent
/// and catches up, and two writers with one host name lose nothing.
@Suite(.serialized)
struct TwoSites {
    static let helper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../tools/syncthing-pair.py").path

    final class Pair: Sendable {
        let base: String
        init() throws {
            base = TempStore().path
            let r = Binary.run([TwoSites.helper, "start", base], executable: "/usr/bin/python3")
            guard r.status == 0 else { throw Failure(message: "syncthing pair did not start: \(r.stderr)") }
        }
        deinit { _ = Binary.run([TwoSites.helper, "stop", base], executable: "/usr/bin/python3") }
        func store(_ site: String) -> String { base + "/store-" + site }
        func stop(_ site: String) { _ = Binary.run([TwoSites.helper, "stop", base, site], executable: "/usr/bin/python3") }
        func restart(_ site: String) -> Bool { Binary.run([TwoSites.helper, "restart", base, site], executable: "/usr/bin/python3").status == 0 }

        /// `tierwatch ARGS` at a site, as its operator on its own host.
        @discardableResult
        func tw(_ site: String, _ args: String..., host: String? = nil, env: [String: String] = [:]) -> Binary.Result {
            Binary.run(args, store: store(site), env: ["TIERWATCH_HOST": host ?? "site-\(site)", "TIERWATCH_OPERATOR": "op-\(site)"].merging(env) { $1 })
        }

        /// The merged event log as a site reads it.
        func events(_ site: String) -> [String] {
            tw(site, "export", "--events").stdout.split(separator: "\n").map(String.init).sorted()
        }

        func until(_ seconds: Double = 30, _ check: () -> Bool) -> Bool { waitUntil(seconds, check) }
    }

    @Test func actionsCrossConcurrentActionsConvergeASilentSiteIsShownAndCatchesUp() throws {
        try requireTool("/usr/bin/syncthing", package: "syncthing")
        try requireTool("/usr/bin/python3", package: "python3")
        let pair = try Pair()
        // Raised at A, seen at B.
        let ids = (0..<3).map { k in pair.tw("a", "raise", "--title", "incident \(k) at A").stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(pair.until { ids.allSatisfy { pair.tw("b", "list").stdout.contains($0) } }, "A's incidents reach B")

        // B's watch sees A's ack.
        let out = pair.base + "/watch-b.jsonl"
        let watch = Tmux(command: "\(Binary.tierwatch) watch --json > \(out)",
                         env: ["TIERWATCH_STORE": pair.store("b"), "TIERWATCH_HOST": "site-b", "TERM": "xterm-256color"])
        usleep(500_000)
        #expect(pair.tw("a", "ack", ids[0]).status == 0)
        #expect(pair.until { (FileManager.default.contents(atPath: out).map { String(decoding: $0, as: UTF8.self) } ?? "").contains("\"acknowledged\"") },
                "B's watch --json prints A's ack")
        _ = watch

        // Both sites act on the same incidents at once.
        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var done = ["a": 0, "b": 0]
            func add(_ site: String) { lock.lock(); done[site]! += 1; lock.unlock() }
        }
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let site = k == 0 ? "a" : "b"
            for round in 0..<12 {
                let id = ids[round % 3]
                let r = round % 4 == 3 ? pair.tw(site, "resolve", id, "--message", "done at \(site)") : pair.tw(site, "note", id, "--message", "\(site) round \(round)")
                if r.status == 0 { tally.add(site) }
            }
        }
        let done = tally.done
        #expect(pair.until(45) { pair.events("a") == pair.events("b") }, "both sites converge to the same log")
        let log = pair.events("a")
        let fromA = log.filter { $0.contains("\"host\":\"site-a\"") }.count
        let fromB = log.filter { $0.contains("\"host\":\"site-b\"") }.count
        #expect(fromA == 3 + 1 + done["a"]!, "every successful action of A is there once (3 raises, 1 ack, \(done["a"]!) actions)")
        #expect(fromB == done["b"]!, "every successful action of B is there once")
        let listA = pair.tw("a", "list", "--all", "--json").stdout, listB = pair.tw("b", "list", "--all", "--json").stdout
        #expect(listA.count > 2 && ids.allSatisfy { listA.contains($0) && listB.contains($0) })

        // A cut-off site: A runs a dashboard (it leaves heartbeats), B's Syncthing stops.
        let policy = pair.tw("a", "policy", "show", "--yaml").stdout + "sites: { expected: [site-a, site-b], silent_after: 15s }\n"
        writeFixture(atPath: pair.store("a") + "/policy.yaml", contents: Data(policy.utf8))
        let dashboard = Tmux(command: Binary.tierwatch, env: ["TIERWATCH_STORE": pair.store("a"), "TIERWATCH_HOST": "site-a", "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(pair.until { FileManager.default.fileExists(atPath: pair.store("b") + "/heartbeats/site-a.json") && FileManager.default.fileExists(atPath: pair.store("b") + "/policy.yaml") })
        #expect(!pair.tw("b", "list").stderr.contains("site-a: no sign"), "A is heard while connected")
        pair.stop("b")
        let cutoff = pair.tw("a", "note", ids[0], "--message", "written while B is cut off")
        #expect(cutoff.status == 0)
        #expect(pair.until(40) { pair.tw("b", "list").stderr.contains("site-a: no sign for") }, "B shows A as silent")
        #expect(pair.restart("b"))
        #expect(pair.until(45) { pair.events("a") == pair.events("b") }, "B catches up")
        #expect(pair.until(20) { !pair.tw("b", "list").stderr.contains("site-a: no sign") }, "and the warning goes")
        dashboard.send("q")

        // Two writers with one host name, at once: nothing lost, the clash said at both sites.
        let x = pair.tw("a", "raise", "--title", "same name at A", host: "noc1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let y = pair.tw("b", "raise", "--title", "same name at B", host: "noc1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for site in ["a", "b"] {
            #expect(pair.until(45) { let l = pair.tw(site, "list"); return l.stdout.contains(x) && l.stdout.contains(y) }, "both kept at \(site)")
            #expect(pair.tw(site, "list").stderr.contains("two writers use host name 'noc1'"), "the clash is said at \(site)")
        }
    }

    /// Site B's clock runs 2 minutes fast. A sees B's records and heartbeat
    /// dated ahead; B sees A's records written after B's later time (A's
    /// hybrid clock carried): each site names the other and the 2 minutes,
    /// on its dashboard and on stderr, and neither is refused (one site
    /// against one cannot tell which clock is wrong).
    @Test func aSiteWhoseClockIsTwoMinutesAheadIsSaidAtBothSites() throws {
        try requireTool("/usr/bin/syncthing", package: "syncthing")
        try requireTool("/usr/bin/faketime", package: "faketime")
        let pair = try Pair()
        let fast = FakeClock.offset(120)
        let x = pair.tw("a", "raise", "--title", "raised at A").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pair.until { pair.tw("b", "list").stdout.contains(x) }, "A's incident reaches B")
        // B's dashboard, on its fast clock, and A's, each leaving heartbeats.
        let screenB = Tmux(command: Binary.tierwatch, env: fast.merging(["TIERWATCH_STORE": pair.store("b"), "TIERWATCH_HOST": "site-b", "TERM": "xterm-256color", "LANG": "C.UTF-8"]) { $1 })
        let screenA = Tmux(command: Binary.tierwatch, env: ["TIERWATCH_STORE": pair.store("a"), "TIERWATCH_HOST": "site-a", "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        let ack = pair.tw("b", "ack", x, env: fast)
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(pair.until(45) { pair.tw("a", "list").stderr.contains("host site-b's clock is about 2m ahead of this machine's") },
                "A names B: \(pair.tw("a", "list").stderr)")
        // A writes after seeing B's time: its record carries it.
        let note = pair.tw("a", "note", x, "--message", "written at A after B's ack")
        #expect(note.status == 0, "not refused, one site against one: \(note.stderr)")
        #expect(pair.until(45) { pair.tw("b", "list", env: fast).stderr.contains("host site-a's clock is about 2m behind") },
                "B names A: \(pair.tw("b", "list", env: fast).stderr)")
        #expect(screenA.wait(for: "site-b's clock is about 2m ahead", timeout: 20), "A's dashboard: \(screenA.screen)")
        #expect(screenB.wait(for: "site-a's clock is about 2m behind", timeout: 20), "B's dashboard: \(screenB.screen)")
        screenA.send("q")
        screenB.send("q")
    }
}
