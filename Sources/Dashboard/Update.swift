import Escalation
import Foundation

extension Model {
    /// Folds a message into the model and returns the work the run loop
    /// must do. Pure: no I/O, no clock; every key's effect is testable.
    public mutating func update(_ message: Message) -> [Command] {
        let commands = apply(message)
        entries = board()
        return commands
    }

    private mutating func apply(_ message: Message) -> [Command] {
        switch message {
        case let .tick(t):
            now = t
        case let .store(incidents, policies, bad):
            self.incidents = incidents
            self.policies = policies
            badRecords = bad
        case let .watchStatus(w):
            watchWarning = w
        case let .alarm(a):
            alarm = a
        case let .done(text):
            notice = Notice(text: text, isError: false)
        case let .opened(id, title):
            selectedID = id
            resetDetail()
            notice = Notice(text: "opened \(id): \(title.sanitized)", isError: false)
        case let .failed(text):
            notice = Notice(text: text, isError: true)
        case let .key(key):
            if let overlay {
                return handle(key, in: overlay)
            }
            notice = nil
            return handle(key)
        }
        return []
    }

    // MARK: Keys on the board

    private mutating func handle(_ key: Key) -> [Command] {
        switch key {
        case .char("q"), .function(10): return [.quit]
        case .char("?"), .char("h"), .function(1): overlay = .help
        case .up, .char("k"): move(-1)
        case .down, .char("j"): move(1)
        case .pageUp: timelineScroll = max(0, timelineScroll - 5)
        case .pageDown: timelineScroll += 5
        case .home: if focus == .list { selectedID = entries.first?.incident.id; resetDetail() }
        case .end: if focus == .list { selectedID = entries.last?.incident.id; resetDetail() }
        case .tab: focus = Focus(rawValue: (focus.rawValue + 1) % Focus.allCases.count)!
        case .backTab: focus = Focus(rawValue: (focus.rawValue + Focus.allCases.count - 1) % Focus.allCases.count)!
        case .char("s"), .function(9): sort = Sort.allCases[(Sort.allCases.firstIndex(of: sort)! + 1) % Sort.allCases.count]
            notice = Notice(text: "sorted by \(sort.rawValue)", isError: false)
        case .char("A"): showResolved.toggle()
            notice = Notice(text: showResolved ? "showing resolved incidents" : "hiding resolved incidents", isError: false)
        case .char("/"), .function(8): overlay = .prompt(Prompt(purpose: .filter, text: filter))
        case .char(":"): overlay = .prompt(Prompt(purpose: .command, text: ""))
        case .escape: filter = ""
        case .enter, .char(" "):
            if focus == .contacts { return pickOutcome() }
            if focus == .list { focus = .contacts }
        case .char("a"), .function(2):
            if let e = actionable("acknowledge") { return acknowledge(e) }
        case .char("e"), .function(3):
            if let e = actionable("escalate") { return confirmEscalate(e, tier: nil) }
        case .char("r"), .function(4):
            if let e = actionable("resolve") { overlay = .prompt(Prompt(purpose: .resolve(incident: e.incident.id), text: "")) }
        case .char("u"), .function(5):
            if let e = actionable("record a customer update") { overlay = .prompt(Prompt(purpose: .customerUpdate(incident: e.incident.id), text: "")) }
        case .char("m"), .function(6):
            if let e = actionable("add a note") { overlay = .prompt(Prompt(purpose: .note(incident: e.incident.id), text: "")) }
        case .char("n"), .function(7):
            if readOnly { return refuseReadOnly("open an incident") }
            overlay = .prompt(Prompt(purpose: .newTitle, text: ""))
        default: break
        }
        return []
    }

    /// The selected incident, if an action may be taken on it: not in a
    /// read-only viewer, and only when something is selected. Otherwise nil,
    /// with the reason in the message line.
    private mutating func actionable(_ verb: String) -> Board.Entry? {
        if readOnly { _ = refuseReadOnly(verb); return nil }
        guard let entry = selection(in: entries) else {
            notice = Notice(text: "no incident selected", isError: true)
            return nil
        }
        return entry
    }

    private mutating func refuseReadOnly(_ verb: String) -> [Command] {
        notice = Notice(text: "read-only viewer: cannot \(verb) (run tierwatch without 'view' to act)", isError: true)
        return []
    }

    private mutating func move(_ delta: Int) {
        let list = entries
        switch focus {
        case .list:
            guard !list.isEmpty else { return }
            let current = list.firstIndex { $0.incident.id == selection(in: list)?.incident.id } ?? 0
            let next = min(max(0, current + delta), list.count - 1)
            if list[next].incident.id != selectedID { selectedID = list[next].incident.id; resetDetail() }
        case .tiers:
            guard let e = selection(in: list) else { return }
            let tier = shownTier(e)
            selectedTier = min(max(0, tier + delta), e.ladder.rungs.count - 1)
            selectedContact = 0
        case .contacts:
            guard let e = selection(in: list) else { return }
            let n = e.ladder.rungs[shownTier(e)].contacts.count
            if n > 0 { selectedContact = min(max(0, selectedContact + delta), n - 1) }
        }
    }

    private mutating func resetDetail() {
        selectedTier = nil
        selectedContact = 0
        timelineScroll = 0
    }

    /// The tier whose contacts the panel shows: the chosen one, else the
    /// incident's current tier.
    public func shownTier(_ e: Board.Entry) -> Int {
        min(selectedTier ?? e.ladder.currentTier ?? 0, max(0, e.ladder.rungs.count - 1))
    }

    // MARK: Actions

    private mutating func acknowledge(_ e: Board.Entry) -> [Command] {
        if let why = e.incident.refusal(of: .acknowledged, baseVersion: e.incident.version, at: now) {
            notice = Notice(text: "\(e.incident.id): \(why)", isError: true)
            return []
        }
        notice = Notice(text: "acknowledging \(e.incident.id)…", isError: false)
        return [.record(incident: e.incident.id, action: .acknowledged, baseVersion: e.incident.version)]
    }

    private mutating func confirmEscalate(_ e: Board.Entry, tier: Int?) -> [Command] {
        if e.incident.state == .resolved {
            notice = Notice(text: "\(e.incident.id) is resolved: reopen it first", isError: true)
            return []
        }
        let next = tier ?? ((e.ladder.currentTier ?? -1) + 1)
        guard next < e.ladder.rungs.count else {
            notice = Notice(text: "\(e.incident.id) is already at its last tier", isError: true)
            return []
        }
        guard !e.ladder.rungs[next].isStarted else {
            notice = Notice(text: "\(e.incident.id): tier \(e.ladder.rungs[next].tier.name) has already started", isError: true)
            return []
        }
        overlay = .confirmEscalate(incident: e.incident.id, tier: next)
        return []
    }

    private mutating func pickOutcome() -> [Command] {
        if readOnly { return refuseReadOnly("record a call") }
        guard let e = selection(in: entries) else { return [] }
        let tier = shownTier(e)
        guard e.ladder.rungs[tier].contacts.indices.contains(selectedContact) else { return [] }
        overlay = .outcome(incident: e.incident.id, tier: tier, contact: selectedContact)
        return []
    }

    // MARK: Keys in an overlay

    private mutating func handle(_ key: Key, in overlay: Overlay) -> [Command] {
        switch overlay {
        case .help:
            self.overlay = nil  // any key closes the help
            return []
        case let .confirmEscalate(id, tier):
            self.overlay = nil
            guard key == .char("y") || key == .char("Y") || key == .enter, let i = incidents[id] else {
                notice = Notice(text: "escalation cancelled", isError: false)
                return []
            }
            let tierID = policy(for: i).tiers[tier].id
            notice = Notice(text: "escalating \(id) to T\(tier)…", isError: false)
            return [.record(incident: id, action: .escalated(toTier: tierID), baseVersion: i.version)]
        case let .outcome(id, tier, contact):
            self.overlay = nil
            let outcome: Outcome
            switch key {
            case .char("r"), .char("R"), .enter: outcome = .reached
            case .char("v"), .char("V"): outcome = .voicemail
            case .char("n"), .char("N"): outcome = .noAnswer
            default:
                notice = Notice(text: "cancelled", isError: false)
                return []
            }
            guard let i = incidents[id] else { return [] }
            let p = policy(for: i)
            let c = p.tiers[tier].contacts[contact]
            notice = Notice(text: "recording \(c.name.sanitized): \(outcome.label)…", isError: false)
            return [.record(incident: id, action: .contactOutcome(tier: p.tiers[tier].id, contact: c.id, outcome: outcome), baseVersion: i.version)]
        case var .prompt(prompt):
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

    private mutating func submit(_ prompt: Prompt) -> [Command] {
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
            notice = Notice(text: "resolving \(id)…", isError: false)
            return record(id, .resolved(message: text.isEmpty ? nil : text))
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
            overlay = .prompt(Prompt(purpose: .newSeverity(title: title, customer: text.isEmpty ? nil : text), text: "sev2"))
            return []
        case let .newSeverity(title, customer):
            guard let sev = Severity(rawValue: text.lowercased()) else {
                notice = Notice(text: "severity must be sev1, sev2, sev3 or sev4", isError: true)
                overlay = .prompt(Prompt(purpose: .newSeverity(title: title, customer: customer), text: text))
                return []
            }
            notice = Notice(text: "opening '\(title.sanitized)'…", isError: false)
            return [.raise(title: title, customer: customer, severity: sev)]
        case .command:
            return run(TypedCommand.parse(text))
        }
    }

    private mutating func run(_ parsed: Result<TypedCommand, CommandLineError>) -> [Command] {
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
                notice = Notice(text: "unknown incident '\(typed.sanitized)'", isError: true)
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
                guard target != nil else { notice = Notice(text: "no tier '\(tier.sanitized)' in \(p.name.sanitized)", isError: true); return [] }
            }
            return confirmEscalate(e, tier: target)
        case let .resolve(id, message):
            guard let e = entry(id) else { return [] }
            notice = Notice(text: "resolving \(e.incident.id)…", isError: false)
            return [.record(incident: e.incident.id, action: .resolved(message: message), baseVersion: e.incident.version)]
        case let .reopen(id):
            guard let e = entry(id) else { return [] }
            return [.record(incident: e.incident.id, action: .reopened, baseVersion: e.incident.version)]
        case let .notify(id, contact, outcome):
            guard let e = entry(id) else { return [] }
            let p = policy(for: e.incident)
            guard let (tier, c) = p.findContact(contact, customer: e.incident.customer) else {
                notice = Notice(text: "no contact '\(contact.sanitized)' in \(p.name.sanitized)", isError: true)
                return []
            }
            return [.record(incident: e.incident.id, action: .contactOutcome(tier: p.tiers[tier].id, contact: c.id, outcome: outcome), baseVersion: e.incident.version)]
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
}
