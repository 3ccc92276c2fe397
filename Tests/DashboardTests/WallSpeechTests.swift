import Dashboard
import Escalation
import Foundation
import Surface
import Testing

/// `wall --speak`: what the wall asks to say, and when.
@Suite struct WallSpeechTests {
    /// A speaking wall given the store, and what it asked to say then.
    static func speaking(_ builders: [Board.Builder]) -> (Wall, [Announcement]) {
        var w = Wall(now: Board.now)
        w.speech = Wall.Speech(repeatEvery: 300, muteFor: 900)
        let m = Board.model(builders)
        let first = said(w.update(.store(incidents: m.incidents, policies: m.policies, badRecords: 0)))
        return (w, first)
    }

    static func said(_ commands: [Command]) -> [Announcement] {
        commands.flatMap { c -> [Announcement] in if case let .speak(a) = c { a } else { [] } }
    }

    func at(_ s: Double) -> Message { .tick(Board.now.addingTimeInterval(s)) }

    @Test func aNewBreachIsSaidOnceThenAgainUntilSomeoneAcknowledges() {
        let breaching = Board.Builder("BBBB", title: "Outbound calls dropping", customer: "acme", severity: .sev1, openedMinutesAgo: 9.9)
        var (w, atStart) = Self.speaking([breaching])
        #expect(atStart.isEmpty && Self.said(w.update(at(5))).isEmpty, "nothing breached yet")
        let first = Self.said(w.update(at(7)))  // the management tier falls due at +6 s
        #expect(first.map(\.incident) == ["BBBB"])
        #expect(first.first?.text == "Breach. Incident B B B B for acme, severity 1: Outbound calls dropping. Management notified is overdue. Call Jane Roe.")
        #expect(Self.said(w.update(at(8))).isEmpty && Self.said(w.update(at(250))).isEmpty, "once, until the repeat")
        let again = Self.said(w.update(at(7 + 300)))
        #expect(again.first?.text.contains("Management notified is overdue by 5 minutes.") == true, "\(again)")
        // Acknowledged: no more repeats.
        let acked = Board.model([breaching.add(.acknowledged, minutesAgo: 0)])
        _ = w.update(.changed(incidents: Array(acked.incidents.values), policies: acked.policies, badRecords: 0))
        #expect(Self.said(w.update(at(7 + 600))).isEmpty)
        #expect(Self.said(w.update(at(7 + 1200))).isEmpty)
    }

    @Test func theNewestBreachComesFirstAndMMutesForFifteenMinutes() {
        var (w, first) = Self.speaking([Board.Builder("OLD1", title: "older", customer: "acme", openedMinutesAgo: 30),
                                        Board.Builder("NEW2", title: "newer", customer: "globex", openedMinutesAgo: 12)])
        #expect(Self.said(w.update(at(1))).isEmpty, "said once")
        // OLD1's oldest unmet deadline passed long before NEW2's.
        #expect(first.map(\.incident) == ["NEW2", "OLD1"], "\(first.map(\.text))")
        _ = w.update(.key(.char("m")))
        #expect(w.mutedUntil == Board.now.addingTimeInterval(1 + 900), "from the wall's clock at the key")
        #expect(w.view(width: 100, height: 30).text.contains("MUTED 15:00"))
        #expect(w.view(width: 100, height: 30).text.contains("m speak again"))
        #expect(Self.said(w.update(at(400))).isEmpty, "muted: the repeat waits")
        let after = Self.said(w.update(at(901)))
        #expect(Set(after.map(\.incident)) == ["NEW2", "OLD1"], "said when the mute ends")
        #expect(!w.view(width: 100, height: 30).text.contains("MUTED"))
        // m twice: muted, then speaking again at once.
        _ = w.update(.key(.char("m")))
        _ = w.update(.key(.char("m")))
        #expect(w.mutedUntil == nil)
    }

    @Test func aSilentWallSaysNothingAndMIsNothing() {
        var w = WallScenes.several()
        #expect(Self.said(w.update(at(1))).isEmpty)
        _ = w.update(.key(.char("m")))
        #expect(w.mutedUntil == nil && !w.view(width: 100, height: 30).text.contains("MUTED"))
    }

    @Test func textFromOutsideIsMadeSpeakableAndCut() {
        let s = Words.speakable("Trunk\u{1B}[31m DOWN\u{7} <b>carrier</b> — see https://x.example/a?b=c", max: 40)
        #expect(!s.unicodeScalars.contains { $0.value < 0x20 })
        #expect(s == "Trunk 31m DOWN b carrier /b see https")
        #expect(Words.speakable(String(repeating: "a", count: 500), max: 80).count == 80)
    }
}
