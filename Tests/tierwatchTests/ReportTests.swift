import Foundation
import Testing

/// `report`, `handover` and `export ID --markdown` on a store with known answers.
@Suite struct Reports {
    @Test func theReportCountsEachStepAndParsesAsCSV() throws {
        let s = TempStore(); defer { s.cleanup() }
        // Met: management reached within 10 minutes.
        let met = s.raise("met", extra: ["--at", "-30m"])
        for c in ["am", "director-support", "vp-cx"] { s.tw("notify", met, c, "--at", "-25m") }
        s.tw("ack", met, "--at", "-29m")
        s.tw("resolve", met, "--at", "-5m")
        // Late: reached at 13 minutes; never acknowledged.
        let late = s.raise("late", customer: "globex", extra: ["--at", "-30m"])
        for c in ["am", "director-support", "vp-cx"] { s.tw("notify", late, c, "--at", "-17m") }
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

    @Test func aReportOverArchivedIncidentsFromTheCheckpointSaysWhatAFullReadSays() throws {
        let s = TempStore(); defer { s.cleanup() }
        let cache = s.path + "-cache"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let env = ["TIERWATCH_CACHE": cache]
        // Resolved days ago: archived at the first read. One stopped at the
        // management tier; one went on to the CEO tier; one still open.
        let quick = s.raise("quick", extra: ["--at", "-5d"])
        for c in ["am", "director-support", "vp-cx"] { s.tw("notify", quick, c, "--at", "-5d", env: env) }
        s.tw("resolve", quick, "--at", "-5d", env: env)
        let long = s.raise("long", customer: "globex", extra: ["--at", "-4d"])
        s.tw("notify", long, "am", "--at", "-4d", env: env)
        s.tw("ack", long, "--at", "-4d", env: env)
        s.tw("update", long, "--message", "working on it", "--at", "-4d", env: env)
        s.tw("escalate", long, "--to", "ceo", "--at", "-4d", env: env)
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-4 * 86400 + 3600))
        s.tw("resolve", long, "--at", later, env: env)
        _ = s.raise("open now", extra: ["--at", "-20m"])
        let args = ["report", "--from", "-7d", "--to", ISO8601DateFormatter().string(from: Date()), "--by", "tier", "--csv"]
        let first = Binary.run(args, store: s.path, env: env)  // a full read; writes the checkpoint
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Binary.run(["show", quick], store: s.path, env: env).stdout.contains("quick"), "an archived incident, read back")
        let fast = Binary.run(args, store: s.path, env: env)
        let full = Binary.run(args, store: s.path, env: ["TIERWATCH_CACHE": "off"])
        #expect(fast.stdout == full.stdout && !fast.stdout.isEmpty, "from the checkpoint:\n\(fast.stdout)\nfull read:\n\(full.stdout)")
        // --by tier: by the furthest tier each incident reached.
        let groups = Set(fast.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) })
        #expect(groups == ["reached T1 Management notified", "reached T2 Technical resources engaged", "reached T3 CEO informed"], "\(groups)")
        let json = try JSONSerialization.jsonObject(with: Data(s.tw("report", "--since", "7d", "--by", "tier", "--json", env: env).stdout.utf8)) as? [[String: Any]]
        #expect(json?.compactMap { $0["group"] as? String }.contains("reached T3 CEO informed") == true)
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
}
