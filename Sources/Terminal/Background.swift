import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The terminal's background colour, asked of the terminal itself (OSC 11,
/// answered by xterm, VTE, kitty, iTerm2, foot, Windows Terminal, and tmux
/// when its pane has a background). Asked before ncurses starts, on the
/// standard input and output, and followed by a device-attributes request
/// (DA1) that every terminal answers: the DA1 answer ends the wait, so a
/// terminal that ignores OSC 11 costs one round trip, not a timeout, and no
/// late answer is left in the input to be read as keys.
public enum TerminalBackground {
    public struct RGB: Equatable, Sendable {
        public let red: Double, green: Double, blue: Double
        public init(red: Double, green: Double, blue: Double) { (self.red, self.green, self.blue) = (red, green, blue) }
        /// Relative luminance (sRGB weights, no gamma): above one half is a
        /// light background.
        public var isLight: Bool { 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5 }
    }

    /// Asks the terminal on fds 0/1; nil when they are not a terminal, the
    /// terminal gave no colour, or nothing came back within `timeout`.
    public static func query(timeout: TimeInterval = 1.0, environment env: [String: String] = ProcessInfo.processInfo.environment) -> RGB? {
        guard isatty(0) == 1, isatty(1) == 1 else { return nil }
        let term = env["TERM"] ?? ""
        // No escape sequences to terminals that cannot take them.
        guard !term.isEmpty, term != "dumb", term != "unknown", !term.hasPrefix("linux") else { return nil }
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        guard tcsetattr(0, TCSANOW, &raw) == 0 else { return nil }
        defer { _ = tcsetattr(0, TCSANOW, &saved) }
        let request = Array("\u{1B}]11;?\u{1B}\\\u{1B}[c".utf8)
        guard request.withUnsafeBytes({ write(1, $0.baseAddress, $0.count) }) == request.count else { return nil }
        var reply: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buf = [UInt8](repeating: 0, count: 256)
        while !endsWithDeviceAttributes(reply), reply.count < 4096 {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { break }
            var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(left * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }  // a resize at start: wait on
            guard ready > 0 else { break }
            let n = read(0, &buf, buf.count)
            if n <= 0 { break }
            reply += buf[0..<n]
        }
        if !endsWithDeviceAttributes(reply) {
            // No full answer in time (a slow link): whatever comes late must
            // not be read as keys. Wait a moment more, then drop the input.
            usleep(150_000)
            tcflush(0, TCIFLUSH)
        }
        return parse(reply)
    }

    /// Whether `bytes` hold a complete DA1 answer (`ESC [ ? … c`).
    static func endsWithDeviceAttributes(_ bytes: [UInt8]) -> Bool {
        guard let c = bytes.last, c == UInt8(ascii: "c") else { return false }
        guard let start = bytes.lastIndex(of: 0x1B) else { return false }
        return bytes[start...].starts(with: Array("\u{1B}[?".utf8))
    }

    /// The colour of an OSC 11 answer, `ESC ] 11 ; rgb:RRRR/GGGG/BBBB` ended
    /// by BEL or ST, with 1 to 4 hex digits a component (XParseColor's form).
    public static func parse(_ bytes: [UInt8]) -> RGB? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let start = text.range(of: "\u{1B}]11;rgb:") else { return nil }
        let rest = text[start.upperBound...]
        let body = rest.prefix { $0 != "\u{07}" && $0 != "\u{1B}" }
        guard body.endIndex < rest.endIndex else { return nil }  // no terminator: cut short
        let parts = body.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var values: [Double] = []
        for part in parts {
            guard (1...4).contains(part.count), let v = UInt32(part, radix: 16) else { return nil }
            values.append(Double(v) / Double((1 << (4 * part.count)) - 1))
        }
        return RGB(red: values[0], green: values[1], blue: values[2])
    }
}
