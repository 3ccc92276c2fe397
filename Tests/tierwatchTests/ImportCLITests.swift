import Foundation
import Testing

/// `tierwatch import` with the real binary: the policy it writes passes
/// `policy check`, answers `oncall --at` as the source would, and its
/// overrides script records the overrides in a store.
@Suite(.serialized) struct ImportEndToEnd {
    static func fixtures(_ source: String) -> [String] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ImporterTests/Fixtures/\(source)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    func person(_ r: Binary.Result, schedule: String) -> String? {
        let all = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [[String: Any]] ?? []
        let s = all.first { ($0["schedule"] as? [String: Any])?["id"] as? String == schedule }
        return (s?["person"] as? [String: Any])?["id"] as? String
    }

    @Test func aPagerDutyImportRunsAsTheStoresPolicyWithItsOverrides() throws {
        let s = TempStore(); defer { s.cleanup() }
        let policy = s.path + "/policy.yaml", script = s.path + "/overrides.sh"
        let r = s.tw(["import", "pagerduty"] + Self.fixtures("pagerduty") + ["--out", policy, "--overrides", script, "--as-of", "2026-03-01T00:00:00Z"])
        #expect(r.status == 1, "the repeat of PT20YPA and the second policy could not be mapped: \(r.stderr)")
        #expect(r.stdout.contains("Not mapped (2):") && r.stdout.contains("repeats 2 times after the last level"), "\(r.stdout)")
        #expect(r.stdout.contains("2 overrides to record: run \(script) against the store."))
        let check = s.tw("policy", "check", policy)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("3 tiers"))
        s.raise()
        // Wed 2026-03-04 10:00 EST: day 2 of the daily layer (Earline, Kyler, Aurelio).
        #expect(person(s.tw("oncall", "--at", "2026-03-04T15:00:00Z", "--json"), schedule: "daily-engineering-rotation") == "aurelio-rice")
        // Sun 2026-03-08 08:00 EDT: the weekend layer's Jim, until the override is recorded.
        #expect(person(s.tw("oncall", "--at", "2026-03-08T12:00:00Z", "--json"), schedule: "daily-engineering-rotation") == "jim-halpert")
        // The script records the overrides, with the clock before they start.
        let path = Binary.directory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let run = Binary.run(["-c", "sh \(script)"], executable: "/bin/sh", store: s.path,
                             env: FakeClock.at("2026-03-02T00:00:00Z").merging(["PATH": path]) { $1 })
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(person(s.tw("oncall", "--at", "2026-03-08T12:00:00Z", "--json"), schedule: "daily-engineering-rotation") == "aurelio-rice",
                "PQ47DCP puts Aurelio on call from Sat 09:00 EST to Mon 09:00 EDT")
    }

    @Test func eachSourceWritesAPolicyThatChecksAndBadInputExitsTwo() throws {
        let s = TempStore(); defer { s.cleanup() }
        for (source, escalation) in [("opsgenie", "ops_team_escalation"), ("grafana-oncall", "example-chain")] {
            let r = s.tw(["import", source] + Self.fixtures(source) + ["--escalation", escalation, "--as-of", "2026-03-01T00:00:00Z"])
            #expect(r.status == 1, "\(source): \(r.stderr)")
            #expect(r.stdout.hasPrefix("# tierwatch policy imported from"), "the policy on stdout, the report on stderr")
            #expect(r.stderr.contains("Not mapped"))
            let file = s.path + "/\(source).yaml"
            writeFixture(atPath: file, contents: Data(r.stdout.utf8))
            #expect(s.tw("policy", "check", file).status == 0, "\(source)")
        }
        let wrong = s.tw(["import", "opsgenie"] + Self.fixtures("pagerduty").prefix(1))
        #expect(wrong.status == 2 && wrong.stderr.contains("not an Opsgenie API response"), "\(wrong.stderr)")
        let unknown = s.tw("import", "victorops", "x.json")
        #expect(unknown.status == 2 && unknown.stderr.contains("use pagerduty, opsgenie, grafana-oncall"))
        let missing = s.tw("import", "pagerduty", "/nonexistent/users.json")
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/users.json: cannot read it"))
        let noChain = s.tw(["import", "grafana-oncall"] + Self.fixtures("grafana-oncall") + ["--escalation", "nope"])
        #expect(noChain.status == 2 && noChain.stderr.contains("no escalation chain 'nope' in the files; they hold: F5JU6KJET33FE (default)"))
    }
}
