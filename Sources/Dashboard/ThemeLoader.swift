import Foundation

extension Theme {
    /// Where theme files are looked for, in order: `$TIERWATCH_THEMES`, a
    /// `Themes` folder beside the executable or in `../share/tierwatch/`
    /// (an install), then the source tree the executable was built in
    /// (`swift run`), then /usr/local/share/tierwatch/Themes.
    public static func searchPath(executable: String, environment env: [String: String]) -> [String] {
        var dirs: [String] = []
        if let d = env["TIERWATCH_THEMES"], !d.isEmpty { dirs.append(d) }
        let exeDir = (URL(fileURLWithPath: executable).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent
        dirs.append(exeDir + "/Themes")
        dirs.append((exeDir as NSString).deletingLastPathComponent + "/share/tierwatch/Themes")
        // From .build/<triple>/debug up to the package root.
        var dir = exeDir
        for _ in 0..<5 {
            dir = (dir as NSString).deletingLastPathComponent
            if FileManager.default.fileExists(atPath: dir + "/Package.swift") {
                dirs.append(dir + "/Themes")
                break
            }
        }
        dirs.append("/usr/local/share/tierwatch/Themes")
        return dirs
    }

    /// Loads a theme by name (`wall` finds `wall.yaml` on the search path) or
    /// by path (anything with a `/` or ending in `.yaml`).
    public static func load(_ nameOrPath: String, searchPath: [String]) throws(ThemeError) -> Theme {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml")
        let candidates = isPath ? [nameOrPath] : searchPath.map { "\($0)/\(nameOrPath).yaml" }
        for file in candidates where FileManager.default.fileExists(atPath: file) {
            guard let data = FileManager.default.contents(atPath: file), data.count <= 64 * 1024,
                  let text = String(data: data, encoding: .utf8) else {
                throw ThemeError(file: file, line: 1, column: 1, message: "cannot read the theme (unreadable, not UTF-8, or over 64 KiB)")
            }
            return try Theme(yaml: text, file: file)
        }
        if nameOrPath == "default" { return .fallback }
        throw ThemeError(file: nameOrPath, line: 1, column: 1,
                         message: isPath ? "no such theme file" : "no theme '\(nameOrPath)' in \(searchPath.joined(separator: ", "))")
    }

    /// Used when no `default.yaml` can be found (a binary copied alone):
    /// plain terminal colours, symbols still carry every status.
    public static let fallback = Theme(name: "fallback", description: "built in: terminal colours", styles: [
        .header: Style(reverse: true), .headerWarning: Style(bold: true, reverse: true), .titleFocused: Style(bold: true),
        .selection: Style(reverse: true), .selectionUnfocused: Style(underline: true), .done: Style(fg: .ansi(2)),
        .active: Style(fg: .ansi(6), bold: true), .overdue: Style(fg: .ansi(1), bold: true), .pending: Style(dim: true),
        .countdownOK: Style(fg: .ansi(2)), .countdownWarning: Style(fg: .ansi(3), bold: true),
        .countdownCritical: Style(bold: true, reverse: true), .keyBarKey: Style(bold: true), .keyBarLabel: Style(reverse: true),
        .error: Style(fg: .ansi(1), bold: true), .banner: Style(bold: true, reverse: true), .help: Style(reverse: true),
        .prompt: Style(bold: true), .stale: Style(underline: true), .dim: Style(dim: true),
        .wallDigits: Style(bold: true), .wallWarning: Style(bold: true, reverse: true),
        .wallBreached: Style(bold: true, reverse: true, blink: true), .wallCalm: Style(fg: .ansi(2), bold: true),
    ])
}
