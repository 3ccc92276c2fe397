import Escalation
import Foundation
import IncidentStore
import Intake

/// A call about to be placed: to whom, at which number and URI, saying what.
/// One way for every caller: `tierwatch call`, the dashboard's `c` and
/// serve's automatic call-out.
public struct CallPlan: Sendable {
    public var incident: String
    public var tier: String
    public var contact: String
    public var who: String
    public var person: PersonRef?
    public var number: String
    public var uri: String
    public var text: String
    public var settings: DialerSettings
    /// The key its records carry: an operator's call (`HookKey.call`) unless
    /// serve sets its automatic try's (`HookKey.callOut`).
    public var key: HookKey
    /// An automatic try made well after its time.
    public var late = false

    public var automatic: Bool { key.name == HookKey.callOutName }

    /// Why a call cannot be planned: nothing recorded. `usage` is a fault
    /// of the policy or the input (no dialer, a number with no URI).
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
        public var usage: Bool
    }

    /// The message to play, made on disk, and how long it lasts.
    public struct Message: Sendable {
        public var wav: String
        public var seconds: Double
    }

    /// Everything that must hold before a call: the incident open, the
    /// contact on the ladder, the person and their number, the dialer, the
    /// URI. `contact` is the contact's id or name.
    public static func make(_ entry: Board.Entry, contact key: String, dialer: DialerSettings?, desk: String) throws(Refusal) -> CallPlan {
        let incident = entry.incident, policy = entry.policy
        guard let found = policy.findContact(key, customer: incident.customer) else {
            throw Refusal(description: "no contact '\(key.sanitized)' in policy \(policy.name.sanitized)\(Suggest.didYouMean(key, among: policy.contactKeys(customer: incident.customer)))", usage: false)
        }
        guard incident.state != .resolved else { throw Refusal(description: "\(incident.id) is resolved: reopen it first", usage: false) }
        guard let status = entry.ladder.rungs[found.tier].contacts.first(where: { $0.contact.id == found.contact.id }) else {
            throw Refusal(description: "\(incident.id): contact \(found.contact.id) is not on the ladder", usage: false)
        }
        let who = status.callee.person?.name ?? status.contact.name
        if let busy = entry.callsInFlight(now: entry.now)[found.contact.id] {
            let whose = busy.automatic ? "serve's automatic call, try \(busy.attempt)" : "a call placed from another desk"
            throw Refusal(description: "\(incident.id): \(who.sanitized) is being called now (\(whose), since \(ISOTime.format(busy.since))): wait for its outcome", usage: false)
        }
        guard let number = status.callee.phone, !number.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Refusal(description: "\(incident.id): \(who.sanitized) has no number on file: nothing to dial", usage: false)
        }
        guard let settings = dialer else {
            throw Refusal(description: "the policy has no dialer: add a 'dialer:' section (see docs/voice.md) to place calls from tierwatch", usage: true)
        }
        let uri: String
        switch settings.uri(for: number) {
        case let .success(u): uri = u
        case let .failure(why): throw Refusal(description: "\(incident.id): \(who.sanitized): \(why)", usage: true)
        }
        var w = Words.spoken(entry, now: entry.now)
        w["desk"] = Words.speakable(desk, max: 40)
        w["customer"] = w["customer"] ?? "no customer"
        w["what"] = w["what"] ?? ""
        var text = settings.message
        for (k, v) in w { text = text.replacingOccurrences(of: "{\(k)}", with: v) }
        let key = HookKey.call(incident: incident.id, tier: policy.tiers[found.tier].id, millis: Int64((entry.now.timeIntervalSince1970 * 1000).rounded(.down)),
                               contact: found.contact.id)
        return CallPlan(incident: incident.id, tier: policy.tiers[found.tier].id, contact: found.contact.id, who: who,
                        person: status.callee.person.map(PersonRef.init), number: number, uri: uri, text: text, settings: settings, key: key)
    }

    /// Records on an incident as someone: `record(incident) { incident as
    /// it is under the store's lock in → the action }`.
    public typealias Record = (String, (Incident) throws -> Action) throws -> Void

    /// What the claim says: `Jane Roe +1 555 0101 (noc-a)`.
    public func calling(host: String) -> String { "\(who) \(number) (\(host))" }

    /// The record of this call: claimed (it rings), ok or failed.
    public func record(_ result: HookRecord.Result, _ detail: String) -> Action {
        .hook(HookRecord(name: key.name, key: key.description, result: result, detail: detail, tries: key.callOut?.attempt ?? 0, late: late))
    }

    /// The message made (espeak-ng; off any actor: it takes a moment).
    public func message() throws(Refusal) -> Message {
        let wav = NSTemporaryDirectory() + "/tierwatch-message-\(getpid())-\(UUID().uuidString).wav"
        switch VoiceMessage.write(text, to: wav, silenceAfter: settings.confirmWithin.seconds) {
        case let .success(s):
            return Message(wav: wav, seconds: s)
        case let .failure(why):
            unlink(wav)
            throw Refusal(description: "\(incident): the call's message could not be made: \(why); no call placed", usage: false)
        }
    }

    /// An operator's call: the message made, and "calling … (host)" on the
    /// timeline, the call's claim, appended only if no call rings the
    /// contact on the incident as it is under the store's lock (serve's try
    /// may have started since the plan was made).
    public func prepare(host: String, record: Record) throws -> Message {
        let m = try message()
        do {
            try record(incident) { i throws(Refusal) in
                if let busy = i.callsInFlight(now: Date(), maxSeconds: settings.maxCallSeconds)[contact] {
                    let whose = busy.automatic ? "serve's automatic call, try \(busy.attempt)" : "a call placed from another desk"
                    throw Refusal(description: "\(incident): \(who.sanitized) is being called now (\(whose)): wait for its outcome", usage: false)
                }
                return self.record(.claimed, calling(host: host))
            }
        } catch {
            unlink(m.wav)
            throw error
        }
        return m
    }

    /// The call itself: no store, so it can run off a screen's or a
    /// server's thread.
    public func dial(_ message: Message, ringing: @escaping @Sendable () -> Void = {}, unwanted: @escaping Dialer.StillWanted = { nil }) -> Result<CallResult, DialerProblem> {
        Dialer(settings).call(uri, wav: message.wav, messageSeconds: message.seconds, ringing: ringing, unwanted: unwanted)
    }

    /// Records what came of the call, on the incident as it is now (the call
    /// happened whatever others did meanwhile): the outcome as the contact's,
    /// a timeline line, and the acknowledgement when the policy says pressing
    /// 1 acknowledges. A dialer failure records only a note that no call was
    /// made, and throws.
    @discardableResult
    public func finish(_ message: Message, _ outcome: Result<CallResult, DialerProblem>, isOpen: () -> Bool, record: Record) throws -> CallResult {
        unlink(message.wav)
        switch outcome {
        case let .failure(why):
            try? record(incident) { _ in self.record(.failed, "\(who): \(why.description)") }
            throw Refusal(description: "\(incident): the call to \(who.sanitized) was not placed: \(why.description.sanitized)", usage: false)
        case let .success(result):
            // The call's result first: it ends the claim whatever happens to
            // the records after it (a claim left open is a try made again).
            try record(incident) { _ in self.record(.ok, "\(who): \(result.words)") }
            if let outcome = result.outcome {
                try record(incident) { _ in .contactOutcome(tier: tier, contact: contact, outcome: outcome, person: CalledPerson(person)) }
            }
            if result == .confirmed, settings.acknowledgeOnConfirm, isOpen() {
                try record(incident) { _ in .acknowledged }
            }
            return result
        }
    }
}

/// An automatic call claimed by this serve: the try, its plan, and why it
/// is no longer wanted once it is not (the incident resolved meanwhile).
public struct CallJob: Sendable {
    public var due: CallOutDue
    public var plan: CallPlan
    public let cancel = CallCancel()
}

/// Set by serve when a call in progress is no longer wanted; read by the
/// call's thread a few times a second.
public final class CallCancel: @unchecked Sendable {
    private let lock = NSLock()
    private var why: String?

    public func cancel(_ reason: String) {
        lock.lock()
        defer { lock.unlock() }
        why = why ?? reason
    }

    public var reason: String? {
        lock.lock()
        defer { lock.unlock() }
        return why
    }
}
