import Foundation

/// The incidents a screen or `list` shows, with their ladders at one
/// instant, most urgent first: earliest next deadline (overdue ones are
/// earliest of all), then worse severity, then older.
public struct BoardEntry: Sendable {
    public var incident: Incident
    public var ladder: Ladder

    public init(incident: Incident, ladder: Ladder) {
        self.incident = incident
        self.ladder = ladder
    }

    public static func moreUrgent(_ a: BoardEntry, _ b: BoardEntry) -> Bool {
        switch (a.ladder.nextDeadline?.at, b.ladder.nextDeadline?.at) {
        case let (x?, y?) where x != y: return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: break
        }
        if a.incident.severity != b.incident.severity { return a.incident.severity < b.incident.severity }
        if a.incident.opened.at != b.incident.opened.at { return a.incident.opened.at < b.incident.opened.at }
        return a.incident.id < b.incident.id
    }
}
