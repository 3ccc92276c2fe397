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
        print("\(plan.incident): \(plan.who.sanitized): \(result.words) → recorded as \(result.outcome.label)")
    }
}

/// A call about to be placed: to whom, at which number and URI, saying what.
struct CallPlan: Sendable {
    var incident: String
    var tier: String
    var contact: String
    var who: String
    var person: PersonRef?
    var number: String
    var uri: String
    var text: String
    var settings: DialerSettings
}

extension Context {
    /// Everything that must hold before a call: the incident, the contact,
    /// the person and their number, the dialer, the URI. Nothing recorded.
    func planCall(_ id: String, contact key: String) throws -> CallPlan {
        let incident = try self.incident(id)
        let entry = self.entry(incident)
        let policy = entry.policy
        guard let found = policy.findContact(key, customer: incident.customer) else {
            throw CLIError.refused("no contact '\(key.sanitized)' in policy \(policy.name.sanitized)\(Suggest.didYouMean(key, among: policy.contactKeys(customer: incident.customer)))")
        }
        guard incident.state != .resolved else { throw CLIError.refused("\(incident.id) is resolved: reopen it first") }
        guard let status = entry.ladder.rungs[found.tier].contacts.first(where: { $0.contact.id == found.contact.id }) else {
            throw CLIError.refused("\(incident.id): contact \(found.contact.id) is not on the ladder")
        }
        let who = status.callee.person?.name ?? status.contact.name
        guard let number = status.callee.phone, !number.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CLIError.refused("\(incident.id): \(who.sanitized) has no number on file: nothing to dial")
        }
        guard let settings = try policyInForce().policy.dialer else {
            throw CLIError.usage("the policy has no dialer: add a 'dialer:' section (see docs/voice.md) to place calls from tierwatch")
        }
        let uri: String
        switch settings.uri(for: number) {
        case let .success(u): uri = u
        case let .failure(why): throw CLIError.usage("\(incident.id): \(who.sanitized): \(why)")
        }
        var w = Words.spoken(entry, now: now)
        w["desk"] = Words.speakable(try policyInForce().policy.name, max: 40)
        w["customer"] = w["customer"] ?? "no customer"
        w["what"] = w["what"] ?? ""
        var text = settings.message
        for (k, v) in w { text = text.replacingOccurrences(of: "{\(k)}", with: v) }
        return CallPlan(incident: incident.id, tier: policy.tiers[found.tier].id, contact: found.contact.id, who: who,
                        person: status.callee.person.map(PersonRef.init), number: number, uri: uri, text: text, settings: settings)
    }

    /// Records "calling …", places the call (waiting for it to end), and
    /// records the outcome; a dialer failure records a note that no call was
    /// made, and throws (exit 1).
    @discardableResult
    func placeCall(_ plan: CallPlan, ringing: @escaping @Sendable () -> Void = {}) throws -> CallResult {
        let message = try prepareCall(plan)
        return try finishCall(plan, message, CallPlan.dial(plan, message, ringing: ringing))
    }

    /// The message to play, made, and "calling …" on the timeline.
    func prepareCall(_ plan: CallPlan) throws -> CallPlan.Message {
        let wav = NSTemporaryDirectory() + "/tierwatch-message-\(getpid())-\(UUID().uuidString).wav"
        switch VoiceMessage.write(plan.text, to: wav, silenceAfter: plan.settings.confirmWithin.seconds) {
        case let .success(s):
            do {
                try record(on: plan.incident, at: nil) { _, _, _ in .note(message: "calling \(plan.who) \(plan.number) (\(store.host))") }
            } catch {
                unlink(wav)
                throw error
            }
            return CallPlan.Message(wav: wav, seconds: s)
        case let .failure(why):
            unlink(wav)
            throw CLIError.refused("\(plan.incident): the call's message could not be made: \(why); no call placed")
        }
    }

    /// Records what came of the call (on the incident as it is now: the
    /// call happened whatever others did meanwhile).
    @discardableResult
    func finishCall(_ plan: CallPlan, _ message: CallPlan.Message, _ outcome: Result<CallResult, DialerProblem>) throws -> CallResult {
        unlink(message.wav)
        switch outcome {
        case let .failure(why):
            try? record(on: plan.incident, at: nil) { _, _, _ in .note(message: "the call to \(plan.who) was NOT placed: \(why.description); no call recorded") }
            throw CLIError.refused("\(plan.incident): the call to \(plan.who.sanitized) was not placed: \(why.description.sanitized)")
        case let .success(result):
            try record(on: plan.incident, at: nil) { _, _, _ in
                .contactOutcome(tier: plan.tier, contact: plan.contact, outcome: result.outcome, person: CalledPerson(plan.person))
            }
            try record(on: plan.incident, at: nil) { _, _, _ in .note(message: "call to \(plan.who): \(result.words)") }
            if result == .confirmed, plan.settings.acknowledgeOnConfirm, store.state.incidents[plan.incident]?.state == .open {
                try record(on: plan.incident, at: nil) { _, _, _ in .acknowledged }
            }
            return result
        }
    }
}

extension CallPlan {
    struct Message: Sendable {
        var wav: String
        var seconds: Double
    }

    /// The call itself: no store, so it can run off the screen's thread.
    static func dial(_ plan: CallPlan, _ message: Message, ringing: @escaping @Sendable () -> Void) -> Result<CallResult, DialerProblem> {
        Dialer(plan.settings).call(plan.uri, wav: message.wav, messageSeconds: message.seconds, ringing: ringing)
    }
}
