import Foundation

/// The idempotency key of a hook's run or of an automatic call, as its
/// claim and result records carry it: `OCCURRENCE#NAME`, the occurrence
/// being `INCIDENT/TRIGGER/…` (`K3F9/tier_started/ceo/1796024191095#page`,
/// `K3F9/call_out/management/1796024191095/am/2#call-out`). Every host
/// derives the same key for the same occurrence; this type is the one place
/// that builds and reads it.
public struct HookKey: Sendable, Hashable, CustomStringConvertible {
    /// `K3F9/tier_started/ceo/1796024191095`.
    public var occurrence: String
    /// The hook's name, or `call-out`.
    public var name: String

    public init(occurrence: String, name: String) {
        self.occurrence = occurrence
        self.name = name
    }

    /// Reads a key as records carry it; nil without a `#`.
    public init?(_ text: String) {
        guard let hash = text.lastIndex(of: "#") else { return nil }
        occurrence = String(text[..<hash])
        name = String(text[text.index(after: hash)...])
    }

    public var description: String { "\(occurrence)#\(name)" }

    private var parts: [Substring] { occurrence.split(separator: "/", omittingEmptySubsequences: false) }

    /// `tier_started`, `call_out`, …; nil for a key of no known shape.
    public var trigger: String? { parts.count > 1 ? String(parts[1]) : nil }

    /// The tier a tier trigger, an escalation or an automatic call concerns.
    public var tier: String? {
        guard let t = trigger, ["tier_started", "tier_overdue", "escalated", "call_out", "call"].contains(t), parts.count > 2 else { return nil }
        return String(parts[2])
    }

    /// The name of an automatic call's records (serve's `call_out:`).
    public static let callOutName = "call-out"
    /// The name of a call's records placed by an operator (`c`, `tierwatch call`).
    public static let callName = "call"

    /// The key of an automatic call: its incident, tier, the tier's start
    /// in milliseconds, the contact and the try.
    public static func callOut(incident: String, tier: String, startMillis: Int64, contact: String, attempt: Int) -> HookKey {
        HookKey(occurrence: "\(incident)/call_out/\(tier)/\(startMillis)/\(contact)/\(attempt)", name: callOutName)
    }

    /// The key of a call an operator asked tierwatch to place, at `millis`.
    public static func call(incident: String, tier: String, millis: Int64, contact: String) -> HookKey {
        HookKey(occurrence: "\(incident)/call/\(tier)/\(millis)/\(contact)/0", name: callName)
    }

    /// A call's tier, contact and try (0: placed by an operator); nil for
    /// any other key.
    public var callOut: (tier: String, contact: String, attempt: Int)? {
        let p = parts
        guard p.count == 6, p[1] == "call_out" || p[1] == "call", let n = Int(p[5]) else { return nil }
        return (String(p[2]), String(p[4]), n)
    }
}
