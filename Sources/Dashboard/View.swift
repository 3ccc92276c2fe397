import Surface
import Escalation
import Foundation

/// The smallest screen the dashboard lays out; below it, it says so.
public let minimumWidth = 80
public let minimumHeight = 24

extension Model {
    /// Draws the whole screen. Pure: the same model and size always give
    /// the same frame.
    public func view(width: Int, height: Int) -> Frame {
        var f = Frame(width: width, height: height)
        f.ellipsis = glyphs.ellipsis
        guard width >= minimumWidth, height >= minimumHeight else {
            drawTooSmall(&f)
            return f
        }
        let list = entries
        // The selected incident derived at this very second: its ladder's
        // countdowns and bars move; the board's entries hold the rest.
        let selected = selection(in: list).map { Board.Entry($0.incident, policies: policies, at: now) }
        drawHeader(&f)
        // What the screen cannot see comes before anything it can.
        let alarmRows = alarm.draw(in: &f, top: 1, maxRows: 3, glyphs: glyphs)
        let body = Rect(x: 0, y: 1 + alarmRows, width: width, height: height - 3 - alarmRows)
        // The list gives the selected incident's panes room on small screens.
        let listHeight = min(max(list.count, 1) + 3, max(7, body.height * 3 / 10))
        drawList(&f, Rect(x: 0, y: body.y, width: width, height: listHeight), list, selected)
        drawDetail(&f, Rect(x: 0, y: body.y + listHeight, width: width, height: body.height - listHeight), selected)
        drawMessageLine(&f, y: height - 2)
        drawKeyBar(&f, y: height - 1)
        if overlay == .help { drawHelp(&f) }
        if case let .panel(p)? = overlay { p.draw(&f, self) }
        if case let .entry(id, position)? = overlay { drawEntry(&f, id, position) }
        if case let .composeUpdate(c)? = overlay { drawComposer(&f, c) }
        return f
    }

    // MARK: Pieces

    func drawTooSmall(_ f: inout Frame) {
        let lines = [
            "Terminal too small: \(f.width)×\(f.height).",
            "tierwatch needs at least \(minimumWidth)×\(minimumHeight).",
            "Enlarge the window; q quits.",
        ]
        for (k, line) in lines.enumerated() {
            let y = f.height / 2 - 1 + k
            f.put(line, x: max(0, (f.width - DisplayWidth.of(line)) / 2), y: y, role: k == 0 ? .error : .normal)
        }
    }

    func drawHeader(_ f: inout Frame) {
        f.fill(Rect(x: 0, y: 0, width: f.width, height: 1), role: .header)
        let sep = glyphs.separator
        let utc = Words.clock(now)
        let local = String(Words.clock(now, offsetSeconds: localOffsetSeconds).prefix(5))
        var warnings: [String] = []
        if badRecords > 0 { warnings.append("\(glyphs.warning) \(badRecords) bad record\(badRecords == 1 ? "" : "s")") }
        if let w = watchWarning { warnings.append("\(glyphs.warning) \(w.sanitized)") }
        for (id, since) in sending.sorted(by: { $0.key < $1.key }) {
            warnings.append("sending update \(id) \(Countdown.format(Int(now.timeIntervalSince(since))))")
        }
        for (id, call) in calls.sorted(by: { $0.key < $1.key }) {
            warnings.append("\(call.ringingSince == nil ? "calling" : "ringing") \(id) \(call.who.sanitized) \(Countdown.format(Int(now.timeIntervalSince(call.ringingSince ?? call.since))))")
        }
        let right = warnings.isEmpty ? "" : " " + warnings.joined(separator: "  ") + " "
        let rightWidth = min(DisplayWidth.of(right), f.width / 2)
        // Most important first: what is open and the time; the path last, cut if need be.
        var x = f.put(" tierwatch\(sep)\(alarm.openCount(openCount))\(sep)\(utc) UTC (\(local) local)\(sep)", x: 0, y: 0, role: .header)
        if readOnly {
            x += f.put(" READ-ONLY VIEWER ", x: x, y: 0, role: .banner)
            x += f.put(sep, x: x, y: 0, role: .header)
        }
        x += f.put("\(operatorName.sanitized)\(sep)", x: x, y: 0, role: .header)
        if !readOnly { x += f.put("read-write\(sep)", x: x, y: 0, role: .header) }
        let room = f.width - rightWidth - x - 1
        if room > 4 { f.put(DisplayWidth.truncate(storePath.sanitized, to: room), x: x, y: 0, role: .header) }
        else if room > 0 { f.put(String(Character(f.ellipsis)), x: x, y: 0, role: .header) }
        if rightWidth > 0 {
            f.put(DisplayWidth.truncate(right, to: rightWidth), x: f.width - rightWidth, y: 0, role: .headerWarning)
        }
    }

    func shortTime(_ d: Date) -> String { Words.shortTime(d, now: now) }

    func box(_ f: inout Frame, _ r: Rect, title: String, focused: Bool) {
        glyphs.box(&f, r, title: title, border: .border, titleRole: focused ? .titleFocused : .title)
    }

    func countdownRole(_ seconds: Int) -> Role { Urgency(seconds: seconds).countdownRole }

    func isOverdue(_ e: Board.Entry) -> Bool { e.ladder.nextDeadline.map { $0.at < now } == true }
    func deadlineLabel(_ d: Ladder.Deadline, _ p: Policy) -> String { Words.deadline(d, p, .short) }

    func rowSymbol(_ e: Board.Entry) -> (Character, Role) {
        if e.ladder.rungs.contains(where: { $0.status == .overdue }) { return (glyphs.overdue, .overdue) }
        if e.incident.state == .resolved { return (glyphs.done, .done) }
        switch Urgency(seconds: e.ladder.nextDeadline.map { Ladder.seconds(from: now, to: $0.at) }) {
        case .breached: return (glyphs.overdue, .overdue)
        case .warning: return (glyphs.warningMark, .countdownWarning)  // as the wall marks it
        case .normal: return (glyphs.active, .active)
        }
    }

    // MARK: Bottom lines and overlays

    func drawMessageLine(_ f: inout Frame, y: Int) {
        switch overlay {
        case let .prompt(p)?:
            let label = p.hint.map { "\($0.sanitized). " } .map { $0 + promptLabel(p.purpose) } ?? promptLabel(p.purpose)
            var x = f.put(label, x: 0, y: y, role: .prompt)
            let room = f.width - x - 1
            // Show the end of a long entry, where the cursor is.
            var shown = p.text.sanitized
            while DisplayWidth.of(shown) > room - 1, !shown.isEmpty { shown.removeFirst() }
            x += f.put(shown, x: x, y: y)
            f.put("▏", x: x, y: y, role: .prompt)
        case let .confirmEscalate(id, tier)?:
            let name = incidents[id].map { policy(for: $0).tiers[tier].name.sanitized } ?? "T\(tier)"
            f.put("Escalate \(id) to T\(tier) \(name) now? y yes · n/Esc no", x: 0, y: y, role: .prompt, limit: f.width)
        case let .confirmResolve(id, message)?:
            let why = message.map { " (\($0.sanitized))" } ?? ""
            f.put("Resolve \(id)\(why) now? Every timer stops. y yes · n/Esc no", x: 0, y: y, role: .prompt, limit: f.width)
        case let .composeUpdate(c)?:
            f.put("Update for \(c.incident)'s customer: edit it above; ^D sends it, Esc cancels", x: 0, y: y, role: .prompt, limit: f.width)
        case let .outcome(id, tier, contact)?:
            let name = incidents[id].map { policy(for: $0).contacts(ofTier: tier, customer: $0.customer)[contact].name.sanitized } ?? "?"
            f.put("Call to \(name) (\(id)): r/Enter reached · v voicemail · n no answer · Esc cancel", x: 0, y: y, role: .prompt, limit: f.width)
        default:
            if let n = notice {
                f.put(n.text.sanitized, x: 0, y: y, role: n.isError ? .error : .message, limit: f.width)
            }
        }
    }

    func promptLabel(_ p: Prompt.Purpose) -> String {
        switch p {
        case let .resolve(id): "Resolve \(id): what fixed it (optional; Enter, then y to confirm; Esc cancels): "
        case let .customerUpdate(id): "Customer update sent for \(id): "
        case let .note(id): "Note on \(id): "
        case .newTitle: "New incident title: "
        case .newCustomer: "Customer (optional): "
        case .newSeverity: "Severity, sev1 (worst) to sev4 (Enter: sev2): "
        case .command: ":"
        case .filter: "Filter: "
        }
    }

    /// The keys of the focused pane, letters first (htop and k9s style):
    /// what the operator can do here, without opening the help.
    func keyBar() -> [(String, String)] {
        // While a question or a prompt is open, only its keys do anything.
        switch overlay {
        case .confirmEscalate?, .confirmResolve?: return [("y", "Yes"), ("n", "No"), ("Esc", "No")]
        case .outcome?: return [("r", "Reached"), ("v", "Voicemail"), ("n", "No answer"), ("Enter", "Reached"), ("Esc", "Cancel")]
        case .prompt?: return [("Enter", "OK"), ("Esc", "Cancel"), ("Backspace", "Delete")]
        case let .composeUpdate(c)?: return c.discarding ? [("y", "Discard"), ("any key", "Back")] : Model.composeKeys
        case .help?, .entry?: return [("any key", "Close")]
        case let .panel(p)?: return p.keyBar
        case nil: break
        }
        let b = bindings
        func k(_ a: KeyAction, _ label: String) -> (String, String) { (b.name(a), label) }
        let vertical = b.pair(.up, .down)
        let bar: [(String, String)]
        if readOnly {
            bar = [k(.help, "Help"), k(.onCall, "On call"), k(.filter, "Filter"), k(.sort, "Sort"), k(.showResolved, "Resolved"), k(.nextPane, "Pane"), k(.quit, "Quit")]
        } else if selectionGone(in: entries) != nil {
            // The selected incident left the list: only choosing another
            // helps, so the bar offers no action that would be refused.
            bar = [k(.help, "Help"), (vertical, "Choose"), k(.showResolved, "Resolved"), k(.filter, "Filter"), k(.clearFilter, "Clear filter"), k(.new, "New"), k(.quit, "Quit")]
        } else {
            switch focus {
            case .list:
                bar = [k(.help, "Help"), k(.acknowledge, "Ack"), k(.escalate, "Escalate"), k(.resolve, "Resolve"), k(.update, "Update"), k(.note, "Note"),
                       k(.new, "New"), k(.onCall, "On call"), k(.filter, "Filter"), k(.sort, "Sort"), k(.nextPane, "Pane"), k(.quit, "Quit")]
            case .tiers:
                bar = [k(.help, "Help"), (vertical, "Tier"), k(.escalate, "Escalate"), k(.acknowledge, "Ack"), k(.update, "Update"), k(.nextPane, "Pane"), k(.quit, "Quit")]
            case .contacts:
                // c dials only where the policy in force has a dialer.
                let dials = (try? directory.get().dialer) != nil
                bar = [k(.help, "Help"), (vertical, "Contact")] + (dials ? [k(.call, "Dial")] : [])
                    + [k(.reached, "Reached"), k(.voicemail, "Voicemail"), k(.noAnswer, "No answer"), k(.open, "Call…"), k(.nextPane, "Pane"), k(.quit, "Quit")]
            case .timeline:
                bar = [k(.help, "Help"), (vertical, "Entry"), (b.pair(.pageUp, .pageDown), "Scroll"), k(.open, "Open"), k(.nextPane, "Pane"), k(.quit, "Quit")]
            }
        }
        // (An action the config left without a key is not offered, nor a
        // new incident while the policy file does not parse: it is refused.)
        let refused = (try? directory.get()) == nil ? b.name(.new) : nil
        return bar.filter { !$0.0.isEmpty && !($0.0 == refused && $0.1 == "New") }
    }

    func drawKeyBar(_ f: inout Frame, y: Int) {
        var keys = keyBar().map { (glyphs == .ascii && $0.0 == "↑↓" ? "Up/Dn" : $0.0, $0.1) }
        // What does not fit goes from the right (sort and filter first);
        // help, Tab (the panes) and quit always stay.
        func width() -> Int { keys.reduce(0) { $0 + DisplayWidth.of($1.0) + DisplayWidth.of($1.1) + 2 } + (readOnly ? 11 : 0) }
        while width() > f.width, let k = keys.indices.last(where: { $0 > 0 && !["Pane", "Quit"].contains(keys[$0].1) }) {
            keys.remove(at: k)
        }
        var x = 0
        for (key, label) in keys {
            // A click on an entry does what its key does.
            let start = x
            defer { f.mark(Rect(x: start, y: y, width: x - start, height: 1), Hit(pane: Model.keyBarPane, key: Bindings.key(named: key))) }
            x += f.put(key, x: x, y: y, role: .keyBarKey)
            x += f.put(" " + label + " ", x: x, y: y, role: .keyBarLabel, limit: max(0, f.width - x))
        }
        if x < f.width { f.fill(Rect(x: x, y: y, width: f.width - x, height: 1), role: .keyBarLabel) }
        if readOnly { f.put(" READ-ONLY ", x: f.width - 11, y: y, role: .banner) }
    }

    func drawHelp(_ f: inout Frame) {
        let lines = bindings.helpLines
        let w = min(f.width - 2, 84)
        let h = min(f.height - 2, lines.count + 4)
        let r = Rect(x: (f.width - w) / 2, y: max(1, (f.height - h) / 2), width: w, height: h)
        f.fill(r, role: .help)
        box(&f, r, title: readOnly ? "Keys (read-only viewer: actions are disabled)" : "Keys", focused: true)
        // The keys' column as wide as the widest (rebound keys may be long), within reason.
        let column = min(22, lines.map { DisplayWidth.of($0.keys) }.max() ?? 0)
        for (k, (keys, what)) in lines.enumerated() where k < r.height - 3 {
            f.put(DisplayWidth.truncate(keys, to: column), x: r.x + 2, y: r.y + 1 + k, role: .keyBarKey)
            f.put(what, x: r.x + 4 + column, y: r.y + 1 + k, role: .help, limit: r.width - 6 - column)
        }
        f.put("Any key closes this help.", x: r.x + 2, y: r.maxY - 2, role: .dim)
    }
}
