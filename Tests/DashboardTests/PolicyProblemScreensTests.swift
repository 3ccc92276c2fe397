import Dashboard
import Escalation
import Foundation
import Testing

/// No screen is calm while alerts cannot become incidents: with the
/// policy file broken, an empty dashboard or wall says new incidents
/// cannot be opened instead of "All clear" / ALL CLEAR.
@Suite struct PolicyProblemScreens {
    static let problem = DirectoryProblem("/srv/noc/store/policy.yaml:3:1: invalid YAML")

    @Test func anEmptyDashboardSaysNewIncidentsCannotBeOpened() {
        var m = Board.model([])
        let calm = "No incidents recorded in this store yet."
        #expect(m.view(width: 120, height: 40).text.contains(calm))
        _ = m.update(.directory(.failure(Self.problem)))
        let text = m.view(width: 120, height: 40).text
        #expect(text.contains("No open incidents, but NEW INCIDENTS CANNOT BE OPENED") && !text.contains(calm), "\(text)")
        // The detail pane does not invite a key that is refused.
        #expect(text.contains("New incidents cannot be opened: the policy file does not parse (see above).") && !text.contains("Press n to open"), "\(text)")
        #expect(m.view(width: 80, height: 24).text.contains("New incidents cannot be opened: the policy file does not parse (see above)."), "whole at 80 columns")
        let bar = { (m: Model) in m.view(width: 120, height: 40).text.split(separator: "\n").last.map(String.init) ?? "" }
        #expect(bar(m).contains("Help") && !bar(m).contains("n New"), "the key bar does not offer what is refused: \(bar(m))")
        // n is refused at once, with the reason, before a title is typed.
        #expect(m.update(.key(.char("n"))).isEmpty && m.overlay == nil)
        #expect(m.notice?.text.hasPrefix("cannot open an incident: the policy file does not parse: /srv/noc/store/policy.yaml:3:1") == true, "\(String(describing: m.notice))")
        _ = m.update(.directory(.success(.builtIn)))
        #expect(m.view(width: 120, height: 40).text.contains(calm))
        #expect(m.view(width: 120, height: 40).text.contains("Press n to open an incident"))
        #expect(bar(m).contains("n New"), "\(bar(m))")
    }

    /// The detail pane names the key as bound, not as shipped.
    @Test func theEmptyDetailPaneNamesTheReboundKey() {
        var m = Board.model([])
        m.bindings.rebind(.new, to: [.char("N")])
        #expect(m.view(width: 120, height: 40).text.contains("Press N to open an incident, or : for the command line."))
        m.bindings.rebind(.new, to: [])
        #expect(m.view(width: 120, height: 40).text.contains("│ : for the command line."), "an unbound key is not offered")
    }

    @Test func anEmptyWallIsNotCalm() {
        var w = WallScenes.wall([])
        #expect(w.view(width: 120, height: 40).text.contains("No incidents in this store yet."))
        _ = w.update(.directory(.failure(Self.problem)))
        let text = w.view(width: 120, height: 40).text
        #expect(text.contains("No open incidents, but none can be opened: the policy file does not parse."), "\(text)")
        #expect(!text.contains("No incidents in this store yet."))
    }
}
