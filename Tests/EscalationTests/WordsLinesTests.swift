import Escalation
import Foundation
import Testing

/// The pieces every medium builds its lines from (Words: WordsLines.swift).
@Suite struct WordsLines {
    /// A not-applied reason names the operator who won, a name from outside:
    /// control characters never reach a terminal through it.
    @Test func aNotAppliedReasonIsSanitisedAndABackdatedEntrySaysWhenItWasRecorded() throws {
        var s = Scenario()
        s.add(.resolved(message: nil), at: 5, by: "car\u{1B}[2Jol")
        s.add(.acknowledged, at: 6, by: "bob", base: 1)
        let entry = try #require(s.folded.timeline.last)
        let marks = Words.timelineMarks(entry) { ISOTime.format($0) }
        let why = try #require(marks.notApplied)
        #expect(why.hasPrefix("NOT APPLIED: stale: acted on version 1") && !why.unicodeScalars.contains { $0.value < 0x20 }, "\(why)")
        #expect(marks.backdated == nil)
        #expect(Words.timelineMarks(try #require(s.folded.timeline.first)) { ISOTime.format($0) }.notApplied == nil)
    }

    @Test func aBarIsItsShareOfCellsAndNeverMore() {
        #expect(Words.bar(0.35) == "███░░░░░░░")
        #expect(Words.bar(0.35, rounding: .toNearestOrAwayFromZero) == "████░░░░░░")
        #expect(Words.bar(nil, width: 4, full: "#", empty: ".") == "....")
        #expect(Words.bar(1.7, width: 4) == "████" && Words.bar(-1, width: 4) == "░░░░")
    }

    @Test func stampsSayWhoOpenedAcknowledgedAndResolved() {
        var s = Scenario()
        s.add(.acknowledged, at: 2, by: "bob")
        s.add(.resolved(message: nil), at: 9, by: "carol")
        let hm = { (d: Date) in String(ISOTime.format(d).dropFirst(11).prefix(5)) }
        #expect(Words.stamps(s.folded, time: hm) == ["opened by alice 14:13", "acknowledged by bob 14:15", "resolved by carol 14:22"])
        #expect(Words.stamps(s.folded, short: true, time: hm)[1] == "acked by bob 14:15")
    }
}
