import Foundation
import Testing

/// Issue 30, on-call calendars: `tierwatch oncall [SCHEDULE] --ics` is an
/// RFC 5545 feed that a real parser (Python's icalendar) and a real
/// calendar program (calcurse) read, with every shift at its local hour
/// across a daylight-saving change, overrides in, stable UIDs, a person's
/// own feed, and names from the policy escaped.
@Suite(.serialized) struct OnCallCalendarFeed {
    static let reader = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../tools/read-ics.py").path

    struct Event {
        var uid: String, start: String, end: String, local: String, summary: String, description: String, categories: [String]
    }

    /// A store under the example policy (schedules in three zones).
    func exampleStore(nameOfAna name: String? = nil) -> TempStore {
        let s = TempStore()
        var policy = s.tw("policy", "show", "--example").stdout
        if let name { policy = policy.replacingOccurrences(of: "name: Ana Lima,", with: "name: \(name),") }
        writeFixture(atPath: s.path + "/policy.yaml", contents: Data(policy.utf8))
        return s
    }

    /// The feed's text, and its events as icalendar reads them.
    func feed(_ s: TempStore, _ args: [String], zone: String) throws -> (text: String, events: [Event]) {
        try requireTool("/usr/bin/python3", package: "python3")
        let r = Binary.run(["oncall"] + args + ["--ics"], store: s.path, env: s.env)
        #expect(r.status == 0, "\(r.stderr)")
        let file = s.path + "/feed.ics"
        try r.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        // The python3 on PATH: the one .ci/deps installs icalendar for.
        let read = Binary.run(["python3", Self.reader, file, zone], executable: "/usr/bin/env")
        try #require(read.status == 0, "icalendar could not read the feed (pip install icalendar, or bash .ci/deps): \(read.stderr)")
        let lines = read.stdout.split(separator: "\n").dropFirst().map { line -> Event in
            let o = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return Event(uid: o["uid"] as! String, start: o["start"] as! String, end: o["end"] as! String, local: o["local"] as! String,
                         summary: o["summary"] as! String, description: o["description"] as! String, categories: o["categories"] as! [String])
        }
        return (r.stdout, lines)
    }

    @Test func everyShiftIsAtItsLocalHourAcrossDaylightSaving() throws {
        let s = exampleStore(); defer { s.cleanup() }
        // New York falls back on 2026-11-01: the 09:00 weekday shift moves
        // from 13:00Z to 14:00Z, and stays 09:00 in the calendar.
        let (text, events) = try feed(s, ["netops", "--at", "2026-10-20T14:00:00Z", "--weeks", "3"], zone: "America/New_York")
        let day = events.filter { $0.summary.hasSuffix("Ines Costa") }
        #expect(day.count == 15, "three weeks of weekdays: \(day.map(\.start))")
        #expect(day.allSatisfy { $0.local.hasSuffix("09:00") && !$0.local.hasPrefix("Sat") && !$0.local.hasPrefix("Sun") }, "\(day.map(\.local))")
        #expect(day.contains { $0.start == "2026-10-30T13:00:00Z" } && day.contains { $0.start == "2026-11-02T14:00:00Z" }, "\(day.map(\.start))")
        // The shifts follow each other with no gap or overlap, from the
        // one running at --at to the one running three weeks later.
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.end == $1.start }, "\(events.map { "\($0.start)-\($0.end)" })")
        #expect(events.first!.start <= "2026-10-20T14:00:00Z" && events.last!.end >= "2026-11-10T14:00:00Z")
        #expect(Set(events.map(\.uid)).count == events.count)
        #expect(events.allSatisfy { $0.categories == ["on-call", "netops"] && $0.description.contains("phone: +1 555 01") })
        // RFC 5545's lines: CRLF, at most 75 octets.
        let lines = text.components(separatedBy: "\r\n")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        #expect(lines.allSatisfy { $0.utf8.count <= 75 }, "\(lines.filter { $0.utf8.count > 75 })")
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tierwatch//tierwatch ") && text.hasSuffix("END:VCALENDAR\r\n"))
    }

    /// Fetched at a handoff's very instant, the feed starts with the shift
    /// that begins then (found by review: the one before was stretched over it).
    @Test func fetchedAtAHandoffTheNewShiftComesFirst() throws {
        let s = exampleStore(); defer { s.cleanup() }
        let events = try feed(s, ["platform", "--at", "2026-12-07T08:00:00Z", "--weeks", "2"], zone: "Europe/Berlin").events
        #expect(events.first?.start == "2026-12-07T08:00:00Z" && events.first?.summary.hasSuffix("Ana Lima") == true, "\(events.map { "\($0.start) \($0.summary)" })")
        #expect(events.first?.uid == "platform-20261207T080000Z@tierwatch")
    }

    @Test func fetchedAgainEveryShiftKeepsItsUIDAndTimes() throws {
        let s = exampleStore(); defer { s.cleanup() }
        let first = try feed(s, ["netops", "--at", "2026-10-20T14:00:00Z", "--weeks", "2"], zone: "UTC").events
        let later = try feed(s, ["netops", "--at", "2026-10-20T15:00:00Z", "--weeks", "2"], zone: "UTC").events
        let byUID = Dictionary(uniqueKeysWithValues: later.map { ($0.uid, $0) })
        for e in first {
            #expect(byUID[e.uid].map { $0.start == e.start && $0.end == e.end && $0.summary == e.summary } == true, "\(e.uid) changed or went")
        }
    }

    /// Before the rotation begins (nobody on call yet), and in a schedule
    /// whose last shift has no end within the lookback, the feed fetched
    /// seconds or hours apart is the same text: the gap's start and the open
    /// shift's end were the fetch's own instant (found by CI: serve's feed and
    /// the CLI's differed when fetched across a second's boundary).
    @Test func fetchedBeforeTheRotationBeginsTheFeedIsTheSameAtEveryFetch() throws {
        let s = exampleStore(); defer { s.cleanup() }
        func text(_ at: String) throws -> [Substring] {
            try feed(s, ["platform", "--at", at, "--weeks", "2"], zone: "UTC").text.split(separator: "\r\n").filter { !$0.hasPrefix("DTSTAMP") }
        }
        let first = try text("2024-02-29T12:00:00Z")
        #expect(first.contains { $0.hasPrefix("SUMMARY:") && $0.contains("NOBODY ON CALL") }, "\(first)")
        #expect(first.contains("DTEND:20260105T080000Z"), "the gap ends when the rotation begins: \(first)")
        #expect(try text("2024-02-29T12:00:01Z") == first)
        #expect(try text("2024-02-29T15:30:00Z") == first)
        // Days before the rotation's first handoff: the gap ends at it, the first shift follows.
        let events = try feed(s, ["platform", "--at", "2025-12-31T23:59:00Z", "--weeks", "2"], zone: "UTC").events
        #expect(events.first?.end == "2026-01-05T08:00:00Z" && events.dropFirst().first?.summary.hasSuffix("Ana Lima") == true, "\(events.map { "\($0.start) \($0.end) \($0.summary)" })")
        #expect(try feed(s, ["platform", "--at", "2025-12-31T23:59:59Z", "--weeks", "2"], zone: "UTC").events.map(\.start) == events.map(\.start))
    }

    /// Before the rotation begins, an override months ahead ends the gap
    /// the feed shows (found by review: the gap ran over it to the rotation's start).
    @Test func beforeTheRotationAnOverrideFarAheadEndsTheGap() throws {
        var s = exampleStore(); defer { s.cleanup() }
        s.env = FakeClock.at("2024-02-29T12:00:00Z")
        let o = s.tw("oncall", "override", "platform", "--person", "ben", "--from", "2025-06-02T08:00:00Z", "--to", "2025-06-03T08:00:00Z")
        #expect(o.status == 0, "\(o.stderr)")
        let events = try feed(s, ["platform", "--at", "2024-02-29T12:00:00Z", "--weeks", "2"], zone: "UTC").events
        #expect(events.count == 1 && events.first?.end == "2025-06-02T08:00:00Z" && events.first?.summary.hasSuffix("NOBODY ON CALL") == true,
                "\(events.map { "\($0.start) \($0.end) \($0.summary)" })")
    }

    @Test func anOverrideIsInTheFeedAndAPersonsFeedHasOnlyTheirShifts() throws {
        var s = exampleStore(); defer { s.cleanup() }
        // An override is recorded ahead of its start: the clock is fixed
        // before it (found by review: on the real clock this test stopped
        // passing once 2026-12-08T10:00Z was past).
        s.env = FakeClock.at("2026-12-08T09:00:00Z")
        let at = "2026-12-08T10:00:00Z"  // Ana's week in platform (Mon 09:00 Berlin handoffs)
        let o = s.tw("oncall", "override", "platform", "--person", "ben", "--from", at, "--to", "2026-12-08T18:00:00Z")
        #expect(o.status == 0, "\(o.stderr)")
        let platform = try feed(s, ["platform", "--at", "2026-12-08T09:00:00Z", "--weeks", "1"], zone: "Europe/Berlin").events
        let ben = try #require(platform.first { $0.summary.hasSuffix("Ben Okafor") && $0.description.contains("override") }, "\(platform.map(\.summary))")
        #expect(ben.start == at && ben.end == "2026-12-08T18:00:00Z")
        // Ana's week is split around it.
        #expect(platform.filter { $0.summary.hasSuffix("Ana Lima") }.map(\.end).contains(at))
        let ana = try feed(s, ["--person", "ana", "--at", "2026-12-01T00:00:00Z", "--weeks", "6"], zone: "Europe/Berlin").events
        #expect(!ana.isEmpty && ana.allSatisfy { $0.summary.hasSuffix("Ana Lima") }, "\(ana.map(\.summary))")
        #expect(ana.allSatisfy { $0.local == "Mon 09:00" || $0.start == "2026-12-08T18:00:00Z" }, "\(ana.map { "\($0.start) \($0.local)" })")
        // Usage errors exit 2, naming the value.
        let weeks = s.tw("oncall", "--ics", "--weeks", "60")
        #expect(weeks.status == 2 && weeks.stderr.contains("--weeks 60"), "\(weeks.stderr)")
        let nobody = s.tw("oncall", "--ics", "--person", "zed")
        #expect(nobody.status != 0 && nobody.stderr.contains("unknown person 'zed'"), "\(nobody.stderr)")
    }

    @Test func namesFromThePolicyAreEscapedNotObeyed() throws {
        let s = exampleStore(nameOfAna: "\"Ana; Lima, \\e]0;pwn\\a Jr\""); defer { s.cleanup() }
        let (text, events) = try feed(s, ["platform", "--at", "2026-12-08T10:00:00Z", "--weeks", "1"], zone: "UTC")
        #expect(!text.contains("\u{1B}") && !text.contains("\u{07}"), "no control character reaches the feed")
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("SUMMARY:On call: Platform Engineering on call — Ana\\; Lima\\, ␛]0\\;pwn␇ Jr\r\n"), "\(unfolded)")
        #expect(events.contains { $0.summary == "On call: Platform Engineering on call — Ana; Lima, ␛]0;pwn␇ Jr" }, "\(events.map(\.summary))")
    }

    @Test func calcurseImportsTheFeed() throws {
        try requireTool("/usr/bin/calcurse", package: "calcurse")
        let s = exampleStore(); defer { s.cleanup() }
        let (text, events) = try feed(s, ["netops", "--at", "2026-10-20T14:00:00Z", "--weeks", "3"], zone: "UTC")
        _ = text
        let dir = s.path + "/calcurse"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = Binary.run(["-D", dir, "-i", s.path + "/feed.ics"], executable: "/usr/bin/calcurse", env: ["TZ": "America/New_York", "HOME": s.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("\(events.count) apps / 0 events / 0 todos / 0 skipped"), "\(r.stdout)")
        let apts = String(decoding: FileManager.default.contents(atPath: dir + "/apts") ?? Data(), as: UTF8.self)
        // In New York's time, the day shift is 09:00 to 17:00 on both sides of the change.
        #expect(apts.contains("10/30/2026 @ 09:00 -> 10/30/2026 @ 17:00") && apts.contains("11/02/2026 @ 09:00 -> 11/02/2026 @ 17:00"), "\(apts)")
    }

    /// serve gives the same feeds to subscribe to: with the bearer token,
    /// or with a calendar key of their own in the URL (calendar programs
    /// send no header), which opens nothing else.
    @Test func serveGivesTheFeedsToTheTokenOrTheCalendarKeyOnly() throws {
        try requireTool("/usr/bin/curl", package: "curl")
        let s = exampleStore(); defer { s.cleanup() }
        for (name, secret) in [("token", "t0ken-for-api"), ("calkey", "k3y-for-calendars")] {
            writeFixture(atPath: s.path + "." + name, contents: Data(secret.utf8))
            chmod(s.path + "." + name, 0o600)
        }
        defer { for n in ["token", "calkey"] { unlink(s.path + "." + n) } }
        let serve = ServeUnderHostileClients.Serve(store: s.path, extra: "--token-file \(s.path).token --calendar-key-file \(s.path).calkey")
        func get(_ path: String, _ headers: [String] = []) -> (status: Int, body: String, type: String) {
            let r = Binary.run(["-s", "-o", "-", "-w", "\n%{http_code} %{content_type}"] + headers.flatMap { ["-H", $0] } + [serve.url + path],
                               executable: "/usr/bin/curl").stdout
            let tail = r.split(separator: "\n").last.map(String.init) ?? ""
            let parts = tail.split(separator: " ", maxSplits: 1).map(String.init)
            return (Int(parts.first ?? "") ?? 0, String(r.dropLast(tail.count + 1)), parts.count > 1 ? parts[1] : "")
        }
        let withKey = get("/api/v1/oncall/platform.ics?key=k3y-for-calendars&weeks=2")
        #expect(withKey.status == 200 && withKey.type.hasPrefix("text/calendar"), "\(withKey.status) \(withKey.type) \(withKey.body.prefix(300))")
        #expect(withKey.body.hasPrefix("BEGIN:VCALENDAR\r\n") && withKey.body.contains("UID:platform-") && withKey.body.hasSuffix("END:VCALENDAR\r\n"))
        // The same text the CLI prints for the same span (its stamp aside).
        let cli = s.tw("oncall", "platform", "--ics", "--weeks", "2").stdout
        func events(_ t: String) -> [Substring] { t.split(separator: "\r\n").filter { !$0.hasPrefix("DTSTAMP") } }
        #expect(events(withKey.body) == events(cli))
        let person = get("/api/v1/oncall/people/ana.ics", ["Authorization: Bearer t0ken-for-api"])
        #expect(person.status == 200 && person.body.contains("Ana Lima") && !person.body.contains("Ben Okafor"), "\(person.status) \(person.body.prefix(300))")
        #expect(get("/api/v1/oncall/platform.ics").status == 401)
        #expect(get("/api/v1/oncall/platform.ics?key=wrong").status == 401)
        #expect(get("/api/v1/incidents?key=k3y-for-calendars").status == 401, "the key opens the calendars only")
        #expect(get("/api/v1/oncall/nosuch.ics?key=k3y-for-calendars").status == 404)
        #expect(get("/api/v1/oncall/platform.ics?key=k3y-for-calendars&weeks=99").status == 400)
        // A key equal to the token, or one without a token, is refused at start.
        let same = s.tw("serve", "--listen", "127.0.0.1:\(freePort())", "--token-file", s.path + ".token", "--calendar-key-file", s.path + ".token")
        #expect(same.status == 2 && same.stderr.contains("the key must differ from the token"), "\(same.stderr)")
    }
}
