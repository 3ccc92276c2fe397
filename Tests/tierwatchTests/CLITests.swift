import Foundation
import Testing

@Suite(.serialized) struct TheCommandLine {
    @Test func raiseThenShowGivesTheDocumentedJSON() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        #expect(id.count == 4)
        let j = try s.json("show", id)
        for key in ["id", "title", "customer", "severity", "state", "opened_at", "acknowledged_by", "resolved_by", "tier",
                    "next_deadline_at", "next_customer_update_at", "tiers", "timeline"] {
            #expect(j.keys.contains(key), "missing \(key)")
        }
        #expect(j["id"] as? String == id && j["state"] as? String == "open" && j["severity"] as? String == "sev2")
        #expect(j["tier"] as? Int == 1)
        let tiers = j["tiers"] as! [[String: Any]]
        #expect(tiers.map { $0["status"] as! String } == ["done", "active", "pending", "pending"])
        let rem = tiers[1]["remaining_seconds"] as! Int
        #expect(rem > 590 && rem <= 600)
        let am = (tiers[1]["contacts"] as! [[String: Any]])[0]
        #expect(am["name"] as? String == "Jane Roe" && am["phone"] as? String == "+1 555 0101")
        let opened = (j["timeline"] as! [[String: Any]])[0]
        #expect(opened["operator"] as? String == "alice" && opened["type"] as? String == "opened")
        #expect((opened["at"] as! String).hasSuffix("Z"))
    }

    @Test func ackIsRecordedByTheOperatorAndOnlyOnce() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let r = s.tw("ack", id.lowercased(), env: ["TIERWATCH_OPERATOR": "bob"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try s.json("show", id)["acknowledged_by"] as? String == "bob")
        let again = s.tw("ack", id)
        #expect(again.status == 1 && again.stderr.contains("already acknowledged by bob"))
    }

    @Test func refusedActionsExitOneAndWriteNothing() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        #expect(s.tw("resolve", id, "--message", "fixed").status == 0)
        let before = s.snapshot()
        let ack = s.tw("ack", id)
        #expect(ack.status == 1 && ack.stderr.contains("already resolved by alice"))
        #expect(s.tw("escalate", id).status == 1)
        let unknown = s.tw("ack", "ZZZZ")
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown incident 'ZZZZ'"))
        #expect(s.snapshot() == before)
        #expect(s.tw("reopen", id).status == 0)
        #expect(try s.json("show", id)["state"] as? String == "open")
    }

    @Test func escalateStartsTheNextTierOrTheNamedOne() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        #expect(s.tw("escalate", id).status == 0)
        var tiers = try s.json("show", id)["tiers"] as! [[String: Any]]
        #expect(tiers[2]["status"] as? String == "active" && !(tiers[2]["started_at"] is NSNull))
        #expect(s.tw("escalate", id, "--to", "technical").status == 1, "already started")
        #expect(s.tw("escalate", id, "--to", "CEO informed").status == 0)
        tiers = try s.json("show", id)["tiers"] as! [[String: Any]]
        #expect(tiers[3]["status"] as? String == "active")
        let last = s.tw("escalate", id)
        #expect(last.status == 1 && last.stderr.contains("last tier"))
        #expect(s.tw("escalate", id, "--to", "nowhere").status == 1, "an unknown tier id: exit 1, like an unknown incident")
    }

    @Test func notifyFindsContactsByIdOrNameAndRecordsTheOutcome() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        #expect(s.tw("notify", id, "jane roe", "--outcome", "voicemail").status == 0)
        #expect(s.tw("notify", id, "Director of Customer Support").status == 0)
        #expect(s.tw("notify", id, "vp-cx", "--outcome", "no_answer").status == 0)
        let contacts = (try s.json("show", id)["tiers"] as! [[String: Any]])[1]["contacts"] as! [[String: Any]]
        #expect(contacts.map { $0["outcome"] as? String } == ["voicemail", "reached", "no_answer"])
        #expect(contacts[1]["by"] as? String == "alice")
        let bad = s.tw("notify", id, "santa")
        #expect(bad.status == 1 && bad.stderr.contains("no contact 'santa'"))
    }

    @Test func backDatedActionsShowBothTimes() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise(extra: ["--at", "-9m"])
        let j = try s.json("show", id)
        let rem = (j["tiers"] as! [[String: Any]])[1]["remaining_seconds"] as! Int
        #expect(rem > 50 && rem <= 60, "opened 9 minutes ago: about a minute left")
        #expect(s.tw("note", id, "--message", "called carrier", "--at", "2m ago").status == 0)
        let entry = (try s.json("show", id)["timeline"] as! [[String: Any]]).last!
        #expect(entry["backdated"] as? Bool == true && entry["at"] as? String != entry["recorded_at"] as? String)
        #expect(s.tw("show", id).stdout.contains("[back-dated, recorded"))
        #expect(s.tw("note", id, "--message", "x", "--at", "tomorrow").status == 2)
        #expect(s.tw("note", id, "--message", "x", "--at", "2099-01-01T00:00:00Z").status == 1, "refused: in the future")
        #expect(s.tw("note", id, "--message", "x", "--at", "-1h").status == 1, "refused: before the incident opened")
    }

    @Test func listShowsOpenIncidentsMostUrgentFirst() throws {
        let s = TempStore(); defer { s.cleanup() }
        let fresh = s.raise("fresh")
        let older = s.raise("older", extra: ["--at", "-8m"])
        let done = s.raise("done")
        s.tw("resolve", done)
        let r = Binary.run(["list", "--json"], store: s.path)
        let ids = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]).map { $0["id"] as! String }
        #expect(ids == [older, fresh])
        let all = Binary.run(["list", "--all", "--json"], store: s.path)
        #expect((try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as! [[String: Any]]).count == 3)
        #expect(s.tw("list").stdout.contains("older"))
    }

    @Test func usageErrorsExitTwo() {
        let s = TempStore(); defer { s.cleanup() }
        #expect(s.tw("raise").status == 2)
        #expect(s.tw("raise", "--title", "x", "--severity", "sev9").status == 2)
        #expect(s.tw("frobnicate").status == 2)
        #expect(s.tw("raise", "--title", "   ").status == 2)
        #expect(s.tw("raise", "--title", String(repeating: "x", count: 300)).stderr.contains("limit is 256"))
        #expect(s.tw("--help").status == 0)
    }

    @Test func titlesWithControlCharactersArePrintedHarmlessly() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("evil\u{1B}]0;pwned\u{07}\u{1B}[2J title")
        let out = s.tw("show", id).stdout + s.tw("list").stdout
        #expect(!out.contains("\u{1B}") && !out.contains("\u{07}"))
        #expect(out.contains("evil␛]0;pwned␇␛[2J title"))
    }
}

@Suite(.serialized) struct Policies {
    let bad = "name: x\ntiers:\n  - id: a\n    name: A\n    notify_within: soon\n    contacts: [Bob]\n"

    @Test func aBadPolicyNamesFileLineAndColumnAndExitsTwo() throws {
        let s = TempStore(); defer { s.cleanup() }
        let file = s.path + "/bad.yaml"
        try bad.write(toFile: file, atomically: true, encoding: .utf8)
        let check = Binary.run(["policy", "check", file])
        #expect(check.status == 2 && check.stderr.contains("\(file):5:20: error: 'notify_within' has a bad duration 'soon'"))
        let raise = s.tw("raise", "--title", "x", "--policy", file)
        #expect(raise.status == 2 && raise.stderr.contains("\(file):5:20"))
        #expect(Binary.run(["policy", "check", s.path + "/missing.yaml"]).status == 2)
    }

    @Test func theBuiltInPolicyPrintsAsAFileThatChecksClean() throws {
        let s = TempStore(); defer { s.cleanup() }
        let yaml = s.tw("policy", "show", "--yaml").stdout
        let file = s.path + "/policy.yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let check = Binary.run(["policy", "check", file])
        #expect(check.status == 0 && check.stdout.contains("ok: policy production-priority v2, 4 tiers"))
        #expect(s.tw("policy", "show").stdout.contains("T3 ceo: CEO informed — starts 20m after tier technical starts"))
    }

    @Test func simulateShowsWhenEachTierWouldStart() {
        let out = TempStore().tw("policy", "simulate", "--customer", "acme").stdout
        #expect(out.contains("+0s     T1 Management notified starts: Jane Roe +1 555 0101"))
        #expect(out.contains("+10m    T1 Management notified contacts due (require all)"))
        #expect(out.contains("+10m    T2 Technical resources engaged starts"))
        #expect(out.contains("+30m    T3 CEO informed starts: CEO"))
        #expect(out.contains("+15m    customer update due"))
    }

    @Test func editingThePolicyNeverChangesARunningIncident() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let dueBefore = (try s.json("show", id)["tiers"] as! [[String: Any]])[1]["due_at"] as! String
        let edited = Binary.run(["policy", "show", "--yaml"]).stdout.replacingOccurrences(of: "notify_within: 10m", with: "notify_within: 2m")
        try edited.write(toFile: s.path + "/policy.yaml", atomically: true, encoding: .utf8)
        let j = try s.json("show", id)
        #expect((j["tiers"] as! [[String: Any]])[1]["due_at"] as! String == dueBefore)
        let newer = s.raise("after the edit")
        let newTiers = try s.json("show", newer)["tiers"] as! [[String: Any]]
        let rem = newTiers[1]["remaining_seconds"] as! Int
        #expect(rem <= 120 && rem > 100, "a new incident opens under the edited policy")
    }
}
