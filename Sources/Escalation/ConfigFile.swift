import Foundation
import Yams

/// The user's settings: `$XDG_CONFIG_HOME/tierwatch/config.yaml` (else
/// `~/.config/tierwatch/config.yaml`) over `/etc/tierwatch/config.yaml`.
/// A flag wins over the environment, the environment over the user's file,
/// that over the system's, that over the default. A file that does not
/// parse, an unknown key or a bad value is a warning naming file, line and
/// column: the program goes on with the value from below.
public struct ConfigFile: Sendable, Equatable {
    public enum Kind: Sendable { case text, path, bool, span }

    public struct Setting: Sendable {
        public let key: String
        public let kind: Kind
        /// The variable that carries it (a flag's fallback), if any.
        public let variable: String?
        public let help: String
        /// What holds when nothing sets it, in words.
        public let fallback: String
    }

    /// Every setting, in `config show`'s order.
    public static let settings: [Setting] = [
        Setting(key: "store", kind: .path, variable: "TIERWATCH_STORE", help: "the store directory", fallback: "$XDG_DATA_HOME/tierwatch"),
        Setting(key: "operator", kind: .text, variable: "TIERWATCH_OPERATOR", help: "who you are on the timeline", fallback: "user@host"),
        Setting(key: "host", kind: .text, variable: "TIERWATCH_HOST", help: "this writer's host name in the store (one per machine and user: not for /etc)", fallback: "NAME-XXXX, unique to this machine and user"),
        Setting(key: "theme", kind: .text, variable: "TIERWATCH_THEME", help: "the screens' theme: default, light, wall, monochrome or a file", fallback: "by the terminal's background"),
        Setting(key: "bell", kind: .bool, variable: nil, help: "the dashboard and viewer ring for a new incident or breach", fallback: "false"),
        Setting(key: "mouse", kind: .bool, variable: nil, help: "the screens take clicks and the wheel (off: the terminal's own text selection)", fallback: "true"),
        Setting(key: "wall.rotate", kind: .span, variable: nil, help: "the wall cycles its big panel this often", fallback: "off"),
        Setting(key: "wall.warning", kind: .span, variable: nil, help: "a countdown under this is a warning on the wall", fallback: "2m"),
        Setting(key: "wall.bell", kind: .bool, variable: nil, help: "the wall rings once for each breach", fallback: "false"),
    ]

    public struct Value: Sendable, Equatable {
        public var value: String
        /// `FILE:LINE`.
        public var source: String
    }

    public var values: [String: Value] = [:]
    public var warnings: [String] = []

    /// A `keys:` entry: an action of the board and the keys given it, each
    /// with its place (`FILE:LINE:COLUMN`) for a warning about it. The
    /// dashboard knows the actions and key names (`Bindings`).
    public struct KeyEntry: Sendable, Equatable {
        public var action: String
        public var place: String
        public var keys: [(name: String, place: String)]
        /// Where it stands: the file's place among the files, its line, its column.
        public var order: [Int] = []
        public static func == (a: KeyEntry, b: KeyEntry) -> Bool {
            a.action == b.action && a.place == b.place && a.keys.map(\.name) == b.keys.map(\.name) && a.keys.map(\.place) == b.keys.map(\.place)
        }
    }
    /// By action; a later file's entry replaces an earlier one's.
    public var keys: [String: KeyEntry] = [:]

    public init() {}

    /// One file's settings.
    public init(text: String, file: String) {
        func warn(_ mark: Mark?, _ message: String) {
            warnings.append("\(file):\(mark?.line ?? 1):\(mark?.column ?? 1): warning: \(message)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            switch e {
            case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
                warnings.append("\(file):\(mark.line):\(mark.column): warning: invalid YAML: \(problem); the file is ignored, the defaults hold")
            default:
                warnings.append("\(file):1:1: warning: invalid YAML: \(e); the file is ignored, the defaults hold")
            }
            return
        } catch {
            warnings.append("\(file):1:1: warning: cannot read it: \(error); the defaults hold")
            return
        }
        guard let root else { return }  // empty
        guard let top = root.mapping else {
            warn(root.mark, "a config file maps settings to values, e.g. theme: light; the file is ignored")
            return
        }
        var pairs: [(String, Node, Mark?)] = []
        func place(_ m: Mark?) -> String { "\(file):\(m?.line ?? 1):\(m?.column ?? 1)" }
        for (k, v) in top {
            guard let key = k.string else { warn(k.mark, "a setting's name must be text"); continue }
            if key == "keys" {
                guard let inner = v.mapping else { warn(v.mark, "'keys' maps actions to keys, e.g. keys: { acknowledge: A, quit: [q, F10] }"); continue }
                for (ak, av) in inner {
                    let names = (av.sequence.map(Array.init) ?? [av]).map { ($0.scalar?.string ?? "", place($0.mark)) }
                    let action = ak.string ?? "?"
                    keys[action] = KeyEntry(action: action, place: place(ak.mark), keys: names, order: [0, ak.mark?.line ?? 0, ak.mark?.column ?? 0])
                }
            } else if key == "wall", let inner = v.mapping {
                for (ik, iv) in inner { pairs.append(("wall." + (ik.string ?? "?"), iv, ik.mark)) }
            } else {
                pairs.append((key, v, k.mark))
            }
        }
        let known = Dictionary(uniqueKeysWithValues: Self.settings.map { ($0.key, $0) })
        for (key, node, mark) in pairs {
            guard let setting = known[key] else {
                warn(mark, "unknown setting '\(key.sanitized)'\(Suggest.didYouMean(key, among: Self.settings.map(\.key))) (ignored)")
                continue
            }
            guard let text = node.scalar?.string, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                warn(node.mark, "'\(key)' needs a value (\(setting.help)); the default holds")
                continue
            }
            switch setting.kind {
            case .bool where !["true", "false", "yes", "no", "on", "off"].contains(text.lowercased()):
                warn(node.mark, "'\(key)' is true or false, not '\(text.sanitized)'; the default holds")
                continue
            case .span where TimeSpan(parsing: text).map({ $0.seconds <= 0 }) ?? true:
                warn(node.mark, "'\(key)' is a duration such as 10s or 2m, not '\(text.sanitized)'; the default holds")
                continue
            default:
                break
            }
            values[key] = Value(value: text, source: "\(file):\(node.mark?.line ?? mark?.line ?? 1)")
        }
    }

    /// Files from the lowest to the highest (later wins); a file that is
    /// missing is skipped, one that cannot be read is a warning.
    public static func layered(_ paths: [String]) -> ConfigFile {
        var out = ConfigFile()
        for (n, path) in paths.enumerated() where FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), data.count <= 64 * 1024 else {
                out.warnings.append("\(path):1:1: warning: cannot read it (or over 64 KiB); the defaults hold")
                continue
            }
            let one = ConfigFile(text: String(decoding: data, as: UTF8.self), file: path)
            out.values.merge(one.values) { $1 }
            out.keys.merge(one.keys.mapValues { var e = $0; e.order[0] = n; return e }) { $1 }
            out.warnings += one.warnings
        }
        return out
    }

    /// The system's file, then the user's.
    public static func paths(environment env: [String: String]) -> [String] {
        let home = env["HOME"] ?? NSHomeDirectory()
        let user = (env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config") + "/tierwatch/config.yaml"
        return ["/etc/tierwatch/config.yaml", user]
    }

    public func bool(_ key: String) -> Bool? {
        values[key].map { ["true", "yes", "on"].contains($0.value.lowercased()) }
    }

    public func string(_ key: String) -> String? { values[key]?.value }
}
