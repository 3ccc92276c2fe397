import Dashboard
import Surface
import Testing

/// Scenes for the frame tests; `SnapshotTests` holds what each must look like.
enum Scenes {
    static func empty() -> Model { Board.model([]) }
    static func fresh() -> Model {
        Board.model([Board.Builder("K3F9", title: "SIP trunk down", customer: "acme", severity: .sev1, openedMinutesAgo: 1)])
    }
    static func several() -> Model { Board.model(Board.several) }
    static func help() -> Model {
        var m = Board.model(Board.several)
        _ = m.update(.key(.char("?")))
        return m
    }
    static func evil() -> Model {
        Board.model([Board.Builder("EV11", title: "evil\u{1B}]0;pwned\u{07}\u{1B}[2J\u{9B}6n\r\n\u{202E}gnp.exe 東京",
                                   customer: "acme\u{1B}[31m", openedMinutesAgo: 2)])
    }
    /// Management breached with two managers never called, and the
    /// technical tier started by itself: the work is still the managers.
    static func breachedManagement() -> Model {
        Board.model([Board.Builder("M4NG", title: "Outbound calls dropping after 30 s", customer: "acme", severity: .sev1, openedMinutesAgo: 13)
            .add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), minutesAgo: 11)
            .add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .noAnswer, person: nil), minutesAgo: 2)])
    }

    /// A countdown more than ten hours long: a policy with a slow tier.
    static func longCountdown() -> Model {
        let yaml = """
        name: slow
        tiers:
          - { id: desk, name: Desk, contacts: [Desk], require: none }
          - { id: review, name: Next-day review, notify_within: 14h, contacts: [Problem Manager] }
        """
        let b = Board.Builder("L0NG", title: "Intermittent fax failures", customer: "globex", severity: .sev4, openedMinutesAgo: 5, policy: yaml)
        return Board.model([b])
    }

    /// A timeline entry far longer than any pane, focused in the timeline.
    static func longNote() -> Model {
        let note = "Carrier says the fault is in their Frankfurt core; ticket 55123; they are rerouting via Amsterdam, "
            + "expect 20 minutes of one-way audio on trunk groups 4 and 7 while BGP converges; next call with their NOC at 18:30Z."
        var m = Board.model([Board.Builder("T1ME", title: "SIP trunk down in Frankfurt PoP", customer: "initech", openedMinutesAgo: 4)
            .add(.note(message: note), minutesAgo: 1)])
        for key in [Key.tab, .tab, .tab, .enter] { _ = m.update(.key(key)) }
        return m
    }

    static func readOnlyRefusal() -> Model {
        var m = Board.model(Board.several, readOnly: true)
        _ = m.update(.key(.char("a")))
        return m
    }
}
