import Escalation
import Foundation
import IncidentStore
import Intake

// MARK: Automatic call-out

extension Desk {
    /// The incident's automatic calls due now, each claimed (like a hook) so
    /// two serves never ring a person twice for one try; planned against the
    /// incident's own policy and dialer. The claim says whom it calls
    /// (`calling Jane Roe +1 555 0101 (noc-a)`); a call that cannot be
    /// planned (no number, no URI) is claimed and recorded as failed at once.
    /// The dialer is the policy file's (a fixed URI rule or account reaches
    /// the open incidents' next tries), else the incident's own.
    func callOuts(_ entry: Board.Entry, dialer inForce: DialerSettings?, settings: HookSettings, now: Date) -> [CallJob] {
        guard entry.policy.dialer != nil, let dialer = inForce ?? entry.policy.dialer else { return [] }
        var out: [CallJob] = []
        for due in CallOutPlanner.due(entry, dialer: dialer, settings: settings, now: now, machine: IncidentStore.machineID, host: store.host) {
            let planned = Result { () throws(CallPlan.Refusal) -> CallPlan in
                var plan = try CallPlan.make(entry, contact: due.contact, dialer: dialer, desk: entry.policy.name)
                plan.key = HookKey(due.key) ?? plan.key
                plan.late = due.late
                return plan
            }
            let detail = (try? planned.get()).map { $0.calling(host: store.host) } ?? ""
            let claimed = claim(incident: due.incident, HookRecord(name: CallOutPlanner.recordName, key: due.key, result: .claimed, detail: detail, tries: due.attempt, late: due.late),
                                by: "call-out") { e, now in
                guard let d = e.policy.dialer else { return false }
                return CallOutPlanner.due(e, dialer: d, settings: settings, now: now, machine: IncidentStore.machineID, host: store.host)
                    .contains(where: { $0.key == due.key })
            }
            guard claimed else { continue }
            switch planned {
            case let .success(plan):
                let job = CallJob(due: due, plan: plan)
                activeCalls[due.key] = job
                out.append(job)
            case let .failure(why): notPlaced(due, why.description)
            }
        }
        return out
    }

    /// Records what came of an automatic call (the outcome and the try's
    /// result, as `tierwatch call` does), and counts it for /metrics.
    public func finished(_ job: CallJob, _ message: CallPlan.Message, _ outcome: Result<CallResult, DialerProblem>) {
        activeCalls[job.due.key] = nil
        let plan = job.plan
        _ = try? plan.finish(message, outcome, isOpen: { store.state.incidents[plan.incident]?.state == .open }, record: recordCall)
        // What the telephony said, whether or not every record could be written.
        let counted = (try? outcome.get()).map { $0.outcome?.rawValue ?? "hung_up" } ?? "not_placed"
        callRuns[counted, default: 0] += 1
    }

    /// A try that could not be placed: its result, failed, with why.
    public func notPlaced(_ due: CallOutDue, _ why: String) {
        activeCalls[due.key] = nil
        callRuns["not_placed", default: 0] += 1
        // "K3F9: Jane Roe: …": the incident is the timeline's own.
        let detail = why.hasPrefix("\(due.incident): ") ? String(why.dropFirst(due.incident.count + 2)) : why
        let record = HookRecord(name: CallOutPlanner.recordName, key: due.key, result: .failed, detail: detail, tries: due.attempt, late: due.late)
        _ = try? store.record(on: due.incident, operatorName: "call-out", at: nil) { _, _, _ in .hook(record) }
    }

    func recordCall(_ id: String, _ action: (Incident) throws -> Action) throws {
        _ = try store.record(on: id, operatorName: "call-out", at: nil) { i, _, _ in try action(i) }
    }

    /// Hangs up this serve's calls whose incident was resolved meanwhile
    /// (nobody should hear "press 1" for an incident that is over).
    func hangUpResolved() {
        for (_, job) in activeCalls where store.state.incidents[job.due.incident]?.state == .resolved {
            job.cancel.cancel("the incident was resolved")
        }
    }
}
