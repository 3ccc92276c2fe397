import Foundation
import Testing

/// Issue 33, the config file: `$XDG_CONFIG_HOME/tierwatch/config.yaml`
/// sets what flags and variables set, `config show` says where each value
/// came from, and a broken file warns (file, line, column) and changes
/// nothing else: the programs go on with the defaults.
@Suite(.serialized) struct ConfigFiles {
    func home(_ yaml: String) -> String {
        let dir = TempStore().path
        try? FileManager.default.createDirectory(atPath: dir + "/tierwatch", withIntermediateDirectories: true)
        writeFixture(atPath: dir + "/tierwatch/config.yaml", contents: Data(yaml.utf8))
        return dir
    }

    @Test func theFileSetsTheStoreAndThemeAndConfigShowSaysWhere() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("Outage")
        let config = home("# mine\nstore: \(s.path)\ntheme: light\nwall: { warning: 5m, bell: yes }\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        // No --store and no TIERWATCH_STORE: the file's store.
        let list = Binary.run(["list"], env: ["XDG_CONFIG_HOME": config, "TIERWATCH_STORE": ""])
        #expect(list.status == 0 && list.stdout.contains(id), "\(list.stdout)\(list.stderr)")
        let show = Binary.run(["config", "show", "--json"], env: ["XDG_CONFIG_HOME": config, "TIERWATCH_STORE": ""])
        #expect(show.status == 0, "\(show.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let rows = Dictionary(uniqueKeysWithValues: ((o["settings"] as? [[String: Any]]) ?? []).map { ($0["key"] as! String, ($0["value"] as! String, $0["from"] as! String)) })
        let file = config + "/tierwatch/config.yaml"
        #expect(rows["store"]?.0 == s.path && rows["store"]?.1 == "\(file):2", "\(rows)")
        #expect(rows["theme"]?.0 == "light" && rows["theme"]?.1 == "\(file):3")
        #expect(rows["wall.warning"]?.0 == "5m" && rows["wall.bell"]?.0 == "yes")
        #expect(rows["operator"]?.1 == "$TIERWATCH_OPERATOR", "a variable wins over the file: \(rows)")
        #expect(rows["bell"]?.1 == "default")
        // A flag wins over the file.
        let other = TempStore(); defer { other.cleanup() }
        let flagged = Binary.run(["list", "--store", other.path], env: ["XDG_CONFIG_HOME": config, "TIERWATCH_STORE": ""])
        #expect(!flagged.stdout.contains(id), "\(flagged.stdout)")
    }

    @Test func aBrokenFileWarnsWithItsPlaceAndTheDashboardStillStarts() throws {
        let s = TempStore(); defer { s.cleanup() }
        s.raise("Outage")
        let config = home("theem: light\nbell: maybe\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let file = config + "/tierwatch/config.yaml"
        let list = Binary.run(["list"], store: s.path, env: ["XDG_CONFIG_HOME": config])
        #expect(list.status == 0, "the command goes on: \(list.stderr)")
        #expect(list.stderr.contains("\(file):1:1: warning: unknown setting 'theem'; did you mean 'theme'"), "\(list.stderr)")
        #expect(list.stderr.contains("\(file):2:7: warning: 'bell' is true or false, not 'maybe'; the default holds"), "\(list.stderr)")
        let show = Binary.run(["config", "show"], store: s.path, env: ["XDG_CONFIG_HOME": config])
        #expect(show.status == 1 && show.stdout.contains("bell") && show.stdout.contains("default"), "\(show.stdout)")
        let bad = home("store: [unclosed\n")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let yaml = Binary.run(["list"], store: s.path, env: ["XDG_CONFIG_HOME": bad])
        #expect(yaml.status == 0 && yaml.stderr.contains(bad + "/tierwatch/config.yaml:") && yaml.stderr.contains("invalid YAML"), "\(yaml.stderr)")
        // The dashboard starts, and says so on screen.
        let t = Tmux(command: Binary.tierwatch, env: ["TIERWATCH_STORE": s.path, "TIERWATCH_HOST": "noc1", "XDG_CONFIG_HOME": config,
                                                      "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(t.wait(for: "Outage"), "\(t.screen)")
        #expect(t.screen.contains("unknown setting 'theem'"), "\(t.screen)")
        t.send("q")
    }

    /// A rebound key works in the real dashboard, shows in its key bar and
    /// help, and `config show` says where it came from.
    @Test func aReboundKeyActsAndShows() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("Outage")
        let config = home("keys:\n  acknowledge: K\n  help: [F1, '!']\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let file = config + "/tierwatch/config.yaml"
        let show = Binary.run(["config", "show"], store: s.path, env: ["XDG_CONFIG_HOME": config])
        #expect(show.status == 0 && show.stdout.contains("acknowledge") && show.stdout.contains("\(file):2:3"), "\(show.stdout)\(show.stderr)")
        let t = Tmux(command: Binary.tierwatch, env: ["TIERWATCH_STORE": s.path, "TIERWATCH_HOST": "noc1", "TIERWATCH_OPERATOR": "bob",
                                                      "XDG_CONFIG_HOME": config, "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(t.wait(for: "K Ack"), "\(t.screen)")
        t.send("a")
        usleep(300_000)
        #expect(try s.json("show", id)["state"] as? String == "open", "a no longer acknowledges")
        t.send("K")
        #expect(t.wait(for: "\(id): acknowledged"), "\(t.screen)")
        #expect(try s.json("show", id)["acknowledged_by"] as? String == "bob")
        t.send("!")
        #expect(t.wait(for: "this help · quit") && t.screen.contains("│ K "), "\(t.screen)")
        t.send("Escape")
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }
}
