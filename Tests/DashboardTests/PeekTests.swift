import Dashboard
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
    static func readOnlyRefusal() -> Model {
        var m = Board.model(Board.several, readOnly: true)
        _ = m.update(.key(.char("a")))
        return m
    }
}
