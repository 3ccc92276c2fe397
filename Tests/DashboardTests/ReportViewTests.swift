import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// The compliance report in the dashboard (`R`).
@Suite struct ReportOverlay {
    @Test func rShowsTheReportAndEnterOpensTheWorstIncident() throws {
        var m = Board.model(Board.several)
        _ = m.update(.key(.char("R")))
        guard case let .report(r)? = m.overlay else { Issue.record("no report"); return }
        #expect(r.days == 7 && r.lines.first?.hasPrefix("Compliance — last 7 days") == true)
        let text = m.view(width: 120, height: 40).text
        #expect(text.contains("Management notified") && text.contains("Worst:"), "\(text)")
        #expect(!r.worst.isEmpty)
        _ = m.update(.key(.char("3")))
        guard case let .report(thirty)? = m.overlay else { Issue.record("closed"); return }
        #expect(thirty.days == 30)
        _ = m.update(.key(.char("c")))
        guard case let .report(acme)? = m.overlay else { Issue.record("closed"); return }
        #expect(acme.customer == "acme" && acme.lines.first?.contains("customer acme") == true)
        _ = m.update(.key(.enter))
        #expect(m.overlay == nil && m.selectedID == acme.worst.first)
    }
}
