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

/// Countdowns as the screens show them: `03:12`, `1:02:03` past an hour,
/// `-01:05` when overdue.
public enum Countdown {
    public static func format(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : ""
        let s = seconds.magnitude
        let h = s / 3600, m = s % 3600 / 60, sec = s % 60
        func two(_ v: UInt) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(sign)\(h):\(two(m)):\(two(sec))" : "\(sign)\(two(m)):\(two(sec))"
    }
}
