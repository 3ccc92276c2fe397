import Escalation
import Foundation

/// Opsgenie's REST API v2, as `curl` saves it. Every response wraps its
/// objects in `data`, so a file is known by what its objects hold: users
/// (`username`), a user's contacts (`method`, `to`), schedules (`rotations`),
/// overrides (`alias`), escalations (`rules`), teams (`members`).
///
/// - Every rotation of a schedule that covers an instant puts its person on
///   call, all at once; tierwatch calls one person, the first rotation's.
/// - A rotation's turns start at `startDate`, each `length` hours, days or
///   weeks; `timeRestriction` masks it (`time-of-day`: every day;
///   `weekday-and-time-of-day`: spans from a weekday and time to another).
/// - An escalation's rule delays count from the alert's creation, not from
///   the previous rule; `repeat` climbs again.
struct Opsgenie {
    var users: [Doc] = [], contacts: [(file: String, items: [Doc])] = [], schedules: [Doc] = [], overrides: [Doc] = []
    var escalations: [Doc] = [], teams: [Doc] = []
    let now: Date

    init(docs: [Doc], now: Date) throws {
        self.now = now
        for doc in docs {
            guard doc.has("data") else {
                throw ImportError("\(doc.file): not an Opsgenie API response: expected its objects under 'data' at the top")
            }
            let items = doc["data"].value.isArray ? try doc["data"].array() : [doc["data"]]
            guard let first = items.first else { continue }
            if first.has("username") { users += items }
            else if first.has("method") && first.has("to") { contacts.append((doc.file, items)) }
            else if first.has("alias") && first.has("startDate") { overrides += items }
            else if first.has("rotations") || first.has("timezone") { schedules += items }
            else if first.has("rules") { escalations += items }
            else if first.has("members") || first.has("description") && first.has("name") { teams += items }
            else { throw ImportError("\(doc.file): \(first.path) is not an Opsgenie user, contact, schedule, override, escalation or team") }
        }
    }

    func read(escalation: String?) throws -> Imported {
        let policies = try escalations.map { (d: Doc) in (id: try d["id"].required(), name: try d["name"].string() ?? "", doc: d) }
        var b = Builder(source: "Opsgenie", name: named(policies, escalation) ?? "opsgenie", now: now)
        var byUsername: [String: String] = [:]
        for u in users {
            let id = try u["id"].required()
            let username = try u["username"].required()
            byUsername[username] = id
            var phones: [String] = []
            // Contacts come with the user (GET /v2/users/{id}?expand=contact)
            // or on their own (GET /v2/users/{id}/contacts, saved as
            // contacts-USERNAME.json).
            // A contact switched off in Opsgenie is not one to call.
            func on(_ c: Doc) throws -> Bool { try c["enabled"].bool() != false && c["status"]["enabled"].bool() != false }
            var methods = try u["userContacts"].array().filter(on).map { (c: Doc) in (method: try c["contactMethod"].string() ?? "", to: try c["to"].string() ?? "") }
            // contacts-USERNAME.json or contacts-ID.json, exactly.
            for file in contacts where ["contacts-\(username).json", "contacts-\(id).json"].contains(URL(fileURLWithPath: file.file).lastPathComponent) {
                methods += try file.items.filter(on).map { (c: Doc) in (method: try c["method"].string() ?? "", to: try c["to"].string() ?? "") }
            }
            for m in methods.sorted(by: { ($0.method == "voice" ? 0 : 1) < ($1.method == "voice" ? 0 : 1) })
            where (m.method == "voice" || m.method == "sms") && !m.to.isEmpty {
                let number = Self.phone(m.to)
                if !phones.contains(number) { phones.append(number) }
            }
            b.person(source: id, name: try u["fullName"].string() ?? username, phones: phones, email: username.contains("@") ? username : nil,
                     zone: try u["timeZone"].string())
        }
        let person = { (d: Doc) throws -> String? in
            if let id = try d["id"].string() { return id }
            return try d["username"].string().flatMap { byUsername[$0] }
        }
        for s in schedules { try schedule(s, person: person, into: &b) }
        for o in overrides { try override(o, person: person, into: &b) }
        for t in teams {
            b.note(Finding(.approximated, "team", id: try t["id"].required(), name: try t["name"].string() ?? "",
                           "tierwatch has no teams: its people and schedules are imported on their own"))
        }
        if let chosen = try choose(policies, wanted: escalation, kind: "escalation", into: &b) {
            try ladder(chosen.doc, person: person, into: &b)
        }
        return b.imported
    }

    private func schedule(_ s: Doc, person: (Doc) throws -> String?, into b: inout Builder) throws {
        let id = try s["id"].required()
        let name = try s["name"].string() ?? id
        guard let zone = try s["timezone"].zone() else { throw ImportError("\(s.file): \(s.path).timezone is missing") }
        if try s["enabled"].bool() == false {
            b.note(Finding(.mapped, "schedule", id: id, name: name, "disabled in Opsgenie; left out"))
            return
        }
        var layers: [Builder.Layer] = []
        let rotations = try s["rotations"].array()
        for r in rotations {
            let rid = try r["id"].string() ?? r.path
            let rname = try r["name"].string() ?? ""
            if let end = try r["endDate"].time() {
                if end <= now {
                    b.note(Finding(.mapped, "rotation", id: rid, name: rname, "ended \(ISOTime.format(end)); left out"))
                    continue
                }
                b.note(Finding(.approximated, "rotation", id: rid, name: rname, "ends \(ISOTime.format(end)) in Opsgenie; tierwatch has no end date: remove it then"))
            }
            guard let anchor = try r["startDate"].time() else { throw ImportError("\(r.file): \(r.path).startDate is missing") }
            let unit: Int
            switch try r["type"].string() ?? "" {
            case "hourly": unit = 3600
            case "daily": unit = 86400
            case "weekly": unit = 7 * 86400
            case let other: throw ImportError("\(r.file): \(r.path).type must be hourly, daily or weekly, not '\(other)'")
            }
            var people: [String] = []
            for p in try r["participants"].array() {
                let type = try p["type"].string() ?? "user"
                guard type == "user", let pid = try person(p) else {
                    b.note(Finding(.unmapped, "rotation", id: rid, name: rname,
                                   "a turn of \(type == "none" ? "nobody" : "a \(type)") (\(p.path)): tierwatch's turns are people; that turn is left out, so the others come round sooner"))
                    continue
                }
                people.append(pid)
            }
            layers.append(Builder.Layer(source: rid, name: rname, people: people, turnSeconds: (try r["length"].int() ?? 1) * unit,
                                        anchor: anchor, spans: try spans(r["timeRestriction"]), kind: "rotation"))
        }
        if layers.count > 1 {
            b.note(Finding(.approximated, "schedule", id: id, name: name,
                           "Opsgenie puts the person of every rotation that covers an instant on call at once; tierwatch calls the first rotation's where they overlap"))
        }
        b.schedule(source: id, name: name, zone: zone, layers: layers)
    }

    private static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    private func spans(_ t: Doc) throws -> [Clock.Span]? {
        guard !t.isNull else { return nil }
        func minute(_ d: Doc, _ h: String, _ m: String) throws -> Int {
            let hour = try d[h].int() ?? 0, min = try d[m].int() ?? 0
            guard (0...24).contains(hour), (0...59).contains(min) else { throw ImportError("\(d.file): \(d.path): \(hour):\(min) is not a time of day") }
            return hour * 60 + min
        }
        switch try t["type"].string() ?? "" {
        case "time-of-day":
            let r = t["restriction"]
            let a = try minute(r, "startHour", "startMin"), z = try minute(r, "endHour", "endMin")
            let length = ((z - a) % 1440 + 1440) % 1440
            return (1...7).map { Clock.Span(weekday: $0, minute: a, length: length == 0 ? 1440 : length) }
        case "weekday-and-time-of-day":
            var out: [Clock.Span] = []
            for r in try t["restrictions"].array() {
                guard let sd = try r["startDay"].string().flatMap({ Self.weekdays.firstIndex(of: $0.lowercased()) }),
                      let ed = try r["endDay"].string().flatMap({ Self.weekdays.firstIndex(of: $0.lowercased()) }) else {
                    throw ImportError("\(r.file): \(r.path): startDay and endDay must be weekdays (monday … sunday)")
                }
                let a = sd * 1440 + (try minute(r, "startHour", "startMin")), z = ed * 1440 + (try minute(r, "endHour", "endMin"))
                let length = ((z - a) % 10080 + 10080) % 10080
                out.append(Clock.Span(weekday: sd + 1, minute: a % 1440, length: length == 0 ? 10080 : length))
            }
            return out
        case let other: throw ImportError("\(t.file): \(t.path).type must be time-of-day or weekday-and-time-of-day, not '\(other)'")
        }
    }

    private func override(_ o: Doc, person: (Doc) throws -> String?, into b: inout Builder) throws {
        let alias = try o["alias"].required()
        // The schedule is the override's _parent, or in the file's name
        // (overrides-SCHEDULEID.json), or the only one.
        let ids = schedules.compactMap { try? $0["id"].string() }
        guard let schedule = try o["_parent"]["id"].string() ?? ids.first(where: { o.file.contains($0) }) ?? (ids.count == 1 ? ids[0] : nil) else {
            b.note(Finding(.unmapped, "override", id: alias, "which schedule it belongs to is unknown: save GET /v2/schedules/ID/overrides as overrides-ID.json"))
            return
        }
        guard let from = try o["startDate"].time(), let to = try o["endDate"].time() else { throw ImportError("\(o.file): \(o.path) needs startDate and endDate") }
        guard try o["user"]["type"].string() ?? "user" == "user", let p = try person(o["user"]) else {
            b.note(Finding(.unmapped, "override", id: alias, "it puts \(try o["user"]["type"].string() ?? "nobody") on call: a tierwatch override names a person"))
            return
        }
        b.override(source: alias, schedule: schedule, person: p, from: from, to: to)
        let only = try o["rotations"].array()
        if !only.isEmpty, b.draft.schedules.last(where: { $0.source.hasSuffix(schedule) }).map({ $0.rotations.count > 1 }) ?? false {
            b.note(Finding(.approximated, "override", id: alias, "applies to rotation \(try only.map { (r: Doc) in try r["name"].string() ?? "" }.joined(separator: ", ")) only in Opsgenie; in tierwatch to the whole schedule"))
        }
    }

    private func ladder(_ p: Doc, person: (Doc) throws -> String?, into b: inout Builder) throws {
        let pid = try p["id"].required()
        let pname = try p["name"].string() ?? pid
        // Rules that fire at the same delay are one step.
        var byDelay: [Int: [Doc]] = [:]
        for r in try p["rules"].array() {
            let amount = try r["delay"]["timeAmount"].int() ?? 0
            let unit: Int
            switch try r["delay"]["timeUnit"].string() ?? "minutes" {
            case "seconds": unit = 0  // below a minute: the step fires at once
            case "minutes": unit = 1
            case "hours": unit = 60
            case "days": unit = 1440
            case let other: throw ImportError("\(r.file): \(r.path).delay.timeUnit must be seconds, minutes, hours or days, not '\(other)'")
            }
            byDelay[unit == 0 ? (amount + 59) / 60 : amount * unit, default: []].append(r)
        }
        let delays = byDelay.keys.sorted()
        let wait = (try p["repeat"]["count"].int() ?? 0) > 0 ? try p["repeat"]["waitInterval"].int() : nil
        var steps: [Builder.Step] = []
        for (k, delay) in delays.enumerated() {
            var targets: [Builder.Target] = []
            var acked = true
            for r in byDelay[delay]! {
                if try r["condition"].string() == "if-not-closed" { acked = false }
                let rec = r["recipient"]
                let notify = try r["notifyType"].string() ?? "default"
                switch try rec["type"].string() ?? "" {
                case "user":
                    guard let id = try person(rec) else { throw ImportError("\(rec.file): \(rec.path) names no user id or username") }
                    targets.append(.person(id))
                case "schedule" where notify == "default":
                    targets.append(.schedule(try rec["id"].required()))
                case "schedule":
                    targets.append(.schedule(try rec["id"].required()))
                    b.note(Finding(.approximated, "rule", id: "\(pid)#\(k + 1)", name: pname,
                                   "notifies the \(notify) on-call of \(try rec["name"].string() ?? "a schedule"); tierwatch calls who is on call now"))
                case let type:
                    let name = try rec["name"].string() ?? rec["id"].string() ?? type
                    targets.append(.named(name, why: "\(name) is an Opsgenie \(type) (\(notify)): tierwatch cannot tell whom in it to call"))
                }
            }
            let next = k + 1 < delays.count ? delays[k + 1] - delay : wait
            steps.append(Builder.Step(source: "\(pid)#\(k + 1)", name: "Step \(k + 1) of \(pname)", after: delay, fromOpen: true,
                                      notifyWithin: next, unlessAcknowledged: acked, targets: targets))
        }
        b.ladder(steps, policy: "escalation \(pid)")
        if let count = try p["repeat"]["count"].int(), count > 0 {
            b.note(Finding(.unmapped, "escalation", id: pid, name: pname,
                           "repeats \(count) time\(count == 1 ? "" : "s") every \(wait ?? 0)m after the last rule: tierwatch does not climb again; the last tier stays overdue until someone is reached"))
        } else {
            b.note(Finding(.mapped, "escalation", id: pid, name: pname, "\(delays.count) step\(delays.count == 1 ? "" : "s") → tiers"))
        }
    }

    /// `1-5555550101` (Opsgenie's country code, a dash, the number) → `+1 5555550101`.
    static func phone(_ to: String) -> String {
        let parts = to.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].allSatisfy(\.isNumber) else { return to }
        return "+\(parts[0]) \(parts[1])"
    }
}
