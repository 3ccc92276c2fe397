import Escalation
import Foundation

/// What happens in a store, as one stream: every stored event as it
/// arrives, on-call overrides, actions another site's event overruled, and
/// what the clock alone changes (a tier starting by itself, a tier falling
/// overdue, a customer update falling due) at the instant it happens, once
/// each. `tierwatch watch` prints it; `tierwatch serve` streams it at
/// `GET /api/v1/events`. Both write each item as the same JSON line.
public final class EventStream: @unchecked Sendable {
    public enum Item {
        /// A stored event of an incident, with the incident as it is now.
        case event(IncidentEvent, Board.Entry)
        /// An on-call override or its cancel.
        case onCall(IncidentEvent)
        /// An action kept but not applied: another site's earlier event won.
        case overruled(IncidentEvent, reason: String, Board.Entry)
        /// The clock changed a status: `started`, `overdue`, `update_overdue`.
        case deadline(Board.Entry, tier: Int?, status: String, text: String)
    }

    public let store: IncidentStore
    public let follower: StoreFollower
    private var board: Board
    private var seen: [String: ([Ladder.Status], Bool)]
    private var knownStale: Set<EventID>

    /// Starts from the store as it is now: only what happens after is news.
    public init(store: IncidentStore, follower: StoreFollower) {
        self.store = store
        self.follower = follower
        store.refresh()
        board = Board(store.state.incidents, policies: store.state.policies, now: store.clock.now(), includeResolved: false)
        seen = EventStream.statuses(board)
        knownStale = Set(store.state.incidents.values.flatMap { $0.staleEvents.map(\.event.id) })
    }

    /// How long to wait at most before the clock may change something.
    public var patience: TimeInterval {
        board.validUntil.map { max(0.05, min(2, $0.timeIntervalSince(store.clock.now()) + 0.01)) } ?? 2
    }

    /// Waits up to `timeout` seconds (0: does not wait) and returns what happened.
    public func next(timeout: TimeInterval) -> [Item] {
        let change = timeout > 0 ? follower.next(timeout: timeout) : follower.check()
        let now = store.clock.now()
        let state = store.state
        var items: [Item] = []
        for e in change.events {
            if e.action.isOnCall { items.append(.onCall(e)); continue }
            guard let incident = state.incidents[e.incident] else { continue }
            items.append(.event(e, Board.Entry(incident, policies: state.policies, at: now)))
        }
        for id in change.incidents.sorted() {
            guard let incident = state.incidents[id], incident.staleCount > 0 else { continue }
            for (e, reason) in incident.staleEvents where knownStale.insert(e.id).inserted {
                items.append(.overruled(e, reason: reason, Board.Entry(incident, policies: state.policies, at: now)))
            }
        }
        // Statuses an event changed were said with the event; only what
        // the clock changed is said here.
        if !change.isEmpty || board.isStale(at: now) {
            board = Board(state.incidents, policies: state.policies, now: now, includeResolved: false)
            // Incidents whose statuses an event changed were said with it;
            // a fact that changes no status (a hook's run, a monitoring
            // entry, a note) leaves the clock's news to be said.
            let touched = Set(change.events.filter { e in
                switch e.action {
                case .hook, .monitoring, .note: false
                default: true
                }
            }.map(\.incident))
            for e in board.entries where !touched.contains(e.incident.id) {
                items += EventStream.clockNews(e, before: seen[e.incident.id], now: now)
            }
            seen = EventStream.statuses(board)
        }
        return items
    }

    static func statuses(_ board: Board) -> [String: ([Ladder.Status], Bool)] {
        var out: [String: ([Ladder.Status], Bool)] = [:]
        for e in board.entries {
            out[e.incident.id] = (e.ladder.rungs.map(\.status), e.ladder.nextCustomerUpdateAt.map { $0 < board.now } ?? false)
        }
        return out
    }

    static func clockNews(_ e: Board.Entry, before: ([Ladder.Status], Bool)?, now: Date) -> [Item] {
        guard let (was, updateWasOverdue) = before else { return [] }
        var news: [Item] = []
        for r in e.ladder.rungs where r.index < was.count && was[r.index] != r.status {
            switch (was[r.index], r.status) {
            case (.pending, .active), (.pending, .done), (.pending, .overdue):
                news.append(.deadline(e, tier: r.index, status: "started", text: "T\(r.index) \(r.tier.name.sanitized) started by itself"))
            case (_, .overdue):
                news.append(.deadline(e, tier: r.index, status: "overdue", text: "T\(r.index) \(r.tier.name.sanitized) is overdue: its people were not reached in time"))
            default:
                break
            }
        }
        if let u = e.ladder.nextCustomerUpdateAt, u < now, !updateWasOverdue {
            news.append(.deadline(e, tier: nil, status: "update_overdue", text: "the customer update is overdue (due \(Words.time(u, now: now)))"))
        }
        return news
    }

    // MARK: Words and JSON

    /// The item as `watch` prints it for a person.
    public static func text(_ item: Item, now: Date) -> String {
        switch item {
        case let .event(e, entry):
            return "\(Words.time(e.recordedAt, now: now))  \(e.incident)  \(e.operatorName.sanitized): \(e.summary(policy: entry.policy, customer: entry.incident.customer))  [\(entry.incident.state.rawValue); next: \(Words.nextAction(entry, now: now))]"
        case let .onCall(e):
            return "\(Words.time(e.recordedAt, now: now))  on-call  \(e.operatorName.sanitized): \(e.summary(policy: .builtIn))"
        case let .overruled(e, reason, entry):
            return "\(Words.time(now, now: now))  \(entry.incident.id)  NOT APPLIED: \(e.operatorName.sanitized)'s \(Words.noun(e.action)) (\(Words.time(e.at, now: now))): \(Words.staleReason(reason))"
        case let .deadline(entry, _, _, text):
            return "\(Words.time(now, now: now))  \(entry.incident.id)  \(text)  [next: \(Words.nextAction(entry, now: now))]"
        }
    }
}
