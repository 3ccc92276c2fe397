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
        guard let r = m.panel(ReportPanel.self) else { Issue.record("no report"); return }
        #expect(r.days == 7 && r.lines.first?.text.hasPrefix("Compliance — last 7 days") == true)
        let text = m.view(width: 120, height: 40).text
        #expect(text.contains("Management notified") && text.contains("Worst:"), "\(text)")
        #expect(!r.worst.isEmpty)
        // At 80x24 the table would be cut: each step on two lines instead,
        // with the counts of late and missed, and every worst incident.
        let narrow = m.view(width: 80, height: 24).text
        #expect(narrow.contains("  Management notified, within 10m of its start") && narrow.contains(" on time · missed "), "\(narrow)")
        #expect(r.worst.allSatisfy { narrow.contains("  \($0)  late ") }, "\(narrow)")
        #expect(!narrow.contains("LATENESS"), "the wide table is not drawn cut")
        #expect(m.view(width: 200, height: 60).text.contains("LATENESS p50 / p90 / max"), "a wide screen has the table")
        _ = m.update(.key(.char("3")))
        guard let thirty = m.panel(ReportPanel.self) else { Issue.record("closed"); return }
        #expect(thirty.days == 30)
        _ = m.update(.key(.char("c")))
        guard let acme = m.panel(ReportPanel.self) else { Issue.record("closed"); return }
        #expect(acme.customer == "acme" && acme.lines.first?.text.contains("customer acme") == true)
        _ = m.update(.key(.enter))
        #expect(m.overlay == nil && m.selectedID == acme.worst.first)
    }
}

/// The report's bars are drawn with the terminal's glyphs: ASCII where
/// Unicode is not to be trusted, as the tiers' bars are.
@Suite struct ReportOverlayGlyphs {
    @Test func anASCIITerminalGetsASCIIBars() throws {
        var m = Board.model(Board.several)
        m.glyphs = .ascii
        _ = m.update(.key(.char("R")))
        let r = try #require(m.panel(ReportPanel.self))
        let bars = (r.lines + r.narrowLines).map(\.text).filter { $0.contains("#") || $0.contains(".....") }
        #expect(!bars.isEmpty, "\(r.lines.map(\.text))")
        // Bars, the weekly sparkline and the separators: nothing but ASCII.
        let unicode = (r.lines + r.narrowLines).map(\.text).filter { !$0.unicodeScalars.allSatisfy(\.isASCII) }
        #expect(unicode.isEmpty, "\(unicode)")
        for size in [(80, 24), (120, 40)] {
            let text = m.view(width: size.0, height: size.1).text
            #expect(!text.contains("█") && !text.contains("░"), "\(text)")
        }
    }
}

/// The shift handover in the dashboard (`H`): what `tierwatch handover` prints.
@Suite struct HandoverOverlay {
    @Test func hShowsTheHandoverWithTheNotesMarkedForIt() throws {
        let noted = Board.Builder("K3F9", title: "One-way audio on PoP Paris", customer: "acme", openedMinutesAgo: 30, by: "sam")
            .add(.acknowledged, minutesAgo: 28, by: "sam")
            .add(.note(message: NoteMark.handover + "carrier promised a fix by 06:00"), minutesAgo: 5, by: "sam")
        var m = Board.model(Board.several + [noted])
        _ = m.update(.key(.char("H")))
        guard let h = m.panel(HandoverPanel.self), case let (lines, scroll) = (h.lines, h.scroll) else { Issue.record("no handover"); return }
        #expect(scroll == 0 && lines.first?.hasPrefix("# Shift handover") == true)
        let entries = m.incidents.values.map { Escalation.Board.Entry($0, policies: m.policies, at: m.now) }
        let expected = ShiftHandover(entries, span: 8 * 3600, now: m.now, schedules: .builtIn, overrides: []).markdown(complete: true)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let differ = zip(lines, want).first { $0 != $1 }
        #expect(lines.count == want.count && differ == nil, "the text tierwatch handover prints; first difference: \(String(describing: differ))")
        let text = m.view(width: 120, height: 40).text
        let open = m.incidents.values.filter { $0.state != .resolved }.count
        #expect(text.contains("Shift handover") && text.contains("## Open incidents (\(open))"))
        // A page down on a 24-line screen: the box's 19 rows less one kept.
        _ = m.update(.resized(width: 120, height: 24))
        _ = m.update(.key(.pageDown))
        guard let scrolled = m.panel(HandoverPanel.self)?.scroll else { Issue.record("closed by PgDn"); return }
        #expect(scrolled == 18)
        _ = m.update(.key(.pageDown))
        #expect(m.view(width: 120, height: 24).text.contains("carrier promised a fix by 06:00"))
        _ = m.update(.key(.char("x")))
        #expect(m.overlay == nil)
    }
}
