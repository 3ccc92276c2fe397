import Escalation
import Foundation
import Testing

/// `dialer:` in the policy: what it takes, what it refuses (at the line and
/// column), and how a number becomes a SIP URI.
@Suite struct DialerPolicy {
    let base = "name: x\ntiers:\n  - { id: a, name: A, contacts: [Bob] }\n"

    func error(_ dialer: String) -> String? {
        do {
            _ = try Policy(yaml: base + dialer, file: "p.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aSIPAccountAndItsRules() throws {
        let p = try Policy(yaml: base + """
        dialer:
          baresip: { proxy: "sip:pbx.example.org", user: noc, domain: example.org, password_file: /etc/tierwatch/sip, caller_id: NOC desk }
          uri: "sip:{e164}@trunk.example.org"
          ring_timeout: 25s
          confirm_within: 8s
          acknowledge: on_confirm
        """, file: "p.yaml")
        let d = try #require(p.dialer)
        #expect(d.agent == .baresip(DialerSettings.SIPAccount(proxy: "sip:pbx.example.org", user: "noc", domain: "example.org",
                                                              passwordFile: "/etc/tierwatch/sip", callerID: "NOC desk")))
        #expect(d.ringTimeout.seconds == 25 && d.confirmWithin.seconds == 8 && d.acknowledgeOnConfirm)
        #expect(d.uri(for: "+1 555 0101") == .success("sip:+15550101@trunk.example.org"))
        #expect(d.uri(for: "555 0101") == .failure(DialerProblem("'555 0101' has no country code (+…): it maps to no URI by 'sip:{e164}@trunk.example.org'")))
        #expect(d.uri(for: "ext. none") == .failure(DialerProblem("'ext. none' is not a phone number tierwatch can dial")))
        var digits = d
        digits.uri = "sip:{digits}@10.0.0.5"
        #expect(digits.uri(for: "+44 20 7946 0000") == .success("sip:442079460000@10.0.0.5"))
        #expect(try Policy(yaml: base, file: "p.yaml").dialer == nil, "no dialer: tierwatch places no call")
    }

    @Test func mistakesAreNamedWhereTheyAre() {
        #expect(error("dialer:\n  uri: \"sip:{e164}@t\"\n") == "p.yaml:5:3: error: the dialer needs 'baresip:' (a SIP account) or 'program:' (a program that places the call)")
        #expect(error("dialer:\n  program: /usr/local/bin/dial\n")?.contains("the dialer needs 'uri'") == true)
        #expect(error("dialer:\n  program: dial\n  uri: \"sip:{e164}@t\"\n")?.contains("p.yaml:5:12: error: 'program' must be an absolute path") == true)
        #expect(error("dialer:\n  program: /x\n  uri: \"tel:{e164}\"\n")?.contains("'uri' must be a SIP URI with {e164} or {digits}") == true)
        #expect(error("dialer:\n  baresip: { user: noc }\n  uri: \"sip:{e164}@t\"\n")?.contains("needs 'user' and 'domain'") == true)
        #expect(error("dialer:\n  program: /x\n  uri: \"sip:{e164}@t\"\n  ring_timeout: soon\n")?.contains("bad duration 'soon'") == true)
        #expect(error("dialer:\n  program: /x\n  uri: \"sip:{e164}@t\"\n  acknowledge: yes\n")?.contains("'acknowledge' must be on_confirm") == true)
        #expect(error("dialer:\n  program: /x\n  uri: \"sip:{e164}@t\"\n  ringtimeout: 5s\n")?.contains("unknown key 'ringtimeout'") == true)
    }

    /// A tier with `call_out:` (the tier line's mapping, then a dialer or not).
    func callOut(_ value: String, dialer: Bool = true) -> Result<Tier, PolicyError> {
        let text = "name: x\ntiers:\n  - id: a\n    name: A\n    contacts: [Bob]\n    call_out: \(value)\n"
            + (dialer ? "dialer:\n  program: /x\n  uri: \"sip:{e164}@t\"\n" : "")
        do {
            return .success(try Policy(yaml: text, file: "p.yaml").tiers[0])
        } catch {
            return .failure(error)
        }
    }

    @Test func callOutPerTierWithItsDefaultsAndItsLimits() throws {
        #expect(try callOut("true").get().callOut == CallOut(recall: .minutes(5), attempts: 3), "true: every 5 minutes, 3 tries")
        #expect(try callOut("false").get().callOut == nil)
        #expect(try callOut("{ recall: 2m, attempts: 5 }").get().callOut == CallOut(recall: .minutes(2), attempts: 5))
        #expect(try callOut("{ attempts: 1 }").get().callOut == CallOut(recall: .minutes(5), attempts: 1))
        func message(_ r: Result<Tier, PolicyError>) -> String? { if case let .failure(e) = r { e.description } else { nil } }
        #expect(message(callOut("true", dialer: false)) == "p.yaml:6:15: error: 'call_out' needs a 'dialer:' section (how tierwatch places calls, see docs/voice.md)")
        #expect(message(callOut("{ recall: 5s }"))?.contains("p.yaml:6:25: error: 'recall' must be at least 10s") == true, "\(String(describing: message(callOut("{ recall: 5s }"))))")
        #expect(message(callOut("{ attempts: 0 }"))?.contains("'attempts' must be 1 to 10") == true)
        #expect(message(callOut("{ attempts: many }"))?.contains("'attempts' must be a whole number") == true)
        #expect(message(callOut("{ every: 5m }"))?.contains("unknown key 'every' in 'call_out'") == true)
        #expect(message(callOut("sometimes"))?.contains("'call_out' must be true, false or a mapping") == true)
    }

    /// Mistakes that would only show when a call is needed are warnings when the policy is read.
    @Test func numbersTheDialerCannotCallAndACallOutThatCanNeverRingAreWarnings() throws {
        let text = """
        name: x
        people:
          - { id: dana, name: Dana Director, phone: "555 0102" }
        tiers:
          - { id: desk, name: Desk, contacts: [Desk], require: none, call_out: true }
          - { id: a, name: A, contacts: [{ name: Bob, phone: "+1 555 0101" }, { name: Dana, person: dana }] }
        dialer:
          program: /x
          uri: "sip:{e164}@t"

        """
        let (_, warnings) = try Policy.check(yaml: text, file: "p.yaml", at: Date(timeIntervalSince1970: 1_796_000_000))
        let said = warnings.map(\.description)
        #expect(said.contains { $0.hasPrefix("p.yaml:5:") && $0.contains("tier 'desk' calls out but requires nobody") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("p.yaml:9:8: warning: Dana Director (person dana): '555 0102' has no country code") }, "\(said)")
        #expect(!said.contains { $0.contains("Bob") }, "a number with its country code is fine")
    }
}

