import Escalation
import Foundation
import IncidentStore
import Intake

// MARK: Hooks

extension Desk {
    /// The hooks due now, each already claimed under the store's lock (so
    /// it runs once on this host, however many serve processes look), and
    /// how long until the clock may make another due.
    public func hooksDue() -> (jobs: [HookJob], calls: [CallJob], next: TimeInterval) {
        // Other processes' writes (the follower), and this process's own
        // (intake, the API, a read by /metrics that took in others').
        let changed = !follower.check().isEmpty || store.state.eventCount != hooksSeenEvents
        hooksSeenEvents = store.state.eventCount
        if changed { hangUpResolved() }
        let now = store.clock.now()
        // Nothing written and no clock change due: nothing can be due now.
        if !changed, now < hooksWake { return ([], [], min(hooksIdle, max(0.002, hooksWake.timeIntervalSince(now)))) }
        // The file's hooks, or while it does not parse the last that did
        // (said on /metrics and by doctor): a typo must not stop the pages.
        guard let policy = loadPolicy().working?.policy, !policy.hooks.isEmpty || policy.tiers.contains(where: { $0.callOut != nil }) else {
            // No hooks, no call-out: look again in a second (a policy edit may add some).
            hooksWake = now.addingTimeInterval(1)
            hooksIdle = 1
            return ([], [], 1)
        }
        let state = store.state
        let maxAge = Double(policy.hookSettings.maxAge.seconds)
        let grace = Double(policy.hookSettings.grace.seconds)
        // Open incidents, and those resolved within the max age (their `resolved` hook).
        let candidates = state.incidents.values.filter { i in i.state != .resolved || (i.resolved.map { now.timeIntervalSince($0.at) <= maxAge } ?? false) }
        var jobs: [HookJob] = []
        var calls: [CallJob] = []
        var wake = now.addingTimeInterval(60)
        for incident in candidates {
            let entry = Board.Entry(incident, policies: state.policies, at: now)
            if let v = entry.ladder.validUntil { wake = min(wake, v) }
            if let t = CallOutPlanner.nextTry(entry, now: now) { wake = min(wake, t) }
            // A claim with no result becomes a rerun when the hook (or call) could no longer be running.
            for (key, k) in incident.hookKeys where !k.finished {
                guard let at = k.claimedAt, let name = HookKey(key)?.name else { continue }
                let limit: Double
                if name == CallOutPlanner.recordName, let d = entry.policy.dialer { limit = d.maxCallSeconds }
                else if let h = policy.hooks.first(where: { $0.name == name }) { limit = HookPlanner.maxRunSeconds(h) }
                else { continue }
                let expiry = at.addingTimeInterval(limit)
                if expiry > now { wake = min(wake, expiry) }
            }
            // Another site's incident: its hooks may become this site's when the grace ends.
            if incident.originMachine != IncidentStore.machineID {
                for o in HookPlanner.occurrences(entry) where o.at.addingTimeInterval(grace) > now { wake = min(wake, o.at.addingTimeInterval(grace)) }
            }
            for due in HookPlanner.due(entry, hooks: policy.hooks, settings: policy.hookSettings, now: now,
                                       machine: IncidentStore.machineID, host: store.host) {
                guard claim(due, settings: policy.hookSettings) else { continue }
                jobs.append(HookRunner.job(due, entry: entry, now: now, host: store.host))
            }
            calls += callOuts(entry, dialer: policy.dialer, settings: policy.hookSettings, now: now)
        }
        hooksWake = wake
        hooksIdle = 0.1
        return (jobs, calls, min(hooksIdle, max(0.002, wake.timeIntervalSince(now))))
    }

    struct AlreadyClaimed: Error {}

    /// Appends the claim unless one with the key is there (checked again
    /// under the lock, against every host's records read so far).
    private func claim(_ due: HookDue, settings: HookSettings) -> Bool {
        claim(incident: due.occurrence.incident, HookRecord(name: due.hook.name, key: due.key, result: .claimed, late: due.late)) { entry, now in
            HookPlanner.due(entry, hooks: [due.hook], settings: settings, now: now, machine: IncidentStore.machineID, host: store.host)
                .contains(where: { $0.key == due.key })
        }
    }

    /// Appends a claim record when `stillDue` holds under the lock for the
    /// incident as every host's records read so far have it.
    func claim(incident id: String, _ record: HookRecord, by operatorName: String = "hook", stillDue: (Board.Entry, Date) -> Bool) -> Bool {
        do {
            // Two serves of this machine under different host names lock
            // different logs: the machine's lock makes their checks and
            // claims one after the other.
            _ = try store.withMachineLock { try store.append { state in
                // Checked again under the lock: another serve's claim (or
                // result) since the plan was made means it is theirs.
                let now = store.clock.now()
                guard let i = state.incidents[id], stillDue(Board.Entry(i, policies: state.policies, at: now), now) else { throw AlreadyClaimed() }
                return IncidentStore.Draft(incident: i.id, action: .hook(record), operatorName: operatorName, baseVersion: i.version)
            } }
            return true
        } catch {
            return false
        }
    }

    /// Records how a run went, on the incident's timeline.
    public func finished(_ job: HookJob, _ r: HookRunner.Result) {
        hookRuns["\(job.due.hook.name)|\(r.ok ? "ok" : "failed")", default: 0] += 1
        let record = HookRecord(name: job.due.hook.name, key: job.due.key, result: r.ok ? .ok : .failed, detail: r.detail, tries: r.tries, late: job.due.late)
        _ = try? store.record(on: job.due.occurrence.incident, operatorName: "hook", at: nil) { _, _, _ in .hook(record) }
    }
}
