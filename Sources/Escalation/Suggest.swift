/// "Did you mean …" for a mistyped id, command or name: the closest known
/// one within a couple of edits.
public enum Suggest {
    /// `; did you mean 'list'?`, or "" when nothing is close.
    public static func didYouMean(_ typed: String, among known: [String]) -> String {
        didYouMean(typed, among: known.map { [$0] })
    }

    /// The same, where each group is one thing under several names (a
    /// contact's id and the name a customer gives it): the group's first
    /// name is suggested, with the one that matched when it differs.
    public static func didYouMean(_ typed: String, among groups: [[String]]) -> String {
        guard let (group, word) = closestGroup(typed, among: groups) else { return "" }
        return word == group[0] ? "; did you mean '\(word.sanitized)'?" : "; did you mean '\(group[0].sanitized)' (\(word.sanitized))?"
    }

    /// The known word nearest to `typed` (case-insensitive), if it is within
    /// two edits, or a third of its length for long words.
    public static func closest(_ typed: String, among known: [String]) -> String? {
        closestGroup(typed, among: known.map { [$0] })?.word
    }

    static func closestGroup(_ typed: String, among groups: [[String]]) -> (group: [String], word: String)? {
        let t = Array(typed.lowercased())
        guard !t.isEmpty else { return nil }
        // One thing whose name starts with what was typed ("vp" for
        // "vp-cx", "jane" for "Jane Roe") is the one meant.
        let prefixed = groups.compactMap { g in g.first { $0.lowercased().hasPrefix(typed.lowercased()) }.map { (g, $0) } }
        if prefixed.count == 1 { return prefixed[0] }
        // A mistyped start of a long name ("directr" for "director-support"):
        // one edit from the start of exactly one thing's name.
        if t.count >= 4 {
            let near = groups.compactMap { g in g.first { distance(t, Array($0.lowercased().prefix(t.count))) <= 1 }.map { (g, $0) } }
            if near.count == 1 { return near[0] }
        }
        let limit = max(2, t.count / 3)
        var best: (group: [String], word: String, distance: Int)?
        for g in groups {
            for word in g {
                let d = distance(t, Array(word.lowercased()))
                if d <= limit, d < (best?.distance ?? .max) { best = (g, word, d) }
            }
        }
        return best.map { ($0.group, $0.word) }
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
