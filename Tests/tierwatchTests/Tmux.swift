import Foundation
import Testing

/// A real terminal for end-to-end tests: a detached tmux session on a
/// private server, driven with send-keys and read with capture-pane.
final class Tmux {
    let socket = "tierwatch-test-\(UUID().uuidString.prefix(8))"
    let dir: String

    /// Runs `command` (a shell line) in a new session of the given size. The
    /// pane records the tty modes before and after, and the exit code.
    /// `paneBackground` (a tmux colour such as `colour231`) gives the pane
    /// a background that tmux reports when a program asks (OSC 11), as a
    /// terminal set to black on white does.
    init(width: Int = 120, height: Int = 40, command: String, env: [String: String] = [:], paneBackground: String? = nil) {
        if !["/usr/bin/tmux", "/usr/local/bin/tmux"].contains(where: FileManager.default.isExecutableFile(atPath:)) {
            Issue.record("tmux is not installed: apt-get install -y tmux (or bash .ci/deps)")
        }
        dir = TempStore().path
        var env = env
        let command = FakeClock.wrap(shell: command, env: &env)
        let exports = env.map { "export \($0.key)='\($0.value)'" }.joined(separator: "; ")
        let script = """
        \(exports)
        stty -g > \(dir)/stty.before
        \(command)
        echo "EXIT=$?"
        stty -g > \(dir)/stty.after
        sleep 120
        """
        try! script.write(toFile: dir + "/run.sh", atomically: true, encoding: .utf8)
        var start = ["new-session", "-d", "-s", "t", "-x", "\(width)", "-y", "\(height)", "sh \(dir)/run.sh"]
        if let paneBackground {
            // Set before the program starts: in the server's first command.
            start = ["set-option", "-g", "window-style", "bg=\(paneBackground)", ";"] + start
            tmux(["start-server", ";"] + start, capture: false)
        } else {
            tmux(start, capture: false)
        }
    }

    deinit {
        tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs a tmux command and returns what it printed. posix_spawn and
    /// waitpid rather than Foundation's Process: the first command forks
    /// the tmux server, and Process was seen never to reap that client.
    @discardableResult
    func tmux(_ args: [String], capture: Bool = true) -> String {
        // And the other way round: whatever else the test process has open
        // (Foundation's pipes of a concurrent test) must stay out of the tmux
        // server, so bash closes descriptors 3-255 before it runs tmux.
        let closeAll = "for n in $(seq 3 255); do eval \"exec $n>&-\"; done 2>/dev/null; exec tmux \"$@\""
        let argv = ["bash", "-c", closeAll, "tmux", "-L", socket, "-f", "/dev/null"] + args
        // Close-on-exec, so that a tmux server another test starts meanwhile
        // never inherits this pipe (its reader would then wait for that
        // server to exit, which was seen to stall a test for minutes).
        var fds: [Int32] = [-1, -1]
        if capture {
            _ = pipe(&fds)
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if capture {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_addclose(&actions, fds[0])
            posix_spawn_file_actions_addclose(&actions, fds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "bash", &actions, nil, &cargs, environ) == 0 else { return "" }
        var out = Data()
        if capture {
            close(fds[1])
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fds[0], &buf, buf.count)
                if n <= 0 { break }
                out.append(contentsOf: buf[0..<n])
            }
            close(fds[0])
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return String(decoding: out, as: UTF8.self)
    }

    var screen: String { tmux(["capture-pane", "-p", "-t", "t"]) }
    /// The screen with its colours, as SGR escape sequences.
    var coloured: String { tmux(["capture-pane", "-p", "-e", "-t", "t"]) }

    func send(_ keys: String...) { tmux(["send-keys", "-t", "t"] + keys) }

    func resize(_ width: Int, _ height: Int) { tmux(["resize-window", "-t", "t", "-x", "\(width)", "-y", "\(height)"]) }

    func flag(_ name: String) -> String {
        tmux(["display-message", "-p", "-t", "t", "#{\(name)}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the screen contains `text`; false after `timeout` seconds.
    @discardableResult
    func wait(for text: String, timeout: TimeInterval = 10) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if screen.contains(text) { return true }
            usleep(50_000)
        }
        return false
    }

    /// Waits until the screen no longer contains `text`; false after `timeout` seconds.
    @discardableResult
    func waitUntilGone(_ text: String, timeout: TimeInterval = 10) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if !screen.contains(text) { return true }
            usleep(50_000)
        }
        return false
    }

    /// Waits until row `row` of the screen contains `text`.
    @discardableResult
    func wait(for text: String, onRow row: Int, timeout: TimeInterval = 10) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
            if row < rows.count, rows[row].contains(text) { return true }
            usleep(50_000)
        }
        return false
    }

    /// The terminal is as it was: the same tty modes, the cursor visible,
    /// the normal screen (not the alternate one) showing.
    var terminalRestored: Bool {
        let before = try? String(contentsOfFile: dir + "/stty.before", encoding: .utf8)
        var after: String?
        for _ in 0..<100 {
            after = try? String(contentsOfFile: dir + "/stty.after", encoding: .utf8)
            if after?.hasSuffix("\n") == true { break }  // written whole, not just created
            usleep(50_000)
        }
        return before != nil && before == after && flag("alternate_on") == "0" && flag("cursor_flag") == "1"
    }
}
