import Dashboard
import Surface
import Foundation
import Testing

@Suite struct Themes {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Themes").path

    @Test(arguments: ["default", "wall", "monochrome", "light"])
    func eachShippedThemeLoadsAndStylesEveryStatus(name: String) throws {
        let theme = try Theme.load(name, searchPath: [Themes.folder])
        #expect(theme.name == name && !theme.description.isEmpty)
        for role: Role in [.done, .active, .overdue, .pending, .countdownWarning, .countdownCritical, .selection, .banner, .wallBreached] {
            #expect(theme.styles[role] != nil, "\(name) styles \(role)")
        }
        // Overdue never looks like normal text, even without colour.
        let mono = theme.monochrome.style(.overdue)
        #expect(mono.bold || mono.reverse || mono.underline)
    }

    /// A binary copied without its Themes folder draws with the default
    /// theme itself, compiled in: a breach is red there too.
    @Test func theBuiltInThemeIsTheDefaultThemeFile() throws {
        let file = try String(contentsOfFile: Themes.folder + "/default.yaml", encoding: .utf8)
        #expect(Theme.defaultYAML == file)
        #expect(try Theme.load("default", searchPath: ["/nonexistent"]) == Theme.builtIn)
        #expect(Theme.builtIn.style(.wallBreached).bg == .ansi(1) && !Theme.builtIn.style(.wallBreached).blink)
    }

    @Test(arguments: ["default", "wall", "monochrome", "light"])
    func noShippedThemeBlinks(name: String) throws {
        let theme = try Theme.load(name, searchPath: [Themes.folder])
        #expect(Role.allCases.allSatisfy { !theme.style($0).blink })
    }

    @Test func twoHundredFiftySixColoursFallBackToTheNearestOfEight() {
        #expect(ThemeColor.indexed(196).index(forColors: 8).index == 1, "bright red → red")
        #expect(ThemeColor.indexed(28).index(forColors: 8).index == 2, "dark green → green")
        #expect(ThemeColor.indexed(25).index(forColors: 8).index == 4, "a blue → blue")
        #expect(ThemeColor.indexed(244).index(forColors: 256).index == 244)
        #expect(ThemeColor.ansi(9).index(forColors: 8) == (1, true), "bright red on 8 colours: red, bold")
    }

    @Test func aBadThemeSaysWhereAndWhy() {
        func error(_ yaml: String) -> String {
            do { _ = try Theme(yaml: yaml, file: "t.yaml"); return "" } catch { return error.description }
        }
        #expect(error("name: x\nroles:\n  overdue: { fg: reddish }\n") == "t.yaml:3:18: error: 'reddish' is not a colour (a name such as red or bright_blue, or 0-255)")
        #expect(error("name: x\nroles:\n  overdo: { fg: red }\n").hasPrefix("t.yaml:3:3: error: unknown role 'overdo'"))
        #expect(error("name: x\nroles:\n  overdue: { fg: red, blod: true }\n").hasPrefix("t.yaml:3:23: error: unknown style key 'blod'"))
        #expect(error("name: x\nroles:\n  overdue: { bold: maybe }\n") == "t.yaml:3:20: error: 'bold' must be true or false")
        #expect(error("roles: {}\n").hasPrefix("t.yaml:1:1: error: a theme needs a name"))
        #expect(error("name: [unclosed\n").contains("invalid YAML"))
        #expect(throws: ThemeError.self) { try Theme.load("no-such-theme", searchPath: [Themes.folder]) }
    }
}
