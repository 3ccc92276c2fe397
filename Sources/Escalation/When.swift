import Foundation

/// Parses a `WHEN`: `now`, a relative time in the past (`-5m`, `-1h30m`,
/// `5m ago`) or ahead (`+8h`, `in 2d`), or an ISO-8601 instant
/// (`2026-11-26T17:50:00Z`, with `Z` or an offset). Whether a time ahead
/// is allowed is the caller's rule (an action's `--at` refuses it).
public enum When {
    public static func parse(_ text: String, now: Date) -> Date? {
        let t = text.trimmingSpaces
        if t == "now" { return now }
        var relative: Substring?
        var sign = -1.0
        if t.hasPrefix("-") { relative = t.dropFirst() }
        if t.hasSuffix(" ago") { relative = t.dropLast(4).drop { $0 == " " } }
        if t.hasPrefix("+") { (relative, sign) = (t.dropFirst(), 1) }
        if t.hasPrefix("in ") { (relative, sign) = (t.dropFirst(3).drop { $0 == " " }, 1) }
        if let r = relative {
            guard let seconds = span(String(r)) else { return nil }
            return now.addingTimeInterval(sign * Double(seconds))
        }
        return ISOTime.parse(t)
    }

    /// A length of time in seconds: a `TimeSpan` (`1h30m`), optionally
    /// after a number of days (`7d`, `2d12h`).
    public static func span(_ text: String) -> Int? {
        guard let d = text.firstIndex(of: "d") else { return TimeSpan(parsing: text)?.seconds }
        guard let days = Int(text[..<d]), days >= 0, days <= 3660 else { return nil }
        let rest = text[text.index(after: d)...]
        if rest.isEmpty { return days * 86400 }
        guard let more = TimeSpan(parsing: String(rest)) else { return nil }
        return days * 86400 + more.seconds
    }
}

/// Countdowns as the screens show them, never wider than 8 columns so a
/// column of them stays aligned: `03:12` under an hour, `1:05:12` under ten
/// hours, `14h05m` under a hundred hours, then `4d03h`; `-` in front when
/// overdue.
public enum Countdown {
    public static func format(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : ""
        let s = seconds.magnitude
        let h = s / 3600, m = s % 3600 / 60, sec = s % 60
        func two(_ v: UInt) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if h == 0 { return "\(sign)\(two(m)):\(two(sec))" }
        if h < 10 { return "\(sign)\(h):\(two(m)):\(two(sec))" }
        if h < 100 { return "\(sign)\(h)h\(two(m))m" }
        return "\(sign)\(s / 86400)d\(two(s % 86400 / 3600))h"
    }
}
