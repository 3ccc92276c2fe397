/// A length of time as policies write it: `90s`, `10m`, `1h30m`, `2h`.
///
/// Named `TimeSpan` rather than `Duration` so it never shadows the standard
/// library's `Swift.Duration` in code that imports this module.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    public static func minutes(_ m: Int) -> TimeSpan { TimeSpan(seconds: m * 60) }
    public static func hours(_ h: Int) -> TimeSpan { TimeSpan(seconds: h * 3600) }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.seconds < b.seconds }

    /// Parses `1h30m`, `10m`, `90s`, `2h`, `1h0m30s`: one or more
    /// number+unit parts, units h, m, s in that order, each at most once,
    /// no spaces, no signs, no fractions. Returns nil for anything else.
    public init?(parsing text: String) {
        var total = 0
        var number = 0
        var digits = 0
        var lastUnitRank = -1
        var parts = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9":
                guard digits < 7 else { return nil }
                number = number * 10 + Int(scalar.value - 48)
                digits += 1
            case "h", "m", "s":
                let rank: Int, factor: Int
                switch scalar {
                case "h": (rank, factor) = (0, 3600)
                case "m": (rank, factor) = (1, 60)
                default: (rank, factor) = (2, 1)
                }
                guard digits > 0, rank > lastUnitRank else { return nil }
                total += number * factor
                number = 0
                digits = 0
                lastUnitRank = rank
                parts += 1
            default:
                return nil
            }
        }
        guard parts > 0, digits == 0 else { return nil }
        self.seconds = total
    }

    /// The canonical spelling, which `init(parsing:)` reads back:
    /// `1h30m`, `10m`, `90s` becomes `1m30s`, zero is `0s`.
    public var description: String {
        if seconds == 0 { return "0s" }
        let h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60
        var out = ""
        if h > 0 { out += "\(h)h" }
        if m > 0 { out += "\(m)m" }
        if s > 0 { out += "\(s)s" }
        return out
    }
}
