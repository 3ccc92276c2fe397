import Foundation
import Yams

/// The policy's people and on-call schedules.
extension PolicyParser {
    // MARK: People and schedules

    func parsePeople(_ node: Node) throws(PolicyError) -> [Person] {
        guard let seq = node.sequence else { throw error(node, "'people' must be a list of people, e.g. - { id: ana, name: Ana Lima, phone: \"+1 555 0142\" }") }
        var out: [Person] = []
        for p in seq {
            let m = try mapping(p, "a person", keys: ["id", "name", "phone", "phones", "email", "zone", "note", "notify"])
            let id = try requiredString(m, p, "id")
            try checkID(id, m["id"]!)
            if out.contains(where: { $0.id == id }) { throw error(m["id"], "duplicate person id '\(id)'") }
            let name = try requiredString(m, p, "name")
            var phones: [String] = []
            if let one = m["phone"] { phones.append(try string(one, "phone")) }
            if let many = m["phones"] {
                guard let list = many.sequence else { throw error(many, "'phones' must be a list of numbers") }
                for n in list { phones.append(try string(n, "phones")) }
            }
            var person = Person(id: id, name: name, phones: phones.filter { !$0.trimmingSpaces.isEmpty },
                                email: try m["email"].map { n throws(PolicyError) in try string(n, "email") },
                                zone: try m["zone"].map { n throws(PolicyError) in try zone(n) },
                                note: try m["note"].map { n throws(PolicyError) in try string(n, "note") })
            if let n = m["notify"] {
                for item in n.sequence ?? [n] { person.notify.append(try appriseURL(item)) }
            }
            out.append(person)
        }
        return out
    }

    func parseSchedules(_ node: Node) throws(PolicyError) -> [Schedule] {
        guard let seq = node.sequence else { throw error(node, "'schedules' must be a list of on-call schedules") }
        var out: [Schedule] = []
        for sNode in seq {
            let m = try mapping(sNode, "a schedule", keys: ["id", "name", "zone", "rotations"])
            let id = try requiredString(m, sNode, "id")
            try checkID(id, m["id"]!)
            if out.contains(where: { $0.id == id }) { throw error(m["id"], "duplicate schedule id '\(id)'") }
            let name = try m["name"].map { n throws(PolicyError) in try string(n, "name") } ?? id
            guard let zoneNode = m["zone"] else { throw error(sNode, "schedule '\(id)' needs a time zone (zone: Europe/Berlin): handoffs are wall-clock times there") }
            let tz = try zone(zoneNode)
            guard let rNode = m["rotations"], let rSeq = rNode.sequence, !rSeq.isEmpty else {
                throw error(m["rotations"] ?? sNode, "schedule '\(id)' has no participants: give it 'rotations', a list with at least one rotation of people")
            }
            var layers: [Rotation] = []
            for r in rSeq { layers.append(try parseRotation(r, schedule: id)) }
            out.append(Schedule(id: id, name: name, zone: tz, layers: layers))
        }
        return out
    }

    func parseRotation(_ node: Node, schedule: String) throws(PolicyError) -> Rotation {
        let m = try mapping(node, "a rotation", keys: ["people", "shift", "handoff", "start", "only"])
        guard let pNode = m["people"], let pSeq = pNode.sequence, !pSeq.isEmpty else {
            throw error(m["people"] ?? node, "a rotation of schedule '\(schedule)' has no participants: list them, people: [ana, ben]")
        }
        var ids: [String] = []
        for p in pSeq { ids.append(try personRef(p, "people")) }
        guard let shiftNode = m["shift"] else { throw error(node, "a rotation needs a shift: daily, weekly, or e.g. 12h, 3d, 2w") }
        let shiftText = try string(shiftNode, "shift")
        guard let shift = PolicyParser.shift(shiftText) else {
            throw error(shiftNode, "'shift' must be daily, weekly, or a number of hours, days or weeks (12h, 3d, 2w), not '\(shiftText)'")
        }
        var weekday: Int?
        var time = WallTime(hour: 0)
        if let h = m["handoff"] {
            let text = try string(h, "handoff")
            guard let parsed = PolicyParser.handoff(text) else {
                throw error(h, "'handoff' must be a time of day, optionally after a weekday: 09:00 or Mon 09:00, not '\(text)'")
            }
            (weekday, time) = parsed
        }
        guard let startNode = m["start"] else { throw error(node, "a rotation needs a start date (start: 2026-11-02): the first handoff, the first person's first shift") }
        let startText = try string(startNode, "start")
        guard let date = PolicyParser.date(startText) else { throw error(startNode, "'start' must be a date, YYYY-MM-DD, not '\(startText)'") }
        if let weekday, PolicyParser.weekday(of: date) != weekday {
            throw error(startNode, "start \(startText) is a \(PolicyParser.dayNames[PolicyParser.weekday(of: date) - 1]) but the handoff is on \(PolicyParser.dayNames[weekday - 1]): start on the day of the first handoff")
        }
        var restriction: Rotation.Restriction?
        if let only = m["only"] {
            let o = try mapping(only, "'only'", keys: ["days", "hours"])
            var days = Set(1...7)
            if let d = o["days"] {
                let text = try string(d, "days")
                guard let parsed = PolicyParser.days(text) else { throw error(d, "'days' must be weekdays like Mon-Fri or Sat,Sun, not '\(text)'") }
                days = parsed
            }
            var (from, to) = (WallTime(hour: 0), WallTime(hour: 0))
            if let h = o["hours"] {
                let text = try string(h, "hours")
                guard let parsed = PolicyParser.hours(text) else { throw error(h, "'hours' must be a span of the day like 09:00-17:00 (or 22:00-06:00 past midnight), not '\(text)'") }
                (from, to) = parsed
            }
            restriction = Rotation.Restriction(weekdays: days, from: from, to: to)
        }
        return Rotation(people: ids, shift: shift,
                        start: LocalDateTime(year: date.y, month: date.m, day: date.d, time: time), restriction: restriction)
    }

    /// A person id that must be in the directory.
    func personRef(_ node: Node, _ key: String) throws(PolicyError) -> String {
        let id = try string(node, key)
        guard people.contains(where: { $0.id == id }) else {
            let hint = people.isEmpty ? " (the policy has no 'people:' directory)" : Suggest.didYouMean(id, among: people.map { [$0.id, $0.name] })
            throw error(node, "unknown person '\(id)'\(hint)")
        }
        return id
    }

    func scheduleRef(_ node: Node) throws(PolicyError) -> String {
        let id = try string(node, "schedule")
        guard schedules.contains(where: { $0.id == id }) else {
            let hint = schedules.isEmpty ? " (the policy has no 'schedules:')" : Suggest.didYouMean(id, among: schedules.map(\.id))
            throw error(node, "unknown schedule '\(id)'\(hint)")
        }
        return id
    }

    func zone(_ node: Node) throws(PolicyError) -> TimeZone {
        let name = try string(node, "zone")
        guard name.contains("/") || name == "UTC", let tz = TimeZone(identifier: name) else {
            throw error(node, "unknown time zone '\(name)'\(Suggest.didYouMean(name, among: TimeZone.knownTimeZoneIdentifiers)) (a tz database name such as Europe/Berlin or America/New_York)")
        }
        return tz
    }

    /// How far ahead `policy check` looks for hours nobody covers: two
    /// weeks see every weekday restriction twice.
    static let coverageHorizon: TimeInterval = 14 * 86400

    /// A warning for each schedule a contact names that leaves nobody on
    /// call at some instant (restricted layers with a gap between them),
    /// with the first such instant after every rotation has started.
    mutating func warnUncovered(_ policy: Policy) {
        var seen: Set<String> = []
        for use in scheduleUses where !use.fallback && seen.insert(use.schedule).inserted {
            guard let s = policy.schedule(use.schedule) else { continue }
            // A rotation that has not started yet leaves nobody on call until it does.
            if let first = s.firstCovered, first > now {
                var w = error(use.node, "schedule '\(s.id)' has nobody on call until \(ISOTime.format(first)) (\(Words.localTime(first, zone: s.zone))), when its first rotation starts: contact '\(use.contact)' of tier '\(use.tier)' has nobody to call before then")
                w.isWarning = true
                warnings.append(w)
                continue
            }
            guard let gap = s.firstUncovered(within: PolicyParser.coverageHorizon) else { continue }
            let local = Words.localTime(gap, zone: s.zone)
            var w = error(use.node, "schedule '\(s.id)' leaves nobody on call from \(ISOTime.format(gap)) (\(local)): contact '\(use.contact)' of tier '\(use.tier)' has nobody to call then (add a 24/7 layer, or a fallback person: on the contact)")
            w.isWarning = true
            warnings.append(w)
        }
    }

    static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func shift(_ text: String) -> Rotation.Shift? {
        switch text.lowercased() {
        case "daily": return .days(1)
        case "weekly": return .weeks(1)
        default:
            guard let unit = text.last, let n = Int(text.dropLast()), n >= 1, n <= 1000 else { return nil }
            switch unit {
            case "h": return .hours(n)
            case "d": return .days(n)
            case "w": return .weeks(n)
            default: return nil
            }
        }
    }

    static func time(_ text: String) -> WallTime? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...23).contains(h), (0...59).contains(m) else { return nil }
        return WallTime(hour: h, minute: m)
    }

    static func day(_ text: Substring) -> Int? {
        dayNames.firstIndex { $0.lowercased() == text.prefix(3).lowercased() && text.count >= 3 }.map { $0 + 1 }
    }

    /// `09:00` or `Mon 09:00`.
    static func handoff(_ text: String) -> (weekday: Int?, time: WallTime)? {
        let words = text.split(separator: " ")
        switch words.count {
        case 1: return time(String(words[0])).map { (nil, $0) }
        case 2:
            guard let d = day(words[0]), let t = time(String(words[1])) else { return nil }
            return (d, t)
        default: return nil
        }
    }

    /// `Mon-Fri`, `Sat,Sun`, `Mon-Wed,Fri`, `every day`.
    static func days(_ text: String) -> Set<Int>? {
        if ["every day", "daily", "all"].contains(text.lowercased()) { return Set(1...7) }
        var out: Set<Int> = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard (1...2).contains(ends.count), let a = day(Substring(ends[0])), let b = day(Substring(ends[ends.count - 1])) else { return nil }
            var d = a
            while true {
                out.insert(d)
                if d == b { break }
                d = d % 7 + 1
            }
        }
        return out.isEmpty ? nil : out
    }

    /// `09:00-17:00`; `22:00-06:00` runs past midnight; `00:00-00:00` all day.
    static func hours(_ text: String) -> (WallTime, WallTime)? {
        let ends = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard ends.count == 2, let a = time(ends[0]), let b = time(ends[1] == "24:00" ? "00:00" : ends[1]) else { return nil }
        return (a, b)
    }

    static func date(_ text: String) -> (y: Int, m: Int, d: Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        // No 30 February: the date must come back from its day number.
        let days = ISOTime.daysFromCivil(Int64(y), Int64(m), Int64(d))
        guard ISOTime.format(Date(timeIntervalSince1970: Double(days) * 86400)).hasPrefix(text.count == 10 ? text : String(format: "%04d-%02d-%02d", y, m, d)) else { return nil }
        return (y, m, d)
    }

    /// ISO weekday, 1 = Monday.
    static func weekday(of date: (y: Int, m: Int, d: Int)) -> Int {
        let days = Int(ISOTime.daysFromCivil(Int64(date.y), Int64(date.m), Int64(date.d)))
        return ((days + 3) % 7 + 7) % 7 + 1
    }
}
