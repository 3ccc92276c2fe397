import Foundation
import Synchronization

// Who is on call: derived from (schedule, overrides, instant) like the
// ladder, never written by a timer. People and schedules are written in the
// policy (`people:`, `schedules:`, parsed by `PolicyParser`); overrides are
// events in the store (`OverrideLog`); `Policy.callee` puts them together
// for one contact at one instant.

/// Someone who can be called.
public struct Person: Sendable, Equatable {
    public var id: String
    public var name: String
    /// As written; the first is the one to dial.
    public var phones: [String]
    public var email: String?
    /// Where they live, to show their local time (nil: not given).
    public var zone: TimeZone?
    public var note: String?
    /// Where notifications reach them: Apprise URLs (never in `--json`:
    /// they hold tokens).
    public var notify: [String] = []

    public init(id: String, name: String, phones: [String] = [], email: String? = nil, zone: TimeZone? = nil, note: String? = nil) {
        self.id = id
        self.name = name
        self.phones = phones
        self.email = email
        self.zone = zone
        self.note = note
    }

    /// The number to dial, else nil.
    public var phone: String? { phones.first }
}

/// A person as an event records them: the id and the name as it was, so
/// history reads the same after the directory changes. A class: an event
/// in memory carries one pointer for it, not two strings.
public final class PersonRef: Sendable, Equatable, CustomStringConvertible {
    public let id: String
    public let name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    public convenience init(_ p: Person) { self.init(id: p.id, name: p.name) }

    public static func == (a: PersonRef, b: PersonRef) -> Bool { a.id == b.id && a.name == b.name }

    public var description: String { name }
}

/// The person a call went to, as an event holds it: four bytes, an index
/// into the process's table of people seen (`PersonRef`), so that every
/// event in memory stays as small as before people were recorded on calls
/// (a year's store holds a million events). 0: none.
public struct CalledPerson: Sendable, Hashable, ExpressibleByNilLiteral {
    let index: UInt32

    public init(nilLiteral: ()) { index = 0 }

    public init(_ ref: PersonRef?) {
        index = ref.map(CalledPerson.intern) ?? 0
    }

    /// The person, or nil.
    public var ref: PersonRef? { index == 0 ? nil : CalledPerson.table.withLock { $0.refs[Int(index) - 1] } }

    private struct Table {
        var refs: [PersonRef] = []
        var byKey: [String: UInt32] = [:]
    }
    private static let table = Mutex(Table())

    private static func intern(_ r: PersonRef) -> UInt32 {
        table.withLock { t in
            let key = r.id + "\u{1F}" + r.name
            if let k = t.byKey[key] { return k }
            t.refs.append(r)
            let k = UInt32(t.refs.count)
            t.byKey[key] = k
            return k
        }
    }
}

/// A time of day on the wall clock of a schedule's zone, in minutes from midnight.
public struct WallTime: Sendable, Equatable, Comparable {
    public var minutes: Int

    public init(hour: Int, minute: Int = 0) { minutes = hour * 60 + minute }

    public static func < (a: WallTime, b: WallTime) -> Bool { a.minutes < b.minutes }
}

/// One layer of a schedule: people taking turns, one shift each.
public struct Rotation: Sendable, Equatable {
    /// A shift's length on the wall clock: a daily shift that spans a
    /// daylight saving change lasts 23 or 25 hours, and handoffs stay at
    /// the same wall time.
    public enum Shift: Sendable, Equatable {
        case hours(Int)
        case days(Int)
        case weeks(Int)

        var naiveSeconds: Int {
            switch self {
            case let .hours(n): n * 3600
            case let .days(n): n * 86400
            case let .weeks(n): n * 7 * 86400
            }
        }
    }

    /// When the layer covers the clock at all (a business-hours layer over
    /// a 24/7 one); nil: always.
    public struct Restriction: Sendable, Equatable {
        /// ISO weekdays, 1 = Monday … 7 = Sunday.
        public var weekdays: Set<Int>
        /// From `from` (inclusive) to `to` (exclusive) on those days; `to`
        /// at or before `from` runs past midnight into the next day.
        public var from: WallTime
        public var to: WallTime

        public init(weekdays: Set<Int>, from: WallTime, to: WallTime) {
            self.weekdays = weekdays
            self.from = from
            self.to = to
        }
    }

    /// Person ids, in turn order.
    public var people: [String]
    public var shift: Shift
    /// The first handoff: a date and a wall time in the schedule's zone
    /// (a weekly rotation handing off on Mondays at 09:00 starts on a Monday).
    public var start: LocalDateTime
    public var restriction: Restriction?

    public init(people: [String], shift: Shift, start: LocalDateTime, restriction: Restriction? = nil) {
        self.people = people
        self.shift = shift
        self.start = start
        self.restriction = restriction
    }
}

/// A date and a time on a wall clock, without a zone.
public struct LocalDateTime: Sendable, Equatable {
    public var year: Int, month: Int, day: Int
    public var time: WallTime

    public init(year: Int, month: Int, day: Int, time: WallTime) {
        self.year = year
        self.month = month
        self.day = day
        self.time = time
    }

    /// Seconds since 1970-01-01 00:00 on this wall clock, as if it never
    /// changed its offset: the arithmetic of shifts happens here.
    var naive: Int { Int(ISOTime.daysFromCivil(Int64(year), Int64(month), Int64(day))) * 86400 + time.minutes * 60 }
}

/// A schedule: a zone and layers; the first layer that covers an instant
/// decides who is on call then.
public struct Schedule: Sendable, Equatable {
    public var id: String
    public var name: String
    public var zone: TimeZone
    public var layers: [Rotation]

    public init(id: String, name: String, zone: TimeZone, layers: [Rotation]) {
        self.id = id
        self.name = name
        self.zone = zone
        self.layers = layers
    }
}

/// Someone on call instead of the rotation for a while.
public struct Override: Sendable, Equatable {
    public var id: String
    public var schedule: String
    public var person: String
    public var from: Date
    public var to: Date
    /// Only while this person would be on call; nil: whoever it is.
    public var replacing: String?
    /// Later overrides win where two overlap: the order they were recorded in.
    public var order: Int
    /// When it was cancelled: it holds until then, never after (a cancel
    /// does not rewrite who was on call before it).
    public var cancelled: Date?
    /// The person as the override recorded them (name, number), for a
    /// reader whose directory does not know them.
    public var snapshot: Person?
    /// Who recorded it, and when.
    public var by: String?
    public var recordedAt: Date?

    public init(id: String, schedule: String, person: String, from: Date, to: Date, replacing: String? = nil, order: Int,
                cancelled: Date? = nil, snapshot: Person? = nil, by: String? = nil, recordedAt: Date? = nil) {
        self.id = id
        self.schedule = schedule
        self.person = person
        self.from = from
        self.to = to
        self.replacing = replacing
        self.order = order
        self.cancelled = cancelled
        self.snapshot = snapshot
        self.by = by
        self.recordedAt = recordedAt
    }

    /// When it stops holding: its end, or its cancellation if earlier.
    public var end: Date { cancelled.map { min($0, to) } ?? to }

    /// Whether it decides anything at or after `t`.
    public func matters(after t: Date) -> Bool { end > t && end > from }
}

/// Who is on call at one instant, and until when that holds.
public struct OnCall: Sendable, Equatable {
    /// nil: nobody (no layer covers the instant).
    public var person: String?
    /// When this answer may change next (a handoff, a restriction's edge,
    /// an override's start or end); nil: never.
    public var until: Date?
    /// The override in force, if one decides.
    public var override: String?
    /// The layer that decides (nil with an override or nobody).
    public var layer: Int?

    public init(person: String?, until: Date?, override: String?, layer: Int?) {
        self.person = person
        self.until = until
        self.override = override
        self.layer = layer
    }
}

extension Schedule {
    /// Who is on call at `t`, given the overrides recorded for any schedule.
    public func onCall(at t: Date, overrides: [Override] = []) -> OnCall {
        var (person, layer, until) = rotationOnCall(at: t)
        var winner: Override?
        for o in overrides where o.schedule == id {
            if o.from <= t, t < o.end, o.replacing == nil || o.replacing == person, (winner?.order ?? .min) < o.order { winner = o }
            // Any override edge ahead can change the answer.
            for edge in [o.from, o.end] where edge > t && until.map({ edge < $0 }) ?? true { until = edge }
        }
        if let w = winner {
            person = w.person
            layer = nil
        }
        return OnCall(person: person, until: until, override: winner?.id, layer: layer)
    }

    /// Like `onCall`, with `until` the next instant the *person* changes:
    /// a handoff to the same person, or an override that ends where the
    /// rotation has the same one, is no change to the operator.
    public func onCallUntilChange(at t: Date, overrides: [Override] = []) -> OnCall {
        var answer = onCall(at: t, overrides: overrides)
        var until = answer.until
        for _ in 0..<500 {
            guard let u = until else { break }
            let then = onCall(at: u, overrides: overrides)
            if then.person != answer.person {
                answer.until = u
                return answer
            }
            until = then.until
        }
        // The same person at every handoff ahead (a rotation of one): on
        // call until further notice, not until an invented date.
        answer.until = nil
        return answer
    }

    /// The first instant, from the earliest layer's start to `horizon`
    /// after the latest one's, at which no layer covers the clock
    /// (overrides aside): restricted layers with a gap between them, or a
    /// layer that starts later than the others. nil: none.
    public func firstUncovered(within horizon: TimeInterval) -> Date? {
        let starts = layers.map { instant($0.start) }
        guard let begin = starts.min(), let last = starts.max() else { return nil }
        let end = last.addingTimeInterval(horizon)
        var t = begin
        for _ in 0..<5000 where t < end {
            let now = onCall(at: t)
            if now.person == nil { return t }
            guard let next = now.until else { return nil }
            t = next
        }
        return nil
    }

    /// The first instant anyone is on call: before it, nobody is.
    public var firstCovered: Date? { layers.map { instant($0.start) }.min() }

    /// The handoffs between `from` and `to`: each instant the person on
    /// call changes, with who takes over (at most `limit` of them).
    public func handoffs(from: Date, to: Date, overrides: [Override] = [], limit: Int = 1000) -> [(at: Date, person: String?)] {
        var out: [(Date, String?)] = []
        var t = from
        var current = onCall(at: t, overrides: overrides).person
        while out.count < limit {
            guard let next = onCall(at: t, overrides: overrides).until, next < to else { break }
            t = next
            let p = onCall(at: t, overrides: overrides).person
            if p != current { out.append((t, p)) }
            current = p
        }
        return out
    }

    /// The layer-by-layer answer, without overrides.
    func rotationOnCall(at t: Date) -> (person: String?, layer: Int?, until: Date?) {
        var until: Date?
        func soonest(_ d: Date?) { if let d, d > t, until.map({ d < $0 }) ?? true { until = d } }
        for (k, r) in layers.enumerated() where !r.people.isEmpty {
            let edge = coverageEdge(r, at: t)
            soonest(edge.next)
            guard edge.covers else { continue }
            let (index, next) = shift(r, at: t)
            soonest(next)
            guard let index else { continue }  // before the rotation's start
            return (r.people[index % r.people.count], k, until)
        }
        return (nil, nil, until)
    }

    /// The shift in force at `t` (nil before the first) and the next handoff.
    func shift(_ r: Rotation, at t: Date) -> (index: Int?, next: Date) {
        let start = r.start.naive
        let length = r.shift.naiveSeconds
        let first = instant(naive: start)
        guard t >= first else { return (nil, first) }
        // Estimate on the naive clock, then settle against real instants.
        var k = max(0, (naive(t) - start) / length)
        while k > 0 && instant(naive: start + k * length) > t { k -= 1 }
        while instant(naive: start + (k + 1) * length) <= t { k += 1 }
        return (k, instant(naive: start + (k + 1) * length))
    }

    /// Whether the layer covers `t`, and when that next changes.
    func coverageEdge(_ r: Rotation, at t: Date) -> (covers: Bool, next: Date?) {
        guard let rule = r.restriction else { return (true, nil) }
        // The window that opened most recently (today's or yesterday's, one
        // that runs past midnight) decides; the next edge is the nearest of
        // the windows around today.
        let day = naive(t) / 86400
        var covers = false
        var next: Date?
        for d in (day - 1)...(day + 7) {
            let weekday = ((d + 3) % 7 + 7) % 7 + 1  // 1970-01-01 was a Thursday (ISO 4)
            guard rule.weekdays.contains(weekday) else { continue }
            let open = d * 86400 + rule.from.minutes * 60
            let close = (rule.to > rule.from ? d : d + 1) * 86400 + rule.to.minutes * 60
            let (a, b) = (instant(naive: open), instant(naive: close))
            if a <= t && t < b { covers = true }
            for edge in [a, b] where edge > t && next.map({ edge < $0 }) ?? true { next = edge }
        }
        return (covers, next)
    }

    /// `t` on the schedule's wall clock, in naive seconds.
    func naive(_ t: Date) -> Int {
        let s = Int(t.timeIntervalSince1970.rounded(.down))
        return s + zone.secondsFromGMT(for: t)
    }

    /// The instant a wall-clock time names in the zone. A time in a
    /// spring-forward gap (02:30 when 02:00 jumps to 03:00) is the first
    /// instant after the gap; a time a fall-back repeats is its first
    /// occurrence.
    public func instant(naive n: Int) -> Date {
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(n - 36 * 3600)))
        let after = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(n + 36 * 3600)))
        let valid = Set([before, after]).map { n - $0 }.filter {
            zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))) == n - $0
        }
        if let first = valid.min() { return Date(timeIntervalSince1970: Double(first)) }
        // In the gap: the transition itself.
        let from = Date(timeIntervalSince1970: Double(n - before - 36 * 3600))
        return zone.nextDaylightSavingTimeTransition(after: from) ?? Date(timeIntervalSince1970: Double(n - before))
    }

    /// The instant of a local date and time in the zone (see `instant(naive:)`).
    public func instant(_ local: LocalDateTime) -> Date { instant(naive: local.naive) }
}
