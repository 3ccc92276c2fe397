import Escalation
import Foundation
import Testing

/// The one value every consumer is handed of the policy file.
@Suite struct PolicyReadings {
    let good = PolicyInForce(policy: {
        var p = Policy.builtIn
        p.sites.expected = ["noc-b"]
        p.sites.clockTolerance = TimeSpan(seconds: 20)
        return p
    }(), text: Policy.builtInYAML, source: "policy.yaml")
    let broken = PolicyProblem("policy.yaml:3:1: invalid YAML: did not find expected node content")

    @Test func aFileThatStopsParsingKeepsTheLastGoodForChecksAndSaysSo() {
        let start = PolicyReading(current: .failure(PolicyProblem("not read yet"))).reading(.success(good))
        #expect(start.problem == nil && start.sites.expected == ["noc-b"])
        let now = start.reading(.failure(broken))
        #expect((try? now.current.get()) == nil, "nothing to open incidents under")
        #expect(now.working?.source == "policy.yaml" && now.sites.expected == ["noc-b"] && now.sites.clockTolerance.seconds == 20)
        let said = now.problem ?? ""
        #expect(said.hasPrefix("policy.yaml:3:1: invalid YAML") && said.contains("keep the last policy that parsed (production-priority)"), "\(said)")
        // Fixed: the problem is gone.
        #expect(now.reading(.success(good)).problem == nil)
    }

    @Test func aFileThatNeverParsedUsesTheBuiltInThresholdsAndSaysSo() {
        let r = PolicyReading(current: .failure(PolicyProblem("not read yet"))).reading(.failure(broken))
        #expect(r.working == nil && r.sites == Policy.Sites())
        #expect(r.problem?.contains("site and clock checks use the built-in thresholds, and serve runs no hook") == true, "\(r.problem ?? "")")
    }

    /// The parser reads no disk: what it asks of the machine is passed in.
    @Test func theParserAsksTheMachineOnlyThroughWhatItIsGiven() throws {
        let text = Policy.builtInYAML + "hooks:\n  - { name: page, on: [resolved], run: [/bin/sh, -c, true] }\n"
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        let missing = try Policy.check(yaml: text, file: "p.yaml", at: at, machine: MachineChecks { _ in false }).warnings
        #expect(missing.contains { $0.message.contains("the program '/bin/sh' is not there or not executable on this machine") }, "\(missing)")
        #expect(try Policy.check(yaml: text, file: "p.yaml", at: at, machine: MachineChecks { _ in true }).warnings.isEmpty)
    }
}
