import Surface

/// A few lines of text being edited, with a cursor: the customer update's
/// editor. Keys as in a terminal's line editor: arrows, Home/End, ^A/^E
/// (line start, end), ^K/^U (delete to the line's end, start), Enter a new
/// line. Lines wrap at the character where they meet the edge.
public struct TextArea: Equatable, Sendable {
    /// Never empty; no line holds a newline.
    public private(set) var lines: [String]
    /// The cursor: a line, and a place in it counted in characters.
    public private(set) var row: Int
    public private(set) var column: Int
    /// Text beyond this many characters is not taken (the store's limit on a message).
    public static let maxCharacters = 4096

    /// `text`, with the cursor at its end.
    public init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        row = lines.count - 1
        column = lines[row].count
    }

    public var text: String { lines.joined(separator: "\n") }
    var count: Int { lines.reduce(lines.count - 1) { $0 + $1.count } }

    /// Folds an editing key into the text; false for a key it does not take.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case let .char(c):
            guard DisplayWidth.of(c) > 0, count < TextArea.maxCharacters else { return true }
            insert(c)
        case .enter:
            guard count < TextArea.maxCharacters else { return true }
            let line = lines[row]
            column = min(column, line.count)
            let cut = line.index(line.startIndex, offsetBy: column)
            lines[row] = String(line[..<cut])
            lines.insert(String(line[cut...]), at: row + 1)
            row += 1
            column = 0
        case .backspace:
            if column > 0 {
                column -= 1
                remove(at: column)
            } else if row > 0 {
                column = lines[row - 1].count
                lines[row - 1] += lines.remove(at: row)
                row -= 1
            }
        case .delete:
            if column < lines[row].count {
                remove(at: column)
            } else if row + 1 < lines.count {
                lines[row] += lines.remove(at: row + 1)
            }
        case .left:
            if column > 0 { column -= 1 } else if row > 0 { row -= 1; column = lines[row].count }
        case .right:
            if column < lines[row].count { column += 1 } else if row + 1 < lines.count { row += 1; column = 0 }
        case .up:
            if row > 0 { row -= 1; column = min(column, lines[row].count) }
        case .down:
            if row + 1 < lines.count { row += 1; column = min(column, lines[row].count) }
        case .home, .ctrl("a"): column = 0
        case .end, .ctrl("e"): column = lines[row].count
        case .ctrl("k"):
            lines[row] = String(lines[row].prefix(column))
        case .ctrl("u"):
            lines[row] = String(lines[row].dropFirst(column))
            column = 0
        default:
            return false
        }
        return true
    }

    private mutating func insert(_ c: Character) {
        var line = Array(lines[row])
        let before = String(line[..<column]) + String(c)
        line.insert(c, at: column)
        lines[row] = String(line)
        // Characters may join (a flag's two halves, a skin tone, a spacing
        // mark): the cursor is counted again in what the line now holds.
        column = min(before.count, lines[row].count)
    }

    private mutating func remove(at k: Int) {
        var line = Array(lines[row])
        guard line.indices.contains(k) else { return }
        line.remove(at: k)
        lines[row] = String(line)
        column = min(column, lines[row].count)
    }

    /// The rows to draw at `width` columns (each line cut where it meets
    /// the edge) and the row and column of the cursor among them.
    public func layout(width: Int) -> (rows: [String], cursorRow: Int, cursorX: Int) {
        let width = max(2, width)
        var rows: [String] = []
        var cursor = (row: 0, x: 0)
        for (k, line) in lines.enumerated() {
            var current = "", used = 0, placed = false
            for (n, c) in line.enumerated() {
                let w = max(1, DisplayWidth.of(c))
                if used + w > width { rows.append(current); current = ""; used = 0 }
                if k == row && n == column { cursor = (rows.count, used); placed = true }
                current.append(c)
                used += w
            }
            if k == row && !placed {
                // At the line's end: on the next row when this one is full.
                if used >= width { rows.append(current); current = ""; used = 0 }
                cursor = (rows.count, used)
            }
            rows.append(current)
        }
        return (rows, cursor.row, cursor.x)
    }
}
