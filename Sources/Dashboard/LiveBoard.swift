import Escalation
import Foundation

/// The board every screen shows, kept live from the messages the run loop
/// sends: a store change derives again only the incidents it touched, a
/// tick rebuilds it only once the clock passes what it holds until
/// (`Board.isStale(at:)`), and a change that touches every incident (an
/// on-call override, the dashboard showing resolved ones) rebuilds it.
/// The dashboard and the wall both keep one; neither has its own rules.
public struct LiveBoard: Sendable {
    public private(set) var board = Board([], policies: PolicyBook(), now: .distantPast)
    /// Whether a store has been read into it yet.
    public private(set) var isBuilt = false

    /// What following a message derived again.
    public enum Derived: Equatable, Sendable {
        case nothing
        /// Only these incidents (those a store change touched).
        case touched(Set<String>)
        case everything
    }

    public init() {}

    /// Follows `message` (already folded into `incidents`, `policies` and
    /// `now`). `shows`: whether the screen shows an incident; `everyIncident`:
    /// something changed every incident's derivation (rebuild).
    public mutating func follow(_ message: Message, incidents: some Collection<Incident>, shows: (Incident) -> Bool,
                                policies: PolicyBook, now: Date, everyIncident: Bool) -> Derived {
        switch message {
        case let .changed(changed, _, _) where isBuilt && !everyIncident:
            let shown = changed.filter(shows)
            board.update(shown, removing: Set(changed.filter { !shows($0) }.map(\.id)), policies: policies, now: now)
            return .touched(Set(shown.map(\.id)))
        case .store, .changed:
            break
        case .tick where board.isStale(at: now):
            break
        default:
            guard everyIncident, isBuilt else { return .nothing }
        }
        board = Board(incidents.filter(shows), policies: policies, now: now)
        isBuilt = true
        return .everything
    }
}
