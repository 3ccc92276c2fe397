/// A policy that cannot be used, with the place in the file that says why.
/// `description` reads `FILE:LINE:COLUMN: error: MESSAGE`, the form editors
/// and compilers use, so a terminal click jumps to the spot.
public struct PolicyError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// A warning names something valid but probably unmeant; the policy
    /// still loads.
    public var isWarning: Bool

    public init(file: String, line: Int, column: Int, message: String, isWarning: Bool = false) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.isWarning = isWarning
    }

    public var description: String { "\(file):\(line):\(column): \(isWarning ? "warning" : "error"): \(message)" }
}
