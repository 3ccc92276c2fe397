/// The policy new incidents open under, as one value handed to every
/// consumer (the CLI's commands, the screens, serve): the parsed policy,
/// its text, where it came from, and what `policy check` warns of.
public struct PolicyInForce: Sendable {
    public var policy: Policy
    public var text: String
    /// The file, or "built-in".
    public var source: String
    public var warnings: [PolicyError]

    public init(policy: Policy, text: String, source: String, warnings: [PolicyError] = []) {
        self.policy = policy
        self.text = text
        self.source = source
        self.warnings = warnings
    }
}

/// Why there is no policy in force: the file does not parse (its
/// `file:line:column` in the message) or cannot be read.
public struct PolicyProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What reading the policy file gives now: the policy in force or why
/// there is none, and the last policy that parsed (in this process, or
/// kept from an earlier one: the CLI keeps it in the user's cache). Open
/// incidents never depend on it (each carries its own policy); what does
/// is said here, in one place:
/// - opening an incident needs `current` (refused with the problem);
/// - the checks of the sites and clocks and serve's own work (hooks,
///   call-outs) follow `working`: the file's policy, or while it does not
///   parse the last one that did (as Prometheus keeps its last good
///   configuration), else the built-in policy's thresholds and no hooks;
/// - `problem` says all of that on every screen while it lasts.
public struct PolicyReading: Sendable {
    public var current: Result<PolicyInForce, PolicyProblem>
    public var lastGood: PolicyInForce?

    public init(current: Result<PolicyInForce, PolicyProblem>, lastGood: PolicyInForce? = nil) {
        self.current = current
        self.lastGood = lastGood
    }

    /// The next reading after the file was read again: a policy that
    /// parses becomes the last good one.
    public func reading(_ next: Result<PolicyInForce, PolicyProblem>) -> PolicyReading {
        switch next {
        case let .success(p): PolicyReading(current: next, lastGood: p)
        case .failure: PolicyReading(current: next, lastGood: lastGood)
        }
    }

    /// The policy checks and serve's own work follow (see above); nil: none has parsed.
    public var working: PolicyInForce? {
        switch current {
        case let .success(p): p
        case .failure: lastGood
        }
    }

    /// The sites' settings every check uses: `working`'s, else the
    /// built-in thresholds (no site expected, silent after 2 minutes,
    /// clocks within a minute), which `problem` then names.
    public var sites: Policy.Sites {
        guard let working else { return Policy.Sites() }
        return working.policy.sites
    }

    /// Why new incidents cannot be opened and what the checks use
    /// meanwhile, for every screen; nil when the policy is in force.
    public var problem: String? {
        guard case let .failure(e) = current else { return nil }
        let meanwhile = lastGood.map { "site and clock checks and serve's hooks keep the last policy that parsed (\($0.policy.name.sanitized))" }
            ?? "site and clock checks use the built-in thresholds, and serve runs no hook"
        return "\(e.message) — new incidents cannot be opened until it is fixed (open ones keep their own policy); \(meanwhile)"
    }
}
