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
        if overlay == .onCall { drawOnCall(&f) }
        if case let .report(r)? = overlay { drawReport(&f, r) }
        if case let .handover(lines, scroll, at)? = overlay { drawHandover(&f, lines, scroll: scroll, at: at) }
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

    // MARK: The incident list

    func drawList(_ f: inout Frame, _ r: Rect, _ list: [Board.Entry], _ selected: Board.Entry?) {
        var title = "Incidents\(glyphs.separator)\(list.count) shown\(glyphs.separator)by \(sort.rawValue)"
        if !filter.isEmpty { title += "\(glyphs.separator)filter “\(filter.sanitized)”" }
        if showResolved { title += "\(glyphs.separator)with resolved" }
        box(&f, r, title: title, focused: focus == .list)
        f.mark(r, Hit(pane: Focus.list.rawValue))
        // A breach the filter hides is still said: on the list's frame, left
        // of the scroll position (drawn last, in the room that is left).
        var frameNoteRoom = r.width - 4
        defer {
            if !filter.isEmpty {
                let listed = Set(list.map(\.incident.id))
                let hidden = board.entries.filter { !listed.contains($0.incident.id) && isOverdue($0) }.count
                if hidden > 0 {
                    f.put(" \(glyphs.overdue) \(hidden) overdue incident\(hidden == 1 ? "" : "s") outside the filter (Esc clears it) ",
                          x: r.x + 2, y: r.maxY - 1, role: .overdue, limit: frameNoteRoom)
                }
            }
        }
        let inner = r.inner
        guard inner.height > 0 else { return }
        let cols = ListColumns(width: inner.width)
        f.put(cols.header, x: inner.x, y: inner.y, role: .dim)
        let rows = inner.height - 1
        guard !list.isEmpty else {
            let text: String
            var role = Role.dim
            if !filter.isEmpty {
                text = "No incident matches “\(filter.sanitized)”. Esc clears the filter."
            } else if alarm.waitingFor != nil {
                text = "No store to read yet: not all clear, nothing is known (see above)."
                role = .overdue
            } else if alarm.isBlind {
                text = "No open incidents in what could be read: part of the store is unreadable."
                role = .overdue
            } else if incidents.isEmpty {
                text = "No incidents recorded in this store yet."
            } else {
                text = "No open incidents. All clear."
            }
            f.put(text, x: inner.x + 2, y: inner.y + 1, role: role, limit: inner.width - 2)
            return
        }
        let selIndex = list.firstIndex { $0.incident.id == selected?.incident.id } ?? 0
        let first = max(0, min(selIndex - rows / 2, list.count - rows))
        for (row, e) in list.dropFirst(first).prefix(rows).enumerated() {
            let y = inner.y + 1 + row
            f.mark(Rect(x: inner.x, y: y, width: inner.width, height: 1), Hit(pane: Focus.list.rawValue, row: first + row, id: e.incident.id))
            let isSel = e.incident.id == selected?.incident.id
            let (sym, symRole) = rowSymbol(e)
            let p = policy(for: e.incident)
            let tier = e.ladder.currentTier.map { cols.wide ? "T\($0) \(p.tiers[$0].id)" : "T\($0)" } ?? "-"
            let state = e.incident.state == .acknowledged ? "acked" : e.incident.state.rawValue
            var x = inner.x
            f.put(" \(sym) ", x: x, y: y, role: symRole)
            x += 3
            x += f.put(DisplayWidth.pad(e.incident.id, to: 5) + " " + DisplayWidth.pad(e.incident.severity.rawValue, to: 5)
                       + DisplayWidth.pad(state, to: cols.state) + DisplayWidth.pad(tier.sanitized, to: cols.tier), x: x, y: y)
            if let d = e.ladder.nextDeadline {
                let secs = Ladder.seconds(from: now, to: d.at)
                x += f.put(DisplayWidth.pad(deadlineLabel(d, p), to: 11), x: x, y: y)
                x += f.put(DisplayWidth.padLeft(Countdown.format(secs), to: 8) + "  ", x: x, y: y, role: countdownRole(secs))
            } else {
                x += f.put(DisplayWidth.pad("-", to: 21), x: x, y: y)
            }
            x += f.put(DisplayWidth.pad((e.incident.customer ?? "-").sanitized, to: cols.customer) + " ", x: x, y: y)
            f.put(e.incident.title.sanitized, x: x, y: y, limit: inner.maxX - x)
            if isSel {
                // The selection bar leaves the countdown its urgency colour.
                let countdownX = inner.x + 3 + 5 + 1 + 5 + cols.state + cols.tier + 11
                let bar: Role = focus == .list ? .selection : .selectionUnfocused
                f.restyle(Rect(x: inner.x + 3, y: y, width: countdownX - inner.x - 3, height: 1), role: bar)
                f.restyle(Rect(x: countdownX + 8, y: y, width: inner.maxX - countdownX - 8, height: 1), role: bar)
            }
            // A new incident or a new breach flashes its row for a few seconds.
            if let until = flashing[e.incident.id], until > now, Int(now.timeIntervalSince1970) % 2 == 0 {
                f.restyle(Rect(x: inner.x, y: y, width: 3, height: 1), role: .countdownCritical)
            }
        }
        if list.count > rows {
            // Scrolled: an overdue incident off screen is still said, above
            // or below, in the overdue colour (a sort by id or a long list
            // at 80×24 must not hide a breach).
            func overdue(_ part: ArraySlice<Board.Entry>) -> Int { part.filter(isOverdue).count }
            let above = overdue(list.prefix(first)), below = overdue(list.dropFirst(first + rows))
            var parts: [String] = []
            if above > 0 { parts.append("\(glyphs.overdue) \(above) overdue above") }
            parts.append("\(first + 1)-\(min(list.count, first + rows)) of \(list.count)")
            if below > 0 { parts.append("\(below) overdue below") }
            let more = " " + parts.joined(separator: glyphs.separator) + " "
            let moreX = max(r.x + 1, r.maxX - DisplayWidth.of(more) - 2)
            f.put(more, x: moreX, y: r.maxY - 1, role: above + below > 0 ? .overdue : .dim, limit: r.width - 2)
            frameNoteRoom = moreX - r.x - 3
        }
    }

    /// Column widths of the list: narrow screens keep the title readable by
    /// showing the tier as `T2` and a shorter customer.
    struct ListColumns {
        let wide: Bool
        let state: Int
        let tier: Int
        let customer: Int
        let header: String

        init(width: Int) {
            wide = width >= 100
            state = wide ? 9 : 7
            tier = width >= 120 ? 16 : wide ? 14 : 5
            customer = width >= 120 ? 14 : 10
            header = "   " + DisplayWidth.pad("ID", to: 6) + DisplayWidth.pad("SEV", to: 5) + DisplayWidth.pad("STATE", to: state)
                + DisplayWidth.pad("TIER", to: tier) + DisplayWidth.pad("NEXT", to: 21) + DisplayWidth.pad("CUSTOMER", to: customer + 1) + "TITLE"
        }
    }

    // MARK: The selected incident

    func drawDetail(_ f: inout Frame, _ r: Rect, _ selected: Board.Entry?) {
        guard r.height >= 4 else { return }
        guard let e = selected else {
            if let gone = selectionGone(in: entries) {
                // Said, not replaced by another incident: the operator was
                // looking at this one, and keys must not land elsewhere.
                box(&f, r, title: "\(selectedID ?? "")\(glyphs.separator)no longer listed", focused: false)
                f.put("\(glyphs.warning) \(gone)", x: r.x + 2, y: r.y + 1, role: .headerWarning, limit: r.width - 4)
                f.put("↑/↓ choose another incident; nothing is done to any incident until then.", x: r.x + 2, y: r.y + 2, role: .dim, limit: r.width - 4)
                return
            }
            box(&f, r, title: "No incident selected", focused: false)
            let hint = readOnly ? "Nothing to show. This viewer only watches: incidents are opened at a dashboard."
                : "Press n to open an incident, or : for the command line."
            f.put(hint, x: r.x + 2, y: r.y + 1, role: .dim, limit: r.width - 4)
            return
        }
        let i = e.incident
        box(&f, r, title: "\(i.id)\(glyphs.separator)\(i.title.sanitized)", focused: false)
        let inner = r.inner
        var line1 = "\((i.customer ?? "no customer").sanitized)\(glyphs.separator)\(i.severity.rawValue)\(glyphs.separator)\(i.state.rawValue)"
        line1 += "\(glyphs.separator)opened by \(i.opened.by.sanitized) \(shortTime(i.opened.at)) (\(Words.ago(i.opened.at, now: now)))"
        if let a = i.acknowledged { line1 += "\(glyphs.separator)acked by \(a.by.sanitized) \(shortTime(a.at))" }
        if let res = i.resolved { line1 += "\(glyphs.separator)resolved by \(res.by.sanitized) \(shortTime(res.at))" }
        f.put(line1, x: inner.x + 1, y: inner.y, limit: inner.width - 1)
        // The next action, in words: what to do now, for whom, by when.
        let urgency = Urgency(seconds: e.next.deadline.map { Ladder.seconds(from: now, to: $0.at) })
        var x = inner.x + 1
        x += f.put("\(glyphs.next) ", x: x, y: inner.y + 1, role: urgency == .normal ? .active : urgency.countdownRole)
        // Narrow screens name the tier by number (`T1 due`), as the list does.
        x += f.put(Words.nextAction(e, now: now, dash: glyphs.dash, labels: f.width < 120 ? .short : .long), x: x, y: inner.y + 1,
                   role: urgency == .breached ? .overdue : .normal,
                   limit: inner.maxX - x)
        // The customer update's countdown, whole or not at all: within the
        // box (the border is never written over), never a label without its time.
        if let since = sending[i.id] {
            x += f.put("\(glyphs.separator)update on its way \(Countdown.format(Int(now.timeIntervalSince(since))))…", x: x, y: inner.y + 1, role: .active, limit: inner.maxX - x)
        } else if let u = e.ladder.nextCustomerUpdateAt, e.next.kind != .customerUpdate {
            let secs = Ladder.seconds(from: now, to: u)
            let label = "\(glyphs.separator)customer update due ", time = Countdown.format(secs)
            if x + DisplayWidth.of(label) + DisplayWidth.of(time) <= inner.maxX {
                x += f.put(label, x: x, y: inner.y + 1, role: .dim)
                x += f.put(time, x: x, y: inner.y + 1, role: countdownRole(secs))
            }
        }
        if let problem = e.policyProblem {
            f.put("\(glyphs.warning) \(problem.sanitized)", x: inner.x + 1, y: inner.y, role: .headerWarning, limit: inner.width - 1)
        }

        // The ladder spans the width; contacts and timeline share the rest.
        let top = inner.y + 2
        let ladderHeight = min(e.ladder.rungs.count + 2, inner.maxY - top)
        drawLadder(&f, Rect(x: inner.x, y: top, width: inner.width, height: ladderHeight), e)
        let lower = Rect(x: inner.x, y: top + ladderHeight, width: inner.width, height: inner.maxY - top - ladderHeight)
        guard lower.height >= 3 else { return }
        let split = max(36, inner.width * 9 / 20)
        drawContacts(&f, Rect(x: lower.x, y: lower.y, width: split, height: lower.height), e)
        drawTimeline(&f, Rect(x: lower.x + split, y: lower.y, width: lower.width - split, height: lower.height), i, e.policy)
    }

    func drawLadder(_ f: inout Frame, _ r: Rect, _ e: Board.Entry) {
        box(&f, r, title: "Tiers", focused: focus == .tiers)
        f.mark(r, Hit(pane: Focus.tiers.rawValue))
        let inner = r.inner
        let shown = shownTier(e)
        // Fixed columns: symbol 3, status 8, start 12, due 11, countdown 9.
        let nameWidth = max(12, min(34, inner.width - 43 - 10))
        for (k, rung) in e.ladder.rungs.enumerated() where k < inner.height {
            let y = inner.y + k
            f.mark(Rect(x: inner.x, y: y, width: inner.width, height: 1), Hit(pane: Focus.tiers.rawValue, row: k))
            var x = inner.x
            func put(_ text: String, _ role: Role = .normal) {
                x += f.put(text, x: x, y: y, role: role, limit: max(0, inner.maxX - x))
            }
            put(" \(glyphs.symbol(rung.status)) ", rung.status.role)
            put(DisplayWidth.pad("T\(rung.index) \(rung.tier.name.sanitized)", to: nameWidth) + " ")
            if rung.status == .notStarted {
                // No start to show: the words take the start's column too.
                put(DisplayWidth.pad("not started", to: 22), rung.status.role)
            } else {
                put(DisplayWidth.pad(rung.status.rawValue, to: 8), rung.status.role)
                let start: String
                if let s = rung.startAt {
                    start = (rung.isStarted ? "from " : "at ") + shortTime(s)
                } else {
                    start = e.incident.state == .resolved ? "-" : "on escalation"
                }
                put(DisplayWidth.pad(start, to: 14), .dim)
            }
            put(DisplayWidth.pad(rung.dueAt.map { "due " + shortTime($0) } ?? "", to: 11), .dim)
            if let secs = rung.remainingSeconds, !rung.status.isMet {
                put(DisplayWidth.padLeft(Countdown.format(secs), to: 8) + " ", countdownRole(secs))
            } else if let late = rung.lateSeconds {
                put(DisplayWidth.padLeft("+" + Countdown.format(late), to: 8) + " ", .countdownWarning)
            } else {
                put(String(repeating: " ", count: 9))
            }
            let barWidth = inner.maxX - x - 1
            if barWidth >= 4 {
                let filled = Int((rung.progress * Double(barWidth)).rounded(.down))
                put(String(repeating: glyphs.barFull, count: filled) + String(repeating: glyphs.barEmpty, count: barWidth - filled),
                    rung.status == .overdue || rung.status == .missed ? .overdue : rung.status.isMet ? rung.status.role : .dim)
            }
            if focus == .tiers && k == shown {
                f.restyle(Rect(x: inner.x + 3, y: y, width: nameWidth, height: 1), role: .selection)
            }
        }
    }

    func drawContacts(_ f: inout Frame, _ r: Rect, _ e: Board.Entry) {
        let tier = shownTier(e)
        let rung = e.ladder.rungs[tier]
        box(&f, r, title: "Contacts\(glyphs.separator)T\(tier) \(rung.tier.name.sanitized)", focused: focus == .contacts)
        f.mark(r, Hit(pane: Focus.contacts.rawValue))
        let inner = r.inner
        guard inner.height > 0 else { return }
        if rung.contacts.isEmpty {
            f.put("no contacts at this tier", x: inner.x + 1, y: inner.y, role: .dim)
            return
        }
        // Two lines a contact (who, then how the last call went) when all
        // fit, or when the operator works in the pane (it scrolls); else one
        // line each, the symbol saying the outcome and ▶ the one to call next.
        let perContact = inner.height >= rung.contacts.count * 2 || (focus == .contacts && inner.height >= 2) ? 2 : 1
        // The selected contact is always on screen: the pane scrolls to it,
        // and says how many are above and below.
        let fits = max(1, inner.height / perContact)
        let focusOn = focus == .contacts ? selectedContact : (e.next.tier == tier ? e.next.contactIndex ?? 0 : 0)
        let first = min(max(0, focusOn - fits + 1), max(0, rung.contacts.count - fits))
        if first > 0 || first + fits < rung.contacts.count {
            let more = " \(first > 0 ? "\(first) above" : "")\(first > 0 && first + fits < rung.contacts.count ? ", " : "")\(first + fits < rung.contacts.count ? "\(rung.contacts.count - first - fits) more below" : "") "
            f.put(more, x: r.maxX - DisplayWidth.of(more) - 2, y: r.maxY - 1, role: .dim)
        }
        // Only the contacts that fit whole: a second line never lands on the border.
        for (k, c) in rung.contacts.enumerated() where k >= first && k - first < fits {
            let y = inner.y + (k - first) * perContact
            f.mark(Rect(x: inner.x, y: y, width: inner.width, height: min(perContact, inner.maxY - y)), Hit(pane: Focus.contacts.rawValue, row: k))
            // Reached ✓, never called ○, a message left », no answer ~ (not
            // the overdue mark: the call was made).
            let sym: (Character, Role) = c.outcome == .reached || c.reachedAt != nil ? (glyphs.done, .done)
                : c.outcome == nil ? (glyphs.pending, .pending)
                : c.outcome == .voicemail ? (glyphs.voicemail, .countdownWarning) : (glyphs.tried, .countdownWarning)
            let isNext = e.next.kind == .call(tier: tier, contact: k)
            f.put(" \(sym.0) ", x: inner.x, y: y, role: sym.1)
            if isNext && perContact == 1 { f.put(String(glyphs.next), x: inner.x, y: y, role: .active) }
            // Who, their number, then what they are called for: a narrow
            // pane cuts the context, never the number.
            let person = c.callee.person
            let name = (person?.name ?? c.contact.name).sanitized + (c.callee.nobodyOnCall && person == nil ? " (nobody on call)" : "")
            let number = Words.number(c.callee)
            var x = inner.x + 3
            let limit = inner.maxX
            x += f.put(name, x: x, y: y, role: c.callee.nobodyOnCall ? .countdownWarning : .normal, limit: max(0, limit - x))
            if x + 2 < limit {
                x += 2
                // Every number the person has: a backup line when the first rings out.
                let numbers = (person?.phones.count ?? 0) > 1 ? person!.phones.map(\.sanitized).joined(separator: " / ") : number.text
                x += f.put(numbers, x: x, y: y, role: number.isMissing ? .countdownWarning : .normal, limit: max(0, limit - x))
            }
            var context: [String] = []
            if let p = person, p.name != c.contact.name { context.append(c.contact.name.sanitized) }
            if let role = c.contact.role { context.append(role.sanitized) }
            if !number.isMissing, let mail = c.callee.email { context.append(mail.sanitized) }
            if !context.isEmpty, x + 2 < limit {
                f.put("  " + context.joined(separator: glyphs.separator), x: x, y: y, role: .dim, limit: max(0, limit - x))
            }
            var outcome = c.outcome.map { "\($0.label) by \(c.by!.sanitized) \(shortTime(c.at!))" } ?? "not yet called"
            // The person the last call went to, when it is not who is on call now.
            if let called = c.calledPerson, called.id != c.callee.person?.id { outcome += " (to \(called.name.sanitized))" }
            if let reached = c.reachedAt, c.outcome != .reached { outcome += "\(glyphs.separator)reached \(shortTime(reached))" }
            if let until = c.callee.until, c.callee.person != nil { outcome += "\(glyphs.separator)on call until \(Words.until(until, now: now))" }
            // Where they are and what to know before dialling.
            if let zone = person?.zone { outcome += "\(glyphs.separator)their time \(Words.localTime(now, zone: zone, withZone: false))" }
            if let note = person?.note { outcome += "\(glyphs.separator)\(note.sanitized)" }
            // First what tierwatch is doing about them (a call ringing, serve's
            // next try, a try not made): it changes what to do, so it is cut last.
            var lead: [String] = []
            if let calling = callWords(e, contact: c.contact.id) {
                lead.append("\(glyphs.next) \(calling)")
            } else if isNext {
                lead.append("\(glyphs.next) call next")
            }
            if e.callsInFlight(now: now)[c.contact.id] == nil, let auto = e.callWords(c.contact.id, now: now) { lead.append(auto.text) }
            outcome = (lead + [outcome]).joined(separator: glyphs.separator)
            if perContact == 2 {
                f.put("   " + outcome, x: inner.x + 3, y: y + 1, role: isNext ? .active : c.outcome == nil ? .dim : .normal, limit: inner.width - 3)
            }
            if focus == .contacts && k == selectedContact {
                f.restyle(Rect(x: inner.x + 3, y: y, width: inner.width - 3, height: 1), role: .selection)
            }
        }
        // Room to spare (a big screen): the other tiers with people still
        // to reach, a line each, so all the open work is in view.
        var y = inner.y + (rung.contacts.count - first) * perContact + 1
        for other in e.ladder.rungs where other.index != tier && (other.status == .overdue || other.status == .active) {
            let waiting = other.contacts.filter { $0.reachedAt == nil }
            guard !waiting.isEmpty, y + 1 < inner.maxY else { continue }
            let due = other.dueAt.map { ", due \(shortTime($0))" } ?? ""
            f.put("T\(other.index) \(Words.status(other.status))\(due)\(glyphs.separator)\(other.tier.name.sanitized)", x: inner.x + 1, y: y,
                  role: other.status == .overdue ? .overdue : .title, limit: inner.width - 1)
            y += 1
            for c in waiting where y < inner.maxY {
                let last = c.outcome.map { "\(glyphs.separator)\($0.label) \(shortTime(c.at!))" } ?? ""
                f.put(" \(glyphs.pending) \(Words.callee(c))\(last)", x: inner.x + 1, y: y, role: .dim, limit: inner.width - 1)
                y += 1
            }
            y += 1
        }
    }

    /// Draws only the rows that fit, newest first, reading entries by
    /// position: a timeline of 100k entries costs what one of ten does.
    func drawTimeline(_ f: inout Frame, _ r: Rect, _ i: Incident, _ p: Policy) {
        let count = i.timelineCount
        // The cursor is always on screen: the pane scrolls to it.
        let rows = max(1, r.height - 2)
        let scroll = min(max(timelineScroll, timelineCursor - rows + 1), timelineCursor, max(0, count - 1))
        var title = "Timeline\(glyphs.separator)newest first"
        if scroll > 0 { title += "\(glyphs.separator)\(scroll) newer above" }
        if focus == .timeline { title += "\(glyphs.separator)Enter opens" }
        box(&f, r, title: title, focused: focus == .timeline)
        f.mark(r, Hit(pane: Focus.timeline.rawValue))
        let inner = r.inner
        for k in 0..<min(inner.height, count - scroll) {
            let y = inner.y + k
            f.mark(Rect(x: inner.x, y: y, width: inner.width, height: 1), Hit(pane: Focus.timeline.rawValue, row: scroll + k))
            let entry = i.timelineEntry(count - 1 - scroll - k)
            let e = entry.event
            var x = inner.x + 1
            // A time written by a host whose clock runs ahead is not to be
            // trusted: marked, in the warning colour.
            let skewed = alarm.skewedHosts.contains(e.id.host)
            x += f.put(shortTime(e.at) + (skewed ? String(glyphs.warningMark) : " "), x: x, y: y, role: skewed ? .headerWarning : .dim)
            x += f.put(DisplayWidth.pad(e.operatorName.sanitized, to: 10) + " ", x: x, y: y)
            x += f.put(e.summary(policy: p, customer: i.customer), x: x, y: y, role: entry.isStale ? .stale : .normal, limit: inner.maxX - x)
            // Operator names are claimed; show the Unix user when it differs.
            let unix = Words.unixUser(e)
            if !unix.isEmpty { x += f.put(" " + unix, x: x, y: y, role: .dim, limit: inner.maxX - x) }
            if entry.isBackdated {
                x += f.put("  [back-dated, recorded \(shortTime(e.recordedAt))]", x: x, y: y, role: .backdated, limit: inner.maxX - x)
            }
            if let why = entry.staleReason {
                f.put("  [NOT APPLIED: \(why.sanitized)]", x: x, y: y, role: .stale, limit: inner.maxX - x)
            }
            if focus == .timeline && scroll + k == timelineCursor {
                f.restyle(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selection)
            }
        }
    }

    /// One timeline entry in full, wrapped: nothing of it is cut.
    func drawEntry(_ f: inout Frame, _ id: String, _ position: Int) {
        guard let i = incidents[id], position >= 0, position < i.timelineCount else { return }
        let entry = i.timelineEntry(position)
        let e = entry.event
        var text = "\(Words.time(e.at, now: now)) by \(e.operatorName.sanitized)"
        text += Words.unixUser(e)
        text += "\n\(e.summary(policy: policy(for: i), customer: i.customer))"
        if entry.isBackdated { text += "\nBack-dated: recorded \(Words.time(e.recordedAt, now: now))." }
        if let why = entry.staleReason { text += "\nNOT APPLIED: \(why.sanitized)" }
        text += "\nEvent \(e.id.description.sanitized)."
        let w = min(f.width - 4, 100)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { DisplayWidth.wrap(String($0), to: w - 4) }
        let h = min(f.height - 2, lines.count + 4)
        let r = Rect(x: (f.width - w) / 2, y: max(1, (f.height - h) / 2), width: w, height: h)
        f.fill(r, role: .help)
        box(&f, r, title: "\(id)\(glyphs.separator)timeline entry \(i.timelineCount - position) of \(i.timelineCount), newest first", focused: true)
        for (k, line) in lines.prefix(h - 4).enumerated() { f.put(line, x: r.x + 2, y: r.y + 1 + k, role: .help) }
        if lines.count > h - 4 { f.put("…", x: r.maxX - 3, y: r.maxY - 3, role: .help) }
        f.put("Any key closes this.", x: r.x + 2, y: r.maxY - 2, role: .dim)
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
        case .help?, .entry?, .onCall?: return [("any key", "Close")]
        case .report?: return [("7 3 9", "Days"), ("c", "Customer"), ("↑↓", "Worst"), ("Enter", "Open"), ("Esc", "Close")]
        case .handover?: return [("↑↓ PgUp PgDn", "Scroll"), ("any key", "Close")]
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
        // (An action the config left without a key is not offered.)
        return bar.filter { !$0.0.isEmpty }
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

extension Model {
    /// A handoff sooner than this is marked in the on-call view.
    static let handoffSoonSeconds = 3600

    /// Every schedule of the policy in force: who is on call now and their
    /// number, until when (in the schedule's zone and UTC), who is next; a
    /// handoff within the hour is marked; the overrides in force or to come.
    func drawOnCall(_ f: inout Frame) {
        var lines: [(text: String, role: Role)] = []
        switch directory {
        case let .failure(problem):
            lines.append(("The policy file does not parse, so who is on call is unknown:", .error))
            lines.append((problem.message.sanitized, .error))
        case let .success(policy):
            let rows = policy.onCallBoard(at: now, overrides: policies.overrides)
            if rows.isEmpty {
                lines.append(("No on-call schedules in the policy in force.", .normal))
                lines.append(("Add people: and schedules: to policy.yaml (see: tierwatch policy show --example).", .dim))
            }
            for r in rows {
                let sep = glyphs.separator
                guard let p = r.person else {
                    lines.append(("\(r.schedule.name.sanitized): NOBODY ON CALL", .overdue))
                    lines.append(("   until \(r.until.map { Words.localTime($0, zone: r.schedule.zone) } ?? "further notice")\(r.next.map { "\(sep)next \($0.name.sanitized)" } ?? "")", .dim))
                    continue
                }
                let number = p.phone?.sanitized ?? p.email.map { "no number; \($0.sanitized)" } ?? "no number on file"
                let via = r.override.map { " (override \($0.id.sanitized))" } ?? ""
                // The schedule's name gives way first: never the number.
                let title = DisplayWidth.truncate(r.schedule.name.sanitized, to: max(12, (min(f.width - 2, 110) - 6) / 3))
                lines.append(("\(title): \(p.name.sanitized)  \(number)\(via)", p.phone == nil ? .countdownWarning : .normal))
                var second = "   "
                var role = Role.dim
                if let until = r.until {
                    let left = Int(until.timeIntervalSince(now))
                    second += "until \(Words.localTime(until, zone: r.schedule.zone)) (\(Words.until(until, now: now)), in \(Words.span(left)))"
                    if left < Model.handoffSoonSeconds {
                        second = "   \(glyphs.warning) handoff in \(Words.span(left)): " + second.dropFirst(3)
                        role = .countdownWarning
                    }
                }
                if let next = r.next { second += "\(sep)next \(next.name.sanitized) \(next.phone?.sanitized ?? "")" }
                lines.append((second, role))
            }
            let ahead = policies.overrides.filter { $0.matters(after: now) }
            if !ahead.isEmpty {
                lines.append(("", .normal))
                lines.append(("Overrides in force or to come:", .title))
                for o in ahead {
                    let who = (policy.person(o.person) ?? o.snapshot)?.name ?? o.person
                    let state = o.from > now ? "from \(Words.time(o.from, now: now))" : "in force"
                    lines.append(("  \(o.id.sanitized)  \(o.schedule.sanitized): \(who.sanitized)\(o.replacing.map { " for \($0.sanitized)" } ?? "") \(state) until \(Words.time(o.end, now: now)) (by \(o.by?.sanitized ?? "?"))", .normal))
                }
            }
        }
        let w = min(f.width - 2, 110)
        let h = min(f.height - 2, lines.count + 4)
        let r = Rect(x: (f.width - w) / 2, y: max(1, (f.height - h) / 2), width: w, height: h)
        f.fill(r, role: .help)
        box(&f, r, title: "On call now\(glyphs.separator)\(Words.clock(now)) UTC", focused: true)
        for (k, line) in lines.enumerated() where k < r.height - 3 {
            f.put(line.text, x: r.x + 2, y: r.y + 1 + k, role: line.role == .normal ? .help : line.role, limit: r.width - 4)
        }
        if lines.count > r.height - 3 {
            f.put("\(lines.count - (r.height - 3)) more lines: tierwatch oncall lists them all", x: r.x + 2, y: r.maxY - 2, role: .dim, limit: r.width - 4)
        } else {
            f.put("Any key closes this view. Overrides: tierwatch oncall override SCHEDULE --person ID --to +8h", x: r.x + 2, y: r.maxY - 2, role: .dim, limit: r.width - 4)
        }
    }
}

extension Model {
    /// The shift handover as `tierwatch handover` prints it, scrolled.
    func drawHandover(_ f: inout Frame, _ lines: [String], scroll: Int, at: Date) {
        let page = HandoverPage(lines, width: f.width, height: f.height)
        let rect = page.rect
        f.fill(rect, role: .help)
        box(&f, rect, title: "Shift handover\(glyphs.separator)last 8 hours\(glyphs.separator)as of \(Words.clock(at)) UTC\(glyphs.separator)tierwatch handover prints it", focused: true)
        let top = page.clamp(scroll)
        for (k, line) in page.lines.dropFirst(top).enumerated() where k < page.rows {
            f.put(line, x: rect.x + 2, y: rect.y + 1 + k, role: line.hasPrefix("#") ? .title : .help, limit: rect.width - 4)
        }
        let below = page.lines.count - top - page.rows
        var where_ = below > 0 ? "↓ \(below) more line\(below == 1 ? "" : "s") (↑ ↓ PgUp PgDn)" : top > 0 ? "end (↑ PgUp back)" : ""
        if !where_.isEmpty { where_ += glyphs.separator }
        f.put("\(where_)any other key closes", x: rect.x + 2, y: rect.y + rect.height - 2, role: .dim, limit: rect.width - 4)
    }

    /// The compliance report as `tierwatch report` prints it (on a narrow
    /// screen, two lines a step), with its worst incidents to pick and open.
    func drawReport(_ f: inout Frame, _ r: ReportView) {
        let w = min(f.width - 2, 130)
        // The table decides (a long title among the worst is only cut).
        let table = r.lines.prefix { $0 != ComplianceReport.worstHeading }
        let lines = table.allSatisfy({ DisplayWidth.of($0) <= w - 4 }) ? r.lines : r.narrowLines
        let h = min(f.height - 2, lines.count + 3)
        let rect = Rect(x: (f.width - w) / 2, y: max(1, (f.height - h) / 2), width: w, height: h)
        f.fill(rect, role: .help)
        box(&f, rect, title: "Compliance\(glyphs.separator)\(r.customer.map { "customer \($0.sanitized)" } ?? "all customers")\(glyphs.separator)last \(r.days) days\(glyphs.separator)as of \(Words.clock(r.at)) UTC", focused: true)
        var worstRow = 0
        var inWorst = false
        for (k, line) in lines.enumerated() where k < rect.height - 2 {
            let y = rect.y + 1 + k
            // The worst incidents' lines follow "Worst:", each two spaces and an id.
            let isWorst = inWorst && r.worst.indices.contains(worstRow) && line.hasPrefix("  \(r.worst[worstRow])  ")
            if line == ComplianceReport.worstHeading { inWorst = true }
            f.put(line, x: rect.x + 2, y: y, role: .help, limit: rect.width - 4)
            if isWorst {
                if worstRow == r.cursor { f.restyle(Rect(x: rect.x + 2, y: y, width: rect.width - 4, height: 1), role: .selection) }
                worstRow += 1
            }
        }
    }
}

/// The handover overlay's page on a screen of a given size: its box, its
/// lines wrapped to the box (a long line continues, indented, never cut),
/// and how far it scrolls. The view and the keys read the same page.
struct HandoverPage {
    let rect: Rect
    let lines: [String]
    /// Text rows inside the box (the last row holds the hint).
    let rows: Int

    init(_ text: [String], width: Int, height: Int) {
        let w = max(10, min(width - 2, 130))
        lines = text.flatMap { line -> [String] in
            guard DisplayWidth.of(line) > w - 4 else { return [line] }
            let indent = String(line.prefix { $0 == " " }) + "  "
            let body = DisplayWidth.wrap(line, to: w - 4)
            return [body[0]] + DisplayWidth.wrap(body.dropFirst().joined(separator: " "), to: max(8, w - 4 - indent.count)).map { indent + $0 }
        }
        let h = max(4, min(height - 2, lines.count + 3))
        rect = Rect(x: max(0, (min(width, Int.max / 2) - w) / 2), y: max(1, (min(height, Int.max / 2) - h) / 2), width: w, height: h)
        rows = h - 3
    }

    /// A scroll position the page can show: the last line never leaves the bottom.
    func clamp(_ scroll: Int) -> Int { max(0, min(scroll, lines.count - rows)) }
}
