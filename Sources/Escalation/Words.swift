import Foundation

/// How tierwatch puts times, countdowns, deadlines, statuses and the next
/// action into words: one vocabulary for every screen and the CLI, so the
/// dashboard, the wall and `show` say the same thing the same way.
public enum Words {
    /// `18:00:00`: the time of day in UTC, or `offsetSeconds` east of it.
    public static func clock(_ d: Date, offsetSeconds: Int = 0) -> String {
        String(ISOTime.format(d.addingTimeInterval(Double(offsetSeconds))).dropFirst(11).dropLast())
    }

    /// `17:50Z` within 20 hours of `now`, else the date: for narrow columns.
    public static func shortTime(_ d: Date, now: Date) -> String {
        let iso = ISOTime.format(d)
        return abs(d.timeIntervalSince(now)) < 20 * 3600 ? String(iso.dropFirst(11).prefix(5)) + "Z" : String(iso.prefix(10))
    }

    /// `17:50Z` within 20 hours, `Mon 09:00Z` within a week, else the date:
    /// when a shift ends.
    public static func until(_ d: Date, now: Date) -> String {
        let ahead = d.timeIntervalSince(now)
        if ahead < 20 * 3600 || ahead > 6.5 * 86400 { return shortTime(d, now: now) }
        return localTime(d, zone: TimeZone(identifier: "UTC")!, withZone: false) + "Z"
    }

    /// `17:50:03Z` within 20 hours of `now`, else the whole ISO instant.
    public static func time(_ d: Date, now: Date) -> String {
        let iso = ISOTime.format(d)
        return abs(d.timeIntervalSince(now)) < 20 * 3600 ? String(iso.dropFirst(11)) : iso
    }

    /// Rows as columns padded to their widest cell, two spaces apart (the
    /// last column unpadded): the tables of `list`, `show`, `oncall` and
    /// `report`.
    public static func table(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows[0].count)
        for r in rows { for (k, c) in r.enumerated() { widths[k] = max(widths[k], c.count) } }
        return rows.map { r in
            r.enumerated().map { k, c in k == r.count - 1 ? c : c.padding(toLength: widths[k], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// `Sat 18:00 Europe/Berlin`: an instant on a zone's wall clock.
    public static func localTime(_ d: Date, zone: TimeZone, withZone: Bool = true) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.weekday, .hour, .minute], from: d)
        let day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][(c.weekday ?? 1) - 1]
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(day) \(two(c.hour)):\(two(c.minute))" + (withZone ? " \(zone.identifier)" : "")
    }

    /// `Mon 2026-11-30 20:00`: an instant's date and time on a zone's wall clock.
    public static func localDate(_ d: Date, zone: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.year, .month, .day], from: d)
        let date = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        let dayAndTime = localTime(d, zone: zone, withZone: false)
        return "\(dayAndTime.prefix(3)) \(date) \(dayAndTime.dropFirst(4))"
    }

    /// How long ago: `just now`, `45s ago`, `12m ago`, `1h05m ago`, `3d02h ago`.
    public static func ago(_ d: Date, now: Date) -> String {
        let s = max(0, Int(now.timeIntervalSince(d)))
        if s < 10 { return "just now" }
        return span(s) + " ago"
    }

    /// A length of time, to the nearest unit shown: `45s`, `12m`, `1h05m`,
    /// `3d02h` (12m59s is `13m`: a time-to-acknowledge or a lateness is
    /// never understated by most of a minute).
    public static func span(_ seconds: Int) -> String {
        let s = max(0, seconds)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if s < 60 { return "\(s)s" }
        let m = (s + 30) / 60
        if m < 60 { return "\(m)m" }
        if m < 24 * 60 { return "\(m / 60)h\(two(m % 60))m" }
        let h = (s + 1800) / 3600
        return "\(h / 24)d\(two(h % 24))h"
    }

    /// How much a deadline label says.
    public enum Length: Sendable {
        /// `T1 due`, `T3 starts`, `update due`: list columns.
        case short
        /// `T1 Management notified due`, `customer update due`: lines of their own.
        case long
        /// `management due`: the tier's id, for `--json` (a script's key).
        case id
    }

    public static func deadline(_ d: Ladder.Deadline, _ p: Policy, _ length: Length) -> String {
        func tier(_ i: Int) -> String {
            switch length {
            case .short: "T\(i)"
            case .long: "T\(i) \(p.tiers[i].name.sanitized)"
            case .id: p.tiers[i].id
            }
        }
        switch d.kind {
        case let .tierStart(i): return "\(tier(i)) starts"
        case let .tierDue(i): return "\(tier(i)) due"
        case .customerUpdate: return length == .short ? "update due" : "customer update due"
        }
    }

    /// A deadline that has passed: "T1 Management notified overdue".
    public static func overdue(_ d: Ladder.Deadline, _ p: Policy, _ length: Length) -> String {
        switch d.kind {
        case .tierStart: return deadline(d, p, length)
        case let .tierDue(i): return length == .short ? "T\(i) overdue" : "T\(i) \(p.tiers[i].name.sanitized) overdue"
        case .customerUpdate: return length == .short ? "update overdue" : "customer update overdue"
        }
    }

    /// A deadline and how far off it is, as every list writes it:
    /// `T1 Management notified due 06:12`, `… due -03:12` once passed.
    public static func countdown(_ d: Ladder.Deadline, _ p: Policy, now: Date, _ length: Length = .long) -> String {
        "\(deadline(d, p, length)) \(Countdown.format(Ladder.seconds(from: now, to: d.at)))"
    }

    /// An action as a noun, for "your ack of K3F9 was not applied".
    public static func noun(_ a: Action) -> String {
        switch a {
        case .acknowledged: "ack"
        case .escalated: "escalation"
        case .resolved: "resolve"
        case .reopened: "reopen"
        case .contactOutcome: "call"
        case .customerUpdate: "customer update"
        case .note: "note"
        case .opened: "opening"
        case .onCallOverride: "override"
        case .onCallCancel: "cancel"
        case .monitoring: "monitoring note"
        case .hook: "hook run"
        case .policyText: "policy text"
        }
    }

    /// Why an action was not applied, without the version bookkeeping:
    /// `resolved by bob@site-b at 03:11:00Z`.
    public static func staleReason(_ reason: String) -> String {
        var r = Substring(reason)
        if r.hasPrefix("stale: acted on version "), let comma = r.firstIndex(of: ",") { r = r[r.index(after: comma)...].drop { $0 == " " } }
        if r.hasPrefix("already ") { r = r.dropFirst(8) }
        return String(r).sanitized
    }

    /// ` [unix root]` when the Unix user who wrote an event is not the
    /// operator it claims (names are claimed, not authenticated); "" else.
    public static func unixUser(_ e: IncidentEvent) -> String {
        e.unixUser != e.operatorName && !e.operatorName.hasPrefix(e.unixUser + "@") ? " [unix \(e.unixUser.sanitized)]" : ""
    }

    /// A tier's status as screens print it: `not started` for `not_started`.
    public static func status(_ s: Ladder.Status) -> String {
        s == .notStarted ? "not started" : s.rawValue
    }

    /// Who to call for a contact now, named as the screens name them: the
    /// person (on call, or the contact's own) with the contact in brackets,
    /// `Ana Lima (Platform Engineering)`; the contact alone when it names
    /// nobody; `Platform Engineering (nobody on call)` when its schedule
    /// has a gap.
    public static func who(_ c: Ladder.ContactStatus) -> String {
        let contact = c.contact.name.sanitized
        guard let p = c.callee.person else {
            return c.callee.nobodyOnCall ? "\(contact) (nobody on call)" : contact
        }
        return p.name == c.contact.name ? p.name.sanitized : "\(p.name.sanitized) (\(contact))"
    }

    /// The number to dial, else the email, else "no number on file": nil
    /// in `.1` when there is a number (the screens draw the rest in
    /// warning colours).
    public static func number(_ c: Callee) -> (text: String, isMissing: Bool) {
        if let phone = c.phone { return (phone.sanitized, false) }
        if let mail = c.email { return ("no number; \(mail.sanitized)", true) }
        return ("no number on file", true)
    }

    /// A contact as someone to call: who and their number, `Ana Lima
    /// (Platform Engineering) +1 555 0142`.
    public static func callee(_ c: Ladder.ContactStatus) -> String {
        if c.callee.nobodyOnCall, c.callee.person == nil, let s = c.callee.schedule {
            // Nobody to call: what to do about it instead.
            return "\(c.contact.name.sanitized): nobody on call (put someone on: tierwatch oncall override \(s.id.sanitized))"
        }
        let n = number(c.callee)
        return n.isMissing ? "\(who(c)) (\(n.text))" : "\(who(c)) \(n.text)"
    }

    /// The next action in a line: `Call VP of Customer Experience (no
    /// number on file) — no answer 2m ago — T1 Management notified overdue
    /// 03:12`.
    ///
    /// `live: false` leaves out what changes by the second (the countdown,
    /// "2m ago") for a screen that draws the words once and the countdown
    /// beside them: the last call then says when it was.
    /// A contact tierwatch is calling now is said so ("Calling …"), never
    /// "Call …"; serve's next automatic try follows the last outcome.
    public static func nextAction(_ e: Board.Entry, now: Date, dash: String = " — ", live: Bool = true, labels: Length = .long) -> String {
        let deadline = live ? e.next.deadline.map { countdown($0, e.policy, now: now, labels) } : nil
        switch e.next.kind {
        case let .call(tier, contact):
            let c = e.ladder.rungs[tier].contacts[contact]
            if live, let calling = e.callsInFlight(now: now)[c.contact.id] {
                let what = calling.automatic ? "serve's automatic call, try \(calling.attempt)" : "tierwatch is dialling"
                return (["Calling \(callee(c)) now"] + [deadline].compactMap { $0 } + [what]).joined(separator: dash)
            }
            let last = c.outcome.map { "\($0.label) " + (live ? ago(c.at!, now: now) : "at " + shortTime(c.at!, now: now)) } ?? "not called yet"
            // Who, by when, then how the last call went, then serve's next
            // try: what matters most first, so a narrow screen cuts the least.
            let auto = live ? e.callWords(c.contact.id, now: now)?.text : nil
            return (["Call \(callee(c))"] + [deadline].compactMap { $0 } + [last] + [auto].compactMap { $0 }).joined(separator: dash)
        case .customerUpdate:
            return "Send the customer a status update" + (deadline.map { dash + $0 } ?? "")
        case .wait:
            // Who the coming tier will need, so the number is ready.
            var then = ""
            if case let .tierStart(t)? = e.next.deadline?.kind, let first = e.ladder.rungs[t].contacts.first(where: { $0.reachedAt == nil }) {
                then = ", then call \(callee(first))"
            }
            return "Nothing due now" + (deadline.map { dash + $0 + then } ?? "")
        case .none:
            if let r = e.incident.resolved { return "Resolved by \(r.by.sanitized) \(ago(r.at, now: now))" }
            return "No deadline in this incident's policy"
        }
    }
}

extension Words {
    /// A breach as the wall says it aloud: the incident's id letter by
    /// letter, whose customer, the severity, the title, what is overdue
    /// and by how much, and whom to call. Text from outside is made
    /// speakable (no control characters, no symbols read out one by one)
    /// and cut.
    public static func spokenBreach(_ e: Board.Entry, now: Date) -> String {
        let w = spoken(e, now: now)
        var s = "Breach. Incident \(w["id"]!)"
        if let c = w["customer"] { s += " for \(c)" }
        s += ", severity \(w["severity"]!): \(w["title"]!)."
        if let what = w["what"] { s += " \(what)" }
        if let call = w["call"] { s += " Call \(call)." }
        return s
    }

    /// The pieces a spoken message is made of, each speakable: `id` letter
    /// by letter, `customer`, `severity` (1 to 4), `title`, `what` (what is
    /// overdue and by how much, a sentence), `call` (whom to call next).
    public static func spoken(_ e: Board.Entry, now: Date) -> [String: String] {
        let i = e.incident
        var w = ["id": i.id.map(String.init).joined(separator: " "), "severity": String(i.severity.rawValue.dropFirst(3)),
                 "title": speakable(i.title, max: 80)]
        if let c = i.customer { w["customer"] = speakable(c, max: 40) }
        if let d = e.ladder.nextDeadline, d.at <= now {
            let m = Int(now.timeIntervalSince(d.at)) / 60
            let by = m == 0 ? "overdue." : "overdue by \(m) minute\(m == 1 ? "" : "s")."
            switch d.kind {
            case let .tierDue(t) where t < e.policy.tiers.count: w["what"] = "\(speakable(e.policy.tiers[t].name, max: 60)) is \(by)"
            case .customerUpdate: w["what"] = "The customer update is \(by)"
            default: break
            }
        }
        if case let .call(tier, contact) = e.next.kind {
            let c = e.ladder.rungs[tier].contacts[contact]
            w["call"] = speakable(c.callee.person?.name ?? c.contact.name, max: 60)
        }
        return w
    }

    /// Letters, digits, spaces and plain punctuation, cut at a word.
    public static func speakable(_ text: String, max: Int) -> String {
        var out = ""
        for ch in text.unicodeScalars {
            if ch.properties.isAlphabetic || ("0"..."9").contains(ch) || " ,.'-/&".unicodeScalars.contains(ch) {
                out.unicodeScalars.append(ch)
            } else if !out.hasSuffix(" ") {
                out += " "
            }
        }
        let words = out.split(separator: " ")
        var cut = ""
        for w in words {
            if cut.count + w.count + 1 > max { break }
            cut += cut.isEmpty ? String(w) : " " + w
        }
        return cut.isEmpty ? String(words.first?.prefix(max) ?? "") : cut
    }
}

/// Words the wall says aloud about one incident.
public struct Announcement: Equatable, Sendable {
    public var incident: String
    public var text: String

    public init(incident: String, text: String) {
        self.incident = incident
        self.text = text
    }
}
