import Escalation
import Foundation

/// What a `notify:` hook sends: its title and body made from templates
/// (the policy's, else the trigger's default) and the Apprise URLs it goes
/// to, resolved when it runs: fixed URLs, and the own URLs of the people
/// named or on call now.
public struct HookMessage: Sendable, Equatable {
    public var title: String
    public var body: String
    public var urls: [String]
    /// Who could not be reached and why ("platform: nobody on call").
    public var unreachable: [String]

    /// The placeholders a template may use, in docs/serve.md order.
    public static let placeholders = ["id", "title", "customer", "severity", "event", "tier", "tier_name", "due", "countdown", "on_call", "next_action"]

    public static func defaultTitle(_ t: Hook.Trigger) -> String {
        switch t {
        case .incidentOpened: "[{severity}] {id} {customer}: opened — {title}"
        case .tierStarted: "[{severity}] {id} {customer}: {tier_name} started, due {due}"
        case .tierOverdue: "[{severity}] {id} {customer}: {tier_name} OVERDUE"
        case .customerUpdateDue: "[{severity}] {id} {customer}: customer update due"
        case .acknowledged: "[{severity}] {id} {customer}: acknowledged"
        case .escalated: "[{severity}] {id} {customer}: escalated to {tier_name}"
        case .resolved: "[{severity}] {id} {customer}: resolved"
        }
    }

    public static let defaultBody = "{title}\nNext: {next_action}\nDue: {due} ({countdown}). On call: {on_call}."

    public init(_ n: Hook.Notify, trigger: Hook.Trigger, tier: Int?, entry: Board.Entry, now: Date) {
        let fields = HookMessage.fields(entry, trigger: trigger, tier: tier, now: now)
        title = HookMessage.render(n.title ?? HookMessage.defaultTitle(trigger), fields)
        body = HookMessage.render(n.body ?? HookMessage.defaultBody, fields)
        var urls = n.urls, unreachable: [String] = []
        let dir = entry.directory
        for id in n.onCall {
            guard let s = dir.schedules.first(where: { $0.id == id }) else { unreachable.append("\(id): no such schedule in the policy in force"); continue }
            guard let who = s.onCall(at: now, overrides: entry.overrides).person else { unreachable.append("\(id): nobody on call"); continue }
            let p = dir.person(who)
            if let p, !p.notify.isEmpty { urls += p.notify } else { unreachable.append("\(id): \(p?.name ?? who) (on call) has no notify URLs") }
        }
        for id in n.people {
            guard let p = dir.person(id) else { unreachable.append("\(id): not in the directory"); continue }
            if p.notify.isEmpty { unreachable.append("\(p.name): no notify URLs") } else { urls += p.notify }
        }
        self.urls = urls.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        self.unreachable = unreachable
    }

    /// The values of the placeholders (untrusted text with control characters made visible).
    static func fields(_ e: Board.Entry, trigger: Hook.Trigger, tier: Int?, now: Date) -> [String: String] {
        let i = e.incident
        let rung = tier.flatMap { e.ladder.rungs.indices.contains($0) ? e.ladder.rungs[$0] : nil } ?? e.ladder.currentTier.map { e.ladder.rungs[$0] }
        let deadline = rung?.dueAt ?? e.ladder.nextDeadline?.at
        let countdown = deadline.map { d -> String in
            let s = Int(d.timeIntervalSince(now).rounded())
            return s >= 0 ? "in \(Words.span(s))" : "overdue by \(Words.span(-s))"
        }
        let onCall = (rung?.contacts ?? []).map { c in [c.callee.person?.name ?? c.contact.name, c.callee.phone].compactMap { $0 }.joined(separator: " ") }
        return [
            "id": i.id, "title": i.title.sanitized, "customer": i.customer?.sanitized ?? "-", "severity": i.severity.rawValue,
            "event": trigger.rawValue.replacingOccurrences(of: "_", with: " "),
            "tier": rung.map { "T\($0.index)" } ?? "-", "tier_name": rung?.tier.name.sanitized ?? "-",
            "due": deadline.map { ISOTime.format($0) } ?? "-", "countdown": countdown ?? "-",
            "on_call": onCall.isEmpty ? "-" : onCall.joined(separator: "; ").sanitized,
            "next_action": Words.nextAction(e, now: now).sanitized,
        ]
    }

    /// `{name}` replaced by its value; an unknown name stays as written.
    public static func render(_ template: String, _ fields: [String: String]) -> String {
        var out = "", name = "", inName = false
        for ch in template {
            if inName {
                if ch == "{" {  // "{{id}}": the first brace is text
                    out += "{" + name
                    name = ""
                } else if ch == "}" {
                    out += fields[name] ?? "{\(name)}"
                    inName = false
                    name = ""
                } else if ch.isLetter || ch == "_" {
                    name.append(ch)
                } else {
                    out += "{" + name + String(ch)
                    inName = false
                    name = ""
                }
            } else if ch == "{" {
                inName = true
            } else {
                out.append(ch)
            }
        }
        if inName { out += "{" + name }
        return out
    }
}

/// A status update for the customer, drafted from the incident for the
/// operator to edit and send (`tierwatch update ID --send`): what is known,
/// what is being done, when the next update comes. The policy's
/// `customer_update_template:` replaces the defaults; the placeholders are
/// a hook message's and `{status}`, `{latest}`, `{next_update}`.
public struct CustomerUpdateDraft: Sendable, Equatable {
    public var title: String
    public var body: String

    public static let defaultTitle = "{customer}: {title} (our reference {id})"
    public static let defaultBody = "Status: {status}.\n{latest}\nNext update by {next_update}."
    /// How the timeline's note of an update that was not delivered starts
    /// (never offered to the customer as the latest word).
    public static let notDelivered = "customer update not delivered"

    /// `templates`: the policy in force (its templates and cadence; a
    /// corrected template reaches every open incident, as its directory does).
    public init(_ e: Board.Entry, templates: Policy, now: Date) {
        var fields = HookMessage.fields(e, trigger: .customerUpdateDue, tier: nil, now: now)
        let i = e.incident
        fields["status"] = i.state == .resolved ? "resolved" : i.state == .acknowledged ? "our engineers are working on it" : "we are investigating"
        // What the customer was told last (its first line): never the desk's
        // own notes, which may not be for the customer's eyes.
        let latest = i.events.reversed().lazy.compactMap { ev -> String? in
            if case let .customerUpdate(message) = ev.action { return message.split(separator: "\n").first.map(String.init) }
            return nil
        }.first
        fields["latest"] = latest.map { "Last update: \($0.sanitized)" } ?? ""
        let cadence = e.policy.customerUpdates.map { TimeInterval($0.seconds) }
        fields["next_update"] = i.state == .resolved ? "-" : cadence.map { Words.localTime(now.addingTimeInterval($0), zone: TimeZone(identifier: "UTC")!, withZone: false) + " UTC" } ?? "-"
        title = HookMessage.render(templates.updateTitle ?? Self.defaultTitle, fields)
        body = HookMessage.render(templates.updateBody ?? Self.defaultBody, fields)
        // The default's empty {latest} leaves no blank line (a template's own blank lines stay).
        if templates.updateBody == nil { body = body.replacingOccurrences(of: "\n\n", with: "\n") }
    }
}

/// Apprise URLs as people may see them.
public enum AppriseURL {
    /// A recipient as it may be shown and recorded, without its secrets:
    /// a mail's addressees (`mailto: ops@acme.example`), else the service
    /// and its host (`json://status.example.org`).
    public static func describe(_ url: String) -> String {
        guard let r = url.range(of: "://") else { return "?" }
        let scheme = String(url[..<r.lowerBound])
        let rest = url[r.upperBound...]
        if scheme.hasPrefix("mailto"), let q = rest.firstIndex(of: "?") {
            let to = rest[rest.index(after: q)...].split(separator: "&").first { $0.hasPrefix("to=") }.map { String($0.dropFirst(3)) }
            if let to, !to.isEmpty { return "\(scheme): \(to.removingPercentEncoding ?? to)".sanitized }
        }
        // The host (and port): after any user:password@, before any path or query.
        var host = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
        if let q = host.firstIndex(of: "?") { host = String(host[..<q]) }
        return "\(scheme)://\(host)".sanitized
    }
}
