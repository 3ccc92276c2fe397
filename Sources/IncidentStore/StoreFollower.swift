import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Follows a store: blocks until other processes append, then folds what
/// they wrote. For headless followers (`tierwatch watch`, the benchmarks);
/// the dashboard's run loop polls `watcher.fileDescriptor` itself beside the
/// terminal and signals, and calls `poll(now:)` the same way.
public final class StoreFollower {
    public let store: IncidentStore
    public let watcher: StoreWatcher
    private var nextPoll: TimeInterval

    public init(store: IncidentStore, forcePolling: Bool = false, pollInterval: TimeInterval? = nil) {
        self.store = store
        watcher = StoreWatcher(storePath: store.path, forcePolling: forcePolling, pollInterval: pollInterval)
        nextPoll = StoreFollower.monotonic() + watcher.pollInterval
    }

    /// Seconds on CLOCK_MONOTONIC: comparable across processes on one machine.
    public static func monotonic() -> TimeInterval {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return TimeInterval(ts.tv_sec) + TimeInterval(ts.tv_nsec) / 1e9
    }

    /// Seconds until the next safety-net poll is due.
    public var secondsUntilPoll: TimeInterval { max(0, nextPoll - StoreFollower.monotonic()) }

    /// Checks the watcher and the poll timer without blocking; refreshes the
    /// store if either says it may have changed.
    public func check() -> StoreState.Change {
        var change = watcher.drain()
        let t = StoreFollower.monotonic()
        if t >= nextPoll {
            change = .rescan
            nextPoll = t + watcher.pollInterval
            watcher.addWatches()
        }
        switch change {
        case .none: return StoreState.Change()
        // An append to known files: read just those (no directory listing).
        case let .files(names): return store.refresh(only: names, collectingEvents: true)
        case .rescan: return store.refresh(collectingEvents: true)
        }
    }

    /// Blocks until new events arrive or `timeout` seconds pass (nil: forever).
    public func next(timeout: TimeInterval? = nil) -> StoreState.Change {
        let deadline = timeout.map { StoreFollower.monotonic() + $0 }
        while true {
            let change = check()
            if !change.isEmpty { return change }
            var wait = secondsUntilPoll
            if let deadline {
                let left = deadline - StoreFollower.monotonic()
                if left <= 0 { return change }
                wait = min(wait, left)
            }
            var fds = [pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, watcher.usesInotify ? 1 : 0, Int32((wait * 1000).rounded(.up)))
        }
    }
}
