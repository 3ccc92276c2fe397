/// "Did you mean …" for a mistyped id, command or name: the closest known
/// one within a couple of edits.
public enum Suggest {
    /// `; did you mean 'list'?`, or "" when nothing is close.
    public static func didYouMean(_ typed: String, among known: [String]) -> String {
        closest(typed, among: known).map { "; did you mean '\($0.sanitized)'?" } ?? ""
    }

    /// The known word nearest to `typed` (case-insensitive), if it is within
    /// two edits, or a third of its length for long words.
    public static func closest(_ typed: String, among known: [String]) -> String? {
        let t = Array(typed.lowercased())
        guard !t.isEmpty else { return nil }
        let limit = max(2, t.count / 3)
        var best: (word: String, distance: Int)?
        for word in known {
            let d = distance(t, Array(word.lowercased()))
            if d <= limit, d < (best?.distance ?? .max) { best = (word, d) }
        }
        return best?.word
    }

    /// Edit distance (insert, delete, substitute, swap of neighbours).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1) }
            }
        }
        return rows[a.count][b.count]
    }
}
