import Foundation
import Yams

/// The policy's hooks and intake sections.
extension PolicyParser {
    // MARK: Hooks

    /// An Apprise URL: `scheme://…`.
    func appriseURL(_ n: Node) throws(PolicyError) -> String {
        let url = try string(n, "notify")
        guard let r = url.range(of: "://"), !url[..<r.lowerBound].isEmpty,
              url[..<r.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" }) else {
            throw error(n, "'\(url.sanitized)' is not an Apprise URL (scheme://…, e.g. mailto://user:pass@example.com or json://host/path)")
        }
        return url
    }

    mutating func parseHooks(_ node: Node, tiers: [Tier], directory: Policy) throws(PolicyError) -> [Hook] {
        guard let seq = node.sequence else { throw error(node, "'hooks' must be a list of hooks") }
        var out: [Hook] = []
        for h in seq {
            let m = try mapping(h, "a hook", keys: ["name", "on", "tiers", "severities", "customers", "run", "post", "token_file",
                                                  "timeout", "retries", "backoff", "env", "notify", "notify_config", "title", "body"])
            let name = try requiredString(m, h, "name")
            try checkID(name, m["name"]!)
            if out.contains(where: { $0.name == name }) { throw error(m["name"], "duplicate hook name '\(name)'") }
            if [HookKey.callName, HookKey.callOutName].contains(name) { throw error(m["name"], "'\(name)' names tierwatch's own calls in the timeline: give the hook another name") }
            guard let onNode = m["on"] else { throw error(h, "hook '\(name)' needs 'on': one or more of \(Hook.Trigger.allCases.map(\.rawValue).joined(separator: ", "))") }
            var on: Set<Hook.Trigger> = []
            for n in onNode.sequence ?? [onNode] {
                let t = try string(n, "on")
                guard let trigger = Hook.Trigger(rawValue: t) else {
                    throw error(n, "unknown trigger '\(t)'\(Suggest.didYouMean(t, among: Hook.Trigger.allCases.map(\.rawValue))) (triggers: \(Hook.Trigger.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                on.insert(trigger)
            }
            var tierSet: Set<String>?
            if let ts = try list(m, "tiers") {
                tierSet = []
                for (t, n) in ts {
                    guard tiers.contains(where: { $0.id == t }) else { throw error(n, "unknown tier '\(t)'\(Suggest.didYouMean(t, among: tiers.map(\.id)))") }
                    tierSet!.insert(t)
                }
            }
            var sevs: Set<Severity>?
            if let ss = try list(m, "severities") {
                sevs = []
                for (v, n) in ss {
                    guard let sev = Severity(rawValue: v) else { throw error(n, "'\(v)' is not a severity (sev1 … sev4)") }
                    sevs!.insert(sev)
                }
            }
            let customers = try list(m, "customers").map { Set($0.map(\.0)) }
            var hook = Hook(name: name, on: on, tiers: tierSet, severities: sevs, customers: customers,
                            target: try parseHookTarget(m, h, name: name, directory: directory))
            try parseHookOptions(m, into: &hook)
            out.append(hook)
        }
        return out
    }

    /// A hook's key holding one string or a list of them, each with its node.
    func list(_ m: [String: Node], _ key: String) throws(PolicyError) -> [(String, Node)]? {
        guard let n = m[key] else { return nil }
        var out: [(String, Node)] = []
        for item in n.sequence ?? [n] { out.append((try string(item, key), item)) }
        return out
    }

    /// What a hook does: exactly one of run (a program), post (a URL) or
    /// notify (Apprise URLs, people, whoever is on call).
    mutating func parseHookTarget(_ m: [String: Node], _ h: Node, name: String, directory: Policy) throws(PolicyError) -> Hook.Target {
        let given = ["run", "post", "notify"].filter { m[$0] != nil || ($0 == "notify" && m["notify_config"] != nil) }
        if given.count > 1 { throw error(h, "hook '\(name)' has \(given.joined(separator: " and ")): give one of run, post or notify") }
        if m["notify"] != nil || m["notify_config"] != nil { return .notify(try parseNotify(m, h, name: name, directory: directory)) }
        if m["title"] != nil || m["body"] != nil { throw error(m["title"] ?? m["body"], "'title' and 'body' go with 'notify'") }
        switch (m["run"], m["post"]) {
        case let (run?, nil):
            guard let argv = run.sequence, !argv.isEmpty else { throw error(run, "'run' must be a list: the program and its arguments, e.g. [/usr/local/bin/page, --to, ceo]") }
            var words: [String] = []
            for a in argv { words.append(try string(a, "run")) }
            guard words[0].hasPrefix("/") else { throw error(argv[0], "the program '\(words[0])' must be an absolute path (hooks run without a shell or a search path)") }
            // A policy is shared by sites whose machines may differ: a
            // program missing here is a warning (its runs here fail and
            // say so), not a policy that cannot be used.
            if !machine.isExecutable(words[0]) {
                var w = error(argv[0], "the program '\(words[0])' is not there or not executable on this machine: hook '\(name)' will fail here")
                w.isWarning = true
                warnings.append(w)
            }
            return .run(words)
        case let (nil, post?):
            let url = try string(post, "post")
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else { throw error(post, "'post' must be an http:// or https:// URL, not '\(url)'") }
            let token = try m["token_file"].map { n throws(PolicyError) in
                let f = try string(n, "token_file")
                guard f.hasPrefix("/") else { throw error(n, "'token_file' must be an absolute path") }
                return f
            }
            return .post(url: url, tokenFile: token)
        case (nil, nil):
            throw error(h, "hook '\(name)' needs 'run' (a program) or 'post' (a URL)")
        default:
            throw error(m["post"], "hook '\(name)' has both 'run' and 'post': give one")
        }
    }

    /// A notify hook's targets: Apprise URLs, `{ on_call: SCHEDULE }`,
    /// `{ person: ID }`, a config file; its title and body.
    func parseNotify(_ m: [String: Node], _ h: Node, name: String, directory: Policy) throws(PolicyError) -> Hook.Notify {
        var n = Hook.Notify()
        for item in m["notify"].map({ $0.sequence ?? [$0] }) ?? [] {
            guard item.mapping != nil else {
                n.urls.append(try appriseURL(item))
                continue
            }
            let mm = try mapping(item, "a notify target", keys: ["on_call", "person"])
            if let s = mm["on_call"] {
                let id = try string(s, "on_call")
                guard directory.schedules.contains(where: { $0.id == id }) else {
                    throw error(s, "unknown schedule '\(id)'\(Suggest.didYouMean(id, among: directory.schedules.map(\.id)))")
                }
                n.onCall.append(id)
            }
            if let p = mm["person"] {
                let id = try string(p, "person")
                guard directory.people.contains(where: { $0.id == id }) else {
                    throw error(p, "unknown person '\(id)'\(Suggest.didYouMean(id, among: directory.people.map(\.id)))")
                }
                n.people.append(id)
            }
        }
        if let c = m["notify_config"] {
            let f = try string(c, "notify_config")
            guard f.hasPrefix("/") else { throw error(c, "'notify_config' must be an absolute path") }
            n.config = f
        }
        n.title = try m["title"].map { t throws(PolicyError) in try string(t, "title") }
        n.body = try m["body"].map { t throws(PolicyError) in try string(t, "body") }
        guard !n.urls.isEmpty || n.config != nil || !n.onCall.isEmpty || !n.people.isEmpty else {
            throw error(m["notify"] ?? h, "hook '\(name)': 'notify' names nobody (Apprise URLs, { on_call: SCHEDULE } or { person: ID })")
        }
        return n
    }

    /// A hook's timeout, retries, backoff and environment.
    func parseHookOptions(_ m: [String: Node], into hook: inout Hook) throws(PolicyError) {
        if let n = m["timeout"] { hook.timeout = try span(n, "timeout") }
        if let n = m["retries"] {
            let r = try int(n, "retries")
            guard (0...10).contains(r) else { throw error(n, "'retries' must be 0 to 10") }
            hook.retries = r
        }
        if let n = m["backoff"] {
            let text = try string(n, "backoff")
            if text.hasSuffix("ms"), let ms = Int(text.dropLast(2)), ms >= 0 { hook.backoffMilliseconds = ms }
            else if let s = TimeSpan(parsing: text) { hook.backoffMilliseconds = s.seconds * 1000 }
            else { throw error(n, "'backoff' has a bad duration '\(text)' (write e.g. 500ms, 2s)") }
        }
        if let n = m["env"] {
            guard let pairs = n.mapping else { throw error(n, "'env' must map variable names to values") }
            for (k, v) in pairs { hook.environment[try string(k, "env")] = try string(v, "env") }
        }
    }

    // MARK: Intake

    func parseIntake(_ node: Node) throws(PolicyError) -> IntakeSettings {
        let m = try mapping(node, "'intake'", keys: ["dedup", "title_annotation", "customer_label", "severity_label", "severity_map",
                                                   "default_severity", "auto_resolve", "policy_label", "policies"])
        var out = IntakeSettings()
        if let n = m["dedup"] {
            let text = try string(n, "dedup")
            guard let d = IntakeSettings.Dedup(rawValue: text) else { throw error(n, "'dedup' must be group or fingerprint, not '\(text)'") }
            out.dedup = d
        }
        if let n = m["title_annotation"] { out.titleAnnotation = try string(n, "title_annotation") }
        if let n = m["customer_label"] { out.customerLabel = try string(n, "customer_label") }
        if let n = m["severity_label"] { out.severityLabel = try string(n, "severity_label") }
        func severity(_ n: Node, _ key: String) throws(PolicyError) -> Severity {
            let text = try string(n, key)
            guard let s = Severity(rawValue: text) else { throw error(n, "'\(text)' is not a severity (sev1 … sev4)") }
            return s
        }
        if let n = m["severity_map"] {
            guard let pairs = n.mapping else { throw error(n, "'severity_map' must map label values to severities, e.g. { critical: sev1 }") }
            var map: [String: Severity] = [:]
            for (k, v) in pairs { map[try string(k, "severity_map").lowercased()] = try severity(v, "severity_map") }
            out.severityMap = map
        }
        if let n = m["default_severity"] { out.defaultSeverity = try severity(n, "default_severity") }
        if let n = m["policy_label"] { out.policyLabel = try string(n, "policy_label") }
        if let n = m["policies"] {
            guard let pairs = n.mapping else { throw error(n, "'policies' must map label values to policy files, e.g. { premium: premium.yaml }") }
            for (k, v) in pairs {
                let file = try string(v, "policies")
                guard !file.isEmpty, !file.split(separator: "/").contains("..") else { throw error(v, "a policy file must be a path inside the store or absolute, without '..'") }
                out.policies[try string(k, "policies")] = file
            }
        }
        if let n = m["auto_resolve"] {
            let text = try string(n, "auto_resolve")
            guard let b = ["true": true, "false": false][text] else { throw error(n, "'auto_resolve' must be true or false") }
            out.autoResolve = b
        }
        return out
    }
}
