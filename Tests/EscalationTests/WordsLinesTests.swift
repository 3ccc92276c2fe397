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

/// How the last call went, as every medium words it.
@Suite struct LastCallWords {
    static func contact(_ s: Scenario, at minutes: Double) throws -> Ladder.ContactStatus {
        let rung = try #require(s.ladder(at: minutes).rungs.first { $0.tier.id == "management" })
        return try #require(rung.contacts.first { $0.contact.id == "am" })
    }

    static func hm(_ d: Date) -> String { String(ISOTime.format(d).dropFirst(11).prefix(5)) }

    @Test func aLaterUnansweredCallKeepsWhenTheyWereReached() throws {
        var s = Scenario()
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), at: 3, by: "bob")
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .noAnswer, person: nil), at: 5, by: "bob")
        let c = try Self.contact(s, at: 6)
        #expect(Words.lastCall(c, never: "not yet called", separator: " · ", time: Self.hm) == "no answer by bob 14:18 · reached 14:16")
        #expect(Words.lastCall(c, never: "not called", separator: "; ", at: "at ", time: Self.hm) == "no answer by bob at 14:18; reached 14:16")
    }

    /// Reached twice: the last call says it; the first reach is not added
    /// as if it were news.
    @Test func reachedAgainSaysItOnce() throws {
        var s = Scenario()
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), at: 3, by: "bob")
        s.add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), at: 5, by: "bob")
        #expect(Words.lastCall(try Self.contact(s, at: 6), never: "-", separator: " · ", time: Self.hm) == "reached by bob 14:18")
    }

    @Test func nobodyCalledIsTheMediumsOwnWords() throws {
        let c = try Self.contact(Scenario(), at: 1)
        #expect(Words.lastCall(c, never: "not yet called", separator: " · ", time: Self.hm) == "not yet called")
    }
}
