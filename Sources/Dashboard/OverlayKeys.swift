import Escalation
import Foundation
import Surface

/// Keys while an overlay is open: each overlay takes its own keys, and a
/// question only its answers.
extension Model {
    mutating func handle(_ key: Key, in overlay: Overlay) -> [Command] {
        switch overlay {
        case .help, .entry:
            self.overlay = nil  // any key closes them
            return []
        case let .panel(p):
            return handle(key, in: p)
        // A question takes only its answers: a stray key neither answers it
        // nor slips through to act as a command.
        case let .composeUpdate(c):
            return handleCompose(key, c)
        case let .confirmEscalate(id, tier):
            guard let yes = answer(key, no: "escalation cancelled"), yes, let i = incidents[id] else { return [] }
            notice = Notice(text: "escalating \(id) to T\(tier)…", isError: false)
            return [.record(incident: id, action: .escalated(toTier: policy(for: i).tiers[tier].id), baseVersion: i.version)]
        case let .confirmResolve(id, message):
            guard let yes = answer(key, no: "not resolved"), yes, let i = incidents[id] else { return [] }
            notice = Notice(text: "resolving \(id)…", isError: false)
            return [.record(incident: id, action: .resolved(message: message), baseVersion: i.version)]
        case let .outcome(id, tier, contact):
            return handleOutcome(key, id, tier: tier, contact: contact)
        case let .prompt(prompt):
            return handlePrompt(key, prompt)
        }
    }

    /// The answer to a y/n question: true for y, false for n or Esc (which
    /// close it, saying `no`), nil for any other key, which leaves it open.
    mutating func answer(_ key: Key, no: String) -> Bool? {
        switch key {
        case .char("y"), .char("Y"):
            overlay = nil
            return true
        case .char("n"), .char("N"), .escape:
            overlay = nil
            notice = Notice(text: no, isError: false)
            return false
        default:
            return nil
        }
    }

    mutating func submit(_ prompt: Prompt) -> [Command] {
        let text = prompt.text.trimmingCharacters(in: .whitespaces)
        func record(_ id: String, _ action: Action) -> [Command] {
            guard let i = incidents[id] else { return [] }
            return [.record(incident: id, action: action, baseVersion: i.version)]
        }
        switch prompt.purpose {
        case .filter:
            filter = text
            return []
        case let .resolve(id):
            overlay = .confirmResolve(incident: id, message: text.isEmpty ? nil : text)
            return []
        case let .customerUpdate(id):
            guard !text.isEmpty else { notice = Notice(text: "no update recorded: the message was empty", isError: true); return [] }
            return record(id, .customerUpdate(message: text))
        case let .note(id):
            guard !text.isEmpty else { notice = Notice(text: "no note added: it was empty", isError: true); return [] }
            return record(id, .note(message: text))
        case .newTitle:
            guard !text.isEmpty else { notice = Notice(text: "no incident opened: the title was empty", isError: true); return [] }
            overlay = .prompt(Prompt(purpose: .newCustomer(title: text), text: ""))
            return []
        case let .newCustomer(title):
            overlay = .prompt(Prompt(purpose: .newSeverity(title: title, customer: text.isEmpty ? nil : text), text: ""))
            return []
        case let .newSeverity(title, customer):
            guard let sev = text.isEmpty ? .sev2 : Severity(rawValue: text.lowercased()) ?? Int(text).flatMap({ Severity(rawValue: "sev\($0)") }) else {
                // Asked again at once, saying why, with the title and customer kept.
                overlay = .prompt(Prompt(purpose: .newSeverity(title: title, customer: customer), text: "",
                                         hint: "'\(text.sanitized)' is not a severity: sev1, sev2, sev3 or sev4"))
                return []
            }
            notice = Notice(text: "opening '\(title.sanitized)'…", isError: false)
            return [.raise(title: title, customer: customer, severity: sev)]
        case .command:
            return run(TypedCommand.parse(text))
        }
    }

    mutating func run(_ parsed: Result<TypedCommand, CommandLineError>) -> [Command] {
        let command: TypedCommand
        switch parsed {
        case let .failure(e):
            notice = Notice(text: e.message, isError: true)
            return []
        case let .success(c):
            command = c
        }
        switch command {
        case .quit: return [.quit]
        case .help: overlay = .help; return []
        case let .filter(f): filter = f; return []
        case let .sort(s):
            sort = s ?? Sort.allCases[(Sort.allCases.firstIndex(of: sort)! + 1) % Sort.allCases.count]
            return []
        default: break
        }
        if readOnly { return refuseReadOnly("change incidents") }
        func find(_ typed: String) -> Incident? {
            incidents[typed] ?? IncidentID.normalize(typed).flatMap { incidents[$0] }
        }
        func entry(_ typed: String) -> Board.Entry? {
            guard let i = find(typed) else {
                notice = Notice(text: "unknown incident '\(typed.sanitized)'\(Suggest.didYouMean(typed.uppercased(), among: Array(openIncidents.keys)))", isError: true)
                return nil
            }
            return Board.Entry(i, policies: policies, at: now)
        }
        switch command {
        case let .ack(id):
            return entry(id).map { acknowledge($0) } ?? []
        case let .escalate(id, tier):
            guard let e = entry(id) else { return [] }
            var target: Int?
            if let tier {
                let p = policy(for: e.incident)
                target = p.findTier(tier)
                guard target != nil else {
                    notice = Notice(text: "no tier '\(tier.sanitized)' in \(p.name.sanitized)\(Suggest.didYouMean(tier, among: p.tiers.map(\.id)))", isError: true)
                    return []
                }
            }
            return confirmEscalate(e, tier: target)
        case let .resolve(id, message):
            guard let e = entry(id) else { return [] }
            overlay = .confirmResolve(incident: e.incident.id, message: message)
            return []
        case let .reopen(id):
            guard let e = entry(id) else { return [] }
            return [.record(incident: e.incident.id, action: .reopened, baseVersion: e.incident.version)]
        case let .notify(id, contact, outcome):
            return entry(id).map { notifyCommand($0, contact: contact, outcome: outcome) } ?? []
        case let .dial(id, contact):
            return entry(id).map { dialCommand($0, contact: contact) } ?? []
        case let .update(id, message):
            guard let e = entry(id) else { return [] }
            return [.record(incident: e.incident.id, action: .customerUpdate(message: message), baseVersion: e.incident.version)]
        case let .note(id, message):
            guard let e = entry(id) else { return [] }
            return [.record(incident: e.incident.id, action: .note(message: message), baseVersion: e.incident.version)]
        case let .raise(title):
            return [.raise(title: title, customer: nil, severity: .sev2)]
        case .quit, .help, .filter, .sort:
            return []
        }
    }

    /// `:notify ID CONTACT OUTCOME`: records how a call went.
    mutating func notifyCommand(_ e: Board.Entry, contact: String, outcome: Outcome) -> [Command] {
        let p = policy(for: e.incident)
        guard let (tier, c) = p.findContact(contact, customer: e.incident.customer) else {
            // `:notify K3F9 am maybe`: a contact followed by a word that is no outcome.
            let words = contact.split(separator: " ")
            if words.count > 1, p.findContact(words.dropLast().joined(separator: " "), customer: e.incident.customer) != nil {
                notice = Notice(text: "'\(String(words.last!).sanitized)' is not a call outcome: reached, voicemail or no_answer", isError: true)
            } else {
                notice = Notice(text: "no contact '\(contact.sanitized)' in \(p.name.sanitized)\(Suggest.didYouMean(contact, among: p.contactKeys(customer: e.incident.customer)))", isError: true)
            }
            return []
        }
        let who = e.ladder.rungs[tier].contacts.first { $0.contact.id == c.id }?.callee.person
        return [.record(incident: e.incident.id, action: .contactOutcome(tier: p.tiers[tier].id, contact: c.id, outcome: outcome, person: CalledPerson(who.map(PersonRef.init))),
                        baseVersion: e.incident.version)]
    }

    /// `:call ID CONTACT`: places the call, as `c` does.
    mutating func dialCommand(_ e: Board.Entry, contact: String) -> [Command] {
        let p = policy(for: e.incident)
        guard let (tier, c) = p.findContact(contact, customer: e.incident.customer),
              let k = e.ladder.rungs[tier].contacts.firstIndex(where: { $0.contact.id == c.id }) else {
            notice = Notice(text: "no contact '\(contact.sanitized)' in \(p.name.sanitized)\(Suggest.didYouMean(contact, among: p.contactKeys(customer: e.incident.customer)))", isError: true)
            return []
        }
        return placeCall(e, tier: tier, contact: k)
    }

    /// The outcome of a call: r, v or n records it, Esc records none.
    mutating func handleOutcome(_ key: Key, _ id: String, tier: Int, contact: Int) -> [Command] {
        let outcome: Outcome
        switch key {
        case .char("r"), .char("R"), .enter: outcome = .reached
        case .char("v"), .char("V"): outcome = .voicemail
        case .char("n"), .char("N"): outcome = .noAnswer
        case .escape:
            self.overlay = nil
            notice = Notice(text: "no call recorded", isError: false)
            return []
        default:
            return []
        }
        self.overlay = nil
        return callCommand(id, tier: tier, contact: contact, outcome: outcome)
    }

    /// A line being typed: Enter submits it, Esc drops it (and the filter).
    mutating func handlePrompt(_ key: Key, _ typed: Prompt) -> [Command] {
        var prompt = typed
        switch key {
        case .escape:
            self.overlay = nil
            if prompt.purpose == .filter { filter = "" }
            return []
        case .enter:
            self.overlay = nil
            return submit(prompt)
        case .backspace, .delete:
            if !prompt.text.isEmpty { prompt.text.removeLast() }
        case let .char(c):
            if DisplayWidth.of(c) > 0 && prompt.text.count < 4096 { prompt.text.append(c) }
        default:
            break
        }
        if prompt.purpose == .filter { filter = prompt.text }
        self.overlay = .prompt(prompt)
        return []
    }
}
