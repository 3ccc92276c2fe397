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
}
