import Surface
import Escalation

extension Alarm {
    /// The header's count of open incidents: not a plain number when
    /// incidents may be missing from it.
    func openCount(_ n: Int) -> String {
        if waitingFor != nil { return "no store" }
        return isBlind ? "\(n) open + unknown" : "\(n) open"
    }

    /// Draws the alarm's lines full width from row `top`, at most `maxRows`
    /// (the last then counts the rest); returns the rows used. A problem is
    /// drawn in breach colours with the warning sign, a warning as the
    /// header's warnings are: the same on every screen.
    func draw(in f: inout Frame, top: Int, maxRows: Int, glyphs: Glyphs) -> Int {
        var lines = self.lines.map { (text: "\(glyphs.warning) \($0.text.sanitized)", isProblem: $0.isProblem) }
        if let path = waitingFor {
            lines.insert(("\(glyphs.warning) Waiting for a store at \(path.sanitized): nothing can be shown until it exists", true), at: 0)
        }
        guard !lines.isEmpty, maxRows > 0 else { return 0 }
        if lines.count > maxRows {
            let rest = lines.count - maxRows + 1
            lines = Array(lines.prefix(maxRows - 1))
                + [("\(glyphs.warning) and \(rest) more: tierwatch doctor lists them", lines.dropFirst(maxRows - 1).contains { $0.isProblem })]
        }
        for (k, line) in lines.enumerated() {
            let role: Role = line.isProblem ? .countdownCritical : .headerWarning
            f.fill(Rect(x: 0, y: top + k, width: f.width, height: 1), role: role)
            f.put(" " + DisplayWidth.truncate(line.text, to: f.width - 2), x: 0, y: top + k, role: role)
        }
        return lines.count
    }
}
