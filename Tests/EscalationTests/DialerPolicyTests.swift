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
}
