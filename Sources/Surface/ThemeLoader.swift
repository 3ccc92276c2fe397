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
        if nameOrPath == "default" { return .builtIn }
        throw ThemeError(file: nameOrPath, line: 1, column: 1,
                         message: isPath ? "no such theme file" : "no theme '\(nameOrPath)' in \(searchPath.joined(separator: ", "))")
    }

    /// The default theme, compiled in: what a binary copied without its
    /// Themes folder draws with. The same text as Themes/default.yaml (a
    /// test holds them equal), so a breach is red wherever tierwatch runs.
    public static let builtIn: Theme = {
        do { return try Theme(yaml: Theme.defaultYAML, file: "<built-in default theme>") } catch { fatalError("built-in theme: \(error)") }
    }()
}
