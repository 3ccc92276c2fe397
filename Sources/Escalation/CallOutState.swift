import Foundation

/// What every screen says about tierwatch's own calls for an incident: who
/// is being called now, and for a tier with `call_out:`, what serve's next
/// automatic try is (or that it did not come, or that the tries ran out).
extension Board.Entry {
    /// The calls being placed now, by contact id (see `Incident.callsInFlight`).
    public var callsInFlight: [String: CallInFlight] {
        incident.callsInFlight(now: now, maxSeconds: policy.dialer?.maxCallSeconds ?? 130)
    }

    /// serve's automatic tries for a contact, as the screens say them.
    public enum AutoCall: Sendable, Equatable {
        /// The next try, when it falls due.
        case next(attempt: Int, of: Int, at: Date)
        /// A try whose time passed `overdueAfter` ago with no claim: no serve
        /// is placing it (none running, or it cannot write the store).
        case notMade(attempt: Int, dueAt: Date)
        /// Every try made; the contact is still not reached.
        case exhausted(attempts: Int)
    }

    /// A try not claimed this long after its time is one serve did not make.
    public static let autoCallOverdueAfter: TimeInterval = 15

    /// Where serve's automatic calls to the contact stand; nil when the
    /// contact's tier has no `call_out:`, has not started, is met, the
    /// contact is reached, or the incident is resolved.
    public func autoCall(_ contact: String) -> AutoCall? {
        guard incident.state != .resolved,
              let r = ladder.rungs.first(where: { $0.tier.callOut != nil && $0.contacts.contains { $0.contact.id == contact } }),
              let plan = r.tier.callOut, r.isStarted, r.metAt == nil, let start = r.startAt, start <= now,
              r.contacts.first(where: { $0.contact.id == contact })?.reachedAt == nil else { return nil }
        let recall = Double(max(plan.recall.seconds, 1))
        let n = min(plan.attempts, Int(now.timeIntervalSince(start) / recall) + 1)
        let at = start.addingTimeInterval(Double(n - 1) * recall)
        let key = HookKey.callOut(incident: incident.id, tier: r.tier.id, startMillis: Int64((start.timeIntervalSince1970 * 1000).rounded(.down)),
                                  contact: contact, attempt: n).description
        let keys = incident.hookKeys
        if keys[key] == nil, now.timeIntervalSince(at) > Self.autoCallOverdueAfter, callsInFlight[contact] == nil {
            return .notMade(attempt: n, dueAt: at)
        }
        if n < plan.attempts { return .next(attempt: n + 1, of: plan.attempts, at: start.addingTimeInterval(Double(n) * recall)) }
        return keys[key]?.finished == true ? .exhausted(attempts: plan.attempts) : nil
    }

    /// The contact's call in words, for a screen's line: `automatic call
    /// ringing 0:12 (try 2)`, `serve calls again in 03:10 (try 2 of 3)`,
    /// `automatic try 2 NOT made: is tierwatch serve running?`,
    /// `3 automatic calls made, not reached`; nil when there is nothing to say.
    public func callWords(_ contact: String, now: Date) -> (text: String, alarm: Bool)? {
        if let c = callsInFlight[contact] {
            let since = Countdown.format(max(0, Int(now.timeIntervalSince(c.since))))
            return (c.automatic ? "automatic call \(since) (try \(c.attempt))" : "tierwatch calling \(since)", false)
        }
        switch autoCall(contact) {
        case let .next(n, of, at)?: return ("serve calls again in \(Countdown.format(max(0, Ladder.seconds(from: now, to: at)))) (try \(n) of \(of))", false)
        case let .notMade(n, _)?: return ("automatic try \(n) NOT made: is tierwatch serve running?", true)
        case let .exhausted(n)?: return ("\(n) automatic call\(n == 1 ? "" : "s") made, not reached", true)
        case nil: return nil
        }
    }
}
