import Escalation
import Foundation
import Intake
import Surface

/// `c` in the contacts pane: tierwatch calls the selected contact itself
/// (the run loop places the call in the background and records what the
/// telephony says); "ringing 0:12" beside the contact meanwhile.
extension Model {
    mutating func placeCall() -> [Command] {
        guard let e = actionable("place a call") else { return [] }
        let tier = shownTier(e)
        guard e.ladder.rungs[tier].contacts.indices.contains(selectedContact) else { return [] }
        if contactsMoved, calls[e.incident.id] == nil {
            contactsMoved = false
            notice = Notice(text: "no call placed: the contacts changed under the cursor; press c again to call who is selected now", isError: true)
            return []
        }
        return placeCall(e, tier: tier, contact: selectedContact)
    }

    /// Calls a contact of a tier (`c`, `:call K3F9 am`): one call at a time
    /// per incident, never while serve's automatic call rings them, only
    /// with a dialer and a number.
    mutating func placeCall(_ e: Board.Entry, tier: Int, contact k: Int) -> [Command] {
        let id = e.incident.id
        if let busy = calls[id] {
            notice = Notice(text: "a call for \(id) is in progress (\(busy.who.sanitized), since \(Words.shortTime(busy.since, now: now))): one at a time", isError: true)
            return []
        }
        switch directory {
        case let .failure(p):
            notice = Notice(text: "no call placed while the policy does not parse (\(p.message.sanitized)); record calls with r, v, n", isError: true)
            return []
        case let .success(p) where p.dialer == nil:
            notice = Notice(text: "the policy has no dialer, so tierwatch places no calls (see docs/voice.md); record calls with r, v, n", isError: true)
            return []
        default: break
        }
        guard e.incident.state != .resolved else {
            notice = Notice(text: "\(id) is resolved: no call placed", isError: true)
            return []
        }
        let c = e.ladder.rungs[tier].contacts[k]
        let who = c.callee.person?.name ?? c.contact.name
        if let auto = CallOutPlanner.inFlight(e.incident, dialer: e.policy.dialer, now: now)[c.contact.id] {
            notice = Notice(text: "serve is calling \(who.sanitized) now (automatic call, try \(auto.attempt)): wait for its outcome", isError: true)
            return []
        }
        guard let phone = c.callee.phone else {
            notice = Notice(text: "\(who.sanitized) has no number on file: nothing to dial", isError: true)
            return []
        }
        calls[id] = PlacedCall(contact: c.contact.id, who: who, since: now)
        notice = Notice(text: "calling \(who.sanitized) \(phone.sanitized)…", isError: false)
        return [.call(incident: id, contact: c.contact.id)]
    }

    /// What the contact's line says while tierwatch calls them, if it does:
    /// this screen's call, or serve's automatic one (`call_out:`).
    func callWords(_ e: Board.Entry, contact: String) -> String? {
        guard let call = calls[e.incident.id], call.contact == contact else {
            if let auto = CallOutPlanner.inFlight(e.incident, dialer: e.policy.dialer, now: now)[contact] {
                return "auto-calling \(Countdown.format(max(0, Int(now.timeIntervalSince(auto.since))))) (try \(auto.attempt))"
            }
            return nil
        }
        if let r = call.ringingSince { return "ringing \(Countdown.format(Int(now.timeIntervalSince(r))))" }
        return "calling \(Countdown.format(Int(now.timeIntervalSince(call.since))))"
    }

    /// serve's next automatic call to the contact, when one is to come.
    func nextAutoCall(_ e: Board.Entry, contact: String) -> String? {
        guard e.policy.dialer != nil, let next = CallOutPlanner.upcoming(e, now: now)[contact] else { return nil }
        return "auto-call again in \(Countdown.format(max(0, Ladder.seconds(from: now, to: next.at)))) (try \(next.attempt) of \(next.of))"
    }
}
