import Dashboard
import Surface
import Escalation
import Foundation
import IncidentStore
import Terminal
import Serve

struct Delivered: Sendable {
    var id: String
    var body: String
    var delivery: UpdateDelivery
}

struct CallPlaced: Sendable {
    var plan: CallPlan
    var message: CallPlan.Message
    var result: Result<CallResult, DialerProblem>
}

/// Things another thread posts for the loop, which it wakes to read.
final class Mailbox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func post(_ item: T) {
        lock.withLock { items.append(item) }
        SignalPipe.wakeLoop()
    }
    func take() -> [T] { lock.withLock { defer { items = [] }; return items } }
}

/// Work done off the loop's thread (customer updates being sent, calls
/// being placed): each finished one waits here and wakes the loop through
/// the signal pipe.
final class Jobs<Done: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let group = DispatchGroup()
    private var done: [Done] = []
    private var running = 0

    var pending: Int { lock.withLock { running + done.count } }

    func start(_ work: @escaping @Sendable () -> Done) {
        lock.withLock { running += 1 }
        group.enter()
        Thread.detachNewThread { [self] in
            let result = work()
            lock.withLock {
                running -= 1
                done.append(result)
            }
            SignalPipe.wakeLoop()
            group.leave()
        }
    }

    func finished() -> [Done] {
        lock.withLock { defer { done = [] }; return done }
    }

    func waitForAll() { group.wait() }
}

/// Signals become bytes on a pipe the run loop polls: the handler does
/// nothing else, and the loop handles them between frames. A zero byte is
/// no signal: work done off the loop's thread is ready (`wakeLoop`).
enum SignalPipe {
    static let wake: Int32 = 0

    static func wakeLoop() {
        var byte: UInt8 = 0
        _ = write(writeFD, &byte, 1)
    }

    nonisolated(unsafe) static var readFD: Int32 = -1
    nonisolated(unsafe) static var writeFD: Int32 = -1
    /// The terminal changed size since the last frame (only the loop's thread touches it).
    nonisolated(unsafe) static var resized = false
    static let handled = [SIGINT, SIGTERM, SIGHUP, SIGWINCH]

    static func install() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        for sig in handled {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                var byte = UInt8(truncatingIfNeeded: sig)
                _ = write(SignalPipe.writeFD, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(sig, &action, nil)
        }
    }

    static func uninstall() {
        for sig in handled { signal(sig, SIG_DFL) }
        if readFD >= 0 { close(readFD) }
        if writeFD >= 0 { close(writeFD) }
        readFD = -1
        writeFD = -1
    }

    static func drain() -> [Int32] {
        var out: [Int32] = []
        var buf = [UInt8](repeating: 0, count: 64)
        while readFD >= 0 {
            let n = read(readFD, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n].map { Int32($0) }
        }
        return out
    }
}
