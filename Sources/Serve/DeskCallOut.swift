import Escalation
import Foundation
import IncidentStore
import Intake

// MARK: Automatic call-out

extension Desk {
    /// The incident's automatic calls due now, each claimed (like a hook) so
    /// two serves never ring a person twice for one try; planned against the
    /// incident's own policy and dialer. A call that cannot be planned (no
    /// number, no URI) is claimed and recorded as failed at once.
    func callOuts(_ entry: Board.Entry, settings: HookSettings, now: Date) -> [CallJob] {
        guard let dialer = entry.policy.dialer else { return [] }
        var out: [CallJob] = []
        for due in CallOutPlanner.due(entry, dialer: dialer, settings: settings, now: now, machine: IncidentStore.machineID, host: store.host) {
            let claimed = claim(incident: due.incident, HookRecord(name: CallOutPlanner.recordName, key: due.key, result: .claimed, late: due.late), by: "call-out") { e, now in
                guard let d = e.policy.dialer else { return false }
                return CallOutPlanner.due(e, dialer: d, settings: settings, now: now, machine: IncidentStore.machineID, host: store.host)
                    .contains(where: { $0.key == due.key })
            }
            guard claimed else { continue }
            do {
                out.append(CallJob(due: due, plan: try CallPlan.make(entry, contact: due.contact, dialer: dialer, desk: entry.policy.name)))
            } catch {
                callFinished(due, ok: false, error.description, counted: "not_placed")
            }
        }
        return out
    }

    /// "calling …" on the timeline and the message made, before the call.
    public func prepare(_ job: CallJob) -> Result<CallPlan.Message, CallPlan.Refusal> {
        do {
            return .success(try job.plan.prepare(host: store.host, record: recordCall))
        } catch let error as CallPlan.Refusal {
            return .failure(error)
        } catch {
            return .failure(CallPlan.Refusal(description: "\(job.due.incident): \(error)", usage: false))
        }
    }

    /// Records what came of an automatic call: the outcome (as `tierwatch
    /// call` does) and the claim's result.
    public func finished(_ job: CallJob, _ message: CallPlan.Message, _ outcome: Result<CallResult, DialerProblem>) {
        do {
            let plan = job.plan
            let result = try plan.finish(message, outcome, isOpen: { store.state.incidents[plan.incident]?.state == .open }, record: recordCall)
            callFinished(job.due, ok: true, "\(plan.who): \(result.words)", counted: result.outcome.rawValue)
        } catch {
            callFinished(job.due, ok: false, "\(error)", counted: "not_placed")
        }
    }

    /// The claim's result: ok with what happened, or failed with why.
    public func callFinished(_ due: CallOutDue, ok: Bool, _ detail: String, counted result: String) {
        callRuns[result, default: 0] += 1
        let record = HookRecord(name: CallOutPlanner.recordName, key: due.key, result: ok ? .ok : .failed, detail: detail, tries: due.attempt, late: due.late)
        _ = try? store.record(on: due.incident, operatorName: "call-out", at: nil) { _, _, _ in .hook(record) }
    }

    func recordCall(_ id: String, _ action: Action) throws {
        _ = try store.record(on: id, operatorName: "call-out", at: nil) { _, _, _ in action }
    }
}
