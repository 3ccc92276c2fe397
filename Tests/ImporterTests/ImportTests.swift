import Escalation
import Foundation
@testable import Importer
import Testing

/// Imports of each service's published API examples (Fixtures/*/SOURCES.md
/// says where each shape came from), checked by who is on call at sampled
/// instants. Each expected person is worked out by hand from the source's
/// documented semantics, in the comment beside it, not from tierwatch.
struct ImportFixtures {
    static func files(_ source: String) -> [String] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(source)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    static func t(_ s: String) -> Date { ISOTime.parse(s)! }

    /// The import, and the policy it writes as tierwatch reads it back.
    static func run(_ source: ImportSource, escalation: String? = nil, now: String = "2026-03-10T00:00:00Z") throws -> (Imported, Policy, String) {
        let r = try source.read(files(source.rawValue), escalation: escalation, now: t(now))
        let yaml = PolicyYAML.write(r.draft, at: t(now))
        let policy = try Policy.check(yaml: yaml, file: "imported.yaml", at: t(now)).policy
        return (r, policy, yaml)
    }

    static func onCall(_ p: Policy, _ schedule: String, _ at: String) -> String? {
        guard let s = p.schedules.first(where: { $0.id == schedule }) else { return "no schedule \(schedule)" }
        return s.onCall(at: t(at)).person
    }

    static func finding(_ r: Imported, _ id: String, _ outcome: Finding.Outcome) -> Finding? {
        r.findings.first { $0.id == id && $0.outcome == outcome }
    }
}

@Suite struct PagerDutyImport {
    typealias F = ImportFixtures

    @Test func peopleSchedulesAndLayersGiveTheSamePersonOnCall() throws {
        let (r, p, _) = try F.run(.pagerduty)
        let earline = try #require(p.people.first { $0.id == "earline-greenholt" })
        #expect(earline.phones == ["+123 1234567", "+1 5555555555"], "two phone methods, in order; the SMS number is the same as one of them")
        #expect(p.people.first { $0.id == "jim-halpert" }?.phones == ["+1 5705550199"], "an SMS-only user keeps the number")
        #expect(earline.zone?.identifier == "America/Lima")
        // PI7DH85, America/New_York: "Weekend Coverage" (listed first: the
        // highest layer) weekly from Fri 2026-03-06 18:00 [Jim, Aurelio],
        // restricted Fri 18:00 + 62 h (to Mon 08:00); under it "Layer 1"
        // daily at 09:00 from Mon 2026-03-02 [Earline, Kyler, Aurelio].
        let s = "daily-engineering-rotation"
        #expect(F.onCall(p, s, "2026-03-04T15:00:00Z") == "aurelio-rice", "Wed 10:00 EST: day 2 of Layer 1")
        #expect(F.onCall(p, s, "2026-03-07T12:00:00Z") == "jim-halpert", "Sat 07:00 EST: weekend layer, its first week")
        #expect(F.onCall(p, s, "2026-03-09T12:30:00Z") == "earline-greenholt", "Mon 08:30 EDT: the weekend window closed at 08:00; day 6 of Layer 1")
        #expect(F.onCall(p, s, "2026-03-09T13:30:00Z") == "kyler-kuhn", "Mon 09:30 EDT, after the DST change: the handoff stays at 09:00 local; day 7")
        #expect(F.onCall(p, s, "2026-03-14T03:00:00Z") == "aurelio-rice", "Fri 23:00 EDT: weekend layer, second week")
        // P2LJD7G, Asia/Hong_Kong: "Night Shift" daily 17:00 [Jim, Aurelio]
        // only 17:00-09:00; "Weekday Business Hours" weekly Mon 09:00
        // [Kyler, Earline] only Mon-Fri 09:00-17:00; a layer that ended
        // 2026-03-02 is left out.
        let h = "business-hours-rotation"
        #expect(F.onCall(p, h, "2026-03-03T02:00:00Z") == "kyler-kuhn", "Tue 10:00 HKT, week 0")
        #expect(F.onCall(p, h, "2026-03-10T02:00:00Z") == "earline-greenholt", "Tue 10:00 HKT, week 1")
        #expect(F.onCall(p, h, "2026-03-03T15:00:00Z") == "aurelio-rice", "Tue 23:00 HKT: night shift, day 1")
        #expect(F.onCall(p, h, "2026-03-07T04:00:00Z") == nil, "Sat 12:00 HKT: no layer covers it, in PagerDuty as here")
        #expect(p.schedules.first { $0.id == h }?.layers.count == 2)
        #expect(F.finding(r, "POLD001", .mapped)?.detail.contains("ended 2026-03-02T01:00:00Z; left out") == true)
        // The overrides of PI7DH85 (its id in the file's name): the one
        // that ended before now is not recorded, the one to come is.
        #expect(F.finding(r, "PQ47DCP", .mapped)?.detail.contains("ended 2026-03-09T13:00:00Z; nothing to record") == true)
        #expect(r.draft.overrides.map(\.person) == ["jim-halpert"] && r.draft.overrides.first?.schedule == s)
        #expect(r.draft.overrides.first?.from == F.t("2026-03-13T22:00:00Z"))
        let early = try F.run(.pagerduty, now: "2026-03-01T00:00:00Z").0
        #expect(early.draft.overrides.map(\.person) == ["aurelio-rice", "jim-halpert"])
    }

    @Test func levelsBecomeTiersAndTheRepeatIsListed() throws {
        let (r, p, _) = try F.run(.pagerduty)
        // PT20YPA, the first policy: levels after 30, 15 and 10 minutes.
        #expect(p.tiers.map(\.id) == ["step-1", "step-2", "step-3"])
        #expect(p.tiers[0].contacts.map(\.person) == ["kyler-kuhn", nil])
        #expect(p.tiers[0].contacts.map(\.schedule) == [nil, "daily-engineering-rotation"])
        #expect(p.tiers[0].notifyWithin == .minutes(30))
        #expect(p.tiers[1].start?.after == .minutes(30) && p.tiers[1].start?.from == .tier("step-1"))
        #expect(p.tiers[2].start?.after == .minutes(15) && p.tiers[2].notifyWithin == .minutes(10))
        #expect(p.tiers[1].require == .any)
        #expect(F.finding(r, "PT20YPA", .unmapped)?.detail.contains("repeats 2 times") == true)
        #expect(F.finding(r, "PANZZEQ", .unmapped)?.detail.contains("--escalation PANZZEQ") == true)
        #expect(r.incomplete)
        // Choosing the other policy, which has no repeat.
        let (other, q, _) = try F.run(.pagerduty, escalation: "Engineering Escalation Policy")
        #expect(q.tiers.count == 1 && q.name == "engineering-escalation-policy")
        #expect(!other.incomplete, "\(other.report())")
    }
}

@Suite struct OpsgenieImport {
    typealias F = ImportFixtures

    @Test func rotationsRestrictionsAndContactsGiveTheSamePersonOnCall() throws {
        let (r, p, _) = try F.run(.opsgenie)
        #expect(p.people.first { $0.id == "neo" }?.phones == ["+1 5555550101", "+1 5555550102"], "two voice numbers; the SMS one repeats the first")
        #expect(p.people.first { $0.id == "jane-doe" }?.phones == ["+44 7700900123"])
        // ops_team_schedule, America/New_York: "Business Hours" weekly from
        // 2026-03-02T14:00Z (Mon 09:00 EST) [John, Jane] Mon-Fri 09-18;
        // "Off Hours" daily from 2026-03-02T23:00Z (18:00 EST) [Neo,
        // Trinity] every day 18:00-09:00.
        let s = "ops-team-schedule"
        #expect(F.onCall(p, s, "2026-03-03T15:00:00Z") == "john-doe", "Tue 10:00 EST, week 0")
        #expect(F.onCall(p, s, "2026-03-10T14:00:00Z") == "jane-doe", "Tue 10:00 EDT, week 1: the handoff stayed at 09:00 local")
        #expect(F.onCall(p, s, "2026-03-04T03:00:00Z") == "trinity", "Tue 22:00 EST: off hours, day 1")
        #expect(F.onCall(p, s, "2026-03-07T17:00:00Z") == nil, "Sat 12:00: neither rotation covers it")
        // What tierwatch cannot say is listed, not dropped.
        #expect(F.finding(r, "55a2a3c7-8f3b-4944-980a-0eac31c7c5bb", .unmapped)?.detail.contains("a turn of nobody") == true)
        #expect(F.finding(r, "no-coverage-lunch", .unmapped) != nil)
        #expect(F.finding(r, "32d705d2-5e8c-4aaa-a4f6-98398cfa6606", .approximated)?.detail.contains("every rotation") == true)
        #expect(r.draft.overrides.map(\.person) == ["jane-doe"], "the other ended 2026-03-09")
    }

    @Test func ruleDelaysCountFromTheAlertAndTeamsAreNamedContacts() throws {
        let (r, p, _) = try F.run(.opsgenie)
        #expect(p.tiers.map(\.id) == ["step-1", "step-2", "step-3", "step-4"])
        #expect(p.tiers[1].start?.from == .open && p.tiers[1].start?.after == .minutes(5))
        #expect(p.tiers[2].start?.from == .open && p.tiers[2].start?.after == .minutes(10))
        #expect(p.tiers[2].contacts.first?.person == "neo")
        #expect(p.tiers[3].contacts.first?.name == "ops_team" && p.tiers[3].contacts.first?.person == nil)
        #expect(p.tiers[3].suppressedWhileAcknowledged == false, "if-not-closed: the climb goes on while acknowledged")
        #expect(p.tiers[2].suppressedWhileAcknowledged == true, "if-not-acked")
        #expect(F.finding(r, "240eedac-7bc0-4d99-9250-3ef8480c8c7c", .unmapped)?.detail.contains("repeats 2 times every 10m") == true)
    }
}

@Suite struct GrafanaOnCallImport {
    typealias F = ImportFixtures

    @Test func levelsRollingUsersAndOverridesGiveTheSamePersonOnCall() throws {
        let (r, p, _) = try F.run(.grafanaOnCall, escalation: "example-chain")
        // Primary on-call (web), America/New_York: level 2 weekly from Mon
        // 2026-03-02 09:00 [[alex, alice], [bob]] Mon-Fri 09:00 + 8 h; level
        // 1 daily 09:00 + 24 h [alice, bob, carol].
        let s = "primary-on-call-web"
        #expect(F.onCall(p, s, "2026-03-03T15:00:00Z") == "alex", "Tue 10:00 EST: level 2, week 0, the first of the group")
        #expect(F.onCall(p, s, "2026-03-10T14:00:00Z") == "bob", "Tue 10:00 EDT: level 2, week 1")
        #expect(F.onCall(p, s, "2026-03-03T23:00:00Z") == "bob", "Tue 18:00 EST: level 1, day 1")
        #expect(F.onCall(p, s, "2026-03-08T18:00:00Z") == "alice", "Sun 14:00 EDT: level 1, day 6")
        #expect(p.people.allSatisfy { $0.phones.isEmpty }, "the public API has no numbers")
        #expect(F.finding(r, "U4DNY931HHJS5", .approximated)?.detail.contains("add a number") == true)
        #expect(F.finding(r, "SBM7DV7BKFUYU", .unmapped)?.detail.contains("iCal") == true)
        let o = try #require(r.draft.overrides.first { $0.person == "alex" && $0.schedule == s })
        #expect(o.from == F.t("2026-03-10T16:00:00Z") && o.to == F.t("2026-03-10T20:00:00Z"))
    }

    @Test func waitsBecomeStartsAndDeadlines() throws {
        let (r, p, _) = try F.run(.grafanaOnCall, escalation: "FWDL7M6N6I9HE")
        #expect(p.tiers.map(\.id) == ["step-1", "step-2", "step-3"])
        #expect(p.tiers[0].notifyWithin == .minutes(5))
        #expect(p.tiers[1].start?.after == .minutes(5) && p.tiers[1].notifyWithin == .minutes(15))
        #expect(p.tiers[2].start?.after == .minutes(15) && p.tiers[2].contacts.compactMap(\.person) == ["alex", "bob"])
        #expect(F.finding(r, "E2HGFGXF3LQ8I", .unmapped)?.detail.contains("repeat") == true)
        #expect(F.finding(r, "EGGKASUZLA181", .unmapped)?.detail.contains("notify_if_time_from_to") == true)
        #expect(F.finding(r, "F5JU6KJET33FE", .mapped)?.detail.contains("not imported") == true, "chosen by the operator: the other is not a loss")
    }
}

@Suite struct ImportClock {
    @Test func spansOfSeveralDaysBecomeWindowsThatCoverExactlyThem() {
        // Fri 18:00 for 62 h: Fri and Sat 24 h from 18:00, then Sun 18:00-08:00.
        let w = Clock.windows([Clock.Span(weekday: 5, minute: 18 * 60, length: 62 * 60)])!
        #expect(w.map { "\($0.days) \($0.hours)" } == ["Fri,Sat 18:00-18:00", "Sun 18:00-08:00"])
        // Every day 17:00 for 16 h runs past midnight.
        let night = Clock.windows((1...7).map { Clock.Span(weekday: $0, minute: 17 * 60, length: 16 * 60) })!
        #expect(night.map { "\($0.days) \($0.hours)" } == ["every day 17:00-09:00"])
        #expect(Clock.windows([Clock.Span(weekday: 1, minute: 0, length: 7 * 1440)]) == nil, "the whole week: no restriction")
        #expect(Clock.days([1, 2, 3, 5, 6, 7]) == "Mon-Wed,Fri-Sun")
        #expect(Clock.shift(seconds: 86400) == "daily" && Clock.shift(seconds: 1_209_600) == "2w" && Clock.shift(seconds: 43200) == "12h")
        #expect(Clock.shift(seconds: 5400) == nil, "90 minutes: not whole hours")
        #expect(IDs.slug("José Ñúñez (NOC)") == "jose-nunez-noc")
    }
}

@Suite struct HostileImports {
    func temp(_ name: String, _ text: String) -> String {
        let path = NSTemporaryDirectory() + "tierwatch-import-\(UUID().uuidString)-\(name)"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func error(_ source: ImportSource, _ files: [String]) -> String? {
        do {
            _ = try source.read(files, now: ImportFixtures.t("2026-03-10T00:00:00Z"))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func badFilesAreNamedWithTheirPathAndNothingIsMade() {
        let notJSON = temp("a.json", "{\"users\": [\n  {\"id\": }\n]}")
        #expect(error(.pagerduty, [notJSON])?.contains("a.json: not JSON") == true)
        let wrongType = temp("b.json", #"{"schedules": [{"id": "P1", "name": "x", "time_zone": "UTC", "schedule_layers": [{"id": "L1", "rotation_virtual_start": "2026-03-02T09:00:00Z", "rotation_turn_length_seconds": "weekly", "users": []}]}]}"#)
        #expect(error(.pagerduty, [wrongType]) == "\(wrongType): $.schedules[0].schedule_layers[0].rotation_turn_length_seconds must be a whole number, not a string")
        let opsgenieFile = ImportFixtures.files("opsgenie").first { $0.hasSuffix("escalations.json") }!
        #expect(error(.pagerduty, [opsgenieFile])?.contains("not a PagerDuty API response: expected one of users") == true)
        let pagerdutyFile = ImportFixtures.files("pagerduty").first { $0.hasSuffix("users.json") }!
        #expect(error(.grafanaOnCall, [pagerdutyFile])?.contains("not a Grafana OnCall API response") == true)
        #expect(error(.opsgenie, [pagerdutyFile])?.contains("not an Opsgenie API response") == true)
        let badZone = temp("c.json", #"{"schedule": {"id": "P1", "name": "x", "time_zone": "Mars/Olympus", "schedule_layers": []}}"#)
        #expect(error(.pagerduty, [badZone])?.contains("$.schedule.time_zone: 'Mars/Olympus' is not a time zone") == true)
        #expect(error(.pagerduty, ["/nonexistent/users.json"])?.contains("cannot read it") == true)
        // A file far larger than any export is refused before it is read.
        let huge = NSTemporaryDirectory() + "tierwatch-import-\(getpid())-huge.json"
        FileManager.default.createFile(atPath: huge, contents: nil)
        truncate(huge, off_t(Doc.maxBytes + 1))
        #expect(error(.pagerduty, [huge])?.contains("far larger than any export") == true)
        let empty = temp("e.json", "")
        #expect(error(.pagerduty, [empty])?.contains("empty: save the API's response into it") == true)
        for f in [notJSON, wrongType, badZone, huge] { unlink(f) }
    }

    @Test func escapesInNamesAreMadeVisibleAndUnknownFieldsIgnored() throws {
        let users = temp("u.json", #"{"users": [{"id": "PX1", "type": "user", "name": "Eve\u001b]0;owned\u0007 \"Mallory\"", "email": "eve@example.com", "brand_new_field": {"x": [1, 2]}, "contact_methods": [{"type": "phone_contact_method", "country_code": 1, "address": "5550100\u001b[2J"}]}]}"#)
        defer { unlink(users) }
        let r = try ImportSource.pagerduty.read([users], now: ImportFixtures.t("2026-03-10T00:00:00Z"))
        let yaml = PolicyYAML.write(r.draft, at: ImportFixtures.t("2026-03-10T00:00:00Z"))
        #expect(!yaml.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        let p = try Policy(yaml: yaml, file: "x.yaml")
        #expect(p.people.first?.name == "Eve␛]0;owned␇ \"Mallory\"")
        #expect(p.people.first?.phones == ["+1 5550100␛[2J"])
        #expect(r.findings.contains { $0.kind == "escalation policy" && $0.outcome == .unmapped }, "no escalation policy in the files is said")
    }

    func pagerduty(_ files: [(String, String)]) throws -> (Imported, Policy, String) {
        let paths = files.map { temp($0.0, $0.1) }
        defer { for p in paths { unlink(p) } }
        let now = ImportFixtures.t("2026-03-10T00:00:00Z")
        let r = try ImportSource.pagerduty.read(paths, now: now)
        let yaml = PolicyYAML.write(r.draft, at: now)
        return (r, try Policy(yaml: yaml, file: "x.yaml"), yaml)
    }

    static let users = #"{"users": [{"id": "PA", "name": "Ann", "contact_methods": []}, {"id": "PB", "name": "Bob", "contact_methods": []}]}"#

    static func schedule(_ id: String, layerName: String = "Layer 1", people: [String] = ["PA", "PB"], turn: Int = 86400) -> String {
        let name = layerName.unicodeScalars.map { $0.value < 0x80 && $0 != "\\" && $0 != "\"" ? String($0) : String(format: "\\u%04x", $0.value) }.joined()
        let users = people.map { #"{"user": {"id": "\#($0)", "type": "user_reference"}}"# }.joined(separator: ", ")
        return #"{"schedule": {"id": "\#(id)", "type": "schedule", "name": "S \#(id)", "time_zone": "UTC", "schedule_layers": [{"id": "L\#(id)", "name": "\#(name)", "rotation_virtual_start": "2026-03-02T09:00:00Z", "rotation_turn_length_seconds": \#(turn), "users": [\#(users)], "restrictions": []}]}}"#
    }

    @Test func aNameThatBreaksLinesCannotWriteYAMLOfItsOwn() throws {
        // U+2028 is a line break to YAML: a layer name carrying a hook.
        let evil = "Nights\u{2028}hooks:\u{2028}  - name: pwn\u{2028}    on: [incident_opened]\u{2028}    run: [/bin/sh, -c, id]\u{2028}#"
        let (_, p, yaml) = try pagerduty([("u.json", Self.users), ("s.json", Self.schedule("P1", layerName: evil))])
        #expect(p.hooks.isEmpty, "\(yaml)")
        #expect(p.schedules.first?.layers.count == 1)
        #expect(!yaml.unicodeScalars.contains { $0.value == 0x2028 })
        #expect("a\u{2028}b".sanitized == "a\u{FFFD}b", "shown as a replacement everywhere, not as a line break")
    }

    @Test func theSameScheduleTwiceAMissingUserAndHugeNumbers() throws {
        // The list and the single schedule both saved: imported once.
        let list = #"{"schedules": ["# + String(Self.schedule("P1").dropFirst(13).dropLast()) + "]}"
        let (r, p, _) = try pagerduty([("u.json", Self.users), ("list.json", list), ("one.json", Self.schedule("P1"))])
        #expect(p.schedules.count == 1, "\(r.report())")
        // A user the users file lacks keeps their turn: the others stay in step.
        let (m, q, _) = try pagerduty([("u.json", Self.users), ("s.json", Self.schedule("P2", people: ["PA", "PX", "PB"]))])
        #expect(q.schedules.first?.layers.first?.people == ["ann", "px-not-in-the-users-file", "bob"])
        #expect(q.people.first { $0.id == "px-not-in-the-users-file" }?.phones == [])
        #expect(m.incomplete && m.findings.contains { $0.outcome == .unmapped && $0.detail.contains("user PX is not in the users file") })
        // A 90-minute turn cannot be kept: not mapped, not rounded.
        let (n, _, _) = try pagerduty([("u.json", Self.users), ("s.json", Self.schedule("P3", turn: 5400))])
        #expect(n.findings.contains { $0.outcome == .unmapped && $0.detail.contains("not whole hours") })
        // A number far out of range is an error at its path, not a crash.
        #expect(error(.pagerduty, [temp("h.json", Self.schedule("P4", turn: 1_000_000_000_000_000))])?.contains("rotation_turn_length_seconds: 1000000000000000 is out of range") == true)
    }
}
