import Escalation
import Foundation

/// PagerDuty's REST API v2, as `curl` saves it: users (with
/// `include[]=contact_methods`), schedules, their overrides, escalation
/// policies.
///
/// - A schedule's `schedule_layers` come highest first (Layer 3, 2, 1): the
///   first that covers an instant decides, as in tierwatch.
/// - A layer's turns start at `rotation_virtual_start`, each
///   `rotation_turn_length_seconds` long; restrictions mask the layer
///   without moving the turns (`daily_restriction`: every day from
///   `start_time_of_day` for `duration_seconds`; `weekly_restriction`: from
///   `start_day_of_week`, 1 = Monday).
/// - Escalation rules notify in order, each `escalation_delay_in_minutes`
///   after the previous one; an acknowledgement stops the climb;
///   `num_loops` repeats it.
struct PagerDuty {
    let sorted: Sorted
    let now: Date

    init(docs: [Doc], now: Date) throws {
        self.now = now
        sorted = try Sorted(docs, source: "PagerDuty", kinds: [
            ("user", "users"), ("user", "user"), ("schedule", "schedules"), ("schedule", "schedule"),
            ("override", "overrides"), ("escalation", "escalation_policies"), ("escalation", "escalation_policy"),
            ("team", "teams"),
        ]) { (d: Doc) in d.isNull ? [] : (d.value.isArray ? try d.array() : nil) }
    }

    func read(escalation: String?) throws -> Imported {
        let policies = try sorted["escalation"].map { (d: Doc) in (id: try d["id"].required(), name: try d["name"].string() ?? "", doc: d) }
        var b = Builder(source: "PagerDuty", name: named(policies, escalation) ?? "pagerduty", now: now)
        for u in sorted["user"] { try user(u, into: &b) }
        for s in sorted["schedule"] { try schedule(s, into: &b) }
        for o in sorted["override"] { try override(o, into: &b) }
        for t in sorted["team"] {
            b.note(Finding(.approximated, "team", id: try t["id"].required(), name: try t["name"].string() ?? "",
                           "tierwatch has no teams: its people and schedules are imported on their own"))
        }
        if let chosen = try choose(policies, wanted: escalation, kind: "escalation policy", into: &b) {
            try ladder(chosen.doc, into: &b)
        }
        return b.imported
    }

    private func user(_ u: Doc, into b: inout Builder) throws {
        try expectType(u, "user")
        var voice: [String] = [], sms: [String] = []
        var email = try u["email"].string()
        var references = 0
        for m in try u["contact_methods"].array() {
            let type = try m["type"].string() ?? ""
            switch type {
            case "phone_contact_method", "sms_contact_method":
                // A number PagerDuty stopped using (blacklisted) is not one to call.
                guard let address = try m["address"].string(), try m["blacklisted"].bool() != true else { continue }
                let number = try m["country_code"].int().map { "+\($0) \(address)" } ?? address
                if type == "phone_contact_method" { voice.append(number) } else { sms.append(number) }
            case "email_contact_method":
                if email == nil { email = try m["address"].string() }
            default:
                if type.hasSuffix("_reference") { references += 1 }
            }
        }
        // Numbers to call first, then numbers that only take texts.
        var phones: [String] = []
        for n in voice + sms where !phones.contains(n) { phones.append(n) }
        let id = try u["id"].required()
        b.person(source: id, name: try u["name"].string() ?? "", phones: phones, email: email, zone: try u["time_zone"].string())
        if references > 0 && phones.isEmpty {
            b.note(Finding(.approximated, "user", id: id, name: try u["name"].string() ?? "",
                           "its contact methods are references only: save users with include[]=contact_methods to bring the numbers"))
        }
    }

    private func schedule(_ s: Doc, into b: inout Builder) throws {
        try expectType(s, "schedule")
        let id = try s["id"].required()
        let name = try s["name"].string() ?? id
        guard let zone = try s["time_zone"].zone() else { throw ImportError("\(s.file): \(s.path).time_zone is missing") }
        var layers: [Builder.Layer] = []
        for l in try s["schedule_layers"].array() {
            let lid = try l["id"].string() ?? l.path
            let lname = try l["name"].string() ?? ""
            if let end = try l["end"].time(), end <= now {
                b.note(Finding(.mapped, "layer", id: lid, name: lname, "ended \(ISOTime.format(end)); left out"))
                continue
            }
            if let end = try l["end"].time() {
                b.note(Finding(.approximated, "layer", id: lid, name: lname, "ends \(ISOTime.format(end)) in PagerDuty; tierwatch has no end date: remove its rotation then"))
            }
            guard let anchor = try l["rotation_virtual_start"].time() ?? l["start"].time() else {
                throw ImportError("\(l.file): \(l.path).rotation_virtual_start is missing")
            }
            if let start = try l["start"].time(), start > anchor, start > now {
                b.note(Finding(.approximated, "layer", id: lid, name: lname,
                               "starts \(ISOTime.format(start)) in PagerDuty; tierwatch's rotation covers from its first turn, \(ISOTime.format(anchor))"))
            }
            guard let turn = try l["rotation_turn_length_seconds"].int() else { throw ImportError("\(l.file): \(l.path).rotation_turn_length_seconds is missing") }
            var people: [String] = []
            for u in try l["users"].array() {
                let ref = u.has("user") ? u["user"] : u
                people.append(try ref["id"].required())
            }
            var spans: [Clock.Span] = []
            for r in try l["restrictions"].array() {
                let type = try r["type"].string() ?? ""
                guard let tod = try r["start_time_of_day"].string(), let minute = Self.minutes(tod) else {
                    throw ImportError("\(r.file): \(r.path).start_time_of_day must be a time like 09:00:00")
                }
                let length = (try r["duration_seconds"].int() ?? 0) / 60
                switch type {
                case "daily_restriction": spans += (1...7).map { Clock.Span(weekday: $0, minute: minute, length: min(length, 1440)) }
                case "weekly_restriction":
                    guard let day = try r["start_day_of_week"].int(), (1...7).contains(day) else {
                        throw ImportError("\(r.file): \(r.path).start_day_of_week must be 1 (Monday) to 7 (Sunday)")
                    }
                    spans.append(Clock.Span(weekday: day, minute: minute, length: length))
                default: throw ImportError("\(r.file): \(r.path).type must be daily_restriction or weekly_restriction, not '\(type)'")
                }
            }
            layers.append(Builder.Layer(source: lid, name: lname, people: people, turnSeconds: turn, anchor: anchor, spans: spans.isEmpty ? nil : spans))
        }
        b.schedule(source: id, name: name, zone: zone, layers: layers)
        // A schedule saved with its overrides alongside (as Grafana's migrator does).
        for o in try s["overrides"].array() { try override(o, schedule: id, into: &b) }
    }

    private func override(_ o: Doc, schedule: String? = nil, into b: inout Builder) throws {
        let id = try o["id"].required()
        // GET /schedules/{id}/overrides does not repeat the schedule: the
        // file's name does (overrides-PI7DH85.json), or, when no name names
        // one, the only schedule in the files.
        let all = sorted["schedule"].compactMap { try? $0["id"].string() }
        let file = URL(fileURLWithPath: o.file).lastPathComponent
        let named = all.filter { file.contains($0) }
        guard let sched = schedule ?? (named.count == 1 ? named[0] : nil) ?? (named.isEmpty && all.count == 1 ? all[0] : nil) else {
            b.note(Finding(.unmapped, "override", id: id, "which schedule it belongs to is unknown: save it as overrides-SCHEDULEID.json"))
            return
        }
        guard let from = try o["start"].time(), let to = try o["end"].time() else { throw ImportError("\(o.file): \(o.path) needs start and end") }
        b.override(source: id, schedule: sched, person: try o["user"]["id"].required(), from: from, to: to)
    }

    private func ladder(_ p: Doc, into b: inout Builder) throws {
        let pid = try p["id"].required()
        let pname = try p["name"].string() ?? pid
        var steps: [Builder.Step] = []
        let rules = try p["escalation_rules"].array()
        for (k, r) in rules.enumerated() {
            var targets: [Builder.Target] = []
            for t in try r["targets"].array() {
                let tid = try t["id"].required()
                switch try t["type"].string() ?? "" {
                case "user_reference", "user": targets.append(.person(tid))
                case "schedule_reference", "schedule": targets.append(.schedule(tid))
                case let other:
                    let summary = try t["summary"].string() ?? ""
                    targets.append(.named(summary.isEmpty ? tid : summary, why: "target \(tid) is a \(other), which tierwatch cannot resolve to a person"))
                }
            }
            let delay = try r["escalation_delay_in_minutes"].int() ?? 0
            let previousDelay = k == 0 ? 0 : (try rules[k - 1]["escalation_delay_in_minutes"].int() ?? 0)
            steps.append(Builder.Step(source: try r["id"].string() ?? "\(k + 1)", name: "Level \(k + 1) of \(pname)", after: previousDelay,
                                      fromOpen: false, notifyWithin: delay, unlessAcknowledged: true, targets: targets))
        }
        b.ladder(steps, policy: "escalation policy \(pid)")
        let loops = try p["num_loops"].int() ?? 0
        if loops > 0 {
            b.note(Finding(.unmapped, "escalation policy", id: pid, name: pname,
                           "repeats \(loops) time\(loops == 1 ? "" : "s") after the last level: tierwatch does not climb again; the last tier stays overdue until someone is reached"))
        } else {
            b.note(Finding(.mapped, "escalation policy", id: pid, name: pname, "\(rules.count) level\(rules.count == 1 ? "" : "s") → \(rules.count) tier\(rules.count == 1 ? "" : "s")"))
        }
    }

    private func expectType(_ d: Doc, _ type: String) throws {
        if let t = try d["type"].string(), t != type, t != type + "_reference" {
            throw ImportError("\(d.file): \(d.path) is a PagerDuty '\(t)', not a \(type)")
        }
    }

    /// `09:00:00` → minutes of the day.
    static func minutes(_ tod: String) -> Int? {
        let parts = tod.split(separator: ":").map { Int($0) }
        guard parts.count >= 2, let h = parts[0], let m = parts[1], (0...23).contains(h), (0...59).contains(m) else { return nil }
        return h * 60 + m
    }
}

extension JSONValue {
    var isArray: Bool { if case .array = self { true } else { false } }
}
