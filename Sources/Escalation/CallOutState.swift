import Foundation

/// What every screen says about tierwatch's own calls for an incident: who
/// is being called now, and for a tier with `call_out:`, what serve's next
/// automatic try is (or that it did not come, or that the tries ran out).
/// Each takes the screen's `now`: a screen redraws every second while the
/// store is quiet, and a try not made is exactly a store that stayed quiet.
extension Board.Entry {
    /// The calls being placed at `now`, by contact id (see `Incident.callsInFlight`).
    public func callsInFlight(now: Date) -> [String: CallInFlight] {
        incident.callsInFlight(now: now, maxSeconds: policy.dialer?.maxCallSeconds ?? 130)
    }

    /// serve's automatic tries for a contact, as the screens say them.
    public enum AutoCall: Sendable, Equatable {
        /// The next try, when it falls due (now or later).
        case next(attempt: Int, of: Int, at: Date)
        /// A try whose time passed `autoCallOverdueAfter` and the grace ago
        /// with no claim: no serve is placing it.
        case notMade(attempt: Int, dueAt: Date)
        /// The latest try could not be placed (its result says why).
        case notPlaced(attempt: Int)
        /// Every try's time has passed; `made` calls rang, none reached them.
        case exhausted(made: Int)
    }

    /// A try not claimed this long after its time (and the hooks' grace,
    /// when another site may be the one to make it) is one no serve made.
    public static let autoCallOverdueAfter: TimeInterval = 15

    /// Where serve's automatic calls to the contact stand at `now`; nil when
    /// the contact's tier has no `call_out:`, has not started, is met, the
    /// contact is reached, the incident is resolved, or the try is older
    /// than `hook_settings.max_age` (serve no longer makes it).
    public func autoCall(_ contact: String, now: Date) -> AutoCall? {
        guard incident.state != .resolved,
              let r = ladder.rungs.first(where: { $0.tier.callOut != nil && $0.contacts.contains { $0.contact.id == contact } }),
              let plan = r.tier.callOut, r.isStarted, r.metAt == nil, let start = r.startAt, start <= now,
              r.contacts.first(where: { $0.contact.id == contact })?.reachedAt == nil else { return nil }
        let recall = Double(max(plan.recall.seconds, 1))
        let n = min(plan.attempts, Int(now.timeIntervalSince(start) / recall) + 1)
        let at = start.addingTimeInterval(Double(n - 1) * recall)
        let startMillis = Int64((start.timeIntervalSince1970 * 1000).rounded(.down))
        func key(_ k: Int) -> String { HookKey.callOut(incident: incident.id, tier: r.tier.id, startMillis: startMillis, contact: contact, attempt: k).description }
        // The last result of each try (kept as the incident is folded: this runs every frame).
        let calls = incident.calls
        func result(_ k: Int) -> HookRecord.Result? { calls[key(k)]?.result }
        let claimed = calls[key(n)] != nil
        if !claimed {
            let late = now.timeIntervalSince(at)
            if late > Double(policy.hookSettings.maxAge.seconds) { return nil }
            if late > Self.autoCallOverdueAfter + Double(policy.hookSettings.grace.seconds), callsInFlight(now: now)[contact] == nil {
                return .notMade(attempt: n, dueAt: at)
            }
            // Its time has come (or comes): serve is about to make it.
            if late >= 0 { return .next(attempt: n, of: plan.attempts, at: at) }
        }
        if result(n) == .failed { return .notPlaced(attempt: n) }
        if n < plan.attempts { return .next(attempt: n + 1, of: plan.attempts, at: start.addingTimeInterval(Double(n) * recall)) }
        guard result(n) != nil else { return nil }
        return .exhausted(made: (1...plan.attempts).filter { result($0) == .ok }.count)
    }

    /// The contact's call in words, for a screen's line: `automatic call
    /// 00:12 (try 2)`, `serve calls again in 03:10 (try 2 of 3)`, `automatic
    /// try 2 NOT made: is tierwatch serve running?`, `3 automatic calls
    /// made, not reached`; nil when there is nothing to say. `alarm`: the
    /// desk must dial by hand.
    public func callWords(_ contact: String, now: Date) -> (text: String, alarm: Bool)? {
        if let c = callsInFlight(now: now)[contact] {
            let since = Countdown.format(max(0, Int(now.timeIntervalSince(c.since))))
            return (c.automatic ? "automatic call \(since) (try \(c.attempt))" : "tierwatch calling \(since)", false)
        }
        switch autoCall(contact, now: now) {
        case let .next(n, of, at)?:
            let wait = Ladder.seconds(from: now, to: at)
            return (wait > 0 ? "serve calls again in \(Countdown.format(wait)) (try \(n) of \(of))" : "serve calls now (try \(n) of \(of))", false)
        case let .notMade(n, _)?: return ("automatic try \(n) NOT made: is tierwatch serve running?", true)
        case let .notPlaced(n)?: return ("automatic try \(n) NOT placed (see the timeline): dial by hand", true)
        case let .exhausted(made)?:
            return (made == 0 ? "no automatic call could be placed: dial by hand" : "\(made) automatic call\(made == 1 ? "" : "s") made, not reached", true)
        case nil: return nil
        }
    }
}
