import CNcurses
import Surface
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The one place that talks to ncurses (htop's CRT.c): starts it with
/// `newterm`, picks colours by what the terminal can do, draws frames, reads
/// keys, and restores the terminal on every way out: a normal exit, a signal
/// (via the run loop), and a crash (via the handlers in `CrashGuard`).
public final class Terminal {
    public enum StartError: Error, CustomStringConvertible {
        case notATerminal
        case unusable(term: String)
        case unknown(term: String)

        public var description: String {
            switch self {
            case .notATerminal:
                "this screen needs a terminal: standard input and output must be a tty (use 'tierwatch list' or 'tierwatch watch' in scripts)"
            case let .unusable(term):
                "TERM=\(term) cannot draw this screen (it has no cursor addressing); use a real terminal type such as xterm-256color, or 'tierwatch list'"
            case let .unknown(term):
                "TERM=\(term) is not in the terminfo database; set TERM to a known type such as xterm-256color"
            }
        }
    }

    public private(set) var width: Int
    public private(set) var height: Int
    /// Whether the locale is UTF-8: if not, frames use ASCII glyphs.
    public let isUTF8: Bool
    /// How many colours are in use: 0 (monochrome), 8, 16 or 256.
    public let colors: Int
    private var screen: OpaquePointer?
    private var pairs: [Role: (attr: attr_t, pair: Int16)] = [:]
    private var shown: Frame?
    private var stopped = false
    /// Consecutive reads that said input was ready but gave nothing: the
    /// terminal went away. The loop ends the program after a run of them.
    public private(set) var readFailures = 0

    /// Starts ncurses on the controlling terminal with `theme`'s colours.
    /// `noColor` (NO_COLOR set) forces the monochrome look.
    public init(theme: Theme, noColor: Bool, environment env: [String: String] = ProcessInfo.processInfo.environment, mouse: Bool = false) throws {
        guard isatty(0) == 1, isatty(1) == 1 else { throw StartError.notATerminal }
        let term = env["TERM"] ?? ""
        if term.isEmpty || term == "dumb" || term == "unknown" { throw StartError.unusable(term: term.isEmpty ? "(unset)" : term) }
        setlocale(LC_ALL, "")
        isUTF8 = String(cString: nl_langinfo(nl_item(CODESET))).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        CrashGuard.saveModes()
        guard let output = fdopen(1, "w"), let input = fdopen(0, "r"),
              let s = newterm(nil, output, input) else { throw StartError.unknown(term: term) }
        screen = s
        _ = set_term(s)
        // A terminal without cursor addressing cannot show a screen at all.
        guard tw_capability("cup") != nil else {
            endwin()
            delscreen(s)
            screen = nil
            throw StartError.unusable(term: term)
        }
        CrashGuard.arm()
        // No typeahead check: ncurses would otherwise poll the keyboard and
        // flush its output every few lines of a refresh, which on an idle
        // wall was ten polls and forty writes a second instead of one each.
        _ = typeahead(-1)
        cbreak()
        noecho()
        nonl()
        _ = keypad(tw_stdscr(), true)
        _ = nodelay(tw_stdscr(), true)
        _ = curs_set(0)
        set_escdelay(25)
        // Clicks and the wheel (htop, k9s, lazygit style); off, the
        // terminal's own selection works as before.
        if mouse { _ = tw_mouse_on() }
        var rows: Int32 = 0, cols: Int32 = 0
        tw_size(&rows, &cols)
        width = Int(cols)
        height = Int(rows)
        var useColors = 0
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            useColors = tw_colors() >= 256 ? 256 : tw_colors() >= 16 ? 16 : 8
        }
        colors = useColors
        setUp(theme: useColors == 0 ? theme.monochrome : theme)
        // ncurses (6.4) flushes its output at every cursor movement until
        // the screen has once been through endwin() and back, a state that
        // newterm never leaves: a refresh went out in forty small writes
        // (one per run of changed cells) instead of one. Suspending and
        // resuming once, before anything is drawn, ends that state.
        endwin()
        _ = refresh()
    }

    deinit { stop() }

    /// Gives the terminal back as it was. Safe to call more than once.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        _ = curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
        CrashGuard.disarm()
    }

    /// Colour pairs and attributes for every role.
    private func setUp(theme: Theme) {
        var next: Int16 = 1
        var pairOf: [String: Int16] = [:]
        for role in Role.allCases {
            let style = theme.style(role)
            var attr = tw_a_normal()
            if style.bold { attr |= tw_a_bold() }
            if style.dim { attr |= tw_a_dim() }
            if style.reverse { attr |= tw_a_reverse() }
            if style.underline { attr |= tw_a_underline() }
            if style.blink { attr |= tw_a_blink() }
            var pair: Int16 = 0
            if colors > 0, style.fg != nil || style.bg != nil {
                let fg = style.fg.map { $0.index(forColors: colors) }
                let bg = style.bg.map { $0.index(forColors: colors) }
                if fg?.brighten == true { attr |= tw_a_bold() }
                let key = "\(fg?.index ?? -1)/\(bg?.index ?? -1)"
                if let known = pairOf[key] {
                    pair = known
                } else if Int(next) < tw_color_pairs() {
                    init_pair(next, Int16(fg?.index ?? -1), Int16(bg?.index ?? -1))
                    pairOf[key] = next
                    pair = next
                    next += 1
                }
            }
            pairs[role] = (attr, pair)
        }
    }

    /// Draws `frame`, sending only the cells that differ from the last frame
    /// drawn (ncurses then sends only what differs on the screen).
    public func present(_ frame: Frame) {
        guard !stopped else { return }
        let full = shown == nil || shown!.width != frame.width || shown!.height != frame.height
        if full { _ = erase() }
        let before = full ? [] : shown!.cells
        let cells = frame.cells
        var buffer = [wchar_t](repeating: 0, count: 8)
        var changed = full
        // Cells are plain values of 8 bytes (`Frame.Cell`): a row as it is
        // on screen is skipped with one memcmp, a cell with one comparison
        // of words, and only the cells that changed go to ncurses.
        // Characters of several scalars live beside the cells and are
        // compared one by one.
        let rowBytes = frame.width * MemoryLayout<Frame.Cell>.stride
        let clusters = frame.hasClusters || shown?.hasClusters == true
        // Changed cells come in runs of one role: its style is looked up once a run.
        var lastRole: Role?
        var style = (attr: tw_a_normal(), pair: Int16(0))
        for y in 0..<frame.height {
            let row = y * frame.width..<(y + 1) * frame.width
            if !full, !clusters, cells.withUnsafeBytes({ a in before.withUnsafeBytes { b in
                   memcmp(a.baseAddress! + y * rowBytes, b.baseAddress! + y * rowBytes, rowBytes) == 0 } }) {
                continue
            }
            for i in row {
                let cell = cells[i]
                if cell.isContinuation { continue }
                if !full, Terminal.same(before, cells, i), !cell.isCluster || shown!.character(at: i) == frame.character(at: i) { continue }
                changed = true
                if cell.role != lastRole {
                    style = pairs[cell.role] ?? (tw_a_normal(), 0)
                    lastRole = cell.role
                }
                if cell.isCluster {
                    var k = 0
                    for scalar in frame.character(at: i).unicodeScalars.prefix(5) {
                        buffer[k] = wchar_t(bitPattern: scalar.value)
                        k += 1
                    }
                    buffer[k] = 0
                } else {
                    buffer[0] = wchar_t(bitPattern: cell.scalar.value)
                    buffer[1] = 0
                }
                // The bottom-right cell cannot be written without scrolling on
                // some terminals; ncurses reports ERR there and draws it anyway.
                _ = tw_put(Int32(y), Int32(i - row.lowerBound), buffer, style.attr, style.pair)
            }
        }
        shown = frame
        if changed { _ = refresh() }
    }

    /// Whether cell `i` is the same in both: its 8 bytes compared as one word.
    private static func same(_ a: [Frame.Cell], _ b: [Frame.Cell], _ i: Int) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in
            x.load(fromByteOffset: i * MemoryLayout<Frame.Cell>.stride, as: UInt64.self)
                == y.load(fromByteOffset: i * MemoryLayout<Frame.Cell>.stride, as: UInt64.self)
        } }
    }

    /// Forgets what is on screen, so the next frame is drawn whole.
    public func invalidate() {
        shown = nil
        _ = clearok(tw_stdscr(), true)
    }

    /// Reads the new size after SIGWINCH and tells ncurses.
    public func resize() {
        var ws = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_row > 0, ws.ws_col > 0 {
            _ = resizeterm(Int32(ws.ws_row), Int32(ws.ws_col))
        }
        syncSize()
    }

    private func syncSize() {
        var rows: Int32 = 0, cols: Int32 = 0
        tw_size(&rows, &cols)
        if Int(cols) != width || Int(rows) != height { invalidate() }
        width = Int(cols)
        height = Int(rows)
    }

    public func bell() { _ = beep() }

    /// Every key waiting on the terminal (never blocks).
    public func readKeys() -> [Key] {
        var keys: [Key] = []
        var ch: wint_t = 0
        var read = false
        while true {
            let r = get_wch(&ch)
            if r == ERR { break }
            read = true  // (a mouse release or a right click is read, and gives no key)
            if r == KEY_CODE_YES {
                if Int32(ch) == KEY_MOUSE {
                    var x: Int32 = 0, y: Int32 = 0
                    switch tw_mouse_read(&x, &y) {
                    case 1: keys.append(.mouse(Mouse(.press, x: Int(x), y: Int(y))))
                    case 4: keys.append(.mouse(Mouse(.wheelUp, x: Int(x), y: Int(y))))
                    case 5: keys.append(.mouse(Mouse(.wheelDown, x: Int(x), y: Int(y))))
                    default: break
                    }
                } else if let k = Terminal.key(code: Int32(ch)) { keys.append(k) }
                // resizeterm() queues a KEY_RESIZE of its own: only take the
                // new size here; calling resize() again would queue another.
                if Int32(ch) == KEY_RESIZE { syncSize() }
            } else if let scalar = Unicode.Scalar(UInt32(ch)) {
                keys.append(Terminal.key(scalar: scalar))
            }
        }
        readFailures = read ? 0 : readFailures + 1
        return keys
    }

    static func key(scalar s: Unicode.Scalar) -> Key {
        switch s.value {
        case 9: .tab
        case 10, 13: .enter
        case 27: .escape
        case 8, 127: .backspace
        case 1...26: .ctrl(Character(Unicode.Scalar(s.value + 96)!))
        default: .char(Character(s))
        }
    }

    static func key(code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_SLEFT: return .shiftLeft
        case KEY_SRIGHT: return .shiftRight
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case tw_key_f(1)...tw_key_f(12): return .function(Int(code - tw_key_f(0)))
        default: return nil
        }
    }
}
