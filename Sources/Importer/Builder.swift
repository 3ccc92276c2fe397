import Escalation
import Foundation

/// Builds a draft from what every source has in common (people, layers of
/// turns, steps of an escalation, overrides), noting what became of each
/// source object. The sources only read their own JSON into these terms.
struct Builder {
    private(set) var draft: Draft
    private(set) var findings: [Finding] = []
    private var personIDs = IDs(), scheduleIDs = IDs(), tierIDs = IDs(), contactIDs = IDs()
    private var scheduleZones: [String: TimeZone] = [:]
    let now: Date

    init(source: String, name: String, now: Date) {
        draft = Draft(name: IDs.slug(name).isEmpty ? "imported" : IDs.slug(name), source: source)
        self.now = now
    }

    mutating func note(_ f: Finding) { findings.append(f) }

    /// The draft, with a tier to fill in when the files held no escalation:
    /// a policy has at least one tier.
    var imported: Imported {
        var d = draft
        if d.tiers.isEmpty {
            d.tiers = [Draft.Tier(id: "escalated", name: "Escalated", startAfter: nil, from: nil, notifyWithin: nil, require: "none",
                                  unlessAcknowledged: false, contacts: [], source: "no escalation in the files: fill in the tiers")]
        }
        return Imported(draft: d, findings: findings)
    }

    // MARK: People

    mutating func person(source: String, name rawName: String, phones: [String], email: String?, zone: String?, kind: String = "user") {
        guard personIDs[source] == nil else { return }  // the same user in two files
        let name = String(rawName.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120))
        let id = personIDs.make(for: source, from: name.isEmpty ? (email ?? source) : name)
        let display = name.isEmpty ? (email ?? source) : name
        draft.people.append(Draft.Person(id: id, name: display, phones: phones, email: email,
                                         zone: zone.flatMap(Clock.zoneName), source: "\(draft.source) \(kind) \(source)"))
        let reach = phones.isEmpty ? (email.map { "no phone number; e-mail \($0)" } ?? "no phone number or e-mail") : phones.joined(separator: ", ")
        note(Finding(phones.isEmpty ? .approximated : .mapped, kind, id: source, name: display,
                     "people.\(id) (\(reach))\(phones.isEmpty ? ": add a number to call them" : "")"))
    }

    func personID(_ source: String) -> String? { personIDs[source] }

    // MARK: Schedules

    /// One layer of turns, as the source has it.
    struct Layer {
        var source: String
        var name: String
        var people: [String]
        var turnSeconds: Int
        /// The first handoff (or any handoff: the first person's turn starts then).
        var anchor: Date
        /// When the layer covers the clock; nil: always.
        var spans: [Clock.Span]?
        var kind = "layer"
    }

    /// A schedule with its layers, the one that decides first.
    mutating func schedule(source: String, name: String, zone: TimeZone, layers: [Layer], kind: String = "schedule") {
        guard scheduleIDs[source] == nil else { return }  // the list and the single schedule both saved
        let id = scheduleIDs.make(for: source, from: name)
        var rotations: [Draft.Rotation] = []
        for layer in layers { rotations += self.rotations(layer, zone: zone) }
        guard !rotations.isEmpty else {
            note(Finding(.unmapped, kind, id: source, name: name, "no layer with people on it could be mapped; the schedule is left out"))
            return
        }
        scheduleZones[source] = zone
        draft.schedules.append(Draft.Schedule(id: id, name: name, zone: Clock.zoneName(zone.identifier) ?? "UTC", rotations: rotations, source: "\(draft.source) \(kind) \(source)"))
        note(Finding(.mapped, kind, id: source, name: name, "schedules.\(id) in \(Clock.zoneName(zone.identifier) ?? "UTC"), \(rotations.count) rotation\(rotations.count == 1 ? "" : "s")"))
    }

    func scheduleID(_ source: String) -> String? { scheduleIDs[source] }

    private mutating func rotations(_ layer: Layer, zone: TimeZone) -> [Draft.Rotation] {
        var people: [String] = []
        for p in layer.people {
            if let id = personIDs[p] { people.append(id); continue }
            // Someone the users file lacks keeps their turn (so the others'
            // turns stay in step), as a person with no number to call.
            note(Finding(.unmapped, layer.kind, id: layer.source, name: layer.name,
                         "user \(p) is not in the users file: their turns stay, as \"\(p) (not in the users file)\" with no number"))
            person(source: p, name: "\(p) (not in the users file)", phones: [], email: nil, zone: nil, kind: "missing user")
            findings.removeLast()  // the line above says it
            people.append(personIDs[p]!)
        }
        guard !people.isEmpty else {
            note(Finding(.unmapped, layer.kind, id: layer.source, name: layer.name, "nobody takes turns on it"))
            return []
        }
        guard layer.turnSeconds > 0, layer.turnSeconds <= 1000 * 7 * 86400 else {
            note(Finding(.unmapped, layer.kind, id: layer.source, name: layer.name, "a turn of \(layer.turnSeconds) s: tierwatch's turns last 1 hour to 1000 weeks"))
            return []
        }
        var problems: [String] = []
        guard let shift = Clock.shift(seconds: layer.turnSeconds) else {
            note(Finding(.unmapped, layer.kind, id: layer.source, name: layer.name,
                         "a turn of \(layer.turnSeconds) s is not whole hours: tierwatch's turns are whole hours, and any rounding drifts further from the source with every turn"))
            return []
        }
        let local = Clock.local(layer.anchor, in: zone)
        if local.seconds != 0 { problems.append("handoffs at :\(String(format: "%02d", local.seconds)) seconds become whole minutes") }
        let windows = layer.spans.flatMap { Clock.windows($0) }
        let source = "\(draft.source) \(layer.kind) \(layer.source)\(layer.name.isEmpty ? "" : " \"\(layer.name)\"")"
        let base = Draft.Rotation(people: people, shift: shift, handoff: Clock.handoff(local, shift: shift), start: local.date, source: source)
        let out = windows.map { $0.map { w in var r = base; r.days = w.days; r.hours = w.hours; return r } } ?? [base]
        if windows?.isEmpty == true {
            note(Finding(.unmapped, layer.kind, id: layer.source, name: layer.name, "its restrictions cover no whole minute"))
            return []
        }
        var detail = "\(people.count) in turn, \(shift) from \(local.date) \(Clock.hhmm(local.minutes))"
        if let windows { detail += ", only " + windows.map { "\($0.days) \($0.hours)" }.joined(separator: " and ") }
        if out.count > 1 { detail += " (one rotation per window)" }
        if problems.isEmpty {
            note(Finding(.mapped, layer.kind, id: layer.source, name: layer.name, detail))
        } else {
            note(Finding(.approximated, layer.kind, id: layer.source, name: layer.name, detail + ": " + problems.joined(separator: "; ")))
        }
        return out
    }

    // MARK: Overrides

    mutating func override(source: String, schedule: String, person: String, from: Date, to: Date) {
        guard let s = scheduleIDs[schedule] else {
            note(Finding(.unmapped, "override", id: source, name: "", "its schedule \(schedule) was not imported"))
            return
        }
        guard let p = personIDs[person] else {
            note(Finding(.unmapped, "override", id: source, name: "", "user \(person) is not in the users file"))
            return
        }
        guard to > from else {
            note(Finding(.unmapped, "override", id: source, name: "", "it ends (\(ISOTime.format(to))) before it starts"))
            return
        }
        if to <= now {
            note(Finding(.mapped, "override", id: source, name: "", "ended \(ISOTime.format(to)); nothing to record"))
            return
        }
        draft.overrides.append(Draft.Override(schedule: s, person: p, from: from, to: to, source: "\(draft.source) override \(source)"))
        note(Finding(.mapped, "override", id: source, name: "", "\(p) on call for \(s) \(ISOTime.format(from)) → \(ISOTime.format(to)) (an `oncall override` to record)"))
    }

    // MARK: Escalation

    enum Target {
        case person(String)
        case schedule(String)
        /// Someone tierwatch cannot resolve (a team, a group): a contact by name.
        case named(String, why: String)
    }

    struct Step {
        var source: String
        var name: String
        /// Minutes after the previous step (or the escalation) began.
        var after: Int
        /// `after` counts from the escalation's start, not the previous step.
        var fromOpen: Bool
        var notifyWithin: Int?
        var unlessAcknowledged: Bool
        var targets: [Target]
    }

    mutating func ladder(_ steps: [Step], policy: String) {
        var previous: String?
        for (k, step) in steps.enumerated() {
            guard tierIDs[step.source] == nil else { continue }  // the same rule twice in the files
            let id = tierIDs.make(for: step.source, from: "step-\(k + 1)")
            var contacts: [Draft.Contact] = []
            var approximations: [String] = [], missing: [String] = []
            for target in step.targets {
                switch target {
                case let .person(p):
                    guard let pid = personIDs[p], let person = draft.people.first(where: { $0.id == pid }) else {
                        missing.append("user \(p) is not in the users file")
                        continue
                    }
                    contacts.append(Draft.Contact(id: contactIDs.make(for: "\(id)/\(pid)", from: pid), name: person.name, person: pid))
                case let .schedule(s):
                    guard let sid = scheduleIDs[s], let sched = draft.schedules.first(where: { $0.id == sid }) else {
                        missing.append("schedule \(s) was not imported")
                        continue
                    }
                    contacts.append(Draft.Contact(id: contactIDs.make(for: "\(id)/\(sid)", from: sid), name: sched.name, schedule: sid))
                case let .named(name, why):
                    // A contact by name, so the step shows; nobody tierwatch can call.
                    contacts.append(Draft.Contact(id: contactIDs.make(for: "\(id)/\(name)", from: name), name: name.isEmpty ? "unnamed" : name))
                    missing.append(why)
                }
            }
            let after = max(0, step.after)
            let leading = previous == nil && after == 0
            let tier = Draft.Tier(id: id, name: "\(step.name)", startAfter: leading ? nil : after,
                                  from: leading ? nil : (step.fromOpen ? "open" : previous ?? "open"),
                                  notifyWithin: step.notifyWithin.flatMap { $0 > 0 ? $0 : nil },
                                  require: contacts.isEmpty ? "none" : "any", unlessAcknowledged: step.unlessAcknowledged && !leading,
                                  contacts: contacts, source: "\(draft.source) \(policy) rule \(step.source)")
            draft.tiers.append(tier)
            var detail = "tiers.\(id)" + (contacts.isEmpty ? "" : ": " + contacts.map(\.name).joined(separator: ", "))
            if let a = tier.startAfter { detail += "; starts \(Clock.duration(a)) after \(tier.from == "open" ? "the escalation" : tier.from!)" }
            if let w = tier.notifyWithin { detail += ", due \(Clock.duration(w)) after it starts" }
            if contacts.isEmpty || !missing.isEmpty {
                let why = (missing + approximations).joined(separator: "; ")
                note(Finding(.unmapped, "rule", id: step.source, name: step.name, detail + (contacts.isEmpty ? ": nobody to call (" : ": left out: ") + why + (contacts.isEmpty ? ")" : "")))
            } else if !approximations.isEmpty {
                note(Finding(.approximated, "rule", id: step.source, name: step.name, detail + ": " + approximations.joined(separator: "; ")))
            } else {
                note(Finding(.mapped, "rule", id: step.source, name: step.name, detail))
            }
            previous = id
        }
    }
}
