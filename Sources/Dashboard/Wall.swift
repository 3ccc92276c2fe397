import Surface
import Escalation
import Foundation

/// The NOC wall: the most urgent countdown of all open incidents in big
/// digits, who to call under it, and every other active incident one line
/// each, ordered by deadline. Read-only by construction: its keys are q,
/// space and ?, and its commands are only `.bell` and `.quit`.
public struct Wall: Screen, Sendable {

    public var now: Date
    /// The open incidents, and when the last incident was resolved: what
    /// the wall shows of the store, kept when the store changes rather than
    /// sought among a year of incidents every second.
    public private(set) var openIncidents: [String: Incident] = [:]
    /// The board of open incidents, kept live as the dashboard's is.
    private var live = LiveBoard()
    public private(set) var lastResolution: Date?
    /// Why new incidents cannot be opened (the policy file does not parse); nil: they can.
    public private(set) var policyProblem: String?
    /// The store has any incident at all (open or resolved).
    public private(set) var hasIncidents = false
    public var policies = PolicyBook()
    public var glyphs: Glyphs
    /// A countdown under this many seconds is a warning.
    public var warningSeconds: Int
    /// Cycle the big panel through the urgent incidents this often (nil: no rotation).
    public var rotateEvery: TimeInterval?
    public var bell: Bool
    public var paused = false
    public var showHelp = false
    public var watchWarning: String?
    public var badRecords = 0
    /// What the wall cannot see or do: drawn above everything, and in
    /// place of ALL CLEAR when incidents may be missing.
    public var alarm = Alarm()
    /// Which urgent incident the big panel shows, by position in the urgent list.
    public private(set) var rotation = 0
    private var lastRotation: Date
    /// Breaches already announced: a breach rings the bell and takes the big
    /// panel once.
    private var announced: Set<Breach> = []
    private struct Breach: Hashable, Sendable {
        var incident: String
        var deadline: Date
    }
    private var pinned: String?

    /// Breaches said aloud (`wall --speak`); nil: silent.
    public var speech: Speech?
    public struct Speech: Sendable, Equatable {
        /// Said again this often while nobody has acknowledged the incident.
        public var repeatEvery: TimeInterval
        /// How long `m` mutes.
        public var muteFor: TimeInterval

        public init(repeatEvery: TimeInterval = 300, muteFor: TimeInterval = 900) {
            self.repeatEvery = repeatEvery
            self.muteFor = muteFor
        }
    }
    /// Until when `m` muted the speech.
    public private(set) var mutedUntil: Date?
    /// When each breach was last said.
    private var spokenAt: [Breach: Date] = [:]
    /// When something may next be due to be said (a repeat, the mute's end).
    private var nextSpeech: Date?
    /// An incident tapped (or clicked) in the list: the big panel shows it
    /// for a while, unless a new breach takes the panel.
    private var tapped: (id: String, until: Date)?
    /// How long a tapped incident stays in the big panel.
    static let tapSeconds: TimeInterval = 30

    public init(now: Date, glyphs: Glyphs = .unicode, warningSeconds: Int = 120, rotateEvery: TimeInterval? = nil, bell: Bool = false) {
        self.now = now
        self.glyphs = glyphs
        self.warningSeconds = warningSeconds
        self.rotateEvery = rotateEvery
        self.bell = bell
        lastRotation = now
    }


    /// Open incidents, most urgent first, with their ladders at `now`:
    /// worked out once per update rather than per frame.
    public private(set) var entries: [Board.Entry] = []
    /// The next deadline still ahead when the board was checked for
    /// breaches: no breach can be new before it.
    private var nextBreachCheck: Date?
    /// Each entry's words, made once per board rather than every second:
    /// its line below the big panel but for the symbol and countdown, and
    /// the lines under the digits when it is featured. One per entry, in
    /// the same order.
    private var texts: [Text] = []
    struct Text: Sendable {
        var head: String
        var label: String
        var tail: String
        var what: String
        var title: String
        var call: String
    }

    public func urgency(_ e: Board.Entry) -> Urgency {
        urgency(seconds: e.ladder.nextDeadline.map { Ladder.seconds(from: now, to: $0.at) })
    }

    /// The urgency of a countdown (nil: no deadline).
    func urgency(seconds s: Int?) -> Urgency { Urgency(seconds: s, warningSeconds: warningSeconds) }

    /// The incident in the big panel.
    public func featured(_ list: [Board.Entry]) -> Board.Entry? {
        featuredIndex(list).map { list[$0] }
    }

    func featuredIndex(_ list: [Board.Entry]) -> Int? {
        if let t = tapped, now < t.until, let k = list.firstIndex(where: { $0.incident.id == t.id }) { return k }
        if let pinned, let k = list.firstIndex(where: { $0.incident.id == pinned }), urgency(list[k]) == .breached { return k }
        guard rotateEvery != nil else { return list.indices.first }
        let urgent = list.indices.filter { urgency(list[$0]) != .normal }
        guard urgent.count > 1 else { return list.indices.first }
        return urgent[rotation % urgent.count]
    }

    public mutating func update(_ message: Message) -> [Command] {
        switch message {
        case .tick, .store, .changed: break
        default: return apply(message)
        }
        // The clock or the incidents changed: the board follows (a tick
        // before its ladders change only moves the countdowns, which are
        // drawn from the deadlines), then new breaches are looked for on it.
        let onCallBefore = policies.onCall.revision
        _ = apply(message)
        // An on-call override changes who to call in every incident.
        let derived = live.follow(message, incidents: openIncidents.values, shows: { $0.state != .resolved }, policies: policies, now: now,
                                  everyIncident: policies.onCall.revision != onCallBefore)
        switch derived {
        case .nothing:
            break
        case let .touched(ids):
            // Only the words of what the read touched are made again.
            var known: [String: Text] = [:]
            for (e, t) in zip(entries, texts) { known[e.incident.id] = t }
            entries = live.board.entries
            texts = entries.map { ids.contains($0.incident.id) ? text($0) : known[$0.incident.id] ?? text($0) }
        case .everything:
            entries = live.board.entries
            texts = entries.map(text)
        }
        let stale = derived != .nothing
        var commands: [Command] = []
        let check = stale || nextBreachCheck.map({ now >= $0 }) ?? false
        if check {
            nextBreachCheck = entries.compactMap { $0.ladder.nextDeadline?.at }.filter { $0 > now }.min()
            commands = checkBreaches()
        }
        if speech != nil, check || nextSpeech.map({ now >= $0 }) ?? false { commands += announce() }
        return commands
    }

    /// What to say aloud now: each breach once when it is new, then again
    /// every `repeatEvery` while its incident is not acknowledged; nothing
    /// while muted (what fell due meanwhile is said when the mute ends).
    /// The newest breach first.
    private mutating func announce() -> [Command] {
        guard let speech else { return [] }
        if let m = mutedUntil, now >= m { mutedUntil = nil }
        var due: [(at: Date, words: Announcement, key: Breach)] = []
        var next = mutedUntil
        var current: Set<Breach> = []
        func soonest(_ t: Date) { next = min(next ?? t, t) }
        for e in entries where urgency(e) == .breached {
            guard let d = e.ladder.nextDeadline else { continue }
            let key = Breach(incident: e.incident.id, deadline: d.at)
            current.insert(key)
            let last = spokenAt[key]
            if last != nil && e.incident.state == .acknowledged { continue }
            let when = last.map { $0.addingTimeInterval(speech.repeatEvery) } ?? now
            if when > now {
                soonest(when)
                continue
            }
            guard mutedUntil == nil else { continue }
            due.append((d.at, Announcement(incident: e.incident.id, text: Words.spokenBreach(e, now: now)), key))
            soonest(now.addingTimeInterval(speech.repeatEvery))
        }
        spokenAt = spokenAt.filter { current.contains($0.key) }
        for d in due { spokenAt[d.key] = now }
        nextSpeech = next
        return due.isEmpty ? [] : [.speak(due.sorted { $0.at > $1.at }.map(\.words))]
    }

    private mutating func apply(_ message: Message) -> [Command] {
        switch message {
        case let .key(key):
            if showHelp { showHelp = false; return [] }
            switch key {
            case .char("q"), .function(10): return [.quit]
            case .char(" ") where rotateEvery != nil: paused.toggle()
            case .char("m") where speech != nil:
                mutedUntil = mutedUntil == nil ? now.addingTimeInterval(speech!.muteFor) : nil
                nextSpeech = now
            case .char("?"), .function(1): showHelp = true
            default: break
            }
            return []
        case let .directory(d):
            // The wall shows who to call per incident, from the board; what
            // it keeps is whether new incidents can be opened at all.
            if case let .failure(p) = d { policyProblem = p.message } else { policyProblem = nil }
            return []
        case .history:
            return []
        case let .tick(t):
            now = t
            if let every = rotateEvery, !paused, now.timeIntervalSince(lastRotation) >= every {
                rotation += 1
                lastRotation = now
                pinned = nil
            }
            return []
        case let .store(incidents, policies, bad):
            openIncidents = incidents.filter { $0.value.state != .resolved }
            lastResolution = incidents.values.lazy.compactMap(\.resolved?.at).max()
            hasIncidents = !incidents.isEmpty
            self.policies = policies
            badRecords = bad
            return []
        case let .changed(list, policies, bad):
            for i in list {
                openIncidents[i.id] = i.state != .resolved ? i : nil
                if let r = i.resolved?.at, lastResolution.map({ r > $0 }) ?? true { lastResolution = r }
            }
            if !list.isEmpty { hasIncidents = true }
            self.policies = policies
            badRecords = bad
            return []
        case let .watchStatus(w):
            watchWarning = w
            return []
        case let .alarm(a):
            alarm = a
            return []
        case let .pointer(mouse, hit):
            if showHelp { showHelp = false; return [] }
            if mouse.kind == .press, let id = hit?.id { tapped = (id, now.addingTimeInterval(Wall.tapSeconds)) }
            return []
        case .done, .failed, .opened, .resized, .updateSent, .callRinging, .callEnded:
            return []
        }
    }

    /// A deadline that has just passed takes the big panel at once and, with
    /// `--bell`, rings once.
    private mutating func checkBreaches() -> [Command] {
        var fresh = false
        for e in entries where urgency(e) == .breached {  // most urgent first
            guard let d = e.ladder.nextDeadline else { continue }
            if announced.insert(Breach(incident: e.incident.id, deadline: d.at)).inserted {
                if !fresh { pinned = e.incident.id; tapped = nil }
                fresh = true
                lastRotation = now
            }
        }
        // Several breaches seen at once ring once.
        return fresh && bell ? [.bell] : []
    }

    // MARK: Drawing

    public func view(width: Int, height: Int) -> Frame {
        var f = Frame(width: width, height: height)
        f.ellipsis = glyphs.ellipsis
        guard width >= 40, height >= 12 else {
            f.put("Too small for the wall: \(width)×\(height); it needs 40×12.", x: 0, y: 0, role: .error)
            return f
        }
        let list = entries
        drawHeader(&f, open: list.count)
        let footer = height - 1
        // What the wall cannot see comes before anything it can.
        let top = 1 + alarm.draw(in: &f, top: 1, maxRows: 3, glyphs: glyphs)
        if list.isEmpty {
            if alarm.isBlind {
                drawBlind(&f, top: top, bottom: footer)
            } else {
                drawAllClear(&f, top: top, bottom: footer)
            }
        } else {
            let big = featuredIndex(list)!
            let panelBottom = drawFeatured(&f, big, top: top, list: list)
            drawOthers(&f, list.indices.filter { $0 != big }, top: panelBottom + 1, bottom: footer)
        }
        drawFooter(&f, y: footer, urgentCount: list.count { urgency($0) != .normal })
        if showHelp { drawHelp(&f) }
        return f
    }

    func drawHeader(_ f: inout Frame, open: Int) {
        f.fill(Rect(x: 0, y: 0, width: f.width, height: 1), role: .header)
        let clock = Words.clock(now)
        f.put(" tierwatch wall\(glyphs.separator)\(clock) UTC\(glyphs.separator)\(alarm.openCount(open))", x: 0, y: 0, role: .header)
        var warnings: [String] = []
        if badRecords > 0 { warnings.append("\(glyphs.warning) \(badRecords) bad records") }
        if let w = watchWarning { warnings.append("\(glyphs.warning) STALE? \(w.sanitized)") }
        if let m = mutedUntil, m > now { warnings.append("MUTED \(Countdown.format(Ladder.seconds(from: now, to: m)))") }
        if !warnings.isEmpty {
            let text = " " + warnings.joined(separator: "  ") + " "
            let w = min(DisplayWidth.of(text), f.width / 2)
            f.put(DisplayWidth.truncate(text, to: w), x: f.width - w, y: 0, role: .headerWarning)
        }
    }

    /// Returns the last row the panel used.
    func drawFeatured(_ f: inout Frame, _ k: Int, top: Int, list: [Board.Entry]) -> Int {
        let e = list[k]
        let u = urgency(e)
        let secs = e.ladder.nextDeadline.map { Ladder.seconds(from: now, to: $0.at) }
        let text = secs.map { Countdown.format($0) } ?? "--:--"
        let digitRole: Role = u == .breached ? .wallBreached : u == .warning ? .wallWarning : .wallDigits
        // The digits take up to half the screen, at least 5 rows.
        let maxHeight = max(5, (f.height - 4) / 2)
        let v = BigText.scale(text, width: f.width - 4, height: maxHeight)
        let size = BigText.size(text, scale: v)
        // Every other step still ahead or overdue, with its countdown: a CEO
        // tier due in 02:51 is news while T1 is overdue. Made at draw time
        // (one entry), so its countdowns move.
        // (Overdue ones all; while the big one is overdue, the next ahead too.)
        let rest = e.ladder.deadlines.dropFirst()
        let ahead = (e.ladder.nextDeadline.map { $0.at < now } ?? false) ? rest.first { $0.at >= now } : nil
        let more = (rest.filter { $0.at < now } + (ahead.map { [$0] } ?? [])).map { Words.countdown($0, e.policy, now: now, .short) }
        let panel = Rect(x: 0, y: top, width: f.width, height: size.height + 5 + (more.isEmpty ? 0 : 1))
        // A breach flashes its panel once a second: filled, then plain, with
        // the digits drawn to be read on either (never blinking: a blinking
        // attribute makes them vanish half the time in real terminals).
        let flashOff = u == .breached && Int(now.timeIntervalSince1970) % 2 == 1
        // Red in both phases, on any background: the plain phase draws the
        // digits in the breach's red on the painted background.
        let inkRole: Role = flashOff ? .overdue : digitRole
        if u != .normal {
            // Shape as well as colour: a filled, framed panel for warning and breach.
            f.fill(panel, role: flashOff ? .normal : digitRole)
            let mark = u == .breached ? "\(glyphs.overdue)\(glyphs.overdue) BREACHED \(glyphs.overdue)\(glyphs.overdue)" : "\(glyphs.warning) WARNING"
            f.put(" \(mark) ", x: 2, y: top, role: digitRole)
        }
        BigText.draw(text, in: &f, x: (f.width - size.width) / 2, y: top + 1, scale: v,
                     ink: glyphs.barFull, role: inkRole)
        let lineRole: Role = u == .normal || flashOff ? .normal : digitRole
        let words = texts[k]
        let y1 = top + size.height + 2
        centred(&f, words.what, y: y1, role: lineRole)
        centred(&f, words.title, y: y1 + 1, role: lineRole)
        centred(&f, "\(glyphs.next) " + words.call, y: y1 + 2, role: u == .normal || flashOff ? .active : lineRole)
        if !more.isEmpty { centred(&f, "also: " + more.joined(separator: glyphs.separator), y: y1 + 3, role: lineRole) }
        if rotateEvery != nil {
            let urgent = list.indices.filter { urgency(list[$0]) != .normal }
            if urgent.count > 1, let n = urgent.firstIndex(of: k) {
                f.put("\(n + 1)/\(urgent.count)", x: f.width - 6, y: top, role: lineRole)
            }
        }
        return panel.maxY - 1
    }

    func centred(_ f: inout Frame, _ text: String, y: Int, role: Role) {
        let t = DisplayWidth.truncate(text, to: f.width - 2)
        f.put(t, x: max(1, (f.width - DisplayWidth.of(t)) / 2), y: y, role: role)
    }

    /// One line per other incident; when they do not all fit, the last line
    /// counts those not shown and gives their earliest deadline, so no
    /// incident is ever silently dropped.
    func drawOthers(_ f: inout Frame, _ others: [Int], top: Int, bottom: Int) {
        let rows = bottom - top
        guard rows > 0, !others.isEmpty else { return }
        let shown = others.count <= rows ? others.count : rows - 1
        for (k, i) in others.prefix(shown).enumerated() {
            let y = top + k
            // A tap shows it in the big panel.
            f.mark(Rect(x: 0, y: y, width: f.width, height: 1), Hit(pane: 0, id: entries[i].incident.id))
            let line = texts[i]
            let s = entries[i].ladder.nextDeadline.map { Ladder.seconds(from: now, to: $0.at) }
            let sym: (Character, Role) = switch urgency(seconds: s) {
            case .breached: (glyphs.overdue, .overdue)
            case .warning: (glyphs.warningMark, .countdownWarning)
            case .normal: (glyphs.active, .active)
            }
            var x = f.put(" \(sym.0) ", x: 0, y: y, role: sym.1)
            x += f.put(line.head, x: x, y: y)
            if let s {
                x += f.put(DisplayWidth.padLeft(Countdown.format(s), to: 9) + "  ", x: x, y: y, role: urgency(seconds: s).countdownRole)
                x += f.put(line.label, x: x, y: y)
            } else {
                x += f.put(line.label, x: x, y: y, role: .dim)
            }
            // Its other overdue steps, at the end of the row, the title cut
            // to make room: a breach is never hidden behind another, and the
            // columns stay where they are.
            let overdue = entries[i].ladder.deadlines.dropFirst().filter { $0.at < now }.map { Words.overdue($0, entries[i].policy, .short) }
            let note = overdue.isEmpty ? "" : " also " + overdue.joined(separator: ", ")
            let noteWidth = min(DisplayWidth.of(note), max(0, f.width - x - 12))
            f.put(line.tail, x: x, y: y, limit: f.width - x - noteWidth)
            if noteWidth > 0 { f.put(note, x: f.width - noteWidth, y: y, role: .overdue, limit: noteWidth) }
        }
        if shown < others.count {
            let hidden = others.count - shown
            let earliest = others.dropFirst(shown).compactMap { entries[$0].ladder.nextDeadline?.at }.min()
            let breached = others.dropFirst(shown).filter { urgency(entries[$0]) == .breached }.count
            let when: String
            if let t = earliest, t < now {
                when = "\(breached) overdue, the longest by \(Countdown.format(Ladder.seconds(from: t, to: now)))"
            } else {
                when = earliest.map { "the earliest deadline in \(Countdown.format(Ladder.seconds(from: now, to: $0)))" } ?? "none with a deadline"
            }
            f.put(" + \(hidden) more open incident\(hidden == 1 ? "" : "s") not shown (\(when))", x: 0, y: top + shown,
                  role: breached > 0 ? .overdue : .headerWarning, limit: f.width)
        }
    }

    /// An entry's words (see `texts`).
    func text(_ e: Board.Entry) -> Text {
        let p = e.policy
        let deadline = e.ladder.nextDeadline.map { Words.deadline($0, p, .long) }
        let sep = glyphs.separator
        return Text(head: DisplayWidth.pad(e.incident.id.sanitized, to: 6) + DisplayWidth.pad(e.incident.severity.rawValue, to: 6),
                    // Always a space before the customer, however long the tier's name.
                    label: deadline.map { DisplayWidth.pad($0, to: max(34, DisplayWidth.of($0) + 1)) } ?? DisplayWidth.pad("no deadline", to: 45),
                    tail: DisplayWidth.pad((e.incident.customer ?? "-").sanitized, to: 12) + e.incident.title.sanitized,
                    what: "\(e.incident.id.sanitized)\(sep)\((e.incident.customer ?? "no customer").sanitized)\(sep)\(e.incident.severity.rawValue)\(sep)\(deadline ?? "no deadline")"
                        // Deadlines from the built-in policy stand in: say so.
                        + (e.policyProblem != nil ? "\(sep)\(glyphs.warning) its policy does not parse" : ""),
                    title: e.incident.title.sanitized,
                    call: Words.nextAction(e, now: now, dash: glyphs.dash, live: false))
    }

    func drawAllClear(_ f: inout Frame, top: Int, bottom: Int) {
        // Nothing open, but alerts cannot become incidents: never calm.
        if policyProblem != nil {
            drawBigWords(&f, "NO NEW INCIDENTS", ["No open incidents, but none can be opened: the policy file does not parse.",
                                                  "Alerts are refused until it is fixed: tierwatch policy check says where."],
                         role: .wallWarning, top: top, bottom: bottom)
            return
        }
        let since = lastResolution.map { "No open incidents. The last one was resolved \(Words.ago($0, now: now))." }
            ?? (hasIncidents ? "No open incidents." : "No incidents in this store yet.")
        drawBigWords(&f, "ALL CLEAR", [since], role: .wallCalm, top: top, bottom: bottom)
    }

    /// In place of ALL CLEAR when incidents may be missing: the wall says
    /// it does not know, in breach colours, and why.
    func drawBlind(_ f: inout Frame, top: Int, bottom: Int) {
        f.fill(Rect(x: 0, y: top, width: f.width, height: bottom - top), role: .countdownCritical)
        let why = alarm.waitingFor.map { "Waiting for a store at \($0.sanitized)." }
            ?? "Part of the store cannot be read: incidents may be missing. NOT all clear."
        drawBigWords(&f, alarm.waitingFor != nil ? "NO STORE" : "NO DATA", [why, "tierwatch doctor says what is wrong."],
                     role: .countdownCritical, top: top, bottom: bottom)
    }

    /// Big words centred between `top` and `bottom`, the lines under them.
    func drawBigWords(_ f: inout Frame, _ text: String, _ lines: [String], role: Role, top: Int, bottom: Int) {
        let v = BigText.scale(text, width: f.width - 4, height: max(5, (bottom - top) / 2))
        let size = BigText.size(text, scale: v)
        let y = top + max(1, (bottom - top - size.height - 1 - lines.count) / 2)
        if size.width <= f.width {
            BigText.draw(text, in: &f, x: (f.width - size.width) / 2, y: y, scale: v, ink: glyphs.barFull, role: role)
        } else {
            centred(&f, text, y: y, role: role)
        }
        for (k, line) in lines.enumerated() { centred(&f, line, y: y + size.height + 1 + k, role: role) }
    }

    func drawFooter(_ f: inout Frame, y: Int, urgentCount: Int) {
        f.fill(Rect(x: 0, y: y, width: f.width, height: 1), role: .keyBarLabel)
        var text = " q quit\(glyphs.separator)? help"
        if speech != nil { text += "\(glyphs.separator)m \(mutedUntil == nil ? "mute speech" : "speak again")" }
        if let every = rotateEvery {
            text += "\(glyphs.separator)space \(paused ? "resume" : "pause") rotation\(glyphs.separator)"
                + (paused ? "rotation paused" : "rotating every \(Int(every))s among \(urgentCount) urgent")
        }
        f.put(text, x: 0, y: y, role: .keyBarLabel)
    }

    func drawHelp(_ f: inout Frame) {
        let lines = ["q        quit", rotateEvery != nil ? "space    pause or resume the rotation" : "space    (rotation is off: start with --rotate 10s)",
                     speech != nil ? "m        mute speech for 15 minutes (m again: unmute)" : "m        (speech is off: start with --speak)",
                     "?        this help (any key closes it)", "", "The wall is read-only: to act, use tierwatch at a desk."]
        let w = min(f.width - 4, 60), h = lines.count + 4
        let r = Rect(x: (f.width - w) / 2, y: (f.height - h) / 2, width: w, height: h)
        f.fill(Rect(x: r.x - 1, y: r.y, width: r.width + 2, height: r.height), role: .help)
        // A frame, so the digits behind do not read as part of the help.
        glyphs.box(&f, r, title: "Keys", border: .help, titleRole: .help)
        for (k, line) in lines.enumerated() { f.put(line, x: r.x + 2, y: r.y + 2 + k, role: .help, limit: w - 4) }
    }
}
