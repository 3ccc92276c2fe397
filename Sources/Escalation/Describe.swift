/// Words for an event, as the timeline shows it. Names come from the
/// incident's policy where it has them; text from outside is sanitised.
extension IncidentEvent {
    /// The event in words; contacts by the name the customer's overrides
    /// give them ("Jane Roe", not "Account Manager").
    public func summary(policy: Policy, customer: String? = nil) -> String {
        func tierName(_ id: String) -> String { policy.tierIndex(id: id).map { policy.tiers[$0].name } ?? id }
        switch action {
        case let .opened(o):
            let customer = o.customer.map { " for \($0.sanitized)" } ?? ""
            return "opened \(o.severity.rawValue)\(customer): \(o.title.sanitized)"
        case .acknowledged:
            return "acknowledged"
        case let .escalated(tier):
            return "escalated to \(tierName(tier).sanitized)"
        case let .contactOutcome(tier, contact, outcome, person):
            let name = policy.tierIndex(id: tier).flatMap { t in policy.contacts(ofTier: t, customer: customer).first { $0.id == contact }?.name } ?? contact
            // The person called, when it is someone other than the contact's name.
            let who = person.ref.flatMap { $0.name == name ? nil : "\($0.name.sanitized), " } ?? ""
            return "\(who)\(name.sanitized) (\(tierName(tier).sanitized)): \(outcome.label)"
        case let .customerUpdate(message):
            return "customer update: \(message.sanitized)"
        case let .note(message):
            return "note: \(message.sanitized)"
        case let .resolved(message):
            return "resolved" + (message.map { ": \($0.sanitized)" } ?? "")
        case .reopened:
            return "reopened"
        case let .onCallOverride(r):
            let replacing = r.replacing.map { " replacing \($0.sanitized)" } ?? ""
            return "on-call override: \(r.person.name.sanitized) on \(r.schedule.sanitized)\(replacing) from \(ISOTime.format(r.from)) to \(ISOTime.format(r.to))"
        case let .onCallCancel(id):
            return "on-call override \(id.sanitized) cancelled"
        case let .policyText(p):
            return "policy text \(p.digest.sanitized)"
        case let .monitoring(m):
            return "monitoring: \(m.text.sanitized)"
        case let .hook(h):
            // What it ran for, from its key: `K3F9/tier_started/ceo/…#page`.
            let key = HookKey(h.key)
            // A call tierwatch placed: `K3F9/call_out/management/…/am/2#call-out`
            // (serve's try 2), `K3F9/call/management/…/am/0#call` (an operator's).
            if let call = key?.callOut {
                let auto = call.attempt > 0 ? " (automatic, try \(call.attempt)\(h.late ? ", late" : ""))" : ""
                switch h.result {
                case .claimed where h.detail.isEmpty: return "automatic call to \(call.contact.sanitized) (\(call.tier.sanitized), try \(call.attempt))"
                case .claimed: return "calling \(h.detail.sanitized)\(auto)"
                case .ok: return "call to \(h.detail.sanitized)\(auto)"
                default: return "call NOT placed: \(h.detail.sanitized)\(auto)"
                }
            }
            let trigger = key?.trigger ?? ""
            let tier = key?.tier.map { " \($0)" } ?? ""
            let what = trigger.isEmpty || trigger == "test" ? "" : " (\(trigger.replacingOccurrences(of: "_", with: " "))\(tier))"
            let late = (h.late ? " (late)" : "")
            let name = h.name.sanitized + what.sanitized
            switch h.result {
            case .claimed: return "hook \(name) started\(late)"
            case .ok: return "hook \(name) ran: ok\(late)"
            case .failed: return "hook \(name) failed: \(h.detail.sanitized)\(late)"
            case .testOK: return "hook \(h.name.sanitized) test run: ok"
            case .testFailed: return "hook \(h.name.sanitized) test run failed: \(h.detail.sanitized)"
            }
        }
    }
}
