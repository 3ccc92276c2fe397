import Terminal
import Testing

/// The terminal's answer to "what is your background?" (OSC 11), as
/// xterm, VTE, kitty and tmux send it.
@Suite struct BackgroundQuery {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func xtermsWhiteEndedByBellIsLight() {
        let c = TerminalBackground.parse(bytes("\u{1B}]11;rgb:ffff/ffff/ffff\u{07}\u{1B}[?1;2c"))
        #expect(c == .init(red: 1, green: 1, blue: 1))
        #expect(c?.isLight == true)
    }

    @Test func twoDigitComponentsEndedByStringTerminator() {
        let c = TerminalBackground.parse(bytes("\u{1B}]11;rgb:1e/1e/2e\u{1B}\\"))
        #expect(c != nil && abs(c!.red - 30.0 / 255) < 1e-9 && abs(c!.blue - 46.0 / 255) < 1e-9)
        #expect(c?.isLight == false)
    }

    @Test func solarizedLightIsLightAndDarkIsDark() {
        #expect(TerminalBackground.parse(bytes("\u{1B}]11;rgb:fdfd/f6f6/e3e3\u{07}"))?.isLight == true)
        #expect(TerminalBackground.parse(bytes("\u{1B}]11;rgb:0000/2b2b/3636\u{07}"))?.isLight == false)
    }

    @Test(arguments: ["", "\u{1B}[?1;2c", "\u{1B}]11;rgb:ffff/ffff\u{07}", "\u{1B}]11;rgb:ffff/ffff/ffff",
                      "\u{1B}]11;rgb:fffff/0/0\u{07}", "\u{1B}]11;rgb:zz/00/00\u{07}", "\u{1B}]11;?\u{07}"])
    func anythingElseIsNoAnswer(_ reply: String) {
        #expect(TerminalBackground.parse(bytes(reply)) == nil, "\(reply.debugDescription)")
    }
}
