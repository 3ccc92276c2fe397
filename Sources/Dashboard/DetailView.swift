import Escalation
import Foundation
import Surface

extension Model {
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
            let (hint, role) = emptyDetailText()
            f.put(hint, x: r.x + 2, y: r.y + 1, role: role, limit: r.width - 4)
            return
        }
        let i = e.incident
        box(&f, r, title: "\(i.id)\(glyphs.separator)\(i.title.sanitized)", focused: false)
        let inner = r.inner
        var line1 = "\((i.customer ?? "no customer").sanitized)\(glyphs.separator)\(i.severity.rawValue)\(glyphs.separator)\(i.state.rawValue)"
        var stamps = Words.stamps(i, short: true, time: shortTime)
        stamps[0] += " (\(Words.ago(i.opened.at, now: now)))"
        line1 += stamps.map { glyphs.separator + $0 }.joined()
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
                put(Words.bar(rung.progress, width: barWidth, full: String(glyphs.barFull), empty: String(glyphs.barEmpty)),
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
            let outcome = contactStatusLine(e, c, isNext: isNext)
            if perContact == 2 {
                f.put("   " + outcome, x: inner.x + 3, y: y + 1, role: isNext ? .active : c.outcome == nil ? .dim : .normal, limit: inner.width - 3)
            }
            if focus == .contacts && k == selectedContact {
                f.restyle(Rect(x: inner.x + 3, y: y, width: inner.width - 3, height: 1), role: .selection)
            }
        }
        drawOtherTiers(&f, e, except: tier, inner: inner, from: inner.y + (rung.contacts.count - first) * perContact + 1)
    }

    /// A contact's second line: what tierwatch is doing about them first
    /// (a call ringing, serve's next try, a try not made: it changes what
    /// to do, so it is cut last), then how the last call went, who is on
    /// call until when, their time and note.
    func contactStatusLine(_ e: Board.Entry, _ c: Ladder.ContactStatus, isNext: Bool) -> String {
        let person = c.callee.person
        var outcome = Words.lastCall(c, never: "not yet called", separator: glyphs.separator, time: shortTime)
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
        return (lead + [outcome]).joined(separator: glyphs.separator)
    }

    /// Room to spare (a big screen): the other tiers with people still to
    /// reach, a line each, so all the open work is in view.
    func drawOtherTiers(_ f: inout Frame, _ e: Board.Entry, except tier: Int, inner: Rect, from top: Int) {
        var y = top
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
            let marks = Words.timelineMarks(entry, time: shortTime)
            if let backdated = marks.backdated { x += f.put("  [\(backdated)]", x: x, y: y, role: .backdated, limit: inner.maxX - x) }
            if let notApplied = marks.notApplied { f.put("  [\(notApplied)]", x: x, y: y, role: .stale, limit: inner.maxX - x) }
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
        if let notApplied = Words.timelineMarks(entry, time: shortTime).notApplied { text += "\n" + notApplied }
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
}
