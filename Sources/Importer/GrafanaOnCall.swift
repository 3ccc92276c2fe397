import Escalation
import Foundation

/// Grafana OnCall's public API v1, as `curl` saves it: each a page of
/// `results`; a file is known by what its objects hold. Users
/// (`username`), schedules (`on_call_now`, `type`), on-call shifts
/// (`rotation_start` or `duration`), escalation chains and their policies
/// (`escalation_chain_id`), teams.
///
/// - A schedule's shifts sit on levels: the higher level decides; an
///   override shift replaces everyone for its span.
/// - `rolling_users` groups take turns every `interval` × `frequency`; each
///   occurrence lasts `duration` seconds from `start`'s time of day, on the
///   `by_day` days. Times are wall-clock times in the shift's `time_zone`
///   (UTC when it has none).
/// - An escalation chain's policies run in `position` order: `wait` holds
///   the climb, a notify step calls; `repeat_escalation` starts it again.
/// - The public API has no phone numbers: people come with their e-mail.
struct GrafanaOnCall {
    var users: [Doc] = [], schedules: [Doc] = [], shifts: [Doc] = [], chains: [Doc] = [], steps: [Doc] = [], teams: [Doc] = []
    let now: Date

    init(docs: [Doc], now: Date) throws {
        self.now = now
        for doc in docs {
            guard doc.has("results") else {
                throw ImportError("\(doc.file): not a Grafana OnCall API response: expected a page with 'results' at the top")
            }
            for item in try doc["results"].array() {
                if item.has("escalation_chain_id") { steps.append(item) }
                else if item.has("username") { users.append(item) }
                else if item.has("on_call_now") || item.has("ical_url_primary") { schedules.append(item) }
                else if item.has("rotation_start") || item.has("duration") && item.has("type") { shifts.append(item) }
                else if item.has("avatar_url") || item.has("email") && item.has("name") { teams.append(item) }
                else if item.has("name") && item.has("id") { chains.append(item) }
                else { throw ImportError("\(doc.file): \(item.path) is not a Grafana OnCall user, schedule, shift, escalation chain, policy or team") }
            }
        }
    }

    func read(escalation: String?) throws -> Imported {
        var chainList = try chains.map { (d: Doc) in (id: try d["id"].required(), name: try d["name"].string() ?? "", doc: d) }
        for s in steps {
            let c = try s["escalation_chain_id"].required()
            if !chainList.contains(where: { $0.id == c }) { chainList.append((c, c, s)) }
        }
        var b = Builder(source: "Grafana OnCall", name: named(chainList, escalation) ?? "grafana-oncall", now: now)
        for u in users {
            let id = try u["id"].required()
            let username = try u["username"].string()
            b.person(source: id, name: try u["name"].string() ?? username ?? "", phones: [], email: try u["email"].string(), zone: try u["timezone"].string())
        }
        for s in schedules { try schedule(s, into: &b) }
        for t in teams {
            b.note(Finding(.approximated, "team", id: try t["id"].required(), name: try t["name"].string() ?? "",
                           "tierwatch has no teams: its people and schedules are imported on their own"))
        }
        if let chosen = try choose(chainList, wanted: escalation, kind: "escalation chain", into: &b) {
            try ladder(chosen.id, name: chosen.name, into: &b)
        }
        return b.imported
    }

    private func schedule(_ s: Doc, into b: inout Builder) throws {
        let id = try s["id"].required()
        let name = try s["name"].string() ?? id
        if try s["type"].string() == "ical" {
            b.note(Finding(.unmapped, "schedule", id: id, name: name, "an iCal schedule: its shifts live in a calendar feed (ical_url_primary), not in the API; recreate it as rotations"))
            return
        }
        let listed = try s["shifts"].array().compactMap { (d: Doc) in try d.string() }
        var mine: [Doc] = []
        for sh in shifts where try sh["schedule"].string() == id || listed.contains(try sh["id"].string() ?? "") { mine.append(sh) }
        // A shift without a zone: on a web schedule UTC's clock, on a
        // calendar schedule the schedule's own (as OnCall reads them).
        let utc = TimeZone(identifier: "UTC")!
        let fallback = try s["type"].string() == "web" ? utc : try s["time_zone"].zone() ?? utc
        let zones = try mine.filter { (d: Doc) in try d["type"].string() != "override" }.map { (d: Doc) in try d["time_zone"].zone() ?? fallback }
        let zone = zones.first ?? fallback
        if Set(zones.map(\.identifier)).count > 1 {
            b.note(Finding(.approximated, "schedule", id: id, name: name,
                           "its shifts are in several time zones (\(Set(zones.map(\.identifier)).sorted().joined(separator: ", "))); tierwatch reads them all on \(zone.identifier)'s clock"))
        }
        // Higher levels decide first.
        let ordered = mine.enumerated().sorted { (a, b) in
            let la = (try? a.element["level"].int()) ?? 0, lb = (try? b.element["level"].int()) ?? 0
            return la != lb ? la > lb : a.offset < b.offset
        }.map(\.element)
        var layers: [Builder.Layer] = []
        var later: [(Doc, TimeZone)] = []
        for sh in ordered {
            let shiftZone = try sh["time_zone"].zone() ?? fallback
            switch try sh["type"].string() ?? "" {
            case "override", "single_event": later.append((sh, shiftZone))
            case "rolling_users", "recurrent_event":
                if let layer = try layer(sh, zone: shiftZone, clock: zone, into: &b) { layers.append(layer) }
            case let other:
                b.note(Finding(.unmapped, "shift", id: try sh["id"].required(), name: try sh["name"].string() ?? "", "a shift of type '\(other)'"))
            }
        }
        b.schedule(source: id, name: name, zone: zone, layers: layers)
        for (sh, shiftZone) in later { try override(sh, schedule: id, zone: shiftZone, into: &b) }
    }

    /// A wall-clock time in a zone (the API writes none of its own).
    private func instant(_ d: Doc, zone: TimeZone) throws -> Date? {
        guard let text = try d.string() else { return nil }
        let zoned = text.hasSuffix("Z") || text.dropFirst(19).contains { $0 == "+" || $0 == "-" }
        if zoned, let t = ISOTime.parse(text) { return t }
        guard !zoned, let naive = ISOTime.parse(text + "Z") else { throw ImportError("\(d.file): \(d.path) must be a time like 2026-03-02T09:00:00, not '\(text)'") }
        return Schedule(id: "", name: "", zone: zone, layers: []).instant(naive: Int(naive.timeIntervalSince1970))
    }

    private static let days = ["MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7]

    /// `zone`: the shift's, its times are read on; `clock`: the schedule's,
    /// its windows are written on.
    private func layer(_ sh: Doc, zone: TimeZone, clock: TimeZone, into b: inout Builder) throws -> Builder.Layer? {
        let id = try sh["id"].required()
        let name = try sh["name"].string() ?? ""
        if let until = try instant(sh["until"], zone: zone), until <= now {
            b.note(Finding(.mapped, "shift", id: id, name: name, "ended \(ISOTime.format(until)); left out"))
            return nil
        }
        if let until = try instant(sh["until"], zone: zone) {
            b.note(Finding(.approximated, "shift", id: id, name: name, "ends \(ISOTime.format(until)) in Grafana OnCall; tierwatch has no end date: remove it then"))
        }
        guard let start = try instant(sh["start"], zone: zone) else { throw ImportError("\(sh.file): \(sh.path).start is missing") }
        if let rs = try instant(sh["rotation_start"], zone: zone), rs > start, rs > now {
            b.note(Finding(.approximated, "shift", id: id, name: name, "its rotation starts \(ISOTime.format(rs)); tierwatch's covers from its first turn, \(ISOTime.format(start))"))
        }
        var groups: [[String]]
        if try sh["type"].string() == "rolling_users" {
            groups = try sh["rolling_users"].array().map { (g: Doc) in try g.array().compactMap { (u: Doc) in try u.string() } }
            let first = try sh["start_rotation_from_user_index"].int() ?? 0
            if first > 0 && first < groups.count { groups = Array(groups[first...] + groups[..<first]) }
        } else {
            groups = [try sh["users"].array().compactMap { (u: Doc) in try u.string() }]
        }
        groups = groups.filter { !$0.isEmpty }
        if groups.contains(where: { $0.count > 1 }) {
            b.note(Finding(.approximated, "shift", id: id, name: name, "puts several people on call together; tierwatch calls the first of each group"))
        }
        let frequency = try sh["frequency"].string()
        let interval = max(1, try sh["interval"].int() ?? 1)
        let unit: Int
        switch frequency {
        case "hourly": unit = 3600
        case "daily", nil: unit = 86400
        case "weekly": unit = 7 * 86400
        case "monthly":
            unit = 28 * 86400
            b.note(Finding(.approximated, "shift", id: id, name: name, "turns every \(interval) month\(interval == 1 ? "" : "s"); tierwatch hands off every \(4 * interval) weeks"))
        case let other?: throw ImportError("\(sh.file): \(sh.path).frequency must be hourly, daily, weekly or monthly, not '\(other)'")
        }
        let duration = (try sh["duration"].int() ?? unit) / 60
        if interval > 1, duration * 60 < interval * unit, frequency != "hourly" {
            b.note(Finding(.unmapped, "shift", id: id, name: name,
                           "occurs every \(interval) \(frequency == "weekly" ? "weeks" : frequency == "monthly" ? "months" : "days") for \(Clock.duration(duration)): tierwatch's windows repeat every week; left out"))
            return nil
        }
        let local = Clock.local(start, in: clock)
        let byDay = try sh["by_day"].array().compactMap { (d: Doc) in try d.string().flatMap { Self.days[$0] } }
        var spans: [Clock.Span]?
        if frequency == "daily" || frequency == "weekly" || frequency == nil {
            let every = frequency == "weekly" ? (byDay.isEmpty ? [local.weekday] : byDay) : (byDay.isEmpty ? Array(1...7) : byDay)
            if duration < 1440 * (frequency == "weekly" && byDay.isEmpty ? 7 : 1) || !byDay.isEmpty {
                spans = every.map { Clock.Span(weekday: $0, minute: local.minutes, length: min(duration, 7 * 1440)) }
            }
            if frequency == "daily" && !byDay.isEmpty && groups.count > 1 {
                b.note(Finding(.approximated, "shift", id: id, name: name, "turns each occurrence on \(Clock.days(Set(byDay))) only; tierwatch's daily turns count every day"))
            }
        }
        return Builder.Layer(source: id, name: name, people: groups.map { $0[0] }, turnSeconds: interval * unit, anchor: start, spans: spans, kind: "shift")
    }

    private func override(_ sh: Doc, schedule: String, zone: TimeZone, into b: inout Builder) throws {
        let id = try sh["id"].required()
        guard let from = try instant(sh["start"], zone: zone) else { throw ImportError("\(sh.file): \(sh.path).start is missing") }
        let to = from.addingTimeInterval(Double(try sh["duration"].int() ?? 0))
        let users = try sh["users"].array().compactMap { (u: Doc) in try u.string() }
        guard let who = users.first else {
            b.note(Finding(.unmapped, "shift", id: id, name: try sh["name"].string() ?? "", "an override of nobody"))
            return
        }
        if try sh["type"].string() == "single_event" || users.count > 1 {
            b.note(Finding(.approximated, "shift", id: id, name: try sh["name"].string() ?? "",
                           users.count > 1 ? "puts \(users.count) people on call together; tierwatch's override calls the first" : "a one-off event: recorded as an override, which wins over every level"))
        }
        b.override(source: id, schedule: schedule, person: who, from: from, to: to)
    }

    private func ladder(_ chain: String, name: String, into b: inout Builder) throws {
        let mine = try steps.filter { (d: Doc) in try d["escalation_chain_id"].string() == chain }
            .sorted { ((try? $0["position"].int()) ?? 0) < ((try? $1["position"].int()) ?? 0) }
        var out: [Builder.Step] = []
        // Minutes waited since the last step that calls someone: the next
        // tier starts that long after it, and it is due by then.
        var waited = 0
        for s in mine {
            let sid = try s["id"].required()
            var targets: [Builder.Target] = []
            switch try s["type"].string() ?? "" {
            case "wait":
                let seconds = try s["duration"].int() ?? 0
                waited += (seconds + 59) / 60
                if !out.isEmpty { out[out.count - 1].notifyWithin = waited }
                b.note(Finding(.mapped, "step", id: sid, name: name, "wait \(seconds) s: the time until the next tier"))
                continue
            case "notify_persons":
                targets = try s["persons_to_notify"].array().compactMap { (u: Doc) in try u.string().map { .person($0) } }
            case "notify_person_next_each_time":
                targets = try s["persons_to_notify_next_each_time"].array().compactMap { (u: Doc) in try u.string().map { .person($0) } }
                b.note(Finding(.approximated, "step", id: sid, name: name, "notifies the next of them each time; tierwatch lists them all, anyone reached will do"))
            case "notify_on_call_from_schedule":
                targets = [.schedule(try s["notify_on_call_from_schedule"].required())]
            case "repeat_escalation":
                b.note(Finding(.unmapped, "step", id: sid, name: name, "repeat escalation (up to 5 times): tierwatch does not climb again; the last tier stays overdue until someone is reached"))
                continue
            case let other:
                b.note(Finding(.unmapped, "step", id: sid, name: name, "a '\(other)' step: tierwatch has no equal; left out"))
                continue
            }
            out.append(Builder.Step(source: sid, name: "Step \(out.count + 1) of \(name)", after: waited, fromOpen: false,
                                    notifyWithin: nil, unlessAcknowledged: true, targets: targets))
            waited = 0
        }
        b.ladder(out, policy: "escalation chain \(chain)")
    }
}
