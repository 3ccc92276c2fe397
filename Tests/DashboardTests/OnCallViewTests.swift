import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// The dashboard's on-call view (`o`).
@Suite struct OnCallView {
    func model(_ directory: Result<Policy, DirectoryProblem>, readOnly: Bool = false) -> Model {
        var m = Board.model(Board.several, readOnly: readOnly)
        _ = m.update(.directory(directory))
        _ = m.update(.tick(Board.now.addingTimeInterval(30 * 60)))  // 18:30Z, a Thursday
        _ = m.update(.key(.char("o")))
        return m
    }

    @Test func everyScheduleWithThePersonTheirNumberUntilWhenAndASoonHandoffMarked() {
        let m = model(.success(.example), readOnly: true)  // the viewer may look too
        let text = m.view(width: 80, height: 24).text
        // 12 h desk shifts hand off at 20:00 Berlin time: 19:00Z, in 30 minutes.
        #expect(text.contains("NOC desk lead: Noor Haddad  +1 555 0110"), "\(text)")
        #expect(text.contains("⚠ handoff in 30m: until Thu 20:00 Europe/Berlin"))
        // Daily at 08:00 Berlin: the 326th day since 2026-01-05 is Gia's.
        #expect(text.contains("Telecom on call: Gia Romano  +1 555 0161"))
        #expect(text.contains("until Fri 08:00 Europe/Berlin"))
        #expect(text.contains("any key Close"))
        var closed = m
        _ = closed.update(.key(.char("x")))
        #expect(closed.overlay == nil)
    }

    @Test func aPolicyThatDoesNotParseSaysWhoIsOnCallIsUnknown() {
        let text = model(.failure(DirectoryProblem("/srv/noc/store/policy.yaml:12:26: error: unknown person 'bem'"))).view(width: 120, height: 40).text
        #expect(text.contains("The policy file does not parse, so who is on call is unknown"))
        #expect(text.contains("policy.yaml:12:26: error: unknown person 'bem'"))
    }

    @Test func aPolicyWithoutSchedulesSaysHowToAddThem() {
        let text = model(.success(.builtIn)).view(width: 120, height: 40).text
        #expect(text.contains("No on-call schedules in the policy in force."))
        #expect(text.contains("tierwatch policy show --example"))
    }
}
