import Yams

/// What a cell means, not how it looks: the theme decides the look, so a
/// status is never told by colour alone (the view always adds a symbol).
public enum Role: String, CaseIterable, Sendable {
    case normal, dim, header, headerWarning = "header_warning", border, title, titleFocused = "title_focused"
    case selection, selectionUnfocused = "selection_unfocused"
    case done, active, overdue, pending
    case countdownOK = "countdown_ok", countdownWarning = "countdown_warning", countdownCritical = "countdown_critical"
    case keyBarKey = "keybar_key", keyBarLabel = "keybar_label"
    case message, error, banner, help, prompt, stale, backdated
    case wallDigits = "wall_digits", wallWarning = "wall_warning", wallBreached = "wall_breached", wallCalm = "wall_calm"
}

/// A colour as a theme names it: one of the 16 ANSI names, or a 256-colour index.
public enum ThemeColor: Equatable, Sendable {
    case ansi(Int)       // 0...15
    case indexed(Int)    // 0...255

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
                        "bright_black", "bright_red", "bright_green", "bright_yellow", "bright_blue",
                        "bright_magenta", "bright_cyan", "bright_white"]

    /// The colour on a terminal with `colors` colours (8, 16, 256 or more):
    /// 256-colour indexes fall back to the nearest of the first 8, bright
    /// colours to their base colour (the caller adds bold).
    public func index(forColors colors: Int) -> (index: Int, brighten: Bool) {
        switch self {
        case let .ansi(n): return colors >= 16 ? (n, false) : (n % 8, n >= 8)
        case let .indexed(n):
            if colors >= 256 { return (n, false) }
            return (ThemeColor.nearestBasic(n), false)
        }
    }

    /// The nearest of the 8 basic colours to a 256-colour palette index.
    /// xterm's palette: the 16 ANSI colours, the 6×6×6 cube, the greys.
    static let ansiRGB = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                          (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]

    /// The colour as xterm shows it (red, green, blue, 0-255).
    public var rgb: (Int, Int, Int) {
        switch self {
        case let .ansi(n): return ThemeColor.ansiRGB[n]
        case let .indexed(n): return ThemeColor.rgb(index: n)
        }
    }

    static func rgb(index n: Int) -> (Int, Int, Int) {
        if n < 16 { return ansiRGB[n] }
        if n >= 232 {
            let v = 8 + (n - 232) * 10
            return (v, v, v)
        }
        let c = n - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[c / 36], steps[c / 6 % 6], steps[c % 6])
    }

    static func nearestBasic(_ n: Int) -> Int {
        if n < 16 { return n % 8 }
        let rgb = rgb(index: n)
        var best = 0, bestD = Int.max
        for (k, b) in ansiRGB.prefix(8).enumerated() {
            let d = (rgb.0 - b.0) * (rgb.0 - b.0) + (rgb.1 - b.1) * (rgb.1 - b.1) + (rgb.2 - b.2) * (rgb.2 - b.2)
            if d < bestD { best = k; bestD = d }
        }
        return best
    }
}

public struct Style: Equatable, Sendable {
    public var fg: ThemeColor?
    public var bg: ThemeColor?
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false
    public var blink = false

    public init(fg: ThemeColor? = nil, bg: ThemeColor? = nil, bold: Bool = false, dim: Bool = false,
                reverse: Bool = false, underline: Bool = false, blink: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
        self.blink = blink
    }
}

/// A theme: a style for each role, read from a YAML file in `Themes/`.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var description: String
    public var styles: [Role: Style]

    /// A role's style; a colour it does not name is normal's, so a theme
    /// whose normal names both paints every cell: text is never drawn in a
    /// colour the theme chose on a background it did not (yellow on a white
    /// terminal), nor in the terminal's own colour on one it painted.
    public func style(_ role: Role) -> Style {
        let base = styles[.normal] ?? Style()
        guard var s = styles[role] else { return base }
        if s.fg == nil { s.fg = base.fg }
        if s.bg == nil { s.bg = base.bg }
        return s
    }

    /// A theme with no colours at all: bold, reverse and underline only.
    /// Used for NO_COLOR and terminals without colours.
    public var monochrome: Theme {
        var t = self
        let base = styles[.normal]
        for (role, s) in styles {
            // The painted background is no cue: only what differs from normal's.
            let ownFg = s.fg != nil && s.fg != base?.fg, ownBg = s.bg != nil && s.bg != base?.bg
            t.styles[role] = role == .normal ? Style(bold: s.bold, dim: s.dim, underline: s.underline)
                : Style(bold: s.bold || ownFg && role != .dim, dim: s.dim,
                        reverse: s.reverse || ownBg, underline: s.underline, blink: s.blink)
        }
        return t
    }
}

/// A theme file that cannot be used; `description` names file, line, column.
public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

extension Theme {
    /// Parses a theme file:
    ///
    ///     name: default
    ///     description: Dark background, colour and symbols for every status.
    ///     roles:
    ///       overdue: { fg: red, bold: true }
    ///       header: { fg: white, bg: 24 }
    ///
    /// Colours are ANSI names (`red`, `bright_red`) or 256-colour indexes;
    /// attributes are bold, dim, reverse, underline, blink. Roles not listed
    /// look like `normal`.
    public init(yaml text: String, file: String) throws(ThemeError) {
        func fail(_ node: Node?, _ m: String) -> ThemeError {
            ThemeError(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: m)
        }
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else { throw fail(nil, "the theme is empty") }
            root = n
        } catch let e as ThemeError {
            throw e
        } catch let YamlError.scanner(_, problem, mark, _), let YamlError.parser(_, problem, mark, _) {
            throw ThemeError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        } catch {
            throw fail(nil, "invalid YAML: \(error)")
        }
        guard let top = root.mapping else { throw fail(root, "a theme must be a mapping with name and roles") }
        var name = "", description = ""
        var styles: [Role: Style] = [:]
        for (k, v) in top {
            switch k.string {
            case "name": name = v.string ?? ""
            case "description": description = v.string ?? ""
            case "roles":
                guard let roles = v.mapping else { throw fail(v, "'roles' must map role names to styles") }
                for (rk, rv) in roles {
                    guard let roleName = rk.string, let role = Role(rawValue: roleName) else {
                        throw fail(rk, "unknown role '\(rk.string ?? "?")' (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    guard let attrs = rv.mapping else { throw fail(rv, "the style of '\(roleName)' must be a mapping, e.g. { fg: red, bold: true }") }
                    var style = Style()
                    for (ak, av) in attrs {
                        switch ak.string {
                        case "fg", "bg":
                            guard let text = av.string, let c = Theme.color(text) else {
                                throw fail(av, "'\(av.string ?? "?")' is not a colour (a name such as red or bright_blue, or 0-255)")
                            }
                            if ak.string == "fg" { style.fg = c } else { style.bg = c }
                        case "bold", "dim", "reverse", "underline", "blink":
                            guard let b = av.bool else { throw fail(av, "'\(ak.string!)' must be true or false") }
                            switch ak.string {
                            case "bold": style.bold = b
                            case "dim": style.dim = b
                            case "reverse": style.reverse = b
                            case "underline": style.underline = b
                            default: style.blink = b
                            }
                        default:
                            throw fail(ak, "unknown style key '\(ak.string ?? "?")' (fg, bg, bold, dim, reverse, underline, blink)")
                        }
                    }
                    styles[role] = style
                }
            default:
                throw fail(k, "unknown key '\(k.string ?? "?")' (name, description, roles)")
            }
        }
        guard !name.isEmpty else { throw fail(root, "a theme needs a name") }
        self.init(name: name, description: description, styles: styles)
    }

    static func color(_ text: String) -> ThemeColor? {
        if let k = ThemeColor.names.firstIndex(of: text.lowercased()) { return .ansi(k) }
        if let n = Int(text), (0...255).contains(n) { return .indexed(n) }
        return nil
    }
}
