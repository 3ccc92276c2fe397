import Escalation
import Foundation
import Testing

/// People and schedules in the policy, resolved to who to call.
@Suite struct Directory {
    func utc(_ iso: String) -> Date { ISOTime.parse(iso)! }

    /// A small policy: a weekly platform rotation and a business-hours
    /// layer, a CEO by person, and whatever `extra` adds.
    static func policy(tiersExtra: String = "", schedulesExtra: String = "", platformContact: String = "{ id: platform, name: Platform Engineering, schedule: platform }") -> String {
        """
        name: oncall-test
        people:
          - { id: ana, name: Ana Lima, phone: "+1 555 0140" }
          - { id: ben, name: Ben Okafor, phones: ["+1 555 0141", "+1 555 0149"], email: ben@example.com, zone: Europe/Berlin }
          - { id: cho, name: Cho Min-jun, email: cho@example.com }
          - { id: ruth, name: Ruth Adler, phone: "+1 555 0133" }
        schedules:
          - id: platform
            name: Platform on call
            zone: Europe/Berlin
            rotations:
              - { people: [ana, ben, cho], shift: weekly, handoff: "Mon 09:00", start: 2026-09-07 }
        \(schedulesExtra)
        tiers:
          - id: management
            name: Management
            notify_within: 10m
            contacts: [{ id: ceo, name: CEO, person: ruth }]
          - id: technical
            name: Technical
            notify_within: 10m
            require: any
            contacts:
              - \(platformContact)
        \(tiersExtra)
        """
    }

    func error(_ yaml: String) -> PolicyError? {
        do { _ = try Policy(yaml: yaml, file: "p.yaml"); return nil } catch { return error }
    }

    @Test func aContactNamingAScheduleGivesWhoIsOnCallWithTheirNumberAndUntilWhen() throws {
        let p = try Policy(yaml: Directory.policy(), file: "p.yaml")
        let platform = p.tiers[1].contacts[0]
        // 2026-09-21 is the third week: cho, who has only an email.
        let week3 = p.callee(platform, at: utc("2026-09-22T12:00:00Z"), overrides: [])
        #expect(week3.person?.id == "cho" && week3.phone == nil && week3.email == "cho@example.com")
        #expect(week3.schedule?.id == "platform" && week3.until == utc("2026-09-28T07:00:00Z"), "Monday 09:00 CEST")
        let week2 = p.callee(platform, at: utc("2026-09-15T12:00:00Z"), overrides: [])
        #expect(week2.person?.name == "Ben Okafor" && week2.phone == "+1 555 0141", "the first number is the one to dial")
        // A person named directly.
        let ceo = p.callee(p.tiers[0].contacts[0], at: utc("2026-09-15T12:00:00Z"), overrides: [])
        #expect(ceo.person?.id == "ruth" && ceo.phone == "+1 555 0133" && ceo.schedule == nil && ceo.until == nil)
    }

    @Test func anOverrideNamesItsPersonEvenForAReaderWhoseDirectoryLacksThem() throws {
        let p = try Policy(yaml: Directory.policy(), file: "p.yaml")
        let o = Override(id: "noc1/9", schedule: "platform", person: "zed", from: utc("2026-09-22T00:00:00Z"), to: utc("2026-09-23T00:00:00Z"),
                         order: 0, snapshot: Person(id: "zed", name: "Zed Quinn", phones: ["+1 555 0199"]))
        let c = p.callee(p.tiers[1].contacts[0], at: utc("2026-09-22T12:00:00Z"), overrides: [o])
        #expect(c.person?.name == "Zed Quinn" && c.phone == "+1 555 0199" && c.override == "noc1/9")
        #expect(c.until == utc("2026-09-23T00:00:00Z"), "until the override ends and cho is back")
    }

    @Test func nobodyOnCallIsSaidAndTheContactsOwnPersonIsCalledInstead() throws {
        let office = "  - { id: office, name: Office, zone: Europe/Berlin, rotations: [{ people: [ana], shift: weekly, start: 2026-09-07, only: { days: Mon-Fri, hours: \"09:00-17:00\" } }] }"
        let text = Directory.policy(schedulesExtra: office, platformContact: "{ id: platform, name: Platform Engineering, schedule: office, person: ruth }")
        let p = try Policy(yaml: text, file: "p.yaml")
        let saturday = p.callee(p.tiers[1].contacts[0], at: utc("2026-09-26T12:00:00Z"), overrides: [])
        #expect(saturday.nobodyOnCall && saturday.person?.id == "ruth", "the fallback person")
        let (_, warnings) = try Policy.check(yaml: text, file: "p.yaml", at: utc("2026-09-21T12:00:00Z"))
        #expect(warnings.isEmpty, "a fallback person covers the gap: no warning")
        // Without a fallback: nobody to call, said by `policy check` with the first such instant.
        let bare = Directory.policy(schedulesExtra: office, platformContact: "{ id: platform, name: Platform Engineering, schedule: office }")
        let (q, w) = try Policy.check(yaml: bare, file: "p.yaml", at: utc("2026-09-21T12:00:00Z"))
        #expect(q.callee(q.tiers[1].contacts[0], at: utc("2026-09-26T12:00:00Z"), overrides: []).person == nil)
        #expect(w.count == 1 && w[0].isWarning)
        #expect(w[0].description.hasPrefix("p.yaml:24:63: warning: schedule 'office' leaves nobody on call"), "at the contact's schedule: \(w[0])")
        // The rotation starts at Monday 00:00, outside its 09:00-17:00 window.
        #expect(w[0].message.contains("2026-09-06T22:00:00Z") && w[0].message.contains("Mon 00:00 Europe/Berlin"), "\(w[0].message)")
    }

    @Test func theNextActionNeverSendsTheOperatorToCallNobody() throws {
        let office = "  - { id: office, name: Office, zone: Europe/Berlin, rotations: [{ people: [ana], shift: weekly, start: 2026-09-07, only: { days: Mon-Fri, hours: \"09:00-17:00\" } }] }"
        let two = Directory.policy(schedulesExtra: office, platformContact: "{ id: platform, name: Platform Engineering, schedule: office }\n      - { id: backup, name: Backup, person: ben }")
        // Opened Monday 2026-09-21, technical escalated at once, the CEO
        // reached; looked at on Saturday, when the office layer has nobody.
        let p = try Policy(yaml: two, file: "p.yaml")
        let saturday = utc("2026-09-26T12:00:00Z")
        #expect(p.callee(p.tiers[1].contacts[0], at: saturday, overrides: []).nobodyOnCall)
        var s = Scenario(policy: two, customer: nil)
        s.add(.escalated(toTier: "technical"), at: 0)
        s.add(.contactOutcome(tier: "management", contact: "ceo", outcome: .reached, person: nil), at: 1)
        let ladder = Ladder(incident: s.folded, policy: p, at: saturday)
        let next = NextAction(incident: s.folded, ladder: ladder, at: saturday)
        #expect(next.kind == .call(tier: 1, contact: 1), "Ben, who can be called, before a contact with nobody on call")
        // Only the contact with nobody on call: the words say what to do.
        let one = try Policy(yaml: Directory.policy(schedulesExtra: office, platformContact: "{ id: platform, name: Platform Engineering, schedule: office }"), file: "p.yaml")
        var t = Scenario(policy: Directory.policy(schedulesExtra: office, platformContact: "{ id: platform, name: Platform Engineering, schedule: office }"), customer: nil)
        t.add(.escalated(toTier: "technical"), at: 0)
        let status = Ladder(incident: t.folded, policy: one, at: saturday).rungs[1].contacts[0]
        #expect(Words.callee(status) == "Platform Engineering: nobody on call (put someone on: tierwatch oncall override office)")
    }

    @Test func policyCheckNamesTheLineAndColumnOfEveryDirectoryMistake() {
        // Unknown person in a rotation.
        var e = error(Directory.policy().replacingOccurrences(of: "[ana, ben, cho]", with: "[ana, bem, cho]"))
        #expect(e?.line == 12 && e?.column == 25 && e!.message.contains("unknown person 'bem'") && e!.message.contains("did you mean 'ben'"), "\(String(describing: e))")
        // Unknown person on a contact.
        e = error(Directory.policy().replacingOccurrences(of: "person: ruth", with: "person: rut"))
        #expect(e?.line == 18 && e!.message.contains("unknown person 'rut'"), "\(String(describing: e))")
        // Unknown schedule.
        e = error(Directory.policy().replacingOccurrences(of: "schedule: platform }", with: "schedule: platfrom }"))
        #expect(e?.line == 24 && e!.message.contains("unknown schedule 'platfrom'; did you mean 'platform'?"), "\(String(describing: e))")
        // A schedule with no participants.
        e = error(Directory.policy().replacingOccurrences(of: "people: [ana, ben, cho]", with: "people: []"))
        #expect(e?.line == 12 && e!.message.contains("no participants"), "\(String(describing: e))")
        // An unknown time zone.
        e = error(Directory.policy().replacingOccurrences(of: "zone: Europe/Berlin\n", with: "zone: Europe/Berln\n"))
        #expect(e?.line == 10 && e?.column == 11 && e!.message.contains("unknown time zone 'Europe/Berln'") && e!.message.contains("Europe/Berlin"),
                "\(String(describing: e))")
        // A Monday handoff from a Tuesday.
        e = error(Directory.policy().replacingOccurrences(of: "start: 2026-09-07", with: "start: 2026-09-08"))
        #expect(e?.line == 12 && e!.message.contains("is a Tue but the handoff is on Mon"), "\(String(describing: e))")
        // A shift that is no shift.
        e = error(Directory.policy().replacingOccurrences(of: "shift: weekly", with: "shift: fortnightly"))
        #expect(e?.line == 12 && e!.message.contains("'shift' must be daily, weekly"), "\(String(describing: e))")
        // A duplicate person.
        e = error(Directory.policy().replacingOccurrences(of: "{ id: cho,", with: "{ id: ana,"))
        #expect(e?.line == 5 && e!.message.contains("duplicate person id 'ana'"), "\(String(describing: e))")
    }

    @Test func theExamplePolicyGivesANumberForEveryoneItAsksToCallAtEveryHourOfAWeek() throws {
        let p = Policy.example
        #expect(p.schedules.count == 5 && p.people.count >= 15)
        var t = utc("2026-12-07T00:00:00Z")
        for _ in 0..<(7 * 24) {
            for tier in p.tiers.indices {
                for customer in [nil, "acme", "globex", "initech"] {
                    for c in p.contacts(ofTier: tier, customer: customer) {
                        let callee = p.callee(c, at: t, overrides: [])
                        #expect(callee.person != nil && callee.phone != nil, "\(c.id) at \(ISOTime.format(t)) for \(customer ?? "-")")
                    }
                }
            }
            t = t.addingTimeInterval(3600)
        }
        // NetOps: the business-hours layer on a weekday, the 24/7 one at night.
        let netops = p.schedule("netops")!
        #expect(netops.onCall(at: utc("2026-12-08T15:00:00Z")).person == "ines")
        #expect(netops.onCall(at: utc("2026-12-08T03:00:00Z")).layer == 1)
    }

    @Test func aCallRecordsThePersonAndHistoryKeepsThemAfterTheRotationMovesOn() throws {
        let text = Directory.policy()
        let p = try Policy(yaml: text, file: "p.yaml")
        // Opened Monday 2026-09-21 14:13Z: cho's week. Technical escalated at 5 min.
        var s = Scenario(policy: text, customer: nil)
        s.add(.escalated(toTier: "technical"), at: 5)
        let called = p.namingPersonCalled(.contactOutcome(tier: "technical", contact: "platform", outcome: .voicemail, person: nil),
                                          customer: nil, at: Scenario.at(6), overrides: [])
        #expect(called == .contactOutcome(tier: "technical", contact: "platform", outcome: .voicemail, person: CalledPerson(PersonRef(id: "cho", name: "Cho Min-jun"))))
        s.add(called, at: 6)
        // A week later the rotation has moved on to ana; the incident still says cho was called.
        let later = Ladder(incident: s.folded, policy: p, at: Scenario.at(7 * 24 * 60))
        let platform = later.rungs[1].contacts[0]
        #expect(platform.callee.person?.id == "ana")
        #expect(platform.calledPerson?.id == "cho" && platform.calledPerson?.name == "Cho Min-jun")
        var book = PolicyBook()
        book.learn(s.folded)
        let entry = Escalation.Board.Entry(s.folded, policies: book, at: Scenario.at(7 * 24 * 60))
        #expect(entry.onCallAtStart(1).first??.person?.id == "cho", "who was on call when the tier started")
        #expect(entry.onCallAtStart(0).first??.person?.id == "ruth", "a contact naming a person")
        #expect(s.events.last!.summary(policy: p) == "Cho Min-jun, Platform Engineering (Technical): voicemail")
    }

    @Test func theLadderHoldsUntilTheNextHandoffThenSaysTheNewPerson() throws {
        let text = Directory.policy()
        let p = try Policy(yaml: text, file: "p.yaml")
        let s = Scenario(policy: text, customer: nil)
        // Six days after opening: the handoff is Monday 2026-09-28 09:00 CEST; deadlines all passed.
        let before = Ladder(incident: s.folded, policy: p, at: utc("2026-09-28T06:00:00Z"))
        #expect(before.validUntil == utc("2026-09-28T07:00:00Z"), "derived again at the handoff")
        let after = Ladder(incident: s.folded, policy: p, at: utc("2026-09-28T07:00:00Z"))
        #expect(after.rungs[1].contacts[0].callee.person?.id == "ana")
    }

    @Test func overridesFromTheLogLaterRecordedWinsACancelEndsItFromThenOnArrivalOrderDoesNotMatter() {
        func event(_ seq: Int, _ action: Action, at: String) -> IncidentEvent {
            let t = utc(at)
            return IncidentEvent(id: EventID(host: "noc1", sequence: seq), hlc: HLC(millis: Int64(seq), counter: 0), incident: OverrideLog.key,
                                 operatorName: "alice", unixUser: "alice", at: t, recordedAt: t, baseVersion: 0, action: action)
        }
        func over(_ who: String, _ from: String, _ to: String) -> Action {
            .onCallOverride(OverrideRequest(schedule: "platform", person: PersonRef(id: who, name: who.capitalized), phone: nil,
                                            from: utc(from), to: utc(to), replacing: nil))
        }
        let events = [
            event(1, over("dora", "2026-09-22T00:00:00Z", "2026-09-24T00:00:00Z"), at: "2026-09-21T00:00:00Z"),
            event(2, over("eli", "2026-09-22T06:00:00Z", "2026-09-22T18:00:00Z"), at: "2026-09-21T01:00:00Z"),
            event(3, .onCallCancel(override: "noc1/1"), at: "2026-09-23T00:00:00Z"),
            event(4, .onCallCancel(override: "noc1/77"), at: "2026-09-23T00:00:00Z"),
        ]
        var inOrder = OverrideLog()
        for e in events { inOrder.add(e) }
        var reversed = OverrideLog()
        for e in events.reversed() { reversed.add(e) }
        #expect(inOrder.overrides == reversed.overrides)
        let schedule = Schedule(id: "platform", name: "Platform", zone: TimeZone(identifier: "UTC")!,
                                layers: [Rotation(people: ["ana"], shift: .weeks(1), start: LocalDateTime(year: 2026, month: 9, day: 7, time: WallTime(hour: 0)))])
        let o = inOrder.overrides
        #expect(o.map(\.id) == ["noc1/1", "noc1/2"] && o[0].cancelled == utc("2026-09-23T00:00:00Z"))
        #expect(schedule.onCall(at: utc("2026-09-22T03:00:00Z"), overrides: o).person == "dora")
        #expect(schedule.onCall(at: utc("2026-09-22T12:00:00Z"), overrides: o).person == "eli", "recorded later, wins")
        #expect(schedule.onCall(at: utc("2026-09-22T20:00:00Z"), overrides: o).person == "dora", "history before the cancel stays")
        #expect(schedule.onCall(at: utc("2026-09-23T06:00:00Z"), overrides: o).person == "ana", "the cancel ends it")
        #expect(inOrder.find("NOC1/2")?.person == "eli" && inOrder.revision == 4)
    }

    @Test func aBoardSharesEachContactsAnswerWithoutMixingUpCustomers() {
        // The board works out who to call once per contact; a customer's
        // own account manager is a different contact and a different answer.
        var book = PolicyBook()
        var incidents: [Incident] = []
        for (k, customer) in ["acme", "globex", "umbrella", "acme"].enumerated() {
            let s = Scenario(policy: Policy.exampleYAML, customer: customer)
            let i = Incident.fold(s.events.map { e in var e = e; e.incident = "K3F\(k)"; return e })!
            book.learn(i)
            incidents.append(i)
        }
        let now = Scenario.at(15)
        let board = Escalation.Board(incidents, policies: book, now: now)
        for e in board.entries {
            let alone = Ladder(incident: e.incident, policy: Policy.example, at: now)
            #expect(e.ladder == alone, "\(e.incident.id) (\(e.incident.customer ?? "-"))")
        }
        let ams = Dictionary(board.entries.map { ($0.incident.customer!, $0.ladder.rungs[1].contacts[0].callee.person?.id) }) { a, _ in a }
        #expect(ams == ["acme": "jane", "globex": "omar", "umbrella": "kim"])
    }

    @Test func anOverrideNeverReachesBackBeforeItWasRecordedAndACancelThatSortsFirstStillEndsIt() {
        func event(_ seq: Int, _ action: Action, recorded: String, hlc: Int64) -> IncidentEvent {
            let t = utc(recorded)
            return IncidentEvent(id: EventID(host: "noc1", sequence: seq), hlc: HLC(millis: hlc, counter: 0), incident: OverrideLog.key,
                                 operatorName: "alice", unixUser: "alice", at: t, recordedAt: t, baseVersion: 0, action: action)
        }
        let backdated = Action.onCallOverride(OverrideRequest(schedule: "platform", person: PersonRef(id: "zed", name: "Zed"), phone: nil,
                                                               from: utc("2026-09-22T00:00:00Z"), to: utc("2026-09-24T00:00:00Z"), replacing: nil))
        var log = OverrideLog()
        log.add(event(1, backdated, recorded: "2026-09-22T12:00:00Z", hlc: 20))
        #expect(log.overrides[0].from == utc("2026-09-22T12:00:00Z"), "from when it was recorded, not before")
        // A cancel from a host whose clock is behind sorts before the override.
        log.add(event(2, .onCallCancel(override: "noc1/1"), recorded: "2026-09-23T00:00:00Z", hlc: 10))
        #expect(log.overrides[0].cancelled == utc("2026-09-23T00:00:00Z"))
        // A rotation of one: on call until further notice, not an invented date.
        let solo = Schedule(id: "ceo", name: "CEO", zone: TimeZone(identifier: "UTC")!,
                            layers: [Rotation(people: ["ruth"], shift: .weeks(1), start: LocalDateTime(year: 2026, month: 1, day: 5, time: WallTime(hour: 9)))])
        #expect(solo.onCallUntilChange(at: utc("2026-09-22T00:00:00Z")).until == nil)
    }

    @Test func whenParsesTimesAheadAndSpansOfDays() {
        let now = utc("2026-11-30T12:00:00Z")
        #expect(When.parse("+8h", now: now) == utc("2026-11-30T20:00:00Z"))
        #expect(When.parse("in 2d", now: now) == utc("2026-12-02T12:00:00Z"))
        #expect(When.parse("-1d12h", now: now) == utc("2026-11-29T00:00:00Z"))
        #expect(When.span("7d") == 7 * 86400 && When.span("36h") == 36 * 3600 && When.span("7x") == nil)
    }
}
