import Escalation
import Foundation
import Testing

@Suite struct TimeSpanParsing {
    @Test(arguments: [("90s", 90), ("10m", 600), ("1h30m", 5400), ("2h", 7200), ("1h0m30s", 3630), ("0s", 0)])
    func acceptsPolicyDurations(text: String, seconds: Int) {
        #expect(TimeSpan(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "10", "m", "10x", "1.5h", "-5m", "10m1h", "5m5m", " 10m", "10 m", "1h 30m", "99999999s"])
    func rejectsAnythingElse(text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test func canonicalSpellingReadsBack() {
        for s in [0, 1, 59, 60, 90, 3600, 5400, 86399] {
            let span = TimeSpan(seconds: s)
            #expect(TimeSpan(parsing: span.description) == span)
        }
        #expect(TimeSpan(seconds: 5400).description == "1h30m")
    }
}

@Suite struct Instants {
    @Test func isoRoundTripKeepsMilliseconds() {
        let d = Date(timeIntervalSince1970: 1_795_715_772.386)
        let s = ISOTime.format(d, milliseconds: true)
        #expect(s == "2026-11-26T17:56:12.386Z")
        #expect(ISOTime.parse(s) == Date(timeIntervalSince1970: 1_795_715_772.386))
    }

    @Test func parsesOffsetsAndRejectsGarbage() {
        #expect(ISOTime.parse("2026-11-26T18:56:12+01:00") == ISOTime.parse("2026-11-26T17:56:12Z"))
        #expect(ISOTime.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(ISOTime.parse("2026-11-26T17:56:12.1234567Z") == Date(timeIntervalSince1970: 1_795_715_772.123))
        for bad in ["", "2026-11-26", "2026-13-01T00:00:00Z", "2026-11-26T17:56:12", "2026-11-26T17:56:12Zjunk", "2026-11-26T17:56:12.Z"] {
            #expect(ISOTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func whenAcceptsRelativeAndAbsoluteTimes() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(When.parse("-5m", now: now) == now.addingTimeInterval(-300))
        #expect(When.parse("1h30m ago", now: now) == now.addingTimeInterval(-5400))
        #expect(When.parse("now", now: now) == now)
        #expect(When.parse("1970-01-12T13:46:40Z", now: now) == now)
        #expect(When.parse("yesterday", now: now) == nil)
        #expect(When.parse("-5", now: now) == nil)
    }

    @Test func countdownsShowSignAndHours() {
        #expect(Countdown.format(192) == "03:12")
        #expect(Countdown.format(-65) == "-01:05")
        #expect(Countdown.format(0) == "00:00")
        #expect(Countdown.format(3723) == "1:02:03")
    }
}

@Suite struct UntrustedText {
    @Test func controlCharactersBecomeVisible() {
        let hostile = "a\u{1B}]52;c;ZXZpbA==\u{07}b\u{1B}[2Jc\r\n\u{7F}\u{9B}6n\u{202E}evil"
        let s = hostile.sanitized
        #expect(!s.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" })
        #expect(s == "a␛]52;c;ZXZpbA==␇b␛[2Jc␍␊␡\u{FFFD}6n\u{FFFD}evil")
    }

    @Test func plainTextIsUnchanged() {
        #expect("Jane Roe — 東京 ☎".sanitized == "Jane Roe — 東京 ☎")
    }

    @Test func typedIDsAreNormalised() {
        #expect(IncidentID.normalize("k3f9") == "K3F9")
        #expect(IncidentID.normalize("0OIl") == "0011")
        #expect(IncidentID.normalize("K3F9!") == nil)
        var rng = SystemRandomNumberGenerator()
        let id = IncidentID.generate(avoiding: { _ in false }, using: &rng)
        #expect(id.count == 4 && IncidentID.normalize(id) == id)
    }
}
