import Escalation
import Foundation

/// The actions every writer takes the same way (the CLI, the dashboard,
/// `tierwatch serve`): under the store's lock, checked against the
/// freshest state, refused (nothing written) when the state says no.
extension IncidentStore {
    /// Records an action on an incident. `baseVersion` is the version the
    /// operator saw (a screen passes its own, so an action on a view someone
    /// else has since resolved is refused as stale); nil means "as it is
    /// now". A call that names no person records the person it went to.
    /// `unknown` makes the error for an id the store does not hold.
    public func record(on typed: String, operatorName: String, at: Date?, baseVersion: Int? = nil,
                       unknown: (String, StoreState) -> Error = { id, _ in StoreError.unknownIncident(id) },
                       _ makeAction: (Incident, Policy, Date) throws -> Action) throws -> IncidentEvent {
        try append { state in
            guard let incident = state.incident(typed) else { throw unknown(typed, state) }
            let policy = state.policy(for: incident)
            let when = at ?? clock.now()
            let action = state.policies.resolver(for: policy).namingPersonCalled(try makeAction(incident, policy, when), customer: incident.customer,
                                                                                 at: when, overrides: state.policies.overrides)
            let base = baseVersion ?? incident.version
            if var why = incident.refusal(of: action, baseVersion: base, at: when) {
                // Nobody back-dated it: this machine's clock says it is
                // earlier than another host recorded the opening.
                if at == nil, when < incident.opened.at.addingTimeInterval(-Incident.clockTolerance) {
                    let behind = Int(incident.opened.at.timeIntervalSince(when).rounded())
                    let opener = incident.events.first?.id.host ?? "another host"
                    why += ". Nobody back-dated this: it is \(ISOTime.format(when)) by this machine's clock, about \(Words.span(behind)) before the opening host \(opener.sanitized) recorded, so one of the two clocks is wrong (this machine's behind, or \(opener.sanitized)'s ahead); check NTP on both (timedatectl status) before recording actions"
                }
                throw StoreError.refused("\(incident.id): \(why)")
            }
            return Draft(incident: incident.id, action: action, operatorName: operatorName, at: at, baseVersion: base)
        }
    }

    /// Opens an incident with a new id; returns its opening event.
    public func openIncident(_ opening: Opening, operatorName: String, at: Date? = nil) throws -> IncidentEvent {
        var rng = SystemRandomNumberGenerator()
        var opening = opening
        opening.originMachine = opening.originMachine ?? IncidentStore.machineID
        return try append { state in
            let id = IncidentID.generate(avoiding: { state.incidents[$0] != nil || state.orphans[$0] != nil || state.archive.contains($0) }, using: &rng)
            return Draft(incident: id, action: .opened(opening), operatorName: operatorName, at: at, baseVersion: 0)
        }
    }
}
