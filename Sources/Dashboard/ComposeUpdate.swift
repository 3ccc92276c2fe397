import Escalation
import Foundation
import Intake
import Surface

/// The customer update's editor (`u`): its opening, its keys and its
/// drawing, in one place.
extension Model {
    /// `u`: when the customer has update recipients in the policy in force,
    /// the update drafted from the incident (as `tierwatch update --draft`
    /// makes it), to edit and send; else the one-line record of an update
    /// given otherwise, saying why nothing is sent from here.
    mutating func openUpdate(_ e: Board.Entry) {
        let id = e.incident.id
        if let since = sending[id] {
            notice = Notice(text: "an update for \(id) is on its way (since \(Words.shortTime(since, now: now))): its result comes first", isError: true)
            return
        }
        func recordOnly(_ why: String) {
            overlay = .prompt(Prompt(purpose: .customerUpdate(incident: id), text: "", hint: why))
        }
        guard let customer = e.incident.customer else { return recordOnly("\(id) has no customer, so nothing is sent from here") }
        let policy: Policy
        switch directory {
        case let .failure(p): return recordOnly("nothing is sent from here while the policy does not parse (\(p.message.sanitized))")
        case let .success(p): policy = p
        }
        let urls = policy.updateRecipients[customer] ?? []
        guard !urls.isEmpty else {
            return recordOnly("\(customer.sanitized) has no update recipients in the policy, so nothing is sent from here")
        }
        let draft = CustomerUpdateDraft(e, templates: policy, now: now)
        // What the operator sees is what goes: the draft's own text, with
        // anything a terminal would act on taken out, line by line.
        let body = draft.body.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).sanitized }.joined(separator: "\n")
        overlay = .composeUpdate(UpdateComposer(incident: id, title: draft.title.sanitized, recipients: urls.map(AppriseURL.describe),
                                                urls: urls, text: TextArea(body), drafted: body))
    }

    /// A key in the editor: text keys edit; ^D sends; Esc leaves (asking
    /// first when the draft was edited: edits are not thrown away by one key).
    mutating func handleCompose(_ key: Key, _ composer: UpdateComposer) -> [Command] {
        var c = composer
        if c.discarding {
            if key == .char("y") || key == .char("Y") {
                overlay = nil
                notice = Notice(text: "update discarded: nothing was sent for \(c.incident)", isError: false)
                return []
            }
            c.discarding = false
            overlay = .composeUpdate(c)
            return []
        }
        switch key {
        case .ctrl("d"):
            let body = c.text.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !body.isEmpty else {
                c.hint = "the update is empty: nothing to send"
                overlay = .composeUpdate(c)
                return []
            }
            overlay = nil
            sending[c.incident] = now
            notice = Notice(text: "sending the update for \(c.incident) to \(c.recipients.joined(separator: ", "))…", isError: false)
            return [.sendUpdate(incident: c.incident, title: c.title, body: body, urls: c.urls)]
        case .escape:
            if c.text.text == c.drafted {
                overlay = nil
                notice = Notice(text: "no update sent", isError: false)
                return []
            }
            c.discarding = true
        default:
            _ = c.text.handle(key)
        }
        overlay = .composeUpdate(c)
        return []
    }

    /// The answer to `Command.sendUpdate`.
    mutating func updateSent(_ id: String, text: String, isError: Bool) {
        sending[id] = nil
        notice = Notice(text: text, isError: isError)
    }

    static let composeKeys: [(String, String)] = [("^D", "Send"), ("Esc", "Cancel"), ("Enter", "New line"), ("↑↓←→", "Move")]

    /// The editor, centred: to whom, the subject, the text with its
    /// cursor, and what the keys do (or the question Esc asked).
    func drawComposer(_ f: inout Frame, _ c: UpdateComposer) {
        let w = min(f.width - 4, 100)
        let textWidth = w - 4
        let laid = c.text.layout(width: textWidth)
        let h = min(f.height - 2, max(12, laid.rows.count + 8))
        let r = Rect(x: (f.width - w) / 2, y: max(1, (f.height - h) / 2), width: w, height: h)
        f.fill(r, role: .help)
        box(&f, r, title: "Customer update\(glyphs.separator)\(c.incident)", focused: true)
        f.put("To: " + c.recipients.joined(separator: ", "), x: r.x + 2, y: r.y + 1, role: .help, limit: textWidth)
        f.put("Subject: " + c.title, x: r.x + 2, y: r.y + 2, role: .help, limit: textWidth)
        f.put(String(repeating: glyphs == .ascii ? "-" : "─", count: textWidth), x: r.x + 2, y: r.y + 3, role: .dim)
        // The text, scrolled to keep the cursor in sight.
        let visible = h - 6
        let top = max(0, laid.cursorRow - visible + 1)
        for (k, row) in laid.rows.dropFirst(top).prefix(visible).enumerated() {
            f.put(row, x: r.x + 2, y: r.y + 4 + k, role: .help, limit: textWidth)
        }
        f.restyle(Rect(x: r.x + 2 + laid.cursorX, y: r.y + 4 + laid.cursorRow - top, width: 1, height: 1), role: .selection)
        let y = r.maxY - 2
        if c.discarding {
            f.put("Discard your edited update? y discards it · any other key goes back to it", x: r.x + 2, y: y, role: .error, limit: textWidth)
        } else if let hint = c.hint {
            f.put("\(glyphs.warning) \(hint.sanitized)", x: r.x + 2, y: y, role: .headerWarning, limit: textWidth)
        } else {
            f.put("^D sends it now · Esc cancels · Enter starts a new line", x: r.x + 2, y: y, role: .dim, limit: textWidth)
        }
    }
}
