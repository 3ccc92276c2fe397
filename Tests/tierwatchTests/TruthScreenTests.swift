import Foundation
import Testing

/// The screens in a real terminal: never ALL CLEAR when incidents may be
/// missing, a banner naming what cannot be read, and a policy file read
/// again when it changes.
@Suite(.serialized) struct ScreensNeverLie {
    let env = ["TIERWATCH_OPERATOR": "carol", "TIERWATCH_HOST": "noc1", "TERM": "xterm-256color", "LANG": "C.UTF-8"]

    func env(_ store: String) -> [String: String] { env.merging(["TIERWATCH_STORE": store]) { $1 } }

    @Test func theWallWaitsForAMissingStoreAndShowsItWhenItAppears() {
        let s = TempStore(); defer { s.cleanup() }
        let store = s.path + "/not-yet"
        let t = Tmux(width: 120, height: 40, command: "\(Binary.tierwatch) wall", env: env(store))
        #expect(t.wait(for: "Waiting for a store at \(store)"))
        #expect(!t.screen.contains("No open incidents") && !t.screen.contains("ALL CLEAR"))
        let r = Binary.run(["raise", "--title", "Arrived after the wall", "--severity", "sev1"], store: store)
        #expect(r.status == 0)
        #expect(t.wait(for: "Arrived after the wall", timeout: 10))
        #expect(!t.screen.contains("Waiting for a store"))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
    }

    @Test func anUnreadableLogIsABannerOnEveryScreenAndTheWallSaysItDoesNotKnow() {
        let s = TempStore(); defer { s.cleanup() }
        let hidden = Binary.run(["raise", "--title", "Hidden from nobody"], store: s.path, env: ["TIERWATCH_HOST": "noc2"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for (path, mode) in [(s.path, 0o755), (s.path + "/events", 0o755), (s.path + "/events/noc2.log", 0o600)] {
            chmod(path, mode_t(mode))
        }
        let banner = "events/noc2.log unreadable: permission denied"
        let nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups \(Binary.tierwatch)"
        let wall = Tmux(width: 80, height: 24, command: "\(nobody) wall", env: env(s.path))
        #expect(wall.wait(for: banner))
        #expect(wall.screen.contains("Part of the store cannot be read") && wall.screen.contains("NOT all clear"))
        #expect(!wall.screen.contains("No open incidents"))
        let view = Tmux(width: 80, height: 24, command: "\(nobody) view", env: env(s.path))
        #expect(view.wait(for: banner))
        #expect(view.screen.contains("part of the store is unreadable") && !view.screen.contains("All clear"))
        // Readable again: the banner goes and the incident appears, live.
        chmod(s.path + "/events/noc2.log", 0o644)
        #expect(wall.wait(for: "Hidden from nobody", timeout: 10))
        #expect(view.wait(for: hidden, timeout: 10))
        #expect(wall.waitUntilGone(banner, timeout: 10) && view.waitUntilGone(banner, timeout: 10))
        wall.send("q")
        view.send("q")
        #expect(wall.wait(for: "EXIT=0") && view.wait(for: "EXIT=0"))
    }

    @Test func aRunningDashboardWarnsOfABrokenPolicyAndPicksUpAValidEdit() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise("Opened under the built-in policy")
        let t = Tmux(width: 120, height: 40, command: "\(Binary.tierwatch)", env: env(s.path))
        #expect(t.wait(for: id))
        let policy = s.path + "/policy.yaml"
        var edited = s.tw("policy", "show", "--yaml").stdout
        try "name: broken\ntiers:\n  - id: a\n    name: A\n    notify_within: soon\n".write(toFile: policy, atomically: true, encoding: .utf8)
        #expect(t.wait(for: "policy.yaml:5:20: error", timeout: 5))
        #expect(t.screen.contains("Opened under the built-in policy"), "reading goes on")
        t.send(":", "raise Refused while the policy is broken", "Enter")
        #expect(t.wait(for: "policy.yaml:5:20: error", onRow: 38, timeout: 5), "the message line says why")
        edited = edited.replacingOccurrences(of: "name: CEO informed", with: "name: Chief executive told")
        try edited.write(toFile: policy, atomically: true, encoding: .utf8)
        #expect(t.waitUntilGone("new incidents cannot be opened", timeout: 5))
        t.send(":", "raise Opened under the edit", "Enter")
        #expect(t.wait(for: "Opened under the edit", timeout: 5))
        t.send("q")
        #expect(t.wait(for: "EXIT=0"))
        let list = try JSONSerialization.jsonObject(with: Data(s.tw("list", "--json").stdout.utf8)) as! [[String: Any]]
        let opened = list.first { $0["title"] as? String == "Opened under the edit" }
        let tiers = (opened?["tiers"] as? [[String: Any]])?.map { $0["name"] as! String }
        #expect(tiers?.last == "Chief executive told")
        #expect(!list.contains { $0["title"] as? String == "Refused while the policy is broken" })
    }
}
