import ArgumentParser
import Dashboard
import Escalation
import Foundation

/// The config files in force (see `ConfigFile`), loaded once at start.
/// Settings a variable carries (`store` → `TIERWATCH_STORE`…) are put in
/// this process's environment when the variable is not set, so flags and
/// variables win and every reader of the variable sees the file's value.
enum Settings {
    nonisolated(unsafe) static var config = ConfigFile()
    /// The environment as the program was started (before the files).
    nonisolated(unsafe) static var started: [String: String] = [:]
    /// The board's keys: the config file's `keys:` over the defaults.
    nonisolated(unsafe) static var bindings = Bindings.defaults

    static func load() {
        started = ProcessInfo.processInfo.environment
        config = ConfigFile.layered(ConfigFile.paths(environment: started))
        let keys = Bindings.configured(config.keys)
        bindings = keys.bindings
        config.warnings += keys.warnings
        for s in ConfigFile.settings {
            guard let variable = s.variable, (started[variable] ?? "").isEmpty, var value = config.string(s.key) else { continue }
            if s.kind == .path, value.hasPrefix("~/") { value = (started["HOME"] ?? NSHomeDirectory()) + value.dropFirst() }
            setenv(variable, value, 1)
        }
        for w in config.warnings { FileHandle.standardError.write(Data("tierwatch: \(w.sanitized)\n".utf8)) }
    }

    /// Where a setting's value comes from, and the value.
    static func origin(_ s: ConfigFile.Setting) -> (value: String, from: String) {
        if let v = s.variable, let value = started[v], !value.isEmpty { return (value, "$\(v)") }
        if let found = config.values[s.key] { return (found.value, found.source) }
        return (s.fallback, "default")
    }
}

/// `tierwatch config show`: every setting in force and where it came from.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "The settings in force and where each came from (config files, variables, defaults).",
        discussion: "Files: $XDG_CONFIG_HOME/tierwatch/config.yaml over /etc/tierwatch/config.yaml. Example: tierwatch config show",
        subcommands: [Show.self, Keys.self], defaultSubcommand: Show.self)

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keys", abstract: "The dashboard's keys in force, as a Markdown table (docs/guide.md's is this, with the defaults).")
        func run() throws { print(Settings.bindings.markdown, terminator: "") }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Every setting, its value and where it came from.")
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            let rows = ConfigFile.settings.map { s -> (ConfigFile.Setting, String, String) in
                let o = Settings.origin(s)
                return (s, o.value, o.from)
            }
            let b = Settings.bindings
            let keys = KeyAction.allCases.map { a in (a.rawValue, b.keys(a).map(Bindings.configName), b.sources[a] ?? "default") }
            if json {
                printJSON(Wire.value(Wire.Config(
                    files: ConfigFile.paths(environment: Settings.started),
                    keys: keys.map { .init(action: $0.0, from: $0.2, keys: $0.1) },
                    settings: rows.map { .init(from: $0.2, key: $0.0.key, value: $0.1, variable: $0.0.variable) },
                    warnings: Settings.config.warnings)))
                return
            }
            print("Files (later wins): " + ConfigFile.paths(environment: Settings.started).map { $0 + (FileManager.default.fileExists(atPath: $0) ? "" : " (none)") }.joined(separator: ", "))
            var table = [["SETTING", "VALUE", "FROM", "WHAT"]]
            for (s, value, from) in rows { table.append([s.key, value.sanitized, from.sanitized, s.help]) }
            print(Words.table(table), terminator: "")
            print("\nKeys of the dashboard (keys: in a config file rebinds them):")
            var keyTable = [["ACTION", "KEYS", "FROM"]]
            for (action, names, from) in keys { keyTable.append([action, names.isEmpty ? "(none)" : names.joined(separator: " "), from.sanitized]) }
            print(Words.table(keyTable), terminator: "")
            if !Settings.config.warnings.isEmpty { throw ExitCode(1) }
        }
    }
}

/// `config show --json`: the files read (later wins), every setting with
/// its value and where it came from, and the dashboard's keys. No schema in
/// docs/openapi.json: it describes this machine, not the API.
extension Wire {
    struct Config: Codable {
        var files: [String]
        var keys: [Key]
        var settings: [Setting]
        var warnings: [String]

        struct Key: Codable {
            /// The action's name, as `keys:` binds it.
            var action: String
            /// A config file, or `default`.
            var from: String
            var keys: [String]
        }

        struct Setting: Codable {
            /// A config file, `$VARIABLE`, or `default`.
            var from: String
            var key: String
            var value: String
            /// The environment variable that carries it (null: none).
            var variable: String?
        }
    }
}
