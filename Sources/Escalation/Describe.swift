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
        case let .contactOutcome(tier, contact, outcome):
            let name = policy.tierIndex(id: tier).flatMap { t in policy.contacts(ofTier: t, customer: customer).first { $0.id == contact }?.name } ?? contact
            return "\(name.sanitized) (\(tierName(tier).sanitized)): \(outcome.label)"
        case let .customerUpdate(message):
            return "customer update: \(message.sanitized)"
        case let .note(message):
            return "note: \(message.sanitized)"
        case let .resolved(message):
            return "resolved" + (message.map { ": \($0.sanitized)" } ?? "")
        case .reopened:
            return "reopened"
        }
    }
}
