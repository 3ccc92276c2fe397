/// A policy that cannot be used, with the place in the file that says why.
/// `description` reads `FILE:LINE:COLUMN: error: MESSAGE`, the form editors
/// and compilers use, so a terminal click jumps to the spot.
public struct PolicyError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}
