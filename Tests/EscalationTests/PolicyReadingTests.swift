import Escalation
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
}
