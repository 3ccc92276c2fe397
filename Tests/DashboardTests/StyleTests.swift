import Dashboard
import Surface
import Escalation
import Testing

/// Colour is never the only cue: each status has a symbol and a role.
@Suite struct Styles {
    func cell(_ f: Frame, containing text: String) -> (x: Int, y: Int)? {
        for y in 0..<f.height {
            let row = (0..<f.width).filter { !f[$0, y].isContinuation }.map { String(f.character(x: $0, y: y)) }.joined()
            if let r = row.range(of: text) { return (row.distance(from: row.startIndex, to: r.lowerBound), y) }
        }
        return nil
    }

    @Test func anOverdueIncidentIsMarkedBySymbolAndRole() throws {
        let f = Scenes.several().view(width: 120, height: 40)
        let at = try #require(cell(f, containing: "! G2D9"))
        #expect(f[at.x, at.y].role == .overdue)
        let countdown = try #require(cell(f, containing: "-02:00"))
        #expect(f[countdown.x, countdown.y].role == .countdownCritical)
    }

    @Test func countdownsWarnUnderTwoMinutes() throws {
        let f = Scenes.several().view(width: 120, height: 40)
        let ceo = try #require(cell(f, containing: "02:00 "))
        #expect([Role.countdownOK, .countdownWarning, .countdownCritical].contains(f[ceo.x, ceo.y].role))
        var m = Scenes.several()
        _ = m.update(.tick(Board.now.addingTimeInterval(61)))  // the CEO tier is now 59 s away
        let later = m.view(width: 120, height: 40)
        let c = try #require(cell(later, containing: "00:59"))
        #expect(later[c.x, c.y].role == .countdownWarning)
    }

    @Test func theSelectedRowIsHighlighted() throws {
        let f = Scenes.several().view(width: 120, height: 40)
        let row = try #require(cell(f, containing: "20AJ  sev1"))
        #expect(f[row.x + 2, row.y].role == .selection)
    }

    @Test func withoutUTF8TheScreenIsASCII() {
        let m = Board.model(Board.several, glyphs: .ascii)
        let text = m.view(width: 120, height: 40).text
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "\(String(String.UnicodeScalarView(text.unicodeScalars.filter { !$0.isASCII })))")
        #expect(text.contains("+- Tiers -") && text.contains("| v T0 Escalated"))
    }

    @Test func wideCharactersKeepColumnsAligned() {
        var f = Frame(width: 12, height: 1)
        f.put("東京|x", x: 0, y: 0)
        #expect(f.text == "東京|x")
        #expect(f.character(x: 4, y: 0) == "|")
        f.put("ab東", x: 0, y: 0, limit: 3)  // a wide char that would straddle the limit: cut, with a sign
        #expect(f.character(x: 2, y: 0) == "…" && f[3, 0].isContinuation == false)
    }

    /// Cells hold one scalar; a character of several (a combining mark, an
    /// emoji sequence) is kept whole beside them, and forgotten when the
    /// cell is drawn over.
    @Test func charactersOfSeveralScalarsAreKeptWhole() {
        var f = Frame(width: 12, height: 1)
        let decomposed = "Cafe\u{0301}"  // e + combining acute: one character, two scalars
        let family = "\u{1F469}\u{200D}\u{1F467}"  // a ZWJ sequence, two columns
        f.put(decomposed + " " + family + "|", x: 0, y: 0)
        #expect(f.text == decomposed + " " + family + "|")
        #expect(f[3, 0].isCluster && f.character(x: 3, y: 0) == "e\u{0301}")
        #expect(f[5, 0].isCluster && f[6, 0].isContinuation && f.character(x: 7, y: 0) == "|")
        var g = f
        #expect(g == f)
        g.put("x", x: 3, y: 0)
        #expect(!g[3, 0].isCluster && g.text == "Cafx " + family + "|" && g != f)
        g.put("e\u{0300}", x: 3, y: 0)  // a different cluster in the same cell: the frames differ
        #expect(g[3, 0].isCluster && g != f)
        g.put("y", x: 6, y: 0)  // over the right half: the wide character goes
        #expect(!g[5, 0].isCluster && g.character(x: 5, y: 0) == " " && g.character(x: 6, y: 0) == "y")
    }

    @Test func everySizeFrom80x24To300x80Draws() {
        let m = Scenes.several()
        for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60), (240, 67), (300, 80)] {
            let f = m.view(width: w, height: h)
            let lines = f.text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == h)
            #expect(lines.allSatisfy { DisplayWidth.of(String($0)) <= w })
            #expect(f.text.contains("20AJ") && f.text.contains("q Quit"))
        }
    }
}
