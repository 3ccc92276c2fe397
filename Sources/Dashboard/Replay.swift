import Escalation
import Foundation
import Surface

/// One incident as the NOC saw it at an instant: the dashboard's own screen,
/// drawn with the clock at that instant from only the events recorded by
/// then (an action recorded late appears when it was recorded, with its
/// back-dated time), under a REPLAY header with the instant in large
/// digits and a time bar. Read-only by construction: the screen inside is
/// a viewer's, and store changes do not reach it.
///
/// Keys, after lnav and asciinema: ← → one minute, Shift-← → ten, [ ] the
/// previous or next event, 0–9 a tenth of the incident's life, space plays
/// at 60×, Esc (or q) back to the live dashboard (or out of `tierwatch
/// replay`).
public struct Replay: Screen {
    public let incidentID: String
    /// The incident's events, in log order.
    private let events: [IncidentEvent]
    /// On-call overrides and cancels, for who was on call then.
    private let onCall: [IncidentEvent]
    private let directory: Policy?
    /// When the incident can first be seen, and its last event (or now,
    /// while it is open).
    public let from: Date
    public let to: Date
    public private(set) var at: Date
    public private(set) var playing = false
    private var lastTick: Date?
    /// Esc goes back to the live dashboard (else it ends the program).
    public let returnsToLive: Bool
    /// The dashboard's screen at `at`.
    public private(set) var screen: Model
    private let template: Model

    /// Replay steps: the instants the keys move by.
    public static let step: TimeInterval = 60
    public static let bigStep: TimeInterval = 600
    public static let speed: Double = 60

    /// `events`: every event of the incident; `template`: the live
    /// screen's settings (glyphs, time zone, the alarm).
    public init(events: [IncidentEvent], onCall: [IncidentEvent], directory: Policy?, at: Date?, now: Date,
                template: Model, returnsToLive: Bool) {
        var sorted = events
        IncidentEvent.sortInLogOrder(&sorted)
        self.events = sorted
        self.onCall = onCall
        self.directory = directory
        incidentID = sorted.first?.incident ?? ""
        let opening = sorted.first { if case .opened = $0.action { true } else { false } }
        from = opening?.recordedAt ?? sorted.map(\.recordedAt).min() ?? now
        let last = sorted.map(\.recordedAt).max() ?? now
        let open = Incident.fold(sorted).map { $0.state != .resolved } ?? false
        to = max(from, open ? max(last, now) : last)
        self.returnsToLive = returnsToLive
        var t = template
        t.readOnly = true
        t.readOnlyReason = returnsToLive ? "this is a replay of the past; Esc returns to the live dashboard, where you can act"
            : "this is a replay of the past (q ends it)"
        t.overlay = nil
        t.notice = nil
        t.archived = nil
        t.filter = ""
        t.showResolved = true
        self.template = t
        self.at = min(max(at ?? from, from), to)
        screen = t
        rebuild()
    }

    /// The incident as it could be seen at `instant`: its events recorded
    /// by then, folded in log order.
    public static func incident(_ events: [IncidentEvent], asSeenAt instant: Date) -> Incident? {
        Incident.fold(events.filter { $0.recordedAt <= instant })
    }

    private mutating func rebuild() {
        var m = template
        // Keep the operator's place on screen.
        m.focus = screen.focus
        m.selectedTier = screen.selectedTier
        m.selectedContact = screen.selectedContact
        m.timelineScroll = screen.timelineScroll
        m.timelineCursor = screen.timelineCursor
        m.overlay = screen.overlay
        m.now = at
        var book = PolicyBook()
        book.useDirectory(directory)
        for e in onCall where e.recordedAt <= at { book.record(e) }
        let seen = Replay.incident(events, asSeenAt: at)
        if let seen { book.learn(seen) }
        _ = m.update(.store(incidents: seen.map { [$0.id: $0] } ?? [:], policies: book, badRecords: template.badRecords))
        _ = m.update(.tick(at))
        m.selectedID = seen?.id
        screen = m
    }

    private mutating func move(to instant: Date) {
        at = min(max(instant, from), to)
        if at == to { playing = false }
        rebuild()
    }

    public mutating func update(_ message: Message) -> [Command] {
        switch message {
        case let .key(key):
            // An overlay inside (help, a timeline entry) takes its keys first.
            if screen.overlay != nil {
                _ = screen.update(.key(key))
                return []
            }
            switch key {
            case .escape, .char("q"): return [returnsToLive ? .endReplay : .quit]
            case .left: move(to: at.addingTimeInterval(-Replay.step))
            case .right: move(to: at.addingTimeInterval(Replay.step))
            case .shiftLeft: move(to: at.addingTimeInterval(-Replay.bigStep))
            case .shiftRight: move(to: at.addingTimeInterval(Replay.bigStep))
            case .char("["):
                if let t = events.map(\.recordedAt).filter({ $0 < at }).max() { move(to: t) } else { move(to: from) }
            case .char("]"):
                if let t = events.map(\.recordedAt).filter({ $0 > at }).min() { move(to: t) } else { move(to: to) }
            case let .char(c) where c.isASCII && c.isNumber:
                let tenth = Double(c.wholeNumberValue ?? 0) / 10
                move(to: from.addingTimeInterval(to.timeIntervalSince(from) * tenth))
            case .char(" "):
                playing.toggle()
                lastTick = nil
                if playing, at >= to { move(to: from) }
            default:
                // Moving about the screen (Tab, ↑ ↓, Enter on a timeline
                // entry, ?); actions are refused: the screen is a viewer's.
                _ = screen.update(.key(key))
            }
        case let .tick(now):
            defer { lastTick = now }
            if playing, let last = lastTick {
                move(to: at.addingTimeInterval(now.timeIntervalSince(last) * Replay.speed))
            }
        case let .alarm(a):
            // What the screens cannot see is said here too.
            _ = screen.update(.alarm(a))
        case let .resized(width, height):
            _ = screen.update(.resized(width: width, height: height))
        case .directory, .store, .changed, .watchStatus, .history, .done, .opened, .failed, .updateSent, .callRinging, .callEnded, .pointer:
            break  // the past does not change
        }
        return []
    }

    public func view(width: Int, height: Int) -> Frame {
        var f = Frame(width: width, height: height)
        guard width > 0, height > 0 else { return f }
        let glyphs = template.glyphs
        let offset = template.localOffsetSeconds
        let clock = Words.clock(at, offsetSeconds: offset)
        let date = String(ISOTime.format(at.addingTimeInterval(Double(offset))).prefix(10))
        // Big digits above the screen when there is room for both; else the
        // screen's own header line says REPLAY.
        let big = height >= 30 && width >= 60
        let top = big ? 6 : 0
        let lines = ["REPLAY\(glyphs.separator)\(incidentID.sanitized) as the NOC saw it at \(date) \(clock) local (\(Words.clock(at)) UTC)",
                     "nothing recorded later is shown; late entries show their back-dated time",
                     playing ? "playing at \(Int(Replay.speed))x (space pauses)" : "paused (space plays at \(Int(Replay.speed))x)"]
        // The screen's own key bar (its last row) gives way to the time bar.
        let inner = screen.view(width: width, height: max(0, height - top))
        f.paste(inner, x: 0, y: top)
        if big {
            f.fill(Rect(x: 0, y: 0, width: width, height: top), role: .header)
            let digits = String(clock.prefix(5))
            BigText.draw(digits, in: &f, x: 1, y: 0, scale: 1, ink: glyphs.barFull, role: .banner)
            let x = BigText.size(digits, scale: 1).width + 3
            for (k, line) in lines.enumerated() { f.put(line, x: x, y: k + 1, role: k == 0 ? .banner : .header) }
        } else {
            f.fill(Rect(x: 0, y: 0, width: width, height: 1), role: .banner)
            let state = playing ? "playing \(Int(Replay.speed))x" : "paused"
            f.put(" REPLAY \(clock) local\(glyphs.separator)\(state)\(glyphs.separator)\(incidentID.sanitized) as the NOC saw it on \(date) (\(Words.clock(at)) UTC)",
                  x: 0, y: 0, role: .banner)
        }
        drawBar(&f, y: height - 1)
        return f
    }

    /// The time bar: the incident's life, a mark per event, where `at` is,
    /// and the keys.
    private func drawBar(_ f: inout Frame, y: Int) {
        let glyphs = template.glyphs
        f.fill(Rect(x: 0, y: y, width: f.width, height: 1), role: .keyBarLabel)
        let start = Words.clock(from, offsetSeconds: template.localOffsetSeconds).prefix(5)
        let end = Words.clock(to, offsetSeconds: template.localOffsetSeconds).prefix(5)
        let keys = glyphs == .unicode ? " ←→ 1m  ⇧←→ 10m  [ ] event  0-9  space play  Esc \(returnsToLive ? "live" : "quit")"
            : " <> 1m  S-<> 10m  [ ] event  0-9  space play  Esc \(returnsToLive ? "live" : "quit")"
        let keysWidth = f.width >= 100 ? DisplayWidth.of(keys) : 0
        var x = f.put(" \(start) ", x: 0, y: y, role: .keyBarLabel)
        let barWidth = max(0, f.width - x - 7 - keysWidth)
        guard barWidth >= 4 else { return }
        let span = max(1, to.timeIntervalSince(from))
        func column(_ t: Date) -> Int { min(barWidth - 1, max(0, Int((t.timeIntervalSince(from) / span * Double(barWidth - 1)).rounded()))) }
        f.fill(Rect(x: x, y: y, width: barWidth, height: 1), with: glyphs.barEmpty, role: .keyBarLabel)
        f.fill(Rect(x: x, y: y, width: column(at) + 1, height: 1), with: glyphs.barFull, role: .keyBarKey)
        for e in events { f.put("|", x: x + column(e.recordedAt), y: y, role: e.recordedAt <= at ? .keyBarKey : .keyBarLabel) }
        f.put(glyphs == .unicode ? "●" : "*", x: x + column(at), y: y, role: .banner)
        x += barWidth
        x += f.put(" \(end) ", x: x, y: y, role: .keyBarLabel)
        if keysWidth > 0 { f.put(keys, x: x, y: y, role: .keyBarKey) }
    }
}
