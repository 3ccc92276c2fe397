import Escalation
import Foundation

/// What an import makes of another service's setup: a tierwatch policy not
/// yet written out, and the overrides to record in the store. Every value
/// here is already in tierwatch's terms; `PolicyYAML` writes it.
public struct Draft: Sendable, Equatable {
    public struct Person: Sendable, Equatable {
        public var id: String, name: String
        public var phones: [String] = []
        public var email: String?
        public var zone: String?
        public var source: String
    }

    public struct Rotation: Sendable, Equatable {
        public var people: [String]
        public var shift: String
        /// `Mon 09:00` or `09:00`.
        public var handoff: String
        /// YYYY-MM-DD: the first handoff's date on the schedule's clock.
        public var start: String
        public var days: String?
        public var hours: String?
        /// Where it came from, written as a comment beside it.
        public var source: String
    }

    public struct Schedule: Sendable, Equatable {
        public var id: String, name: String, zone: String
        public var rotations: [Rotation]
        public var source: String
    }

    public struct Contact: Sendable, Equatable {
        public var id: String, name: String
        public var person: String?
        public var schedule: String?
    }

    public struct Tier: Sendable, Equatable {
        public var id: String, name: String
        /// Minutes after `from` ("open" or a tier id); nil: a leading tier.
        public var startAfter: Int?
        public var from: String?
        public var notifyWithin: Int?
        public var require: String
        public var unlessAcknowledged: Bool
        public var contacts: [Contact]
        public var source: String
    }

    public struct Override: Sendable, Equatable {
        public var schedule: String, person: String
        public var from: Date, to: Date
        public var source: String
    }

    public var name: String
    public var source: String
    public var people: [Person] = []
    public var schedules: [Schedule] = []
    public var tiers: [Tier] = []
    public var overrides: [Override] = []

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

/// What became of each object of the source: mapped as it is, mapped to
/// something close (and how it differs), or not mapped at all (and why).
public struct Finding: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable { case mapped, approximated, unmapped = "not mapped" }
    public var outcome: Outcome
    /// "user", "schedule", "layer", "override", "escalation policy", "rule"…
    public var kind: String
    /// The source object's id, as the service has it.
    public var id: String
    public var name: String
    public var detail: String

    public init(_ outcome: Outcome, _ kind: String, id: String, name: String = "", _ detail: String) {
        self.outcome = outcome
        self.kind = kind
        self.id = id
        self.name = name
        self.detail = detail
    }
}

/// The result of reading one service's files.
public struct Imported: Sendable {
    public var draft: Draft
    public var findings: [Finding]

    /// Whether anything could not be mapped: the import then exits 1.
    public var incomplete: Bool { findings.contains { $0.outcome == .unmapped } }

    /// The report, grouped by outcome, one line per object.
    public func report() -> String {
        var out: [String] = []
        for outcome in Finding.Outcome.allCases {
            let these = findings.filter { $0.outcome == outcome }
            guard !these.isEmpty else { continue }
            out.append("\(outcome.rawValue.prefix(1).uppercased())\(outcome.rawValue.dropFirst()) (\(these.count)):")
            for f in these {
                let name = f.name.isEmpty ? "" : " \"\(f.name)\""
                out.append("  \(f.kind) \(f.id)\(name): \(f.detail)")
            }
        }
        let counts = Finding.Outcome.allCases.map { o in "\(findings.filter { $0.outcome == o }.count) \(o.rawValue)" }
        out.append("\(draft.source): \(counts.joined(separator: ", ")).")
        return out.joined(separator: "\n") + "\n"
    }
}

/// tierwatch ids (a-z, 0-9, '-', '_') for the source's objects, unique
/// within their kind, made from a name where there is one.
struct IDs {
    private var taken: Set<String> = []
    private var bySource: [String: String] = [:]
    /// The next suffix to try per base: no search from -2 again each time.
    private var nextSuffix: [String: Int] = [:]

    subscript(source: String) -> String? { bySource[source] }

    mutating func make(for source: String, from name: String) -> String {
        if let known = bySource[source] { return known }
        var base = IDs.slug(name)
        if base.isEmpty { base = IDs.slug(source) }
        if base.isEmpty { base = "id" }
        var id = base
        var n = nextSuffix[base] ?? 2
        while taken.contains(id) {
            id = "\(base)-\(n)"
            n += 1
        }
        nextSuffix[base] = n
        taken.insert(id)
        bySource[source] = id
        return id
    }

    /// ASCII letters and digits joined by '-': "José Ñúñez" → "jose-nunez".
    static func slug(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
        var out = ""
        var dash = false
        for s in folded.unicodeScalars {
            if ("a"..."z").contains(s) || ("0"..."9").contains(s) {
                if dash && !out.isEmpty { out += "-" }
                out.unicodeScalars.append(s)
                dash = false
            } else {
                dash = true
            }
            if out.count >= 40 { break }
        }
        return out
    }
}

/// The arithmetic every source shares: turn lengths, handoffs on a wall
/// clock, and windows of the week.
enum Clock {
    static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// A zone's name as a policy takes it: a tz database name (Area/City)
    /// or UTC (Foundation calls UTC "GMT"); nil for what a policy refuses.
    static func zoneName(_ name: String) -> String? {
        if ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Z"].contains(name) { return "UTC" }
        guard name.contains("/"), TimeZone(identifier: name) != nil else { return nil }
        return name
    }

    /// A turn's length as a tierwatch shift; nil when it is not a whole
    /// number of hours.
    static func shift(seconds: Int) -> String? {
        guard seconds > 0, seconds % 3600 == 0 else { return nil }
        if seconds % (7 * 86400) == 0 { return seconds == 7 * 86400 ? "weekly" : "\(seconds / (7 * 86400))w" }
        if seconds % 86400 == 0 { return seconds == 86400 ? "daily" : "\(seconds / 86400)d" }
        return "\(seconds / 3600)h"
    }

    /// A wall-clock reading of an instant in a zone.
    struct Local {
        var date: String
        /// ISO weekday, 1 = Monday.
        var weekday: Int
        var minutes: Int
        var seconds: Int
    }

    static func local(_ t: Date, in zone: TimeZone) -> Local {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: t)
        return Local(date: String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!),
                     weekday: (c.weekday! + 5) % 7 + 1, minutes: c.hour! * 60 + c.minute!, seconds: c.second!)
    }

    static func hhmm(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60 % 24, minutes % 60) }

    /// The handoff as a policy writes it: a weekly turn names its weekday.
    static func handoff(_ l: Local, shift: String) -> String {
        shift.hasSuffix("w") || shift == "weekly" ? "\(dayNames[l.weekday - 1]) \(hhmm(l.minutes))" : hhmm(l.minutes)
    }

    /// One span of the week on the wall clock: from a weekday (1 = Monday)
    /// and minute of the day, for so many minutes.
    struct Span: Equatable {
        var weekday: Int, minute: Int, length: Int
    }

    /// The `only:` windows that cover exactly the spans: a span of several
    /// days becomes 24-hour windows from its start time plus a last short
    /// one; windows with the same hours share one rotation (one `only:`),
    /// so a layer may become several rotations with the same turns. nil:
    /// the spans cover the whole week (no restriction).
    static func windows(_ spans: [Span]) -> [(days: String, hours: String)]? {
        var byHours: [String: Set<Int>] = [:]
        var order: [String] = []
        var total = 0
        for s in spans where s.length > 0 {
            let length = min(s.length, 7 * 1440)
            total += length
            var left = length
            var day = s.weekday
            while left > 0 {
                let piece = min(left, 1440)
                let hours = "\(hhmm(s.minute))-\(hhmm(s.minute + piece))"
                if byHours[hours] == nil { order.append(hours) }
                byHours[hours, default: []].insert(day)
                left -= piece
                day = day % 7 + 1
            }
        }
        if total >= 7 * 1440 && byHours.count == 1 && byHours.values.first?.count == 7 { return nil }
        return order.map { (days(byHours[$0]!), $0) }
    }

    /// `Mon-Fri`, `Sat,Sun`, `Mon,Wed-Fri`.
    static func days(_ set: Set<Int>) -> String {
        if set.count == 7 { return "every day" }
        var parts: [String] = []
        var d = 1
        while d <= 7 {
            guard set.contains(d) else { d += 1; continue }
            var e = d
            while e < 7 && set.contains(e + 1) { e += 1 }
            parts.append(e == d ? dayNames[d - 1] : e == d + 1 ? "\(dayNames[d - 1]),\(dayNames[e - 1])" : "\(dayNames[d - 1])-\(dayNames[e - 1])")
            d = e + 1
        }
        return parts.joined(separator: ",")
    }

    /// Minutes as a policy writes a duration.
    static func duration(_ minutes: Int) -> String {
        if minutes % 60 == 0 && minutes > 0 { return "\(minutes / 60)h" }
        if minutes > 60 { return "\(minutes / 60)h\(minutes % 60)m" }
        return "\(minutes)m"
    }
}
