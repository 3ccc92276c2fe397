import Foundation

/// On-call shifts as an iCalendar feed (RFC 5545) people subscribe to: the
/// shifts of the next weeks with overrides, each one a VEVENT whose UID is
/// its schedule and its start, so a calendar that fetches the feed again
/// updates a shift rather than adding a copy. Times are UTC (`…Z`): an
/// instant, right across every daylight-saving change; the calendar shows
/// it in its user's zone, and the description gives the schedule's.
public enum OnCallCalendar {
    public struct Shift: Sendable, Equatable {
        public var schedule: Schedule
        /// nil: nobody is on call (a gap in the rotation).
        public var person: Person?
        public var start: Date
        public var end: Date
        /// The override that puts `person` on call, if one does.
        public var override: String?
    }

    /// How far back a shift running at `from` is looked for its start
    /// (its UID is its start), and ahead for the last one's end: a shift
    /// longer than this starts, for the feed, at the rotation's start.
    static let lookback: TimeInterval = 92 * 86400

    /// The shifts of `schedules` overlapping [from, to), with overrides;
    /// only `person`'s when given (an id in the directory).
    public static func shifts(_ directory: Policy, schedules: [Schedule], overrides: [Override], from: Date, to: Date,
                              person: String? = nil) -> [Shift] {
        var out: [Shift] = []
        for s in schedules {
            // The running shift began at the last handoff up to `from` (one
            // at `from` itself included); with none in the lookback, at the
            // rotation's own start; before the rotation begins, at a grid
            // point (never `from`, which moves): the same event at every fetch.
            let earlier = s.handoffs(from: from.addingTimeInterval(-lookback), to: from.addingTimeInterval(0.001), overrides: overrides, limit: 100_000)
            let first = s.layers.map { s.instant($0.start) }.min()
            let anchor = first.map { $0 <= from ? $0 : gridPoint(from, anchor: $0, up: false) } ?? gridPoint(from, anchor: nil, up: false)
            var start = earlier.last?.at ?? anchor
            var current = s.onCall(at: from, overrides: overrides)
            // The last shift runs to its own end, not the window's (before
            // the rotation, to its start or an override's edge; with no end
            // in sight, to a grid point): its event is the same whenever the
            // feed is fetched.
            // Before the rotation begins only overrides hand off: they are
            // looked for up to its start, however far.
            let horizon = max(to.addingTimeInterval(lookback), first.map { $0.addingTimeInterval(0.001) } ?? to)
            let end = s.handoffs(from: to.addingTimeInterval(-0.001), to: horizon, overrides: overrides, limit: 1).first?.at
                ?? gridPoint(to, anchor: first, up: true)
            for turn in s.handoffs(from: from, to: to, overrides: overrides) + [(at: end, person: nil)] {
                if person == nil || current.person == person {
                    let who = current.person.map { id in directory.person(id) ?? overrides.first { $0.person == id }?.snapshot ?? Person(id: id, name: id) }
                    out.append(Shift(schedule: s, person: who, start: start, end: turn.at, override: current.override))
                }
                start = turn.at
                if turn.at < end { current = s.onCall(at: turn.at, overrides: overrides) }
            }
        }
        return out.sorted { ($0.start, $0.schedule.id) < ($1.start, $1.schedule.id) }
    }

    /// Where a shift with no handoff to mark it begins or ends (before the
    /// rotation's start, or with no handoff within `lookback` of the window):
    /// the nearest point at or before (`up`: at or after) `t` on a grid of
    /// `lookback` steps from the rotation's start (the epoch without one).
    /// Never the window's edge itself, which moves with every fetch: the
    /// same event, UID and times, whenever the feed is fetched within a step.
    static func gridPoint(_ t: Date, anchor: Date?, up: Bool) -> Date {
        let origin = anchor ?? Date(timeIntervalSince1970: 0)
        let steps = (t.timeIntervalSince(origin) / lookback).rounded(up ? .up : .down)
        return origin.addingTimeInterval(steps * lookback)
    }

    /// The feed: one VCALENDAR with a VEVENT per shift (a gap shows as
    /// "nobody on call" in a schedule's feed; a person's feed has only theirs).
    public static func ics(_ shifts: [Shift], name: String, now: Date, version: String) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tierwatch//tierwatch \(version)//EN", "CALSCALE:GREGORIAN",
                     "METHOD:PUBLISH", "X-WR-CALNAME:\(text(name))", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
        for s in shifts {
            let who = s.person.map { $0.name.sanitized } ?? "NOBODY ON CALL"
            var description = "\(s.schedule.name.sanitized) (\(s.schedule.id.sanitized)): \(who)"
            if let p = s.person {
                if let phone = p.phone { description += "\nphone: \(phone.sanitized)" }
                if let email = p.email { description += "\nemail: \(email.sanitized)" }
            }
            description += "\nfrom \(Words.localDate(s.start, zone: s.schedule.zone)) to \(Words.localDate(s.end, zone: s.schedule.zone)) \(s.schedule.zone.identifier)"
            if let o = s.override { description += "\noverride \(o.sanitized)" }
            lines += [
                "BEGIN:VEVENT",
                "UID:\(uid(s))",
                "DTSTAMP:\(stamp(now))",
                "DTSTART:\(stamp(s.start))",
                "DTEND:\(stamp(s.end))",
                "SUMMARY:\(text("On call: \(s.schedule.name.sanitized) — \(who)"))",
                "DESCRIPTION:\(text(description))",
                "CATEGORIES:on-call,\(text(s.schedule.id.sanitized))",
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// Stable while the shift's schedule and start are: `platform-20261207T080000Z@tierwatch`.
    static func uid(_ s: Shift) -> String {
        let id = String(s.schedule.id.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
        return "\(id)-\(stamp(s.start))@tierwatch"
    }

    /// `20261207T080000Z`.
    static func stamp(_ d: Date) -> String {
        let iso = ISOTime.format(d)  // 2026-12-07T08:00:00Z
        return iso.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// TEXT escaped (RFC 5545 §3.3.11): backslash, semicolon, comma, newline.
    static func text(_ s: String) -> String {
        var out = ""
        for ch in s {  // (its parts were sanitized: only the newlines put between them remain)
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Lines of at most 75 octets, continued with CRLF and a space (§3.1),
    /// never inside a character.
    static func fold(_ line: String) -> String {
        var out = "", count = 0
        for ch in line {
            let n = String(ch).utf8.count
            if count + n > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(ch)
            count += n
        }
        return out
    }
}
