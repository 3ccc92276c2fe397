import Surface
/// Digits and a few letters drawn with block characters, for the wall's
/// countdown that must be read from across the room.
enum BigText {
    /// 5 rows × 3 columns per character (1 for `:`, so that a breached
    /// `-MM:SS` keeps its height at 80 columns); `#` is ink.
    static let font: [Character: [String]] = [
        "0": ["###", "# #", "# #", "# #", "###"], "1": [" # ", "## ", " # ", " # ", "###"],
        "2": ["###", "  #", "###", "#  ", "###"], "3": ["###", "  #", "###", "  #", "###"],
        "4": ["# #", "# #", "###", "  #", "  #"], "5": ["###", "#  ", "###", "  #", "###"],
        "6": ["###", "#  ", "###", "# #", "###"], "7": ["###", "  #", "  #", "  #", "  #"],
        "8": ["###", "# #", "###", "# #", "###"], "9": ["###", "# #", "###", "  #", "###"],
        ":": [" ", "#", " ", "#", " "], "-": ["   ", "   ", "###", "   ", "   "],
        "A": ["###", "# #", "###", "# #", "# #"], "L": ["#  ", "#  ", "#  ", "#  ", "###"],
        "C": ["###", "#  ", "#  ", "#  ", "###"], "E": ["###", "#  ", "###", "#  ", "###"],
        "R": ["## ", "# #", "## ", "# #", "# #"], " ": ["   ", "   ", "   ", "   ", "   "],
        "N": ["## ", "# #", "# #", "# #", "# #"], "O": ["###", "# #", "# #", "# #", "###"],
        "D": ["## ", "# #", "# #", "# #", "## "], "T": ["###", " # ", " # ", " # ", " # "],
        "S": ["###", "#  ", "###", "  #", "###"],
    ]

    /// The size of `text` at a vertical scale `v` (each font row is `v`
    /// terminal rows and each font column `2v` columns: cells are tall).
    static func size(_ text: String, scale v: Int) -> (width: Int, height: Int) {
        (text.reduce(0) { $0 + columns($1) * 2 * v + v } - v, 5 * v)
    }

    /// Font columns of a character.
    static func columns(_ ch: Character) -> Int { (font[ch] ?? font[" "]!)[0].count }

    /// The largest scale at which `text` fits in `width` × `height` (at least 1).
    static func scale(_ text: String, width: Int, height: Int) -> Int {
        var v = 1
        while true {
            let next = size(text, scale: v + 1)
            if next.width > width || next.height > height { return v }
            v += 1
        }
    }

    static func draw(_ text: String, in f: inout Frame, x: Int, y: Int, scale v: Int, ink: Character, role: Role) {
        var cx = x
        for ch in text {
            let rows = font[ch] ?? font[" "]!
            for (r, row) in rows.enumerated() {
                for (c, pixel) in row.enumerated() where pixel == "#" {
                    f.fill(Rect(x: cx + c * 2 * v, y: y + r * v, width: 2 * v, height: v), with: ink, role: role)
                }
            }
            cx += columns(ch) * 2 * v + v
        }
    }
}
