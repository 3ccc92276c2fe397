import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A program running on a pseudo-terminal of a given size: what a user's
/// terminal would receive is what we read from the master side.
final class PTYProcess {
    let master: Int32
    let pid: pid_t
    private(set) var received = 0

    init(_ path: String, _ args: [String], env: [String: String], width: Int, height: Int) throws {
        // posix_openpt and friends are hidden from Swift behind _XOPEN_SOURCE;
        // on Linux they are /dev/ptmx and two ioctls (grantpt is a no-op on devpts).
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        let TIOCSPTLCK: UInt = 0x4004_5431, TIOCGPTN: UInt = 0x8004_5430
        guard master >= 0, ioctl(master, TIOCSPTLCK, &unlock) == 0, ioctl(master, TIOCGPTN, &number) == 0 else {
            throw BenchError("cannot open a pseudo-terminal")
        }
        let slave = "/dev/pts/\(number)"
        var ws = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &ws)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        // A new session, so opening the slave below makes it the controlling terminal.
        posix_spawnattr_setflags(&attr, 0x80)  // POSIX_SPAWN_SETSID (glibc; not imported into Swift)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, slave, O_RDWR, 0) }
        posix_spawn_file_actions_addclose(&actions, master)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        var p: pid_t = 0
        let rc = posix_spawn(&p, path, &actions, &attr, argv, envp)
        for a in argv { free(a) }
        for e in envp { free(e) }
        posix_spawn_file_actions_destroy(&actions)
        posix_spawnattr_destroy(&attr)
        guard rc == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(rc)))") }
        pid = p
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    func send(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
    }

    /// Reads what arrives until `quiet` seconds pass with nothing, or
    /// `timeout` in all. Returns the bytes and the times of the first and
    /// last byte (CLOCK_MONOTONIC).
    func drain(quiet: Double, timeout: Double, until marker: [UInt8]? = nil) -> (bytes: [UInt8], first: Double?, last: Double?) {
        var out: [UInt8] = []
        var first: Double?, last: Double?
        let end = monotonic() + timeout
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let now = monotonic()
            if now >= end { break }
            let wait = last == nil ? end - now : min(end - now, max(0, last! + quiet - now))
            if last != nil && wait <= 0 { break }
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 1, Int32((wait * 1000).rounded(.up))) <= 0 { if last != nil { break } else { continue } }
            let n = read(master, &buf, buf.count)
            if n <= 0 { break }
            let t = monotonic()
            if first == nil { first = t }
            last = t
            let before = out.count
            out += buf[0..<n]
            received += n
            // Answer the device-attributes query as a terminal does (the
            // dashboard asks for the background colour, then DA1, and
            // waits for an answer: without one it would wait its timeout).
            if PTYProcess.contains(Array(out[max(0, before - 2)...]), PTYProcess.deviceAttributesQuery) {
                _ = PTYProcess.deviceAttributesAnswer.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            }
            if let marker, out.count >= marker.count, PTYProcess.contains(out, marker) { break }
        }
        return (out, first, last)
    }

    static let deviceAttributesQuery: [UInt8] = [0x1B, UInt8(ascii: "["), UInt8(ascii: "c")]
    /// What xterm answers: a VT220 with ANSI colour.
    static let deviceAttributesAnswer: [UInt8] = Array("\u{1B}[?62;22c".utf8)

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= hay.count else { return false }
        let first = needle[0]
        var i = 0
        while i + needle.count <= hay.count {
            if hay[i] == first && Array(hay[i..<i + needle.count]) == needle { return true }
            i += 1
        }
        return false
    }

    /// CPU seconds (user + system) the process has used so far.
    func cpuSeconds() -> Double { processCPUSeconds(pid) }

    func stop() {
        kill(pid, SIGTERM)
        _ = drain(quiet: 0.05, timeout: 0.5)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(master)
    }
}

/// CPU time so far of a process: the scheduler's own count in nanoseconds,
/// summed over the threads (/proc/PID/task/*/sched), where the kernel has
/// it; else utime + stime, which come in 10 ms clock ticks (too coarse for
/// an idle screen: a minute of htop is a few dozen ticks).
func processCPUSeconds(_ pid: pid_t) -> Double {
    if let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
        var ms = 0.0
        var found = false
        for t in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/sched", encoding: .utf8),
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix("se.sum_exec_runtime") }),
                  let value = line.split(separator: ":").last.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) })
            else { continue }
            ms += value
            found = true
        }
        if found { return ms / 1000 }
    }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return .nan }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command: state(0) ... utime(11) stime(12), in clock ticks.
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    return (Double(fields[11])! + Double(fields[12])!) / ticks
}
