/// A key, as the terminal backend decodes it.
public enum Key: Equatable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    /// Shift with ← and → (replay's ten-minute steps).
    case shiftLeft, shiftRight
    case tab, backTab, enter, escape, backspace, delete
    case function(Int)
    /// Ctrl with a letter, as the lower-case letter (`.ctrl("d")`: ^D sends
    /// a composed customer update). Never typed into text.
    case ctrl(Character)
    /// A mouse press or a turn of the wheel, at a cell.
    case mouse(Mouse)
}

/// What the mouse did, and where (columns and rows from the top left).
public struct Mouse: Equatable, Sendable {
    public enum Kind: Sendable, Equatable { case press, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

/// What is drawn at a place on screen, for a click there: a view marks its
/// rows and panes as it draws them (`Frame.mark`), and a click is answered
/// with the last mark under it. Panes and rows are numbered by the screen.
public struct Hit: Equatable, Sendable {
    public var pane: Int
    /// A row of the pane (its position in what the pane lists), if any.
    public var row: Int?
    /// What the row is (an incident's id), if it has an identity.
    public var id: String?
    /// A key-bar entry: the key it stands for.
    public var key: Key?
    public init(pane: Int, row: Int? = nil, id: String? = nil, key: Key? = nil) {
        self.pane = pane
        self.row = row
        self.id = id
        self.key = key
    }
}
