import Escalation
import Surface
import Foundation

/// Everything the dashboard shows, and nothing it does: the store's
/// incidents as last read, the clock, and the operator's place on screen.
/// Only `update` changes it; `view` draws it.
public struct Model: Sendable {
    public enum Focus: Int, Sendable, CaseIterable { case list, tiers, contacts, timeline }
    public enum Sort: String, Sendable, CaseIterable { case urgency, severity, opened }

    /// A line of text the operator is typing, and what it is for.
    public struct Prompt: Equatable, Sendable {
        public enum Purpose: Equatable, Sendable {
            case resolve(incident: String)
            case customerUpdate(incident: String)
            case note(incident: String)
            case newTitle
            case newCustomer(title: String)
            case newSeverity(title: String, customer: String?)
            case command
            case filter
        }
        public var purpose: Purpose
        public var text: String
        /// Why the last answer was not taken, said in the prompt itself.
        public var hint: String?

        public init(purpose: Purpose, text: String, hint: String? = nil) {
            self.purpose = purpose
            self.text = text
            self.hint = hint
        }
    }

    public enum Overlay: Equatable, Sendable {
        case help
        case prompt(Prompt)
        case confirmEscalate(incident: String, tier: Int)
        /// Resolving asks once more: it stops every timer.
        case confirmResolve(incident: String, message: String?)
        case outcome(incident: String, tier: Int, contact: Int)
        /// One timeline entry in full (position in the incident's timeline).
        case entry(incident: String, position: Int)
        /// A panel: the on-call view, the compliance report, the shift
        /// handover (see `Panel`).
        case panel(OpenPanel)
        /// A customer update being written, to go to the customer's recipients.
        case composeUpdate(UpdateComposer)
    }

    /// A customer update being written (`u` when the customer has update
    /// recipients in the policy): the draft from the incident, edited, then
    /// sent with ^D. The run loop sends it without stopping the screen and
    /// records what reached whom.
    public struct UpdateComposer: Equatable, Sendable {
        public var incident: String
        /// The subject, from the policy's template.
        public var title: String
        /// Whom it goes to, as shown (no tokens or passwords).
        public var recipients: [String]
        var urls: [String]
        public var text: TextArea
        /// The draft as made: Esc leaves at once while it is unchanged.
        var drafted: String
        /// Esc was pressed on an edited update: y discards it.
        public var discarding = false
        /// News from meanwhile, or why ^D did not send.
        public var hint: String?
    }

    /// The message line: what was done, or why not (`isError`).
    public struct Notice: Equatable, Sendable {
        public var text: String
        public var isError: Bool

        public init(text: String, isError: Bool) {
            self.text = text
            self.isError = isError
        }
    }

    // The world, as the run loop last saw it.
    public var now: Date
    public var incidents: [String: Incident] = [:]
    /// What the report needs of the incidents opened since an instant
    /// that are not in `incidents` (kept out of memory, their figures kept
    /// by the archive), as the loop last loaded them (`Command.loadHistory`,
    /// answered by `Message.history`): the report overlay covers them too.
    /// Nil: none loaded (a replay, a store wholly in memory).
    public internal(set) var archived: (since: Date, facts: [IncidentFacts])?
    /// The open ones, kept as the store changes (only the incidents a change
    /// touched are looked at): the list and the header need only them.
    public internal(set) var openIncidents: [String: Incident] = [:]
    public var policies = PolicyBook()
    /// The policy in force (its people and schedules, for the on-call
    /// view), or why there is none.
    public var directory: Result<Policy, DirectoryProblem> = .success(.builtIn)
    public var storePath: String
    public var operatorName: String
    public var readOnly: Bool
    /// Set when changes are seen only by polling, or the watcher failed.
    public var watchWarning: String?
    /// What the screen cannot see or do: drawn above everything.
    public var alarm = Alarm()
    public var badRecords = 0
    public var glyphs: Glyphs
    /// Minutes east of UTC of the local time zone, for the header clock.
    public var localOffsetSeconds: Int

    /// Why this read-only screen refuses actions, when it is not a viewer's
    /// (a replay: Esc is the answer there, not another command).
    public var readOnlyReason: String?
    /// The terminal's size as last told (`Message.resized`); unknown is
    /// taken as large enough.
    public var screenWidth = Int.max
    public var screenHeight = Int.max
    /// The screen shows only "Terminal too small": keys other than q do nothing.
    public var isTooSmall: Bool { screenWidth < minimumWidth || screenHeight < minimumHeight }

    // The operator's place.
    public var selectedID: String?
    public var focus: Focus = .list
    /// The tier whose contacts show; nil follows the incident's current tier.
    public var selectedTier: Int?
    public var selectedContact = 0
    /// The tier the contacts cursor was placed in. When the pane moves to
    /// another tier under it (the last manager reached elsewhere), the
    /// cursor would point at someone else at the same row: `contactsMoved`
    /// then refuses the next outcome key once, with the news.
    public var contactsTier: Int?
    public var contactsMoved = false
    public var filter = ""
    public var sort: Sort = .urgency
    public var showResolved = false
    public var overlay: Overlay?
    /// Customer updates on their way (the run loop sends them in the
    /// background), by incident, since when.
    public internal(set) var sending: [String: Date] = [:]
    /// Calls tierwatch is placing (`c`), by incident: one at a time each.
    public internal(set) var calls: [String: PlacedCall] = [:]
    public var notice: Notice? { didSet { noticeAt = now } }
    /// When the notice was set: it fades after a while (`Model.noticeSeconds`).
    var noticeAt: Date?
    /// How many entries from the newest the timeline is scrolled.
    public var timelineScroll = 0
    /// The timeline entry the cursor is on, counted from the newest.
    public var timelineCursor = 0
    /// Rows that flash until the given instant: a new incident, a new breach.
    public var flashing: [String: Date] = [:]
    /// Breaches already seen, so each flashes once.
    var seenBreaches: Set<String> = []
    /// The store has been read once: what arrives after is news.
    var loaded = false
    /// The board's keys (the config file's `keys:` over the defaults).
    public var bindings = Bindings.defaults
    /// Ring the bell for a new incident or a new breach (`--bell`).
    public var bell = false
    /// A row started flashing in this update: ring once for all of them.
    var rang = false

    public init(now: Date, storePath: String, operatorName: String, readOnly: Bool,
                glyphs: Glyphs = .unicode, localOffsetSeconds: Int = 0) {
        self.now = now
        self.storePath = storePath
        self.operatorName = operatorName
        self.readOnly = readOnly
        self.glyphs = glyphs
        self.localOffsetSeconds = localOffsetSeconds
    }

    public func policy(for i: Incident) -> Policy { policies.policy(for: i) }

    /// The incidents the list shows, in its order, with their ladders:
    /// the board filtered and sorted, worked out once per update, not once
    /// per frame.
    public internal(set) var entries: [Board.Entry] = []

    /// The board of what the list may show (open incidents, and resolved
    /// ones when asked), derived again only for what a store change
    /// touched, or when the clock passes its `validUntil`.
    public var board: Board { live.board }
    public internal(set) var live = LiveBoard()

    /// Whether the list shows this incident (before the filter).
    func isShown(_ i: Incident) -> Bool { showResolved || i.state != .resolved }

    /// The board's entries that match the filter, in the chosen order.
    func listed() -> [Board.Entry] {
        let needle = filter.lowercased()
        var out = needle.isEmpty ? board.entries : board.entries.filter { e in
            let i = e.incident
            return "\(i.id) \(i.title) \(i.customer ?? "") \(i.severity.rawValue) \(i.state.rawValue)".lowercased().contains(needle)
        }
        switch sort {
        case .urgency:
            break
        case .severity:
            out.sort { a, b in
                if a.incident.severity != b.incident.severity { return a.incident.severity < b.incident.severity }
                return Board.Entry.moreUrgent(a, b)
            }
        case .opened:
            out.sort { a, b in
                a.incident.opened.at != b.incident.opened.at ? a.incident.opened.at > b.incident.opened.at : a.incident.id < b.incident.id
            }
        }
        return out
    }

    /// The selected incident, if it is still listed; nil when nothing is
    /// selected or the selected incident left the list (the screen then
    /// says so: an action never falls through to whatever row is on top).
    /// `update` pins `selectedID` to the top row as soon as one is shown.
    public func selection(in entries: [Board.Entry]) -> Board.Entry? {
        guard let id = selectedID else { return nil }
        return entries.first { $0.incident.id == id }
    }

    /// Why the selected incident is not in the list, in words, or nil when
    /// it is there (or nothing was selected).
    public func selectionGone(in entries: [Board.Entry]) -> String? {
        guard let id = selectedID, !entries.contains(where: { $0.incident.id == id }) else { return nil }
        guard let i = incidents[id] else { return "\(id) is not read from the store yet." }
        if let r = i.resolved, !showResolved {
            return "\(id) was resolved by \(r.by.sanitized) \(Words.shortTime(r.at, now: now)) and left the list (A shows resolved incidents)."
        }
        if !filter.isEmpty { return "\(id) does not match the filter “\(filter.sanitized)” (Esc clears it)." }
        return "\(id) is no longer in the list."
    }

    /// Counted in place: filtering would copy every incident, every frame.
    public var openCount: Int { openIncidents.count }
}

/// What every screen must say before anything else: that it cannot see
/// the whole store, or cannot open new incidents. The run loop builds it
/// from the store's health and the policy file; the screens never show
/// ALL CLEAR while `isBlind`.
public struct Alarm: Equatable, Sendable {
    /// The store is not there (yet): the path it waits for.
    public var waitingFor: String?
    /// What keeps the picture from being whole, one sentence each naming
    /// the file and the reason ("events/noc2.log unreadable: permission
    /// denied — incidents may be missing"). Drawn in breach colours.
    public var problems: [String]
    /// What is wrong but leaves the picture whole (a policy file that does
    /// not parse). Drawn as warnings.
    public var warnings: [String]
    /// Hosts whose records arrive dated ahead of this machine's clock: the
    /// times of their timeline entries are marked as not trusted.
    public var skewedHosts: Set<String>

    public init(waitingFor: String? = nil, problems: [String] = [], warnings: [String] = [], skewedHosts: Set<String> = []) {
        self.waitingFor = waitingFor
        self.problems = problems
        self.warnings = warnings
        self.skewedHosts = skewedHosts
    }

    /// Incidents may be missing from what the screen shows.
    public var isBlind: Bool { waitingFor != nil || !problems.isEmpty }

    /// The lines of the banner, most serious first, each with whether it
    /// is a problem (breach colours) or a warning.
    public var lines: [(text: String, isProblem: Bool)] {
        problems.map { ($0, true) } + warnings.map { ($0, false) }
    }
}

/// Why the on-call view has no directory: the policy file does not parse.
public struct DirectoryProblem: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Something that happened, for `update` to fold into the model.
public enum Message: Sendable {
    /// The policy in force, read again (its directory and schedules).
    case directory(Result<Policy, DirectoryProblem>)
    /// What the screens cannot see or do (see `Alarm`); sent when it changes.
    case alarm(Alarm)
    case key(Key)
    /// A click or a turn of the wheel, and what the last frame showed there.
    case pointer(Mouse, Hit?)
    /// The terminal's size, at start and after each change: below the
    /// smallest size the screen shows only "Terminal too small", so no key
    /// but q may act (nothing acts unseen).
    case resized(width: Int, height: Int)
    /// The clock moved (the loop sends one on each second boundary).
    case tick(Date)
    /// The store changed: the incidents and their policies as now read.
    case store(incidents: [String: Incident], policies: PolicyBook, badRecords: Int)
    /// What one read of the store changed: the incidents it touched, as
    /// they are now. A screen keeps its own table of incidents and derives
    /// again only these; it never holds the store's whole table, so the
    /// store's next append does not copy that table either.
    case changed(incidents: [Incident], policies: PolicyBook, badRecords: Int)
    case watchStatus(String?)
    /// The figures of the archived incidents opened since `since`, asked
    /// for by `Command.loadHistory`.
    case history(since: Date, facts: [IncidentFacts])
    /// The result of a command the loop carried out.
    case done(String)
    /// An incident this screen asked to open was opened.
    case opened(id: String, title: String)
    case failed(String)
    /// What became of a customer update sent (`Command.sendUpdate`): in
    /// words, and whether it failed to reach anyone it was meant for.
    case updateSent(incident: String, text: String, isError: Bool)
    /// The call placed for an incident (`Command.call`) is ringing.
    case callRinging(incident: String)
    /// The call ended (what came of it, recorded) or was never placed.
    case callEnded(incident: String, text: String, isError: Bool)
}

/// Work `update` asks the run loop to do; results come back as messages.
public enum Command: Equatable, Sendable {
    /// Record an action on an incident, as seen at `baseVersion`.
    case record(incident: String, action: Action, baseVersion: Int)
    case raise(title: String, customer: String?, severity: Severity)
    /// Ring the terminal's bell (a flash where it has no bell): the wall's breach alarm.
    case bell
    /// Say these aloud (`wall --speak`), newest breach first, ahead of
    /// anything not yet said; one incident's older words are dropped.
    case speak([Announcement])
    case quit
    /// Open the replay of an incident (the dashboard as it was at any minute).
    case replay(incident: String)
    /// Back from a replay to the live dashboard.
    case endReplay
    /// Read the archived incidents' figures opened since an instant (the
    /// report overlay); the answer is `Message.history`. Loading is the
    /// loop's: `update` reads no store.
    case loadHistory(since: Date)
    /// Send a customer update to its recipients, then record what reached
    /// whom; the answer is `Message.updateSent`.
    case sendUpdate(incident: String, title: String, body: String, urls: [String])
    /// Call a contact through the policy's dialer and record the outcome;
    /// the answers are `Message.callRinging` and `Message.callEnded`.
    case call(incident: String, contact: String)
}

/// A call tierwatch is placing, as the screen shows it.
public struct PlacedCall: Sendable, Equatable {
    public var contact: String
    public var who: String
    public var since: Date
    public var ringingSince: Date?
}
