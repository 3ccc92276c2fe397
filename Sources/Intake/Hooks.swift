import Escalation
import Foundation

/// One time a hook's trigger happened to an incident, derived from the
/// incident, its policy and the clock like the ladder: every site derives
/// the same occurrences with the same keys, so a claim made at one site
/// stops the others.
public struct HookOccurrence: Sendable, Equatable {
    public var incident: String
    public var trigger: Hook.Trigger
    /// The tier it concerns (index and id), for tier triggers and escalations.
    public var tier: Int?
    public var tierID: String?
    /// When it happened.
    public var at: Date
    /// `K3F9/tier_started/ceo/1796024191095`: the same on every host.
    public var key: String

    public init(incident: String, trigger: Hook.Trigger, tier: Int? = nil, tierID: String? = nil, at: Date, key: String) {
        self.incident = incident
        self.trigger = trigger
        self.tier = tier
        self.tierID = tierID
        self.at = at
        self.key = key
    }
}

/// A hook due to run: claimed (or to be claimed) under its idempotency key.
public struct HookDue: Sendable {
    public var hook: Hook
    public var occurrence: HookOccurrence
    /// The idempotency key: the occurrence's key and the hook's name.
    public var key: String
    /// Run well after the trigger (a serve was down, or this site took over).
    public var late: Bool

    public init(hook: Hook, occurrence: HookOccurrence, key: String, late: Bool) {
        self.hook = hook
        self.occurrence = occurrence
        self.key = key
        self.late = late
    }
}

public enum HookPlanner {
    /// A hook more than this after its trigger is marked late.
    public static let lateAfter: TimeInterval = 5

    /// Every occurrence of every trigger for the incident up to the entry's instant.
    public static func occurrences(_ e: Board.Entry) -> [HookOccurrence] {
        let i = e.incident, id = i.id, now = e.now
        var out: [HookOccurrence] = []
        func ms(_ d: Date) -> String { String(Int64((d.timeIntervalSince1970 * 1000).rounded(.down))) }
        out.append(HookOccurrence(incident: id, trigger: .incidentOpened, at: i.opened.at, key: "\(id)/incident_opened"))
        for entry in i.timeline where !entry.isStale {
            let ev = entry.event
            switch ev.action {
            case .acknowledged:
                out.append(HookOccurrence(incident: id, trigger: .acknowledged, at: ev.at, key: "\(id)/acknowledged/\(ev.id)"))
            case let .escalated(tier):
                out.append(HookOccurrence(incident: id, trigger: .escalated, tier: e.policy.tierIndex(id: tier), tierID: tier, at: ev.at,
                                          key: "\(id)/escalated/\(tier)/\(ev.id)"))
            case .resolved:
                out.append(HookOccurrence(incident: id, trigger: .resolved, at: ev.at, key: "\(id)/resolved/\(ev.id)"))
            default:
                break
            }
        }
        for r in e.ladder.rungs {
            if r.isStarted, let start = r.startAt, start <= now {
                out.append(HookOccurrence(incident: id, trigger: .tierStarted, tier: r.index, tierID: r.tier.id, at: start,
                                          key: "\(id)/tier_started/\(r.tier.id)/\(ms(start))"))
            }
            if let due = r.dueAt, due <= now, r.metAt.map({ $0 > due }) ?? true, [.overdue, .late, .missed].contains(r.status) {
                out.append(HookOccurrence(incident: id, trigger: .tierOverdue, tier: r.index, tierID: r.tier.id, at: due,
                                          key: "\(id)/tier_overdue/\(r.tier.id)/\(ms(due))"))
            }
        }
        if let u = e.ladder.nextCustomerUpdateAt, u <= now {
            out.append(HookOccurrence(incident: id, trigger: .customerUpdateDue, at: u, key: "\(id)/customer_update_due/\(ms(u))"))
        }
        return out
    }

    /// The longest a hook's run can take, all tries and waits included, and
    /// a little: a claim older than this without a result was a serve that
    /// died mid-run, and the hook runs again with the same key.
    public static func maxRunSeconds(_ h: Hook) -> Double {
        let tries = Double(h.retries + 1)
        let waits = Double(h.backoffMilliseconds) / 1000 * (pow(2, Double(h.retries)) - 1)
        return tries * Double(h.timeout.seconds) + waits + 5
    }

    /// Whether the hook wants this occurrence of this incident.
    public static func matches(_ h: Hook, _ o: HookOccurrence, _ i: Incident) -> Bool {
        guard h.on.contains(o.trigger) else { return false }
        if let tiers = h.tiers, !(o.tierID.map(tiers.contains) ?? false) { return false }
        if let sevs = h.severities, !sevs.contains(i.severity) { return false }
        if let cs = h.customers, !(i.customer.map(cs.contains) ?? false) { return false }
        return true
    }

    /// What is due now for one incident on this machine: not claimed yet,
    /// not older than `maxAge`, and this machine's turn. The incident's own
    /// machine (the one that opened it) fires at once; another fires only
    /// when no claim has arrived `grace` after the trigger. Nothing but the
    /// `resolved` trigger fires for a resolved incident.
    public static func due(_ e: Board.Entry, hooks: [Hook], settings: HookSettings, now: Date, machine: String, host: String) -> [HookDue] {
        guard !hooks.isEmpty else { return [] }
        let i = e.incident
        let keys = i.hookKeys
        let origin = i.originMachine
        let mine = origin == machine || (origin == nil && i.events.first?.id.host == host)
        var out: [HookDue] = []
        for o in occurrences(e) {
            if i.state == .resolved && o.trigger != .resolved { continue }
            let age = now.timeIntervalSince(o.at)
            guard age >= 0, age <= Double(settings.maxAge.seconds) else { continue }
            if !mine && age < Double(settings.grace.seconds) { continue }
            for h in hooks where matches(h, o, i) {
                let key = HookKey(occurrence: o.key, name: h.name).description
                if let k = keys[key] {
                    // Finished, or still within the time it may take: not again.
                    if k.finished { continue }
                    if let at = k.claimedAt, now.timeIntervalSince(at) < maxRunSeconds(h) { continue }
                }
                out.append(HookDue(hook: h, occurrence: o, key: key, late: !mine || age > lateAfter))
            }
        }
        return out
    }
}

extension Incident {
    /// The machine that opened the incident, as its opening records it.
    public var originMachine: String? {
        if case let .opened(o) = events.first?.action { return o.originMachine }
        return nil
    }
}
