import Foundation
import Testing

/// `report`, `handover` and `export ID --markdown` on a store with known answers.
@Suite struct Reports {
    @Test func theReportCountsEachStepAndParsesAsCSV() throws {
        let s = TempStore(); defer { s.cleanup() }
        // Every instant from one start (30 minutes ago, whole seconds): a
        // relative --at per command moved with each command's own clock,
        // and a slow machine made the 180 s lateness 181.
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 1800).rounded(.down))
        func at(_ minutes: Double) -> String { ISO8601DateFormatter().string(from: start.addingTimeInterval(minutes * 60)) }
        // Met: management reached within 10 minutes.
        let met = s.raise("met", extra: ["--at", at(0)])
        for c in ["am", "director-support", "vp-cx"] { s.tw("notify", met, c, "--at", at(5)) }
        s.tw("ack", met, "--at", at(1))
        s.tw("resolve", met, "--at", at(25))
        // Late: reached at 13 minutes; never acknowledged.
        let late = s.raise("late", customer: "globex", extra: ["--at", at(0)])
        for c in ["am", "director-support", "vp-cx"] { s.tw("notify", late, c, "--at", at(13)) }
        let text = s.tw("report", "--since", "1d")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Management notified") && text.stdout.contains("1 of 2 (50%)"), "\(text.stdout)")
        #expect(text.stdout.contains("MTTA: p50 1m") && text.stdout.contains("1 never acknowledged"))
        let csv = s.tw("report", "--since", "1d", "--csv").stdout.split(separator: "\n")
        #expect(csv.first == "group,step,rule,reached,met,late,missed,late_p50_s,late_p90_s,late_max_s")
        let management = csv.first { $0.hasPrefix("all,management,") }?.split(separator: ",").map(String.init) ?? []
        #expect(management == ["all", "management", "within 10m of its start", "2", "1", "1", "0", "180", "180", "180"], "\(csv)")
        let byCustomer = try JSONSerialization.jsonObject(with: Data(s.tw("report", "--since", "1d", "--by", "customer", "--json").stdout.utf8)) as? [[String: Any]]
        #expect(byCustomer?.compactMap { $0["group"] as? String } == ["acme", "globex"])
        #expect(s.tw("report", "--since", "soon").status == 2)
    }

    @Test func reportByTierGroupsIncidentsByTheFurthestTierTheyReached() throws {
        let s = TempStore(); defer { s.cleanup() }
        // One stopped at the management tier; one went on to the CEO tier
        // (both resolved days ago); one open for 20 minutes.
        let quick = s.raise("quick", extra: ["--at", "-5d"])
        for c in ["am", "director-support", "vp-cx"] { s.tw("notify", quick, c, "--at", "-5d") }
        s.tw("resolve", quick, "--at", "-5d")
        let long = s.raise("long", customer: "globex", extra: ["--at", "-4d"])
        s.tw("notify", long, "am", "--at", "-4d")
        s.tw("ack", long, "--at", "-4d")
        s.tw("escalate", long, "--to", "ceo", "--at", "-4d")
        s.tw("resolve", long, "--at", ISO8601DateFormatter().string(from: Date().addingTimeInterval(-4 * 86400 + 3600)))
        _ = s.raise("open now", extra: ["--at", "-20m"])
        let csv = s.tw("report", "--since", "7d", "--by", "tier", "--csv")
        #expect(csv.status == 0, "\(csv.stderr)")
        let groups = Set(csv.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) })
        #expect(groups == ["up to T1 Management notified", "up to T2 Technical resources engaged", "up to T3 CEO informed"], "\(groups)")
        let json = try JSONSerialization.jsonObject(with: Data(s.tw("report", "--since", "7d", "--by", "tier", "--json").stdout.utf8)) as? [[String: Any]]
        #expect(json?.compactMap { $0["group"] as? String } == ["up to T1 Management notified", "up to T2 Technical resources engaged", "up to T3 CEO informed"])
    }

    @Test func aReportFromTheCheckpointSaysWhatAFullReadSaysAndDistrustsDamagedFigures() throws {
        let s = TempStore(); defer { s.cleanup() }
        let cache = s.path + "-cache"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        // A year of incidents, enough events for a checkpoint (5000).
        let generated = Binary.run(["generate", s.path, "8000"], executable: Binary.bench)
        #expect(generated.status == 0, "\(generated.stderr)")
        let env = ["TIERWATCH_CACHE": cache]
        // A fixed period that ends before the open incidents began: every
        // figure in it is decided, whenever the report runs.
        func ago(_ days: Double) -> String { ISO8601DateFormatter().string(from: Date().addingTimeInterval(-days * 86400)) }
        let (year, quarter, end) = (ago(365), ago(90), ago(1))
        let runs = [["report", "--from", year, "--to", end], ["report", "--from", quarter, "--to", end, "--by", "customer", "--csv"],
                    ["report", "--from", year, "--to", end, "--by", "tier", "--json"]]
        let full = runs.map { Binary.run($0, store: s.path, env: ["TIERWATCH_CACHE": "off"]) }
        #expect(full.allSatisfy { $0.status == 0 && !$0.stdout.isEmpty })
        #expect(Binary.run(["list"], store: s.path, env: env).status == 0)  // writes the checkpoint
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: cache).first { $0.hasSuffix(".checkpoint") })
        let doctor = Binary.run(["doctor"], store: s.path, env: env)
        #expect(doctor.stdout.contains("matches a full read"), "\(doctor.stdout)")
        for (args, want) in zip(runs, full) {
            let fast = Binary.run(args, store: s.path, env: env)
            #expect(fast.status == 0 && fast.stdout == want.stdout, "\(args): from the checkpoint:\n\(fast.stdout)\nfull read:\n\(want.stdout)")
        }
        // The checkpoint's figures damaged (its last bytes are theirs): the
        // report does not believe them, reads in full, and says the same.
        var bytes = try #require(FileManager.default.contents(atPath: cache + "/" + name))
        bytes[bytes.count - 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: cache + "/" + name))
        let damaged = Binary.run(runs[0], store: s.path, env: env)
        #expect(damaged.status == 0 && damaged.stdout == full[0].stdout, "\(damaged.stderr)\n\(damaged.stdout)")
    }

    @Test func theHandoverSaysWhatIsOpenWhatIsDueAndTheNotesForTheNextShift() {
        let s = TempStore(); defer { s.cleanup() }
        let open = s.raise("still open", extra: ["--at", "-5m"])
        s.tw("note", open, "--message", "carrier promised a fix by 09:00", "--handover")
        s.tw("note", open, "--message", "not for the handover")
        let late = s.raise("nobody called", extra: ["--at", "-15m"])
        let done = s.raise("done in the shift", extra: ["--at", "-3h"])
        s.tw("resolve", done, "--at", "-2h")
        let md = s.tw("handover", "--since", "8h").stdout
        #expect(md.hasPrefix("# Shift handover"))
        #expect(md.contains("**\(open)** sev2 still open (acme) — open, **not acknowledged**"), "\(md)")
        #expect(md.contains("## Due within the hour") && md.contains("**\(open)** T1 Management notified due"))
        #expect(md.contains("Resolved: \(done) after 1h00m"))
        #expect(md.contains("## Overdue now\n\n- **\(late)** T1 Management notified overdue since "), "\(md)")
        #expect(md.contains("(T1 Management notified overdue since ") && !md.contains("due overdue"), "\(md)")
        #expect(md.contains("carrier promised a fix by 09:00") && !md.contains("not for the handover"))
    }

    @Test func aPostmortemHasTheLadderWhoWasCalledAndBothTimes() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("for the review", extra: ["--at", "-40m"])
        s.tw("notify", id, "am", "--outcome", "voicemail", "--at", "-38m")
        s.tw("notify", id, "vp-cx", "--at", "-37m")
        s.tw("notify", id, "director-support", "--at", "-36m")
        s.tw("notify", id, "director-support", "--outcome", "no_answer", "--at", "-30m")
        s.tw("resolve", id, "--message", "fixed | really")
        let md = s.tw("export", id, "--markdown").stdout
        #expect(md.hasPrefix("# \(id): for the review"))
        #expect(md.contains("| T1 Management notified | missed |"), "\(md)")
        #expect(md.contains("- T1 Jane Roe: voicemail by alice at"))
        // Reached once: said once. Reached, then a later call unanswered: both.
        #expect(md.contains(#/- T1 [^\n]*: reached by alice at [0-9T:\-]+Z\n/#), "\(md)")
        #expect(md.contains(#/- T1 [^\n]*: no answer by alice at [0-9T:\-]+Z; reached [0-9T:\-]+Z\n/#), "\(md)")
        #expect(md.contains("resolved: fixed \\| really"), "a pipe in text does not break the table")
        #expect(s.tw("export", id).status == 2, "an id without --markdown is a usage error")
    }

    /// The handover of a store whose policy file does not parse says the
    /// on-call handoffs are not known (and JSON has null), never "none".
    @Test func aHandoverUnderAPolicyThatDoesNotParseSaysItsHandoffsAreNotKnown() throws {
        let s = TempStore()
        defer { s.cleanup() }
        let id = s.raise("trunk down")
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data("name: broken\ntiers: [\n".utf8))
        let md = s.tw("handover")
        #expect(md.status == 0, "a report goes on: \(md.stderr)")
        #expect(md.stdout.contains("**Not known: the policy file does not parse"), "\(md.stdout)")
        #expect(md.stderr.contains("policy.yaml:3:1") && md.stderr.contains("built-in thresholds"), "\(md.stderr)")
        // Nothing open here, but alerts cannot become incidents: not "All clear".
        s.tw("resolve", id, "--message", "fixed")
        let list = s.tw("list").stdout
        #expect(list.contains("No open incidents, but new incidents cannot be opened") && !list.contains("All clear"), "\(list)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(s.tw("handover", "--json").stdout.utf8)) as? [String: Any])
        #expect(json["handoffs"] is NSNull, "\(json["handoffs"] ?? "missing")")
        // With a policy that parses, an empty list as before.
        unlink(s.path + "/policy.yaml")
        let fine = try #require(try JSONSerialization.jsonObject(with: Data(s.tw("handover", "--json").stdout.utf8)) as? [String: Any])
        #expect((fine["handoffs"] as? [Any])?.isEmpty == true)
    }
}
