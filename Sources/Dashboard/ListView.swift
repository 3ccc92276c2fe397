import Escalation
import Foundation
import Surface

extension Model {
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
            let (text, role) = emptyListText()
            f.put(text, x: inner.x + 2, y: inner.y + 1, role: role, limit: inner.width - 2)
            return
        }
        let selIndex = list.firstIndex { $0.incident.id == selected?.incident.id } ?? 0
        let first = max(0, min(selIndex - rows / 2, list.count - rows))
        for (row, e) in list.dropFirst(first).prefix(rows).enumerated() {
            drawRow(&f, e, y: inner.y + 1 + row, index: first + row, inner: inner, cols: cols, selected: e.incident.id == selected?.incident.id)
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

    /// What an empty list says: never a calm "all clear" while the store
    /// cannot be read.
    func emptyListText() -> (String, Role) {
        if !filter.isEmpty { return ("No incident matches “\(filter.sanitized)”. Esc clears the filter.", .dim) }
        if alarm.waitingFor != nil { return ("No store to read yet: not all clear, nothing is known (see above).", .overdue) }
        if alarm.isBlind { return ("No open incidents in what could be read: part of the store is unreadable.", .overdue) }
        if case .failure = directory {
            return ("No open incidents, but NEW INCIDENTS CANNOT BE OPENED: the policy file does not parse (see above).", .overdue)
        }
        return (incidents.isEmpty ? "No incidents recorded in this store yet." : "No open incidents. All clear.", .dim)
    }

    /// What the detail pane says with no incident selected: the key that
    /// opens one as bound, and never that key while opening is refused.
    func emptyDetailText() -> (String, Role) {
        if readOnly { return ("Nothing to show. This viewer only watches: incidents are opened at a dashboard.", .dim) }
        if case .failure = directory { return ("New incidents cannot be opened: the policy file does not parse (see above).", .overdue) }
        // Each key as bound; one the config left unbound is not offered.
        let (new, command) = (bindings.name(.new), bindings.name(.command))
        let ways = [new.isEmpty ? nil : "press \(new) to open an incident", command.isEmpty ? nil : "\(command) for the command line"].compactMap { $0 }
        guard !ways.isEmpty else { return ("No incident selected.", .dim) }
        let text = ways.joined(separator: ", or ")
        return (text.prefix(1).uppercased() + text.dropFirst() + ".", .dim)
    }

    /// One incident's row: symbol, id, severity, state, tier, what is due
    /// and when, customer, title; the selection bar and a new breach's flash.
    func drawRow(_ f: inout Frame, _ e: Board.Entry, y: Int, index: Int, inner: Rect, cols: ListColumns, selected: Bool) {
        f.mark(Rect(x: inner.x, y: y, width: inner.width, height: 1), Hit(pane: Focus.list.rawValue, row: index, id: e.incident.id))
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
        if selected {
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
}
