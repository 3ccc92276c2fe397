import Escalation
import Foundation

/// One automatic call due: a contact of a tier with `call_out:`, the how
/// many-th try, derived from the incident, its policy and the clock like a
/// hook's occurrence, so every site derives the same keys and one claim
/// (the hooks' mechanism) stops the others.
public struct CallOutDue: Sendable, Equatable {
    public var incident: String
    public var tier: Int
    public var tierID: String
    public var contact: String
    /// 1…attempts.
    public var attempt: Int
    public var attempts: Int
    /// When this try fell due: the tier's start, plus `recall` per earlier try.
    public var at: Date
    /// `K3F9/call_out/management/1796024191095/am/1`: the same on every host.
    public var key: String
    /// Made well after its instant (a serve was down, or this site took over).
    public var late: Bool
}

public enum CallOutPlanner {
    /// The name its claims and results carry (records of the hooks' kind).
    public static let recordName = HookKey.callOutName

    /// The tries due now for one incident on this machine: for each started
    /// tier with `call_out:` whose requirement is not met, each contact not
    /// yet reached, the latest try whose time has come (a try missed while
    /// serve was down is not made up: the next one is made instead). A try
    /// waits while the contact's previous one is still ringing. The incident's
    /// own machine calls at once; another only when no claim has come
    /// `grace` after the try's time. Nothing for a resolved incident.
    public static func due(_ e: Board.Entry, dialer: DialerSettings, settings: HookSettings, now: Date, machine: String, host: String) -> [CallOutDue] {
        let i = e.incident
        guard i.state != .resolved else { return [] }
        let keys = i.hookKeys
        let origin = i.originMachine
        let mine = origin == machine || (origin == nil && i.events.first?.id.host == host)
        // Any call to a contact still ringing (an earlier try, one that a
        // dead serve left, an operator's): no second one rings them.
        let ringing = i.callsInFlight(now: now, maxSeconds: dialer.maxCallSeconds)
        var out: [CallOutDue] = []
        for r in e.ladder.rungs {
            guard let plan = r.tier.callOut, r.isStarted, r.metAt == nil, let start = r.startAt, start <= now else { continue }
            let recall = Double(max(plan.recall.seconds, 1))
            let attempt = min(plan.attempts, Int(now.timeIntervalSince(start) / recall) + 1)
            let at = start.addingTimeInterval(Double(attempt - 1) * recall)
            let age = now.timeIntervalSince(at)
            guard age <= Double(settings.maxAge.seconds), mine || age >= Double(settings.grace.seconds) else { continue }
            let startMillis = Int64((start.timeIntervalSince1970 * 1000).rounded(.down))
            for c in r.contacts where c.reachedAt == nil && ringing[c.contact.id] == nil {
                let key = HookKey.callOut(incident: i.id, tier: r.tier.id, startMillis: startMillis, contact: c.contact.id, attempt: attempt).description
                // This try made, or being made (a claim whose serve died is
                // made again once it is older than a call can take).
                if let k = keys[key], k.finished || (k.claimedAt.map { now.timeIntervalSince($0) < dialer.maxCallSeconds } ?? false) { continue }
                out.append(CallOutDue(incident: i.id, tier: r.index, tierID: r.tier.id, contact: c.contact.id, attempt: attempt,
                                      attempts: plan.attempts, at: at, key: key, late: !mine || age > HookPlanner.lateAfter))
            }
        }
        return out
    }

    /// When the clock alone makes the next try due (nil: none to come).
    public static func nextTry(_ e: Board.Entry, now: Date) -> Date? {
        guard e.incident.state != .resolved else { return nil }
        var next: Date?
        for r in e.ladder.rungs {
            guard let plan = r.tier.callOut, r.isStarted, r.metAt == nil, let start = r.startAt else { continue }
            let recall = Double(max(plan.recall.seconds, 1))
            for n in 0..<plan.attempts {
                let at = start.addingTimeInterval(Double(n) * recall)
                if at > now {
                    next = min(next ?? at, at)
                    break
                }
            }
        }
        return next
    }
}
