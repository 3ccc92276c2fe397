import Surface
import Escalation
import Foundation

extension Model {
    /// Folds a message into the model and returns the work the run loop
    /// must do. Pure: no I/O, no clock; every key's effect is testable.
    public mutating func update(_ message: Message) -> [Command] {
        let wasLoaded = loaded
        let wasShowingResolved = showResolved
        let view = (filter, sort, showResolved)
        let onCallBefore = policies.onCall.revision
        rang = false
        let commands = apply(message)
        // An on-call override changes who to call in every incident, and
        // showing resolved ones changes what the board holds: all again.
        _ = live.follow(message, incidents: showResolved ? incidents.values : openIncidents.values, shows: isShown, policies: policies, now: now,
                        everyIncident: policies.onCall.revision != onCallBefore || showResolved != wasShowingResolved)
        entries = listed()
        // The selection is an incident id, never a row: set to the top row
        // when there was none, kept across re-sorts and others' actions. Only
        // the operator's own change of the view (filter, sort, resolved shown)
        // moves it, to the top row, when it hid the selected incident.
        if selectedID == nil || (view != (filter, sort, showResolved) && selection(in: entries) == nil && !entries.isEmpty) {
            if selectedID != entries.first?.incident.id { selectedID = entries.first?.incident.id; resetDetail() }
        }
        followContacts()
        noteBreaches(flash: wasLoaded)
        return rang && bell ? commands + [.bell] : commands
    }

    /// The contacts pane follows the next action's tier; when that tier
    /// changes under the cursor, the cursor goes to the new tier's person
    /// to call next and the next outcome key is refused once (`recordCall`).
    mutating func followContacts() {
        guard let e = selection(in: entries) else { return }
        let shown = shownTier(e)
        defer { contactsTier = shown }
        guard let was = contactsTier, was != shown else { return }
        if case let .call(tier, contact) = e.next.kind, tier == shown { selectedContact = contact } else { selectedContact = 0 }
        guard focus == .contacts else { return }
        contactsMoved = true
        notice = Notice(text: "the contacts now show T\(shown) \(e.ladder.rungs[shown].tier.name.sanitized) (T\(was) changed): the cursor is on \(cursorName(e, tier: shown))", isError: true)
    }

    /// The name of the contact under the contacts cursor in `tier`.
    func cursorName(_ e: Board.Entry, tier: Int) -> String {
        let contacts = e.ladder.rungs[tier].contacts
        return contacts.indices.contains(selectedContact) ? contacts[selectedContact].contact.name.sanitized : "?"
    }

    /// How long a new incident's or a new breach's row flashes.
    static let flashSeconds: TimeInterval = 6

    /// A deadline that has just passed flashes its row once (those passed
    /// before the first read are not news).
    mutating func noteBreaches(flash: Bool) {
        for e in entries {
            guard let d = e.ladder.nextDeadline, d.at < now else { continue }
            let key = "\(e.incident.id)@\(d.at.timeIntervalSince1970)"
            if seenBreaches.insert(key).inserted && flash {
                flashing[e.incident.id] = now.addingTimeInterval(Model.flashSeconds)
                rang = true
            }
        }
        flashing = flashing.filter { $0.value > now }
    }

    /// What others did since the last read: a new incident flashes, and an
    /// action on the selected incident by someone else is said in the
    /// message line (who, what), so nobody acts on a picture that changed
    /// under them.
    mutating func noteOthers(before: [String: Incident], changed: [String]) {
        guard loaded else { return }
        // An action of this operator that another site's event overruled
        // (an ack racing a resolve there): it exited 0 here, so say it.
        var overruled = false
        for id in changed {
            guard let new = incidents[id], new.staleCount > (before[id]?.staleCount ?? 0) else { continue }
            let was = Set(before[id]?.staleEvents.map(\.event.id) ?? [])
            for (e, reason) in new.staleEvents where e.operatorName == operatorName && !was.contains(e.id) {
                notice = Notice(text: "your \(Words.noun(e.action)) of \(id) was not applied: \(Words.staleReason(reason))", isError: true)
                flashing[id] = now.addingTimeInterval(Model.flashSeconds)
                rang = true
                overruled = true
            }
        }
        if overruled { return }  // the most important news of this read
        for id in changed where before[id] == nil {
            guard let i = incidents[id], i.state != .resolved else { continue }
            flashing[id] = now.addingTimeInterval(Model.flashSeconds)
            rang = true
            if i.opened.by != operatorName {
                notice = Notice(text: "\(i.opened.by.sanitized) opened \(id): \(i.title.sanitized)", isError: false)
            }
        }
        guard let id = selection(in: entries)?.incident.id, let news = othersNews(on: id, before: before) else { return }
        notice = Notice(text: news, isError: false)
    }

    /// What someone else last did to an incident since `before`, in words
    /// ("bob on K3F9: acknowledged"), or nil when nobody else changed it.
    func othersNews(on id: String, before: [String: Incident]) -> String? {
        guard let old = before[id], let new = incidents[id], new.version > old.version,
              let theirs = new.events[old.version...].last(where: { $0.operatorName != operatorName }) else { return nil }
        return "\(theirs.operatorName.sanitized) on \(id): \(theirs.summary(policy: policy(for: new), customer: new.customer))"
    }

    /// A question or prompt open on an incident that someone else changed
    /// meanwhile says so: a y/n question is withdrawn (its answer was
    /// asked of a picture that no longer holds) with the news in the
    /// message line; a text prompt keeps what was typed and shows the news
    /// in the prompt itself, where the operator is looking.
    mutating func questionChanged(before: [String: Incident]) {
        guard loaded, let overlay else { return }
        let id: String
        switch overlay {
        case let .confirmEscalate(i, _), let .confirmResolve(i, _), let .outcome(i, _, _): id = i
        case let .composeUpdate(c): id = c.incident
        case let .prompt(p):
            switch p.purpose {
            case let .resolve(i), let .customerUpdate(i), let .note(i): id = i
            default: return
            }
        default: return
        }
        guard let news = othersNews(on: id, before: before) else { return }
        if case var .prompt(p) = overlay {
            p.hint = "\(news) meanwhile"
            self.overlay = .prompt(p)
        } else if case var .composeUpdate(c) = overlay {
            // What was written stays; the news says what the draft may no longer say.
            c.hint = "\(news) meanwhile: read the update again before ^D"
            self.overlay = .composeUpdate(c)
        } else {
            self.overlay = nil
            notice = Notice(text: "\(news) — your question was withdrawn; ask again if it still holds", isError: true)
        }
    }

    mutating func apply(_ message: Message) -> [Command] {
        switch message {
        case let .tick(t):
            now = t
            // A message fades: a minute for an error, fifteen seconds else.
            if let n = notice, let at = noticeAt, now.timeIntervalSince(at) > (n.isError ? 60 : 15) { notice = nil }
        case let .store(incidents, policies, bad):
            let before = self.incidents
            self.incidents = incidents
            self.policies = policies
            badRecords = bad
            openIncidents = incidents.filter { $0.value.state != .resolved }
            noteOthers(before: before, changed: Array(incidents.keys))
            questionChanged(before: before)
            loaded = true
        case let .changed(changed, policies, bad):
            var before: [String: Incident] = [:]
            for i in changed {
                before[i.id] = incidents[i.id]
                incidents[i.id] = i
                openIncidents[i.id] = i.state != .resolved ? i : nil
            }
            self.policies = policies
            badRecords = bad
            noteOthers(before: before, changed: changed.map(\.id))
            questionChanged(before: before)
            loaded = true
        case let .watchStatus(w):
            watchWarning = w
        case let .history(since, facts):
            archived = (since, facts)
            refreshPanel(message)
        case let .alarm(a):
            alarm = a
        case let .directory(d):
            directory = d
        case let .done(text):
            notice = Notice(text: text, isError: false)
        case let .opened(id, title):
            selectedID = id
            resetDetail()
            notice = Notice(text: "opened \(id): \(title.sanitized)", isError: false)
        case let .failed(text):
            notice = Notice(text: text, isError: true)
        case let .updateSent(id, text, isError):
            updateSent(id, text: text, isError: isError)
        case let .callRinging(id):
            if var c = calls[id], c.ringingSince == nil {
                c.ringingSince = now
                calls[id] = c
            }
        case let .callEnded(id, text, isError):
            calls[id] = nil
            notice = Notice(text: text, isError: isError)
        case let .pointer(mouse, hit):
            if isTooSmall { return [] }
            return pointer(mouse, hit)
        case let .resized(width, height):
            screenWidth = width
            screenHeight = height
        case let .key(key):
            // Nothing acts unseen: while the screen says only "Terminal too
            // small", a prompt, a confirmation or a contact's outcome that
            // cannot be seen takes no key; q quits, as the screen says.
            if isTooSmall {
                if bindings.action(for: key, inContacts: false) == .quit { return [.quit] }
                notice = Notice(text: "the terminal is too small to act in: enlarge it (\(bindings.name(.quit)) quits)", isError: true)
                return []
            }
            if let overlay {
                return handle(key, in: overlay)
            }
            notice = nil
            return handle(key)
        }
        return []
    }

    // MARK: Keys on the board

    mutating func handle(_ key: Key) -> [Command] {
        guard let action = bindings.action(for: key, inContacts: focus == .contacts) else { return [] }
        switch action {
        case .quit: return [.quit]
        case .help: overlay = .help
        case .replay:
            guard let id = selection(in: entries)?.incident.id else {
                notice = Notice(text: "no incident selected to replay", isError: true)
                return []
            }
            return [.replay(incident: id)]
        case .up: move(-1)
        case .down: move(1)
        case .pageUp: timelineScroll = max(0, timelineScroll - 5); timelineCursor = max(timelineScroll, timelineCursor - 5)
        case .pageDown: scrollTimeline(by: 5)
        case .top: if focus == .list { selectedID = entries.first?.incident.id; resetDetail() }
        case .bottom: if focus == .list { selectedID = entries.last?.incident.id; resetDetail() }
        case .nextPane: setFocus(Focus(rawValue: (focus.rawValue + 1) % Focus.allCases.count)!)
        case .previousPane: setFocus(Focus(rawValue: (focus.rawValue + Focus.allCases.count - 1) % Focus.allCases.count)!)
        case .sort: sort = Sort.allCases[(Sort.allCases.firstIndex(of: sort)! + 1) % Sort.allCases.count]
            notice = Notice(text: "sorted by \(sort.rawValue)", isError: false)
        case .showResolved: showResolved.toggle()
            notice = Notice(text: showResolved ? "showing resolved incidents" : "hiding resolved incidents", isError: false)
        case .filter: overlay = .prompt(Prompt(purpose: .filter, text: filter))
        case .command: overlay = .prompt(Prompt(purpose: .command, text: ""))
        case .clearFilter: filter = ""
        case .open:
            switch focus {
            case .contacts: return pickOutcome()
            case .list: setFocus(.contacts)
            case .timeline: openEntry()
            case .tiers: break
            }
        // In the contacts pane a call's outcome is one key, as the prompt
        // and the key bar say; there the same keys neither resolve nor open.
        case .reached: return recordCall(.reached)
        case .voicemail: return recordCall(.voicemail)
        case .noAnswer: return recordCall(.noAnswer)
        case .call: return placeCall()
        case .acknowledge:
            if let e = actionable("acknowledge") { return acknowledge(e) }
        case .escalate:
            if let e = actionable("escalate") { return confirmEscalate(e, tier: nil) }
        case .resolve:
            if let e = actionable("resolve") {
                // Refused before the message is typed, not after.
                if let r = e.incident.resolved {
                    notice = Notice(text: "\(e.incident.id) is already resolved (by \(r.by.sanitized) \(Words.shortTime(r.at, now: now)))", isError: true)
                } else {
                    overlay = .prompt(Prompt(purpose: .resolve(incident: e.incident.id), text: ""))
                }
            }
        case .update:
            if let e = actionable("send a customer update") { openUpdate(e) }
        case .note:
            if let e = actionable("add a note") { overlay = .prompt(Prompt(purpose: .note(incident: e.incident.id), text: "")) }
        case .new:
            if readOnly { return refuseReadOnly("open an incident") }
            // Refused before a title is typed, not after: no incident opens
            // while the policy file does not parse.
            if case let .failure(problem) = directory {
                notice = Notice(text: "cannot open an incident: the policy file does not parse: \(problem.message.sanitized)", isError: true)
                return []
            }
            overlay = .prompt(Prompt(purpose: .newTitle, text: ""))
        default:
            // A panel's key (`Panels.all` says which panel).
            if let panel = Panels.opened(by: action) { return open(panel) }
        }
        return []
    }

    /// The selected incident, if an action may be taken on it: not in a
    /// read-only viewer, and only when something is selected. Otherwise nil,
    /// with the reason in the message line.
    mutating func actionable(_ verb: String) -> Board.Entry? {
        if readOnly { _ = refuseReadOnly(verb); return nil }
        guard let entry = selection(in: entries) else {
            let gone = selectionGone(in: entries).map { "cannot \(verb): \($0) Choose an incident with ↑/↓." }
            notice = Notice(text: gone ?? "no incident selected", isError: true)
            return nil
        }
        return entry
    }

    mutating func refuseReadOnly(_ verb: String) -> [Command] {
        if let why = readOnlyReason {
            notice = Notice(text: "cannot \(verb): \(why)", isError: true)
        } else {
            notice = Notice(text: "read-only viewer: cannot \(verb) (run tierwatch without 'view' to act)", isError: true)
        }
        return []
    }

    mutating func move(_ delta: Int) {
        let list = entries
        switch focus {
        case .list:
            guard !list.isEmpty else { return }
            // From a selection that left the list, any move goes to the top.
            guard let current = list.firstIndex(where: { $0.incident.id == selectedID }) else {
                selectedID = list[0].incident.id
                resetDetail()
                return
            }
            let next = min(max(0, current + delta), list.count - 1)
            if list[next].incident.id != selectedID { selectedID = list[next].incident.id; resetDetail() }
        case .tiers:
            guard let e = selection(in: list) else { return }
            let tier = shownTier(e)
            selectedTier = min(max(0, tier + delta), e.ladder.rungs.count - 1)
            selectedContact = 0
        case .contacts:
            guard let e = selection(in: list) else { return }
            contactsMoved = false  // the operator moved the cursor: it is where they put it
            let n = e.ladder.rungs[shownTier(e)].contacts.count
            if n > 0 { selectedContact = min(max(0, selectedContact + delta), n - 1) }
        case .timeline:
            guard let e = selection(in: list) else { return }
            timelineCursor = min(max(0, timelineCursor + delta), max(0, e.incident.timelineCount - 1))
            // (The view scrolls the pane to keep the cursor on screen.)
            if timelineCursor < timelineScroll { timelineScroll = timelineCursor }
        }
    }

    mutating func scrollTimeline(by n: Int) {
        guard let e = selection(in: entries) else { return }
        let last = max(0, e.incident.timelineCount - 1)
        timelineScroll = max(0, min(last, timelineScroll + n))
        timelineCursor = max(0, min(last, max(timelineScroll, timelineCursor + n)))
    }

    mutating func setFocus(_ f: Focus) {
        focus = f
        contactsMoved = false
        // The contacts pane opens on the person to call next.
        if f == .contacts, selectedTier == nil, let e = selection(in: entries), case let .call(_, contact) = e.next.kind {
            selectedContact = contact
        }
    }

    mutating func openEntry() {
        guard let e = selection(in: entries), e.incident.timelineCount > 0 else { return }
        timelineCursor = min(max(0, timelineCursor), e.incident.timelineCount - 1)
        overlay = .entry(incident: e.incident.id, position: e.incident.timelineCount - 1 - timelineCursor)
    }

    mutating func resetDetail() {
        selectedTier = nil
        selectedContact = 0
        contactsTier = nil
        contactsMoved = false
        timelineScroll = 0
        timelineCursor = 0
    }

    /// The tier whose contacts the panel shows: the chosen one, else the
    /// one the next action works on (an overdue tier's uncalled managers
    /// before a newly started tier), else the incident's current tier.
    public func shownTier(_ e: Board.Entry) -> Int {
        min(selectedTier ?? e.next.tier ?? e.ladder.currentTier ?? 0, max(0, e.ladder.rungs.count - 1))
    }

    // MARK: Actions

    mutating func acknowledge(_ e: Board.Entry) -> [Command] {
        if let why = e.incident.refusal(of: .acknowledged, baseVersion: e.incident.version, at: now) {
            notice = Notice(text: "\(e.incident.id): \(why)", isError: true)
            return []
        }
        notice = Notice(text: "acknowledging \(e.incident.id)…", isError: false)
        return [.record(incident: e.incident.id, action: .acknowledged, baseVersion: e.incident.version)]
    }

    mutating func confirmEscalate(_ e: Board.Entry, tier: Int?) -> [Command] {
        if e.incident.state == .resolved {
            notice = Notice(text: "\(e.incident.id) is resolved: reopen it first", isError: true)
            return []
        }
        switch e.ladder.escalationTarget(tier, incident: e.incident.id) {
        case let .success(next): overlay = .confirmEscalate(incident: e.incident.id, tier: next)
        case let .failure(why): notice = Notice(text: why.message, isError: true)
        }
        return []
    }

    /// Records a call to the selected contact at once.
    mutating func recordCall(_ outcome: Outcome) -> [Command] {
        if readOnly { return refuseReadOnly("record a call") }
        guard let e = selection(in: entries) else { return [] }
        let tier = shownTier(e)
        if contactsMoved {
            contactsMoved = false
            notice = Notice(text: "not recorded: the contacts changed under the cursor; it is on \(cursorName(e, tier: tier)) (T\(tier)) now: press again for them", isError: true)
            return []
        }
        guard e.ladder.rungs[tier].contacts.indices.contains(selectedContact) else { return [] }
        return callCommand(e.incident.id, tier: tier, contact: selectedContact, outcome: outcome)
    }

    mutating func callCommand(_ id: String, tier: Int, contact: Int, outcome: Outcome) -> [Command] {
        guard let i = incidents[id] else { return [] }
        let p = policy(for: i)
        let c = p.contacts(ofTier: tier, customer: i.customer)[contact]
        // The person on screen is the one recorded as called.
        let shown = board.entries.first { $0.incident.id == id } ?? Board.Entry(i, policies: policies, at: now)
        let who = shown.ladder.rungs[tier].contacts.first { $0.contact.id == c.id }?.callee.person
        notice = Notice(text: "recording \(who.map { "\($0.name.sanitized), " } ?? "")\(c.name.sanitized): \(outcome.label)…", isError: false)
        return [.record(incident: id, action: .contactOutcome(tier: p.tiers[tier].id, contact: c.id, outcome: outcome, person: CalledPerson(who.map(PersonRef.init))),
                        baseVersion: i.version)]
    }

    mutating func pickOutcome() -> [Command] {
        if readOnly { return refuseReadOnly("record a call") }
        guard let e = selection(in: entries) else { return [] }
        let tier = shownTier(e)
        contactsMoved = false  // (the question names the contact: it is seen)
        guard e.ladder.rungs[tier].contacts.indices.contains(selectedContact) else { return [] }
        overlay = .outcome(incident: e.incident.id, tier: tier, contact: selectedContact)
        return []
    }
}
