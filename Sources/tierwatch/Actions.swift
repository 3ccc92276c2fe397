import ArgumentParser
import Escalation
import Foundation
import IncidentStore
import Intake
import Serve

/// Options of every command that records an action on an incident.
struct ActionOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("When it happened, for an action taken earlier: -5m, '5m ago', or ISO-8601. The timeline shows both times.", valueName: "when"))
    var at: String?

    @Flag(name: .long, help: "Print the incident as JSON afterwards.")
    var json = false
}

extension Context {
    /// Records an action on an incident under the store's lock, after
    /// checking it against the freshest state; an action the state refuses is
    /// not written (StoreError.refused: exit 1 from the CLI, a message line in
    /// the dashboard). `baseVersion` is the version the operator saw: the
    /// dashboard passes its own, so an action on a view someone else has
    /// since resolved is refused as stale; nil means "as it is now".
    func record(on typed: String, at: Date?, baseVersion: Int? = nil,
                _ makeAction: (Incident, Policy, Date) throws -> Action) throws -> IncidentEvent {
        try store.record(on: typed, operatorName: operatorName, at: at, baseVersion: baseVersion, unknown: Context.unknownIncident, makeAction)
    }

    /// Opens an incident under the policy in force; returns its opening event.
    func raise(title: String, customer: String?, severity: Severity, at: Date?) throws -> IncidentEvent {
        let title = try Context.checked(title, "title", max: Context.maxTitle)
        let customer = try customer.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            .map { try Context.checked($0, "customer", max: Context.maxName) }
        policies.refresh()
        let text = try policyInForce().text
        return try store.openIncident(Opening(title: title, customer: customer, severity: severity, policyYAML: text, policyDigest: Policy.digest(of: text)),
                              operatorName: operatorName, at: at)
    }

    /// `record`, then prints what was done (or the incident as JSON).
    func act(on typed: String, _ options: ActionOptions, _ makeAction: (Incident, Policy, Date) throws -> Action) throws {
        let event = try record(on: typed, at: try parseWhen(options.at), makeAction)
        let incident = store.state.incidents[event.incident]!
        if options.json {
            printJSON(json(incident))
        } else {
            print("\(incident.id): \(event.summary(policy: store.state.policy(for: incident), customer: incident.customer)) (by \(operatorName.sanitized))")
        }
    }
}

struct Raise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open an incident: the escalation clock starts.",
        discussion: "Prints the new incident's id, e.g. K3F9. Example: tierwatch raise --title 'SIP trunk down' --customer acme --severity sev1")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "What is wrong, in a line.") var title: String
    @Option(name: .long, help: "The customer (selects per-customer contacts).") var customer: String?
    @Option(name: .long, help: "sev1 (worst) to sev4.") var severity: Severity = .sev2
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("When it was escalated, if earlier: -5m, or ISO-8601.", valueName: "when")) var at: String?
    @Flag(name: .long, help: "Print the incident as JSON instead of its id.") var json = false

    func run() throws {
        let ctx = try Context(global)
        let event = try ctx.raise(title: title, customer: customer, severity: severity, at: try ctx.parseOpeningTime(at))
        if json {
            printJSON(ctx.json(ctx.store.state.incidents[event.incident]!))
        } else {
            print(event.incident)
        }
    }
}

extension Severity: ExpressibleByArgument {}
extension Outcome: ExpressibleByArgument {}

struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack", abstract: "Acknowledge an incident: someone owns it.",
        discussion: "Example: tierwatch ack K3F9")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @OptionGroup var options: ActionOptions

    func run() throws {
        try Context(global).act(on: id, options) { _, _, _ in .acknowledged }
    }
}

struct Escalate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the next tier now (or the tier named by --to, and every tier before it).",
        discussion: "Example: tierwatch escalate K3F9 --to technical")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @Option(name: .long, help: ArgumentHelp("The tier's id or name.", valueName: "tier"), completion: .custom(Completions.tierIDs)) var to: String?
    @OptionGroup var options: ActionOptions

    func run() throws {
        try Context(global).act(on: id, options) { incident, policy, at in
            var named: Int?
            if let to {
                guard let t = policy.findTier(to) else {
                    let ids = policy.tiers.map(\.id)
                    throw CLIError.refused("no tier '\(to.sanitized)' in policy \(policy.name.sanitized)\(Suggest.didYouMean(to, among: ids)) (tiers: \(ids.joined(separator: ", ")))")
                }
                named = t
            }
            switch Ladder(incident: incident, policy: policy, at: at).escalationTarget(named, incident: incident.id) {
            case let .success(target): return .escalated(toTier: policy.tiers[target].id)
            case let .failure(why): throw StoreError.refused(why.message)
            }
        }
    }
}

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolve an incident: every timer stops.",
        discussion: "Example: tierwatch resolve K3F9 --message 'carrier restored the trunk'")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @Option(name: .long, help: "What fixed it.") var message: String?
    @OptionGroup var options: ActionOptions

    func run() throws {
        let m = try message.map { try Context.checked($0, "message", max: Context.maxMessage) }
        try Context(global).act(on: id, options) { _, _, _ in .resolved(message: m) }
    }
}

struct Reopen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reopen a resolved incident: its timers resume from now.",
        discussion: "Example: tierwatch reopen K3F9")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @OptionGroup var options: ActionOptions

    func run() throws {
        try Context(global).act(on: id, options) { _, _, _ in .reopened }
    }
}

struct Notify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a call to a contact and how it went.",
        discussion: "CONTACT is a contact's id or name, case-insensitive. Example: tierwatch notify K3F9 am --outcome voicemail")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @Argument(help: "The contact's id or name.", completion: .custom(Completions.contactIDs)) var contact: String
    @Option(name: .long, help: "reached, voicemail or no_answer.") var outcome: Outcome = .reached
    @OptionGroup var options: ActionOptions

    func run() throws {
        try Context(global).act(on: id, options) { incident, policy, _ in
            guard let found = policy.findContact(contact, customer: incident.customer) else {
                let ids = policy.tiers.flatMap(\.contacts).map(\.id)
                throw CLIError.refused("no contact '\(contact.sanitized)' in policy \(policy.name.sanitized)\(Suggest.didYouMean(contact, among: policy.contactKeys(customer: incident.customer))) (contacts: \(ids.joined(separator: ", ")))")
            }
            return .contactOutcome(tier: policy.tiers[found.tier].id, contact: found.contact.id, outcome: outcome, person: nil)
        }
    }
}

extension Context {
    /// What would refuse the record refuses the sending: an update is
    /// never delivered and then not recorded.
    func updatePreflight(_ id: String, body: String, urls: [String]) throws {
        if let why = clocks().refusal { throw StoreError.clock(why) }
        let fresh = try incident(id)
        let recorded = UpdateDelivery.recorded(body, delivered: urls.map(AppriseURL.describe))
        if let why = fresh.refusal(of: .customerUpdate(message: recorded), baseVersion: fresh.version, at: now) {
            throw StoreError.refused("\(fresh.id): \(why)")
        }
    }

    /// Records what a delivery reached (the update with who has it, or a
    /// note that nobody does), on the incident as it is now: it was sent
    /// whatever others did meanwhile. A delivered update that cannot be
    /// recorded says so, with the command that records it.
    @discardableResult
    func recordDelivery(_ d: UpdateDelivery, body: String, on id: String) throws -> IncidentEvent {
        do {
            return try record(on: id, at: nil) { _, _, _ in d.action(body: body) }
        } catch {
            guard !d.delivered.isEmpty else {
                throw CLIError(message: d.summary(id) + "; the failed attempt could not be noted on the timeline either (\(error))", exitCode: 1)
            }
            throw CLIError(message: "\(id): the update was DELIVERED to \(d.delivered.joined(separator: ", ")) but NOT recorded (\(error)); record it: tierwatch update \(id) --message '…'", exitCode: 1)
        }
    }
}

struct CustomerUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Send the customer a status update (or record one sent otherwise); resets the update timer.",
        discussion: """
        With --send the update goes to the customer's recipients in the policy (customers: NAME: { updates: [Apprise URLs] })
        and is recorded with whom it went to only when it was delivered; an update that could not be sent is not recorded
        as sent (exit 1) and the update stays due. Its text: --message, else the draft (--draft prints it; --edit opens it in $EDITOR).
        Examples: tierwatch update K3F9 --draft · tierwatch update K3F9 --send --edit ·
        tierwatch update K3F9 --message 'engineers engaged, next update 15:30' (told by phone: recorded only)
        """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @Option(name: .long, help: "What the customer was (or is to be) told.") var message: String?
    @Flag(name: .long, help: "Print the update drafted from the incident, and do nothing else.") var draft = false
    @Flag(name: .long, help: "Send it to the customer's recipients in the policy, then record it.") var send = false
    @Flag(name: .long, help: "Edit the text in $VISUAL or $EDITOR first (with --send).") var edit = false
    @OptionGroup var options: ActionOptions

    func run() throws {
        let ctx = try Context(global)
        guard draft || send else {
            guard let message else {
                throw CLIError.usage("give --message (an update given otherwise, recorded), or --send to send the drafted update (--draft shows it)")
            }
            let m = try Context.checked(message, "message", max: Context.maxMessage)
            return try ctx.act(on: id, options) { _, _, _ in .customerUpdate(message: m) }
        }
        let incident = try ctx.incident(id)
        let entry = ctx.entry(incident)
        let inForce = try ctx.policyInForce().policy
        let drafted = CustomerUpdateDraft(entry, templates: inForce, now: ctx.now)
        if draft {
            print(drafted.title)
            print()
            print(drafted.body)
            return
        }
        guard options.at == nil else { throw CLIError.usage("--send sends now: --at is for an update given earlier (with --message, without --send)") }
        guard let customer = incident.customer else { throw CLIError.usage("\(incident.id) has no customer: there is nobody to send an update to") }
        let urls = inForce.updateRecipients[customer] ?? []
        guard !urls.isEmpty else {
            throw CLIError.usage("no update recipients for customer '\(customer.sanitized)' in the policy in force (customers: \(customer.sanitized): { updates: [mailto://…] })")
        }
        // The customer reads what the operator read: a draft is not sent unread.
        guard message != nil || edit else {
            throw CLIError.usage("the draft is not sent unread: --edit to read and edit it (--draft prints it), or --message TEXT")
        }
        var text = message ?? drafted.body
        if edit { text = try CustomerUpdate.edited(text) }
        let body = try Context.checked(text, "update", max: Context.maxMessage)
        try ctx.updatePreflight(incident.id, body: body, urls: urls)
        let delivery = UpdateDelivery.send(title: drafted.title, body: body, urls: urls)
        let event = try ctx.recordDelivery(delivery, body: body, on: incident.id)
        guard delivery.reachedEveryone else { throw CLIError(message: delivery.summary(incident.id), exitCode: 1) }
        if options.json {
            printJSON(ctx.json(ctx.store.state.incidents[event.incident]!))
        } else {
            print(delivery.summary(incident.id) + " (by \(ctx.operatorName.sanitized))")
        }
    }

    /// The text after the operator edited it in their editor.
    static func edited(_ text: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        guard let editor = [env["VISUAL"], env["EDITOR"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw CLIError.usage("--edit needs $VISUAL or $EDITOR")
        }
        // A file of this user's only (mode 600), with a name nobody guesses.
        var template = Array((NSTemporaryDirectory() + "/tierwatch-update-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw CLIError(message: "cannot make a file to edit: \(String(cString: strerror(errno)))", exitCode: 1) }
        let file = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(file) }
        _ = Data(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        // system(3): the editor in this process group, in the foreground of
        // the terminal (a child in a group of its own is stopped by the
        // terminal as soon as the editor sets it up).
        setenv("TIERWATCH_EDITOR", editor, 1)
        setenv("TIERWATCH_EDIT_FILE", file, 1)
        let status = system("$TIERWATCH_EDITOR \"$TIERWATCH_EDIT_FILE\"")
        guard status == 0 else { throw CLIError(message: "the editor exited \(status >> 8): nothing sent", exitCode: 1) }
        let out = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        guard !out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw CLIError(message: "the update is empty: nothing sent", exitCode: 1) }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct Note: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add a note to the incident's timeline.",
        discussion: "Example: tierwatch note K3F9 --message 'carrier ticket 55123 opened'")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.", completion: .custom(Completions.incidentIDs)) var id: String
    @Option(name: .long, help: "The note.") var message: String
    @Flag(name: .long, help: "Mark it for the next shift: `tierwatch handover` lists it.") var handover = false
    @OptionGroup var options: ActionOptions

    func run() throws {
        let m = try Context.checked(message, "message", max: Context.maxMessage)
        try Context(global).act(on: id, options) { _, _, _ in .note(message: (handover ? NoteMark.handover : "") + m) }
    }
}
