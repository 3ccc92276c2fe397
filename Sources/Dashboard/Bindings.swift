import Escalation
import Surface

/// What a key does on the board (outside a question or a prompt); its raw
/// value is its name in the config file's `keys:`. A panel declares its
/// own beside it (`OnCallPanel.swift`: `KeyAction.onCall`).
public struct KeyAction: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// One of `allCases`, or nil.
    public init?(rawValue: String) {
        guard KeyAction.allCases.contains(where: { $0.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    init(_ name: String) { rawValue = name }

    public var description: String { rawValue }

    public static let up = KeyAction("up"), down = KeyAction("down"), pageUp = KeyAction("page_up"), pageDown = KeyAction("page_down")
    public static let top = KeyAction("top"), bottom = KeyAction("bottom")
    public static let nextPane = KeyAction("next_pane"), previousPane = KeyAction("previous_pane")
    public static let acknowledge = KeyAction("acknowledge"), escalate = KeyAction("escalate"), resolve = KeyAction("resolve")
    public static let update = KeyAction("update"), note = KeyAction("note"), new = KeyAction("new")
    public static let reached = KeyAction("reached"), voicemail = KeyAction("voicemail"), noAnswer = KeyAction("no_answer"), call = KeyAction("call")
    public static let open = KeyAction("open"), command = KeyAction("command"), filter = KeyAction("filter")
    public static let clearFilter = KeyAction("clear_filter"), sort = KeyAction("sort"), showResolved = KeyAction("show_resolved")
    public static let replay = KeyAction("replay"), help = KeyAction("help"), quit = KeyAction("quit")

    /// Every action, in the order `tierwatch config show` lists them: the
    /// panels' after "show resolved".
    public static let allCases: [KeyAction] = {
        let board: [KeyAction] = [.up, .down, .pageUp, .pageDown, .top, .bottom, .nextPane, .previousPane,
                                  .acknowledge, .escalate, .resolve, .update, .note, .new, .reached, .voicemail, .noAnswer, .call,
                                  .open, .command, .filter, .clearFilter, .sort, .showResolved, .replay, .help, .quit]
        let at = board.firstIndex(of: .showResolved)! + 1
        return Array(board[..<at]) + Panels.all.map { $0.opener.action } + Array(board[at...])
    }()
}

/// The board's keys: one table that the key handling, the key bar, the
/// help screen and the guide's key table are all read from, and that the
/// config file's `keys:` rebinds. The answers of a question (y/n, the
/// call outcome's r/v/n, a prompt's Enter and Esc) are not in it: they are
/// the same everywhere, as the question on screen says.
public struct Bindings: Sendable, Equatable {
    public struct Binding: Sendable, Equatable {
        public let action: KeyAction
        public var keys: [Key]
        /// Only in the contacts pane, where it comes before the board's own.
        public let contactsOnly: Bool
    }

    public private(set) var table: [Binding]

    /// The keys as shipped: the board's, with each panel's after "show resolved".
    public static let defaults = Bindings(table: panelsAfter(.showResolved, in: [
        Binding(action: .up, keys: [.up, .char("k")], contactsOnly: false),
        Binding(action: .down, keys: [.down, .char("j")], contactsOnly: false),
        Binding(action: .pageUp, keys: [.pageUp], contactsOnly: false),
        Binding(action: .pageDown, keys: [.pageDown], contactsOnly: false),
        Binding(action: .top, keys: [.home], contactsOnly: false),
        Binding(action: .bottom, keys: [.end], contactsOnly: false),
        Binding(action: .nextPane, keys: [.tab], contactsOnly: false),
        Binding(action: .previousPane, keys: [.backTab], contactsOnly: false),
        Binding(action: .reached, keys: [.char("r")], contactsOnly: true),
        Binding(action: .voicemail, keys: [.char("v")], contactsOnly: true),
        Binding(action: .noAnswer, keys: [.char("n")], contactsOnly: true),
        Binding(action: .call, keys: [.char("c")], contactsOnly: true),
        Binding(action: .acknowledge, keys: [.char("a"), .function(2)], contactsOnly: false),
        Binding(action: .escalate, keys: [.char("e"), .function(3)], contactsOnly: false),
        Binding(action: .resolve, keys: [.char("r"), .function(4)], contactsOnly: false),
        Binding(action: .update, keys: [.char("u"), .function(5)], contactsOnly: false),
        Binding(action: .note, keys: [.char("m"), .function(6)], contactsOnly: false),
        Binding(action: .new, keys: [.char("n"), .function(7)], contactsOnly: false),
        Binding(action: .open, keys: [.enter, .char(" ")], contactsOnly: false),
        Binding(action: .command, keys: [.char(":")], contactsOnly: false),
        Binding(action: .filter, keys: [.char("/"), .function(8)], contactsOnly: false),
        Binding(action: .clearFilter, keys: [.escape], contactsOnly: false),
        Binding(action: .sort, keys: [.char("s"), .function(9)], contactsOnly: false),
        Binding(action: .showResolved, keys: [.char("A")], contactsOnly: false),
        Binding(action: .replay, keys: [.char("P")], contactsOnly: false),
        Binding(action: .help, keys: [.char("?"), .char("h"), .function(1)], contactsOnly: false),
        Binding(action: .quit, keys: [.char("q"), .function(10)], contactsOnly: false),
    ]))

    private static func panelsAfter(_ action: KeyAction, in table: [Binding]) -> [Binding] {
        var t = table
        let at = (t.firstIndex { $0.action == action } ?? t.count - 1) + 1
        t.insert(contentsOf: Panels.all.map { Binding(action: $0.opener.action, keys: $0.opener.keys, contactsOnly: false) }, at: at)
        return t
    }

    /// What `key` does with `focus` in front, if anything.
    public func action(for key: Key, inContacts: Bool) -> KeyAction? {
        if inContacts, let b = table.first(where: { $0.contactsOnly && $0.keys.contains(key) }) { return b.action }
        return table.first { !$0.contactsOnly && $0.keys.contains(key) }?.action
    }

    public func keys(_ action: KeyAction) -> [Key] { table.first { $0.action == action }?.keys ?? [] }

    /// The first key of an action, as the key bar shows it ("" when unbound).
    public func name(_ action: KeyAction) -> String { keys(action).first.map(Bindings.name) ?? "" }

    /// Two actions shown as one key-bar entry (↑↓): their first keys.
    public func pair(_ a: KeyAction, _ b: KeyAction) -> String {
        let (x, y) = (name(a), name(b))
        if x.isEmpty || y.isEmpty { return x + y }
        return DisplayWidth.of(x) == 1 && DisplayWidth.of(y) == 1 ? x + y : x + "/" + y
    }

    /// Gives `action` these keys. A key another action of the same place
    /// had is taken from it; the answer lists each, and whether that left
    /// the other action without any key.
    @discardableResult
    public mutating func rebind(_ action: KeyAction, to keys: [Key]) -> [(key: Key, from: KeyAction, emptied: Bool)] {
        guard let k = table.firstIndex(where: { $0.action == action }) else { return [] }
        var taken: [(key: Key, from: KeyAction, emptied: Bool)] = []
        for other in table.indices where other != k && table[other].contactsOnly == table[k].contactsOnly {
            for key in keys where table[other].keys.contains(key) {
                table[other].keys.removeAll { $0 == key }
                taken.append((key, table[other].action, table[other].keys.isEmpty))
            }
        }
        table[k].keys = keys
        return taken
    }

    /// Where each action's keys came from: the config file's place, or nil (the default).
    public private(set) var sources: [KeyAction: String] = [:]

    /// The defaults with the config file's `keys:` over them. An unknown
    /// action or key name is a warning naming its file, line and column,
    /// and that action keeps its keys; so is a key taken from another action.
    public static func configured(_ entries: [String: ConfigFile.KeyEntry]) -> (bindings: Bindings, warnings: [String]) {
        var b = Bindings.defaults
        var warnings: [String] = []
        for entry in entries.values.sorted(by: { $0.order.lexicographicallyPrecedes($1.order) }) {
            guard let action = KeyAction(rawValue: entry.action) else {
                warnings.append("\(entry.place): warning: no action '\(entry.action.sanitized)' to bind\(Suggest.didYouMean(entry.action, among: KeyAction.allCases.map(\.rawValue))) (ignored)")
                continue
            }
            var keys: [Key] = []
            var bad = false
            for (name, place) in entry.keys {
                guard let key = Bindings.key(named: name) else {
                    warnings.append("\(place): warning: '\(name.sanitized)' is not a key (a character, F1–F12, C-x, Up, Down, Left, Right, PgUp, PgDn, Home, End, Tab, S-Tab, Enter, Esc, Backspace, Del, Space); \(action.rawValue) keeps its keys")
                    bad = true
                    break
                }
                if !keys.contains(key) { keys.append(key) }
            }
            guard !bad else { continue }
            if keys.isEmpty {
                warnings.append("\(entry.place): warning: \(action.rawValue) is given no key; it keeps its keys")
                continue
            }
            // Taking a key from another action is the user's choice; leaving
            // that action with no key at all is said (it can no longer be done).
            for t in b.rebind(action, to: keys) where t.emptied {
                warnings.append("\(entry.place): warning: \(Bindings.name(t.key)) was \(t.from.rawValue)'s only key; \(t.from.rawValue) now has none")
            }
            b.sources[action] = entry.place
        }
        return (b, warnings)
    }

    // MARK: Key names

    static let named: [(String, Key)] = [
        ("Up", .up), ("Down", .down), ("Left", .left), ("Right", .right), ("PgUp", .pageUp), ("PgDn", .pageDown),
        ("Home", .home), ("End", .end), ("Tab", .tab), ("S-Tab", .backTab), ("Enter", .enter), ("Esc", .escape),
        ("Backspace", .backspace), ("Del", .delete), ("Space", .char(" ")),
    ]

    /// A key as written in the config file and shown on screen: a
    /// character (`a`, `A`, `?`), F1–F12, C-x (Ctrl with a letter), or
    /// Up Down Left Right PgUp PgDn Home End Tab S-Tab Enter Esc Backspace Del Space.
    public static func key(named text: String) -> Key? {
        if let found = named.first(where: { $0.0.lowercased() == text.lowercased() }) { return found.1 }
        if text.count == 1, let c = text.first, DisplayWidth.of(c) > 0 { return .char(c) }
        if text.hasPrefix("F") || text.hasPrefix("f"), let n = Int(text.dropFirst()), (1...12).contains(n) { return .function(n) }
        if text.count == 2, text.hasPrefix("^"), let c = text.last?.lowercased().first, c.isASCII, c.isLetter, !"hijm".contains(c) {
            return .ctrl(c)  // as shown: ^D
        }
        if text.count == 3, text.lowercased().hasPrefix("c-"), let c = text.last?.lowercased().first, c.isASCII, c.isLetter,
           !"hijm".contains(c) {  // ^H ^I ^J ^M are Backspace, Tab and Enter
            return .ctrl(c)
        }
        return nil
    }

    /// A key as written in the config file (`Up`, `C-d`), where `name`
    /// draws it (`↑`, `^D`).
    public static func configName(_ key: Key) -> String {
        switch key {
        case .up, .down, .left, .right: named.first { $0.1 == key }?.0 ?? "?"
        case let .ctrl(c): "C-" + String(c)
        default: name(key)
        }
    }

    public static func name(_ key: Key) -> String {
        switch key {
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .char(" "): "Space"
        case let .char(c): String(c)
        case let .function(n): "F\(n)"
        case let .ctrl(c): "^" + c.uppercased()
        default: named.first { $0.1 == key }?.0 ?? "?"
        }
    }

    // MARK: Help

    /// The help screen's lines: which actions, what they do in a line, and
    /// in full for the guide's key table.
    static let help: [(actions: [KeyAction], text: String, doc: String)] = withPanels(after: .showResolved, [
        ([.up, .down], "select an incident (a tier, a contact, an entry: Tab)",
         "select an incident (or a tier, a contact, a timeline entry: see the panes)"),
        ([.nextPane, .previousPane], "move between list, tiers, contacts and timeline",
         "move between the list, the tiers, the contacts and the timeline"),
        ([.acknowledge], "acknowledge the selected incident", "acknowledge the selected incident"),
        ([.escalate], "escalate to the next tier (y/n to confirm)", "escalate to the next tier (asks: `y` yes, `n`/`Esc` no)"),
        ([.resolve], "resolve (optional message, then y/n to confirm)", "resolve: an optional message, then `y` to confirm (every timer stops)"),
        ([.update, .note], "send the customer an update (edit, ^D sends) / add a note",
         "send the customer a status update: the draft opens in an editor, `^D` sends it to the customer's recipients (see [serve.md](serve.md#customer-updates-sent)); without recipients, records an update given otherwise · add a note"),
        ([.new], "open a new incident (title, customer, severity)", "open a new incident (title, customer, severity; `Enter` at the severity means sev2)"),
        ([.call, .reached, .voicemail, .noAnswer], "in the contacts pane: dial · reached, voicemail, no answer",
         "in the contacts pane: `c` has tierwatch call the selected contact through the policy's dialer and record the outcome from the telephony (see [voice.md](voice.md)); `r` `v` `n` record a call made by hand: reached, voicemail, no answer"),
        ([.open], "contacts: record a call · timeline: open an entry",
         "on a contact: ask for the call's outcome (`r`/`Enter`, `v`, `n`; `Esc` records nothing) · in the timeline: open the entry in full · in the list: go to the contacts"),
        ([.command], "commands: :ack K3F9  :notify K3F9 am  :resolve K3F9 done",
         "command line: `:ack K3F9`, `:escalate K3F9 ceo`, `:call K3F9 am` (tierwatch dials), `:notify K3F9 am voicemail` (a call made by hand), `:resolve K3F9 restored`, `:update K3F9 …`, `:note K3F9 …`, `:reopen K3F9`, `:raise TITLE`, `:filter TEXT`, `:sort urgency\\|severity\\|opened`, `:q`; a mistyped id, tier or contact is answered with the nearest one"),
        ([.filter, .clearFilter], "filter the list · clear the filter", "filter the list as you type · clear the filter"),
        ([.sort], "sort by urgency, severity or opening time", "sort by urgency, severity or opening time"),
        ([.showResolved], "show or hide incidents resolved in the last day",
         "show or hide incidents resolved in the last day (older ones: `tierwatch list --all`, `show ID`)"),
        ([.replay], "replay the selected incident",
         "replay the selected incident: the dashboard as it was at any minute (see \"Replay\"; `Esc` is live again)"),
        ([.pageUp, .pageDown], "scroll the timeline", "scroll the timeline"),
        ([.top, .bottom], "the first and the last incident", "select the first or the last incident of the list"),
        ([.help, .quit], "this help · quit", "help (any key closes it) · quit"),
    ])

    /// The help's lines with the panels': each on a line of its own after
    /// `action`'s, in `Panels.all`'s order, or after the action it joins.
    private static func withPanels(after action: KeyAction, _ rows: [(actions: [KeyAction], text: String, doc: String)])
        -> [(actions: [KeyAction], text: String, doc: String)] {
        var rows = rows
        var at = (rows.firstIndex { $0.actions.contains(action) } ?? rows.count - 1) + 1
        for o in Panels.all.map({ $0.opener }) {
            if let joins = o.joins, let k = rows.firstIndex(where: { $0.actions.contains(joins) }) {
                rows[k] = (rows[k].actions + [o.action], rows[k].text + " · " + o.help, rows[k].doc + " · " + o.guide)
            } else {
                rows.insert(([o.action], o.help, o.guide), at: at)
                at += 1
            }
        }
        return rows
    }

    /// The help screen's lines, with the keys in force.
    public var helpLines: [(keys: String, text: String)] {
        Bindings.help.map { actions, text, _ in
            (actions.map { keys($0).map(Bindings.name).joined(separator: " ") }.filter { !$0.isEmpty }.joined(separator: "  "), text)
        }
    }

    /// The guide's key table (docs/guide.md), in Markdown, with the keys
    /// in force: `tierwatch config keys` prints it.
    public var markdown: String {
        var out = "| key | does |\n|---|---|\n"
        for (actions, _, doc) in Bindings.help {
            let cells = actions.flatMap { keys($0).map { "`\(Bindings.name($0) == "|" ? "\\|" : Bindings.name($0))`" } }
            out += "| \(cells.joined(separator: " ")) | \(doc) |\n"
        }
        return out
    }
}
