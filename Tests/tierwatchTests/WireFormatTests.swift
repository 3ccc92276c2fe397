import Foundation
import Testing

/// The JSON tierwatch prints, held to what it printed before the one JSON
/// writer (issue 28): a fixture store, read at a frozen instant, gives the
/// same `--json` field by field as the files the earlier build wrote
/// (Fixtures/wire, made by commit ff6a0e1 under `faketime -f "2026-12-07
/// 12:00:00"`). Only the changes the README's "Changes" lists may differ.
@Suite struct WireFormatIsUnchanged {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures/wire"

    /// Each command, and the file its earlier output is in.
    static let commands: [(args: [String], file: String)] = [
        (["show", "W15Z", "--json"], "show_W15Z_json"),
        (["list", "--all", "--json"], "list_all_json"),
        (["report", "--since", "1d", "--json"], "report_since_1d_json"),
        (["report", "--since", "1d", "--by", "customer", "--json"], "report_since_1d_by_customer_json"),
        (["handover", "--json"], "handover_json"),
        (["oncall", "--json"], "oncall_json"),
        (["oncall", "platform", "--next", "7d", "--json"], "oncall_platform_next_7d_json"),
    ]

    /// Keys added since, by the README's changelog.
    static let added: Set<String> = ["time_to_engage_tiers"]

    /// `tierwatch ARGS` with the clock frozen at the fixtures' instant.
    func frozen(_ args: [String], store: String) throws -> String {
        try requireTool("/usr/bin/faketime", package: "faketime")
        var env = ProcessInfo.processInfo.environment
        // The CI's own faked clock (the matrix) must not reach the child.
        for k in ["LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED", "FAKETIME_NO_CACHE"] { env.removeValue(forKey: k) }
        env["TIERWATCH_STORE"] = store
        env["TIERWATCH_CACHE"] = "off"
        env["TIERWATCH_HOST"] = "noc1"
        env["TIERWATCH_OPERATOR"] = "alice"
        env["XDG_CONFIG_HOME"] = "/nonexistent/tierwatch-tests"
        env["TZ"] = "UTC"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/faketime")
        p.arguments = ["-f", "2026-12-07 12:00:00", Binary.tierwatch] + args
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Every difference between two JSON values, by path.
    static func differences(_ a: Any, _ b: Any, _ path: String = "") -> [String] {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            return Set(x.keys).union(y.keys).sorted().flatMap { k -> [String] in
                guard let p = x[k], let q = y[k] else { return added.contains(k) && x[k] == nil ? [] : ["\(path).\(k): only in one"] }
                return differences(p, q, "\(path).\(k)")
            }
        case let (x as [Any], y as [Any]):
            guard x.count == y.count else { return ["\(path): \(x.count) elements, now \(y.count)"] }
            return zip(x, y).enumerated().flatMap { differences($1.0, $1.1, "\(path)[\($0)]") }
        default:
            // Leaves: strings, numbers, booleans, null, compared as JSON text.
            let same = (try? JSONSerialization.data(withJSONObject: [a])) == (try? JSONSerialization.data(withJSONObject: [b]))
            return same ? [] : ["\(path): \(a) became \(b)"]
        }
    }

    @Test func everyCommandsJSONIsTheSameFieldByField() throws {
        let store = TempStore()
        defer { store.cleanup() }
        try FileManager.default.removeItem(atPath: store.path)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/store", toPath: store.path)
        for (args, file) in Self.commands {
            let before = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/\(file).json")))
            let text = try frozen(args, store: store.path)
            let now = try #require(try? JSONSerialization.jsonObject(with: Data(text.utf8)), "\(args): not JSON: \(text.prefix(300))")
            let diffs = Self.differences(before, now)
            #expect(diffs.isEmpty, "tierwatch \(args.joined(separator: " ")): \(diffs.prefix(10))")
        }
    }

    /// The comparison itself can fail: a field changed is found.
    @Test func aChangedFieldIsFound() {
        #expect(Self.differences(["a": [1, ["b": "x"]]], ["a": [1, ["b": "y"]]]) == [".a[1].b: x became y"])
        #expect(Self.differences(["a": 1], ["a": 1, "time_to_engage_tiers": []]).isEmpty)
        #expect(Self.differences(["a": 1], ["a": 1, "z": 2]) == [".z: only in one"])
    }

    /// What each command prints holds to its schema in docs/openapi.json
    /// (components Report, Handover, OnCall, OnCallHandoffs, Incident):
    /// every key there, of its type, and no other.
    @Test func everyCommandsJSONHoldsToItsSchema() throws {
        // The python3 on PATH: the one pip installed schemathesis (and its
        // jsonschema) into.
        let probe = Binary.run(["python3", "-c", "import jsonschema"], executable: "/usr/bin/env")
        try #require(probe.status == 0, "python3's jsonschema is missing: apt-get install -y python3-jsonschema (or bash .ci/deps, which installs schemathesis)")
        let root = URL(fileURLWithPath: Self.fixtures).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let store = TempStore()
        defer { store.cleanup() }
        try FileManager.default.removeItem(atPath: store.path)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/store", toPath: store.path)
        let schemas = ["show": "Incident one", "list": "Incident array", "report": "Report array", "handover": "Handover one",
                       "oncall": "OnCall array", "oncall platform": "OnCallHandoffs array"]
        for (args, _) in Self.commands {
            let key = args.first == "oncall" && args.contains("--next") ? "oncall platform" : args[0]
            let schema = try #require(schemas[key]).split(separator: " ").map(String.init)
            let text = try frozen(args, store: store.path)
            let input = store.path + ".json"
            try Data(text.utf8).write(to: URL(fileURLWithPath: input))
            defer { unlink(input) }
            let r = Binary.run(["python3", root + "/Tests/tools/validate-json.py", root + "/docs/openapi.json", schema[0], schema[1], input],
                               executable: "/usr/bin/env")
            #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "tierwatch \(args.joined(separator: " ")): \(r.stdout)\(r.stderr)")
        }
    }
}
