import Surface

/// The mouse on the board (htop, k9s and lazygit style): a click selects
/// the row under it and focuses its pane, a second click on the selected
/// contact asks for the call's outcome (on a timeline entry: opens it), a
/// click on a key-bar entry does what its key does, the wheel scrolls the
/// list or the timeline under it. What a click lands on is what the last
/// frame drew there (`Frame.mark`), so it acts on what the operator sees.
extension Model {
    /// The key bar's pane number in a `Hit`.
    public static let keyBarPane = 10

    mutating func pointer(_ mouse: Mouse, _ hit: Hit?) -> [Command] {
        if mouse.kind == .press, let key = hit?.key { return apply(.key(key)) }
        if let overlay { return pointer(mouse, in: overlay) }
        guard let hit, let pane = Focus(rawValue: hit.pane) else { return [] }
        switch mouse.kind {
        case .wheelUp, .wheelDown:
            let step = mouse.kind == .wheelUp ? -1 : 1
            switch pane {
            case .list: scrollList(by: step)
            case .timeline: scrollTimeline(by: 3 * step)
            case .tiers, .contacts: break
            }
            return []
        case .press:
            break
        }
        notice = nil
        switch pane {
        case .list:
            setFocus(.list)
            if let id = hit.id, id != selectedID { selectedID = id; resetDetail() }
        case .tiers:
            setFocus(.tiers)
            if let row = hit.row { selectedTier = row; selectedContact = 0 }
        case .contacts:
            guard let row = hit.row else { setFocus(.contacts); return [] }
            if focus == .contacts, selectedContact == row, !contactsMoved { return pickOutcome() }
            setFocus(.contacts)
            if let e = selection(in: entries), e.ladder.rungs[shownTier(e)].contacts.indices.contains(row) { selectedContact = row }
        case .timeline:
            guard let row = hit.row else { setFocus(.timeline); return [] }
            if focus == .timeline, timelineCursor == row { openEntry(); return [] }
            setFocus(.timeline)
            if let e = selection(in: entries) { timelineCursor = min(max(0, row), max(0, e.incident.timelineCount - 1)) }
        }
        return []
    }

    /// In an overlay: the wheel scrolls what scrolls; a click closes what
    /// any key closes. A question or a prompt takes no click but on its
    /// key-bar answers: a stray click never answers it.
    private mutating func pointer(_ mouse: Mouse, in overlay: Overlay) -> [Command] {
        switch (overlay, mouse.kind) {
        case let (.panel(p), .wheelUp) where p.scrolls: return handle(.up, in: overlay)
        case let (.panel(p), .wheelDown) where p.scrolls: return handle(.down, in: overlay)
        case let (.panel(p), .press) where !p.scrolls: self.overlay = nil
        case (.help, .press), (.entry, .press): self.overlay = nil
        default: break
        }
        return []
    }

    /// The wheel over the list moves the selection (the list scrolls to it).
    private mutating func scrollList(by step: Int) {
        guard !entries.isEmpty else { return }
        let current = entries.firstIndex { $0.incident.id == selectedID } ?? 0
        let next = min(max(0, current + step), entries.count - 1)
        if entries[next].incident.id != selectedID { selectedID = entries[next].incident.id; resetDetail() }
    }
}
