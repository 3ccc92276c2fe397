import Escalation
import Foundation
import IncidentStore
import Testing

/// On-call overrides are events of the store: encoded, checked, synced and
/// folded like every other, but never an incident.
@Suite struct OnCallInTheStore {
    static let override = Action.onCallOverride(OverrideRequest(
        schedule: "platform", person: PersonRef(id: "ben", name: "Ben Okafor ☎"), phone: "+1 555 0141",
        from: t0, to: t0.addingTimeInterval(8 * 3600), replacing: "ana"))

    @Test func overridesCancelsAndThePersonOfACallRoundTrip() throws {
        let actions: [(String, Action)] = [
            (OverrideLog.key, OnCallInTheStore.override),
            (OverrideLog.key, .onCallCancel(override: "noc1/1")),
            ("K3F9", .contactOutcome(tier: "technical", contact: "platform", outcome: .reached, person: CalledPerson(PersonRef(id: "cho", name: "Cho Min-jun")))),
        ]
        for (n, (incident, action)) in actions.enumerated() {
            let e = event(action, incident: incident, seq: n + 1)
            var bytes = RecordCodec.encode(e)
            bytes.removeLast()
            #expect(try RecordCodec.decode(bytes) == e)
        }
    }

    @Test func anOverrideUnderAnIncidentOrAnIncidentActionUnderTheOnCallKeyIsABadRecord() {
        for (incident, action) in [("K3F9", OnCallInTheStore.override), (OverrideLog.key, Action.acknowledged)] {
            var bytes = RecordCodec.encode(event(action, incident: incident, seq: 1))
            bytes.removeLast()
            #expect(throws: RecordCodec.DecodeError.self) { try RecordCodec.decode(bytes) }
        }
    }

    @Test func anOverrideWrittenByOneHostIsReadByAnotherAndNeverBecomesAnIncident() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let a = IncidentStore(path: dir.path, host: "site-a")
        let b = IncidentStore(path: dir.path, host: "site-b")
        b.refresh()
        try a.append { _ in IncidentStore.Draft(incident: OverrideLog.key, action: OnCallInTheStore.override, operatorName: "alice", baseVersion: 0) }
        let change = b.refresh()
        #expect(change.onCall && change.incidents.isEmpty && !change.isEmpty)
        #expect(b.state.incidents.isEmpty && b.state.orphanCount == 0, "not an incident, not an orphan")
        let o = b.state.policies.overrides
        #expect(o.count == 1 && o[0].id == "site-a/1" && o[0].person == "ben" && o[0].snapshot?.name == "Ben Okafor ☎" && o[0].by == "alice")
        try b.append { _ in IncidentStore.Draft(incident: OverrideLog.key, action: .onCallCancel(override: "site-a/1"), operatorName: "bob", baseVersion: 0) }
        #expect(a.refresh().onCall)
        #expect(a.state.policies.overrides[0].cancelled != nil)
        // A reader that starts cold folds the same.
        let cold = IncidentStore(path: dir.path, host: "site-c")
        cold.refresh()
        #expect(cold.state.policies.overrides == a.state.policies.overrides)
    }
}
