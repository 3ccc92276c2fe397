import Foundation
import Yams

/// `dialer:` in the policy: how tierwatch places a call itself (`tierwatch
/// call`): through a SIP account with baresip, or a site's own program
/// (Asterisk or FreeSWITCH originate) with a small contract; how a number
/// becomes a SIP URI; how long to ring and to wait for "press 1".
public struct DialerSettings: Sendable, Equatable {
    public enum Agent: Sendable, Equatable {
        case baresip(SIPAccount)
        /// argv: the program, the SIP URI, the WAV to play; it prints
        /// `answered`, `dtmf 1`, `busy`, `no-answer`, `failed REASON` lines.
        case program(String)
    }

    public struct SIPAccount: Sendable, Equatable {
        /// Registrar or outbound proxy (`sip:pbx.example.org`); nil: direct.
        public var proxy: String?
        public var user: String
        public var domain: String
        /// A file holding the password, readable by this user only.
        public var passwordFile: String?
        public var callerID: String?
        public init(proxy: String? = nil, user: String, domain: String, passwordFile: String? = nil, callerID: String? = nil) {
            self.proxy = proxy
            self.user = user
            self.domain = domain
            self.passwordFile = passwordFile
            self.callerID = callerID
        }
    }

    public var agent: Agent
    /// `sip:{e164}@trunk.example.org`: {e164} is +digits, {digits} the digits alone.
    public var uri: String
    public var ringTimeout = TimeSpan(seconds: 30)
    /// After the message's end, how long "press 1" is waited for.
    public var confirmWithin = TimeSpan(seconds: 10)
    /// Pressing 1 also acknowledges the incident.
    public var acknowledgeOnConfirm = false
    /// What is said; `{desk} {id} {customer} {severity} {title} {what}`.
    public var message = "This is the {desk} escalation desk. Incident {id} for {customer}, severity {severity}: {title}. {what} Press 1 to confirm."

    public init(agent: Agent, uri: String) {
        self.agent = agent
        self.uri = uri
    }

    /// The longest one call can take (ringing, the message twice, the wait
    /// for "1", the dialer's own start and stop) and a margin: a call
    /// claimed longer ago than this with no result was a process that died
    /// mid-call.
    public var maxCallSeconds: Double { Double(ringTimeout.seconds + confirmWithin.seconds) + 90 }

    /// The SIP URI a number dials, or why there is none.
    public func uri(for number: String) -> Result<String, DialerProblem> {
        let digits = number.filter(\.isASCII).filter(\.isNumber)
        guard !digits.isEmpty, digits.count <= 15 else { return .failure(DialerProblem("'\(number.sanitized)' is not a phone number tierwatch can dial")) }
        if uri.contains("{e164}") && !number.trimmingCharacters(in: .whitespaces).hasPrefix("+") {
            return .failure(DialerProblem("'\(number.sanitized)' has no country code (+…): it maps to no URI by '\(uri.sanitized)'"))
        }
        return .success(uri.replacingOccurrences(of: "{e164}", with: "+" + digits).replacingOccurrences(of: "{digits}", with: digits))
    }
}

public struct DialerProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension PolicyParser {
    func parseDialer(_ node: Node) throws(PolicyError) -> DialerSettings {
        let m = try mapping(node, "'dialer'", keys: ["baresip", "program", "uri", "ring_timeout", "confirm_within", "acknowledge", "message"])
        guard let uriNode = m["uri"] else { throw error(node, "the dialer needs 'uri', how a number becomes a SIP URI: sip:{e164}@trunk.example.org") }
        let uri = try string(uriNode, "uri")
        guard uri.hasPrefix("sip:") || uri.hasPrefix("sips:"), uri.contains("{e164}") || uri.contains("{digits}") else {
            throw error(uriNode, "'uri' must be a SIP URI with {e164} or {digits} for the number, e.g. sip:{e164}@trunk.example.org")
        }
        let agent: DialerSettings.Agent
        switch (m["baresip"], m["program"]) {
        case let (b?, nil):
            let a = try mapping(b, "'baresip'", keys: ["proxy", "user", "domain", "password_file", "caller_id"])
            guard let user = a["user"], let domain = a["domain"] else {
                throw error(b, "the SIP account needs 'user' and 'domain' (its address is user@domain)")
            }
            var account = DialerSettings.SIPAccount(user: try string(user, "user"), domain: try string(domain, "domain"))
            if let p = a["proxy"] {
                let text = try string(p, "proxy")
                guard text.hasPrefix("sip:") || text.hasPrefix("sips:") else { throw error(p, "'proxy' must be a SIP URI, e.g. sip:pbx.example.org") }
                account.proxy = text
            }
            account.passwordFile = try a["password_file"].map { n throws(PolicyError) in try string(n, "password_file") }
            account.callerID = try a["caller_id"].map { n throws(PolicyError) in try string(n, "caller_id") }
            agent = .baresip(account)
        case let (nil, p?):
            let path = try string(p, "program")
            guard path.hasPrefix("/") else { throw error(p, "'program' must be an absolute path") }
            agent = .program(path)
        case (nil, nil): throw error(node, "the dialer needs 'baresip:' (a SIP account) or 'program:' (a program that places the call)")
        case (_?, let p?): throw error(p, "give the dialer 'baresip:' or 'program:', not both")
        }
        var d = DialerSettings(agent: agent, uri: uri)
        if let n = m["ring_timeout"] { d.ringTimeout = try span(n, "ring_timeout") }
        if let n = m["confirm_within"] { d.confirmWithin = try span(n, "confirm_within") }
        if let n = m["acknowledge"] {
            let text = try string(n, "acknowledge")
            guard text == "on_confirm" || text == "never" else { throw error(n, "'acknowledge' must be on_confirm (pressing 1 acknowledges the incident) or never") }
            d.acknowledgeOnConfirm = text == "on_confirm"
        }
        if let n = m["message"] { d.message = try string(n, "message") }
        return d
    }
}

/// A tier's `call_out:`: when the tier starts, serve calls each of its
/// contacts not yet reached, and again every `recall` until they are
/// reached or the tier is met, at most `attempts` times each.
public struct CallOut: Sendable, Equatable {
    public var recall = TimeSpan(seconds: 300)
    public var attempts = 3

    public init(recall: TimeSpan = TimeSpan(seconds: 300), attempts: Int = 3) {
        self.recall = recall
        self.attempts = attempts
    }
}

extension PolicyParser {
    /// `call_out: {recall: 5m, attempts: 3}` (or `call_out: true` for the
    /// defaults) on a tier; nil without it. Needs the policy's dialer.
    mutating func parseCallOut(_ tierNode: Node, tier: Tier, dialer: DialerSettings?) throws(PolicyError) -> CallOut? {
        guard let node = tierNode["call_out"] else { return nil }
        var out = CallOut()
        if let flag = node.scalar?.string {
            guard flag == "true" || flag == "false" else {
                throw error(node, "'call_out' must be true, false or a mapping {recall: 5m, attempts: 3}")
            }
            if flag == "false" { return nil }
        } else {
            let m = try mapping(node, "'call_out'", keys: ["recall", "attempts"])
            if let r = m["recall"] {
                out.recall = try span(r, "recall")
                guard out.recall.seconds >= 10 else { throw error(r, "'recall' must be at least 10s") }
            }
            if let a = m["attempts"] {
                out.attempts = try int(a, "attempts")
                guard (1...10).contains(out.attempts) else { throw error(a, "'attempts' must be 1 to 10") }
            }
        }
        guard dialer != nil else {
            throw error(node, "'call_out' needs a 'dialer:' section (how tierwatch places calls, see docs/voice.md)")
        }
        if let d = dialer, out.attempts > 1, out.recall.seconds < d.ringTimeout.seconds + d.confirmWithin.seconds + 30 {
            var w = error(node, "'recall' \(out.recall) is shorter than a call can last (ring_timeout + confirm_within + the message): a try still ringing makes the next wait, so fewer than \(out.attempts) calls are made")
            w.isWarning = true
            warnings.append(w)
        }
        if tier.require == .none {
            var w = error(node, "tier '\(tier.id)' calls out but requires nobody (require: none): it is done as it starts, so nobody is ever called")
            w.isWarning = true
            warnings.append(w)
        }
        return out
    }
}

extension PolicyParser {
    /// A number the dialer's rule cannot dial is found when the policy is
    /// read, not when an incident needs it: a warning per number, at `uri`.
    mutating func warnUndialable(_ policy: Policy, _ dialer: DialerSettings, _ node: Node) {
        let at = node["uri"] ?? node
        var numbers: [(String, String)] = []
        for p in policy.people { numbers += p.phones.map { ("\(p.name) (person \(p.id))", $0) } }
        for t in policy.tiers { numbers += t.contacts.compactMap { c in c.phone.map { ("\(c.name) (contact \(c.id))", $0) } } }
        for (who, number) in numbers {
            guard case let .failure(why) = dialer.uri(for: number) else { continue }
            var w = error(at, "\(who.sanitized): \(why.description): tierwatch cannot call them")
            w.isWarning = true
            warnings.append(w)
        }
    }
}
