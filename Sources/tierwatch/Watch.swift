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
        // One stream, shared with `serve`'s /api/v1/events: stored events,
        // overruled actions and what the clock alone changes.
        let stream = EventStream(store: ctx.store, follower: follower)
        while true {
            let items = stream.next(timeout: stream.patience)
            // What cannot be read is said again whenever it changes.
            let latest = ctx.store.health
            if latest != health {
                health = latest
                if health.isComplete { FileHandle.standardError.write(Data("tierwatch: the whole store is readable again\n".utf8)) }
                warn()
            }
            let now = ctx.now
            for item in items {
                let line = json ? EventStream.jsonLine(item, now: now) : EventStream.text(item, now: now)
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
    }
}
