/// What a screen shows: a grid of cells, each a character with a style role.
/// `view` builds a whole frame; the terminal backend sends only what differs
/// from the last one it drew. Tests render frames to text and compare.
public struct Frame: Equatable, Sendable {
    /// One cell: its character's first (almost always only) scalar and its
    /// style, as plain values with no references. The wall builds a frame
    /// and compares it with the last one every second; cells that held a
    /// `Character` (a string) cost a retain and a release at every copy and a
    /// string comparison at every diff, which was most of an idle wall's CPU.
    public struct Cell: Equatable, Sendable {
        public var scalar: Unicode.Scalar
        public var role: Role
        /// The right half of a double-width character drawn in the cell before.
        public var isContinuation: Bool
        /// The character has more scalars than one (a combining mark, an
        /// emoji sequence): the frame keeps it whole, see `character(at:)`.
        public var isCluster: Bool
        /// Fills the cell to 8 bytes with no padding, so that a row of
        /// cells can be compared as bytes (`Terminal.present`).
        private var reserved: UInt8 = 0

        public init(scalar: Unicode.Scalar, role: Role, isContinuation: Bool = false, isCluster: Bool = false) {
            self.scalar = scalar
            self.role = role
            self.isContinuation = isContinuation
            self.isCluster = isCluster
        }

        public static let blank = Cell(scalar: " ", role: .normal)
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// The characters of more than one scalar, by cell index: rare, so kept
    /// aside rather than making every cell large.
    private var clusters: [Int: Character] = [:]
    /// What is where, for the mouse: later marks lie over earlier ones.
    public private(set) var marks: [(rect: Rect, hit: Hit)] = []

    public static func == (a: Frame, b: Frame) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells && a.clusters == b.clusters
    }

    /// Marks a place as showing `hit` (see `Hit`).
    public mutating func mark(_ rect: Rect, _ hit: Hit) { marks.append((rect, hit)) }

    /// What the last mark over a cell says is there.
    public func hit(x: Int, y: Int) -> Hit? {
        marks.last { $0.rect.x <= x && x < $0.rect.maxX && $0.rect.y <= y && y < $0.rect.maxY }?.hit
    }

    public init(width: Int, height: Int) {
        assert(MemoryLayout<Cell>.size == 8 && MemoryLayout<Cell>.stride == 8, "cells are compared as 8-byte words")
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Whether any cell holds a character of several scalars.
    public var hasClusters: Bool { !clusters.isEmpty }

    /// The character in cell `index` (`y * width + x`).
    public func character(at index: Int) -> Character {
        let cell = cells[index]
        return cell.isCluster ? clusters[index] ?? Character(cell.scalar) : Character(cell.scalar)
    }

    public func character(x: Int, y: Int) -> Character { character(at: y * width + x) }

    /// What ends text cut to fit (`~` where the terminal is not UTF-8).
    public var ellipsis: Unicode.Scalar = "…"

    /// Writes `text` at (x, y) in `role`, clipped at `limit` columns (default:
    /// the frame's right edge). Returns the columns used. Text must already
    /// be sanitised; text that does not fit ends in `ellipsis` in the last
    /// column it may use, so nothing is cut off without a sign.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .normal, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let end = min(width, x + (limit ?? width))
        var col = x
        // Printable ASCII, most of what any screen shows: a byte is a
        // character one column wide, with no grapheme breaking to do, and
        // the run is stored in one go like `fill` (the wall writes some ten
        // thousand characters a second).
        if let used = text.utf8.withContiguousStorageIfAvailable({ putASCII($0, x: x, y: y, end: end, role: role) }), let used {
            return used
        }
        for ch in text {
            let w = DisplayWidth.of(ch)
            if w == 0 { continue }
            if col + w > end {
                // Cut text ends in an ellipsis, in the last column it may use.
                if col < end && col >= 0 { set(col, y, Cell(scalar: ellipsis, role: role)) }
                else if col == end, col - 1 >= max(x, 0) { set(col - 1, y, Cell(scalar: ellipsis, role: role)) }
                break
            }
            if col >= 0 {
                set(col, y, ch, role: role)
                if w == 2 { set(col + 1, y, Cell(scalar: " ", role: role, isContinuation: true)) }
            }
            col += w
        }
        return col - x
    }

    /// `put` for bytes that are all printable ASCII; nil if they are not.
    private mutating func putASCII(_ bytes: UnsafeBufferPointer<UInt8>, x: Int, y: Int, end: Int, role: Role) -> Int? {
        for b in bytes where b < 0x20 || b >= 0x7F { return nil }
        let first = max(x, 0), last = min(end, x + bytes.count)  // the columns written
        guard first < last else { return max(0, min(bytes.count, end - x)) }
        storeRun(y: y, first..<last) { Cell(scalar: Unicode.Scalar(bytes[$0 - x]), role: role) }
        // Cut text ends in an ellipsis: nothing is cut off without a sign.
        if x + bytes.count > end, last - 1 >= first { set(last - 1, y, Cell(scalar: ellipsis, role: role)) }
        return last - x
    }

    /// Writes `cell(x)` into columns `columns` of row `y` (already clipped
    /// to the frame). Only the ends of a run can cut a wide character in
    /// two, so they go through `set`; the run itself is stored in one go
    /// (the wall writes some ten thousand cells a second).
    private mutating func storeRun(y: Int, _ columns: Range<Int>, _ cell: (Int) -> Cell) {
        set(columns.lowerBound, y, cell(columns.lowerBound))
        set(columns.upperBound - 1, y, cell(columns.upperBound - 1))
        let row = y * width
        if !clusters.isEmpty { for i in row + columns.lowerBound..<row + columns.upperBound where cells[i].isCluster { clusters[i] = nil } }
        cells.withUnsafeMutableBufferPointer { p in
            for c in columns { p[row + c] = cell(c) }
        }
    }

    /// Draws `other` with its top-left corner at (x, y), clipped to this frame.
    public mutating func paste(_ other: Frame, x: Int, y: Int) {
        for oy in 0..<other.height where y + oy >= 0 && y + oy < height {
            for ox in 0..<other.width where x + ox >= 0 && x + ox < width {
                let from = oy * other.width + ox, to = (y + oy) * width + x + ox
                if cells[to].isCluster { clusters[to] = nil }
                cells[to] = other.cells[from]
                if other.cells[from].isCluster { clusters[to] = other.clusters[from] }
            }
        }
    }

    /// Fills a rectangle with spaces in `role`.
    public mutating func fill(_ rect: Rect, role: Role) {
        fill(rect, with: " ", role: role)
    }

    /// Fills a rectangle with one character of one column (a block, for big
    /// digits) in `role`; anything wider or narrower fills with spaces.
    public mutating func fill(_ rect: Rect, with ch: Character, role: Role) {
        let cell = Cell(scalar: DisplayWidth.of(ch) == 1 && ch.unicodeScalars.count == 1 ? ch.unicodeScalars.first! : " ", role: role)
        let x0 = max(0, rect.x), x1 = min(width, rect.x + rect.width)
        guard x0 < x1 else { return }
        for y in max(0, rect.y)..<min(height, rect.y + rect.height) { storeRun(y: y, x0..<x1) { _ in cell } }
    }

    /// Restyles a rectangle without changing its characters.
    public mutating func restyle(_ rect: Rect, role: Role) {
        for y in max(0, rect.y)..<min(height, rect.y + rect.height) {
            for x in max(0, rect.x)..<min(width, rect.x + rect.width) {
                cells[y * width + x].role = role
            }
        }
    }

    private mutating func set(_ x: Int, _ y: Int, _ ch: Character, role: Role) {
        let scalars = ch.unicodeScalars
        let cluster = scalars.index(after: scalars.startIndex) != scalars.endIndex
        set(x, y, Cell(scalar: scalars.first!, role: role, isCluster: cluster))
        if cluster, x >= 0, x < width, y >= 0, y < height { clusters[y * width + x] = ch }
    }

    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = y * width + x
        // Overwriting half of a wide character blanks its other half.
        if cells[i].isContinuation, x > 0 { blank(i - 1) }
        if !cells[i].isContinuation, x + 1 < width, cells[i + 1].isContinuation, !cell.isContinuation { blank(i + 1) }
        if cells[i].isCluster { clusters[i] = nil }
        cells[i] = cell
    }

    private mutating func blank(_ i: Int) {
        if cells[i].isCluster { clusters[i] = nil }
        cells[i] = Cell(scalar: " ", role: cells[i].role)
    }

    /// The frame as text, one line per row, trailing spaces trimmed: what
    /// the tests compare against string literals.
    public var text: String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for x in 0..<width where !self[x, y].isContinuation { line.append(character(x: x, y: y)) }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The roles of one row, one letter per column (see `Role.letter`), for
    /// tests that check colour without a terminal.
    public func roles(row y: Int) -> [Role] {
        (0..<width).map { self[$0, y].role }
    }
}

public struct Rect: Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
}

/// Columns a character takes on a terminal: 2 for East Asian wide and
/// fullwidth characters and most emoji, 0 for combining marks and other
/// zero-width characters, else 1. Computed here rather than by wcwidth(3) so
/// that frames, and their tests, do not depend on the process's locale.
public enum DisplayWidth {
    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF,
        0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    public static func of(_ ch: Character) -> Int {
        guard let first = ch.unicodeScalars.first else { return 0 }
        let v = first.value
        if v < 0x300 { return v < 0x20 || (0x7F..<0xA0).contains(v) ? 0 : 1 }
        // Box drawing, blocks and the status symbols: every frame is full of
        // them, and the general-category lookup below is comparatively slow.
        if (0x2500...0x25FC).contains(v) && ch.unicodeScalars.count == 1 { return 1 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B { return 0 }
        // An emoji presentation selector makes a text symbol wide.
        if ch.unicodeScalars.contains("\u{FE0F}") { return 2 }
        var lo = 0, hi = wide.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if wide[mid].upperBound < v { lo = mid + 1 } else if wide[mid].lowerBound > v { hi = mid - 1 } else { return 2 }
        }
        return 1
    }

    /// Whether every byte of `s` is printable ASCII: one column each, no
    /// grapheme breaking needed (the screens' common case, every second).
    static func isPrintableASCII(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    public static func of(_ s: String) -> Int {
        isPrintableASCII(s) ? s.utf8.count : s.reduce(0) { $0 + of($1) }
    }

    /// `s` cut to at most `columns` columns, with `…` when it was cut.
    public static func truncate(_ s: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(s) <= columns { return s }
        if isPrintableASCII(s) { return String(s.utf8.prefix(columns - 1))! + "…" }
        var out = ""
        var used = 0
        for ch in s {
            let w = of(ch)
            if used + w > columns - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// `s` broken into lines of at most `columns` columns, at spaces where
    /// it can be (a word longer than a line is cut across lines).
    public static func wrap(_ s: String, to columns: Int) -> [String] {
        guard columns > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        var used = 0
        for word in s.split(separator: " ", omittingEmptySubsequences: false) {
            var w = String(word)
            var width = of(w)
            if used > 0 && used + 1 + width > columns {
                lines.append(line)
                line = ""
                used = 0
            }
            while width > columns {  // a word longer than a line
                var head = ""
                var hw = 0
                for ch in w {
                    let cw = of(ch)
                    if hw + cw > columns - used - (used > 0 ? 1 : 0) { break }
                    head.append(ch)
                    hw += cw
                }
                if head.isEmpty { lines.append(line); line = ""; used = 0; continue }
                lines.append(line + (used > 0 ? " " : "") + head)
                line = ""
                used = 0
                w.removeFirst(head.count)
                width = of(w)
            }
            line += (used > 0 ? " " : "") + w
            used += (used > 0 ? 1 : 0) + width
        }
        lines.append(line)
        return lines
    }

    /// `s` padded with spaces (or cut) to exactly `columns` columns.
    public static func pad(_ s: String, to columns: Int) -> String {
        let t = truncate(s, to: columns)
        return t + String(repeating: " ", count: max(0, columns - of(t)))
    }

    /// `s` right-aligned in `columns` columns.
    public static func padLeft(_ s: String, to columns: Int) -> String {
        let t = truncate(s, to: columns)
        return String(repeating: " ", count: max(0, columns - of(t))) + t
    }
}
