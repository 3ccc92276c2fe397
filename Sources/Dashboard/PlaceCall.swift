import Escalation
import Foundation
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
        if let busy = e.callsInFlight(now: now)[c.contact.id] {
            let whose = busy.automatic ? "serve's automatic call, try \(busy.attempt)" : "a call another desk asked for"
            notice = Notice(text: "\(who.sanitized) is being called now (\(whose), since \(Words.shortTime(busy.since, now: now))): wait for its outcome", isError: true)
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
    /// this screen's call, or one in the store (serve's automatic call, or
    /// another desk's).
    func callWords(_ e: Board.Entry, contact: String) -> String? {
        guard let call = calls[e.incident.id], call.contact == contact else {
            return e.callsInFlight(now: now)[contact] == nil ? nil : e.callWords(contact, now: now)?.text
        }
        if let r = call.ringingSince { return "ringing \(Countdown.format(Int(now.timeIntervalSince(r))))" }
        return "calling \(Countdown.format(Int(now.timeIntervalSince(call.since))))"
    }
}
