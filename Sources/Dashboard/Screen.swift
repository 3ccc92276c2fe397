import Surface
/// What the run loop drives: the operator's dashboard (`Model`) and the
/// NOC wall (`Wall`) are both a state that folds messages into commands and
/// draws itself into a frame.
public protocol Screen {
    mutating func update(_ message: Message) -> [Command]
    func view(width: Int, height: Int) -> Frame
}

extension Model: Screen {}
