import ArgumentParser
import Escalation
import Foundation
import IncidentStore

/// How a live command sees other processes' writes.
struct WatchOptions: ParsableArguments {
    @Flag(name: .long, help: "Poll the store instead of using inotify (for stores on NFS, SMB or FUSE).")
    var poll = false

    @Option(name: .long, help: ArgumentHelp("How often to poll: 500ms, 2s (default 2s with inotify, 500ms when polling only).", valueName: "interval"))
    var pollInterval: String?

    func interval() throws -> TimeInterval? {
        guard let text = pollInterval else { return nil }
        var seconds: TimeInterval?
        if text.hasSuffix("ms"), let ms = Int(text.dropLast(2)) {
            seconds = TimeInterval(ms) / 1000
        } else if let span = TimeSpan(parsing: text) {
            seconds = TimeInterval(span.seconds)
        }
        guard let s = seconds, s >= 0.01, s <= 3600 else {
            throw CLIError.usage("--poll-interval '\(text)': write e.g. 250ms, 2s or 1m (10ms to 1h)")
        }
        return s
    }

    func follower(for store: IncidentStore) throws -> StoreFollower {
        StoreFollower(store: store, forcePolling: poll, pollInterval: try interval())
    }
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow the store and print one line per change as it happens.",
        discussion: """
        With --json, one JSON object per line: {"event": …, "incident": …}, the event as
        recorded (without an opening's policy text) and the incident's new state summary;
        {"overruled": …, "reason": …, "incident": …} when another site's event made an
        action not applied (an ack racing a resolve there).
        Example: tierwatch watch --json | jq -c '.incident | [.id, .state]'
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var watching: WatchOptions
    @Flag(name: .long, help: "Print JSON lines.") var json = false

    func run() throws {
        let ctx = try Context(global)
        let follower = try watching.follower(for: ctx.store)
        ctx.store.refresh()
        FileHandle.standardError.write(Data("tierwatch: watching \(ctx.store.path): \(follower.watcher.statusDescription)\n".utf8))
        var health = ctx.store.health
        func warn() {
            for p in health.problems { FileHandle.standardError.write(Data("tierwatch: warning: \(p.sanitized)\n".utf8)) }
        }
        warn()
        // What the clock alone changes (a tier starting by itself, a
        // deadline passing) is news too: the board says until when nothing
        // will, and its statuses are compared when that time comes.
        var board = Board(ctx.store.state.incidents, policies: ctx.store.state.policies, now: ctx.now, includeResolved: false)
        var seen = Watch.statuses(board)
        // Actions already kept but not applied: only new ones are news.
        var knownStale = Set(ctx.store.state.incidents.values.flatMap { $0.staleEvents.map(\.event.id) })
        while true {
            let wait = board.validUntil.map { max(0.05, min(2, $0.timeIntervalSince(ctx.now) + 0.01)) } ?? 2
            let change = follower.next(timeout: wait)
            // What cannot be read is said again whenever it changes.
            let latest = ctx.store.health
            if latest != health {
                health = latest
                if health.isComplete { FileHandle.standardError.write(Data("tierwatch: the whole store is readable again\n".utf8)) }
                warn()
            }
            let now = ctx.now
            for e in change.events {
                if e.action.isOnCall {
                    // Who is on call changed for every incident that names the schedule.
                    let line = json
                        ? String(decoding: try JSONSerialization.data(withJSONObject: ["event": Watch.eventObject(e), "oncall": true],
                                                                      options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
                        : "\(Words.time(e.recordedAt, now: now))  on-call  \(e.operatorName.sanitized): \(e.summary(policy: .builtIn))"
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                    continue
                }
                guard let incident = ctx.store.state.incidents[e.incident] else { continue }
                let entry = ctx.entry(incident)
                let line: String
                if json {
                    let obj: [String: Any] = ["event": Watch.eventObject(e), "incident": Watch.summary(entry, now)]
                    let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])
                    line = String(decoding: data, as: UTF8.self)
                } else {
                    line = "\(Words.time(e.recordedAt, now: now))  \(e.incident)  \(e.operatorName.sanitized): \(e.summary(policy: entry.policy, customer: incident.customer))  [\(incident.state.rawValue); next: \(Words.nextAction(entry, now: now))]"
                }
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            // An action another site's event overruled (an ack racing a
            // resolve there): it looked successful where it was typed.
            for id in change.incidents.sorted() {
                guard let incident = ctx.store.state.incidents[id], incident.staleCount > 0 else { continue }
                for (e, reason) in incident.staleEvents where knownStale.insert(e.id).inserted {
                    let line: String
                    if json {
                        let obj: [String: Any] = ["overruled": Watch.eventObject(e), "reason": reason, "incident": Watch.summary(ctx.entry(incident), now)]
                        line = String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
                    } else {
                        line = "\(Words.time(now, now: now))  \(id)  NOT APPLIED: \(e.operatorName.sanitized)'s \(Words.noun(e.action)) (\(Words.time(e.at, now: now))): \(Words.staleReason(reason))"
                    }
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                }
            }
            // Statuses an event changed were said with the event; only
            // what the clock changed is said here.
            let state = ctx.store.state
            board = Board(state.incidents, policies: state.policies, now: now, includeResolved: false)
            let statuses = Watch.statuses(board)
            let touched = Set(change.events.map(\.incident))
            for e in board.entries where !touched.contains(e.incident.id) {
                for line in Watch.clockNews(e, before: seen[e.incident.id], now: now, json: json) {
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                }
            }
            seen = statuses
        }
    }

    /// Each open incident's tier statuses and whether its customer update is overdue.
    static func statuses(_ board: Board) -> [String: ([Ladder.Status], Bool)] {
        var out: [String: ([Ladder.Status], Bool)] = [:]
        for e in board.entries {
            out[e.incident.id] = (e.ladder.rungs.map(\.status), e.ladder.nextCustomerUpdateAt.map { $0 < board.now } ?? false)
        }
        return out
    }

    /// Lines for what the clock changed on one incident since `before`.
    static func clockNews(_ e: Board.Entry, before: ([Ladder.Status], Bool)?, now: Date, json: Bool) -> [String] {
        guard let (was, updateWasOverdue) = before else { return [] }
        var news: [(what: String, tier: Int?, status: String)] = []
        for r in e.ladder.rungs where r.index < was.count && was[r.index] != r.status {
            switch (was[r.index], r.status) {
            case (.pending, .active), (.pending, .done), (.pending, .overdue):
                news.append(("T\(r.index) \(r.tier.name.sanitized) started by itself", r.index, "started"))
            case (_, .overdue):
                news.append(("T\(r.index) \(r.tier.name.sanitized) is overdue: its people were not reached in time", r.index, "overdue"))
            default:
                break
            }
        }
        if let u = e.ladder.nextCustomerUpdateAt, u < now, !updateWasOverdue {
            news.append(("the customer update is overdue (due \(Words.time(u, now: now)))", nil, "update_overdue"))
        }
        return news.map { n in
            if json {
                let obj: [String: Any] = ["deadline": ["incident": e.incident.id, "tier": n.tier ?? NSNull(), "status": n.status,
                                                       "at": ISOTime.format(now), "text": n.what] as [String: Any],
                                          "incident": summary(e, now)]
                let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                return String(decoding: data, as: UTF8.self)
            }
            return "\(Words.time(now, now: now))  \(e.incident.id)  \(n.what)  [next: \(Words.nextAction(e, now: now))]"
        }
    }

    /// The event as its record says, less an opening's policy text.
    static func eventObject(_ e: IncidentEvent) -> [String: Any] {
        var bytes = RecordCodec.encode(e)
        bytes.removeLast()
        var obj = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
        obj["policy"] = nil
        obj["crc"] = nil
        return obj
    }

    static func summary(_ e: Board.Entry, _ now: Date) -> [String: Any] {
        var full = e.jsonObject(now: now)
        full["tiers"] = nil
        full["timeline"] = nil
        return full
    }
}
