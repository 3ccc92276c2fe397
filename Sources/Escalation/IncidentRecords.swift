import Foundation

/// What an incident's records say besides its ladder: monitoring, hook
/// runs, the calls being placed.
extension Incident {
    /// What monitoring said last (`firing`, `resolved`; nil: nothing).
    public var monitoringStatus: String? {
        for e in events.reversed() { if case let .monitoring(m) = e.action { return m.status } }
        return nil
    }

    /// Every alert monitoring reported firing for the incident (fingerprints).
    public var monitoringAlerts: Set<String> {
        var out: Set<String> = []
        for e in events { if case let .monitoring(m) = e.action { out.formUnion(m.alerts) } }
        return out
    }

    /// The hook runs recorded on the incident, in log order.
    public var hookRecords: [HookRecord] {
        events.compactMap { if case let .hook(h) = $0.action { return h } else { return nil } }
    }

    /// Per hook key: whether a run finished (ok or failed), else when it
    /// was last claimed (a claim with no result is a run in progress, or
    /// one whose serve died: it is tried again once it is older than the
    /// hook could run).
    public var hookKeys: [String: (finished: Bool, claimedAt: Date?)] {
        var out: [String: (finished: Bool, claimedAt: Date?)] = [:]
        for e in events {
            guard case let .hook(h) = e.action else { continue }
            var v = out[h.key] ?? (false, nil)
            if h.result == .claimed { v.claimedAt = max(v.claimedAt ?? e.recordedAt, e.recordedAt) } else if h.result == .ok || h.result == .failed { v.finished = true }
            out[h.key] = v
        }
        return out
    }

    /// The calls tierwatch is placing now, by contact id: a call's claim
    /// (serve's automatic one, or an operator's) with no result yet, younger
    /// than `maxSeconds` (older: its process died mid-call). What every
    /// screen says instead of "call them", and what keeps a second call
    /// from ringing the same person.
    public func callsInFlight(now: Date, maxSeconds: Double) -> [String: CallInFlight] {
        guard state != .resolved else { return [:] }
        var out: [String: CallInFlight] = [:]
        for (key, k) in calls where !k.finished {
            guard let hk = HookKey(key), let call = hk.callOut, let at = k.claimedAt, now.timeIntervalSince(at) < maxSeconds else { continue }
            if let known = out[call.contact], known.since > at { continue }
            out[call.contact] = CallInFlight(attempt: call.attempt, since: at, automatic: hk.name == HookKey.callOutName)
        }
        return out
    }

    /// The hooks whose latest run failed (not a test), by name, with why.
    public var failedHooks: [(name: String, detail: String)] {
        var last: [String: HookRecord] = [:]
        var order: [String] = []
        for h in hookRecords where h.result == .ok || h.result == .failed {
            // A call's result stands per contact: another's call that went
            // through does not hide that this one's was not placed.
            let group = HookKey(h.key)?.callOut.map { "\(h.name)|\($0.contact)" } ?? h.name
            if last[group] == nil { order.append(group) }
            last[group] = h
        }
        return order.compactMap { g in last[g].flatMap { $0.result == .failed ? ($0.name, $0.detail) : nil } }
    }

    /// The key it was opened under by monitoring or the API, if any.
    public var dedupKey: String? {
        if case let .opened(o) = events.first?.action { return o.dedupKey }
        return nil
    }
}

/// A call being placed now (see `Incident.callsInFlight`).
public struct CallInFlight: Sendable, Equatable {
    /// The try of an automatic call; 0: an operator's call.
    public var attempt: Int
    public var since: Date
    public var automatic: Bool
}

/// What a call's records say of it (see `Incident.calls`).
public struct CallState: Sendable, Equatable {
    /// A result came (ok or failed).
    public var finished = false
    /// When it was last claimed.
    public var claimedAt: Date?
    /// The last result.
    public var result: HookRecord.Result?
}
