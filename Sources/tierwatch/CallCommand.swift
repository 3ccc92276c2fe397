import ArgumentParser
import Escalation
import Foundation
import Serve

/// `tierwatch call ID CONTACT`: tierwatch places the call itself through the
/// policy's dialer, speaks the incident, and records how it went from what
/// the telephony said.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Call a contact now through the policy's dialer; the outcome is recorded from the telephony.",
        discussion: """
        Calls the person the contact resolves to now (on call included) at their number, as a SIP URI by the \
        dialer's rule; the timeline gets "calling …" at once and the outcome when the call ends: pressed 1 → \
        reached; answered without 1 → voicemail; busy, declined, not answered within ring_timeout, unreachable → \
        no answer with the reason. A dialer that cannot place the call records no call (exit 1).
        Example: tierwatch call K3F9 am
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @Argument(help: "The contact's id or name.", completion: .custom(Completions.contactIDs)) var contact: String

    func run() throws {
        let ctx = try Context(global)
        let plan = try ctx.planCall(id, contact: contact)
        FileHandle.standardError.write(Data("\(plan.incident): calling \(plan.who.sanitized) \(plan.number.sanitized) (\(plan.uri.sanitized))…\n".utf8))
        let result = try ctx.placeCall(plan) {
            FileHandle.standardError.write(Data("ringing…\n".utf8))
        }
        print(result.line(plan))
    }
}

extension Context {
    /// Everything that must hold before a call (see `CallPlan.make`). Nothing recorded.
    func planCall(_ id: String, contact key: String) throws -> CallPlan {
        let entry = self.entry(try self.incident(id))
        let policy = try policyInForce().policy
        do {
            return try CallPlan.make(entry, contact: key, dialer: policy.dialer, desk: policy.name)
        } catch {
            throw error.usage ? CLIError.usage(error.description) : CLIError.refused(error.description)
        }
    }

    /// Records "calling …", places the call (waiting for it to end), and
    /// records the outcome; a dialer failure records a note that no call was
    /// made, and throws (exit 1).
    @discardableResult
    func placeCall(_ plan: CallPlan, ringing: @escaping @Sendable () -> Void = {}) throws -> CallResult {
        let message = try prepareCall(plan)
        return try finishCall(plan, message, plan.dial(message, ringing: ringing))
    }

    /// The message to play, made, and "calling …" on the timeline.
    func prepareCall(_ plan: CallPlan) throws -> CallPlan.Message {
        do {
            return try plan.prepare(host: store.host, record: recordAction)
        } catch let error as CallPlan.Refusal {
            throw CLIError.refused(error.description)
        }
    }

    /// Records what came of the call (see `CallPlan.finish`).
    @discardableResult
    func finishCall(_ plan: CallPlan, _ message: CallPlan.Message, _ outcome: Result<CallResult, DialerProblem>) throws -> CallResult {
        do {
            return try plan.finish(message, outcome, isOpen: { store.state.incidents[plan.incident]?.state == .open }, record: recordAction)
        } catch let error as CallPlan.Refusal {
            throw CLIError.refused(error.description)
        }
    }

    private func recordAction(_ id: String, _ action: (Incident) throws -> Action) throws {
        _ = try record(on: id, at: nil) { i, _, _ in try action(i) }
    }
}
