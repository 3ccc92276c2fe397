import Foundation

/// Parses the `--at WHEN` of an action taken earlier: `now`, a relative time
/// in the past (`-5m`, `-1h30m`, `5m ago`), or an ISO-8601 instant
/// (`2026-11-26T17:50:00Z`, with `Z` or an offset).
public enum When {
    public static func parse(_ text: String, now: Date) -> Date? {
        let t = text.trimmingSpaces
        if t == "now" { return now }
        var relative: Substring?
        if t.hasPrefix("-") { relative = t.dropFirst() }
        if t.hasSuffix(" ago") { relative = t.dropLast(4).drop { $0 == " " } }
        if let r = relative {
            guard let span = TimeSpan(parsing: String(r)) else { return nil }
            return now.addingTimeInterval(-Double(span.seconds))
        }
        return ISOTime.parse(t)
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
