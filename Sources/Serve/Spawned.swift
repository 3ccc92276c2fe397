import CSpawn
import Escalation
import Foundation

/// A program of the dialer's (baresip, a site's dialer) in a process group
/// of its own, so stopping it stops whatever it started; its stdout on a
/// pipe or into a file, nothing else of ours.
final class Spawned {
    let pid: pid_t
    /// The read end of its stdout, when asked for; -1 otherwise.
    let stdout: Int32
    private var status: Int32?

    private init(pid: pid_t, stdout: Int32) {
        self.pid = pid
        self.stdout = stdout
    }

    /// `output`: a file for stdout and stderr; nil: stdout on a pipe (`stdout`).
    static func start(_ argv: [String], output: String? = nil) -> Result<Spawned, DialerProblem> {
        var pipeFDs: [Int32] = [-1, -1]
        if output == nil {
            guard pipe(&pipeFDs) == 0 else { return .failure(DialerProblem("cannot make a pipe")) }
            _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let output {
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        tw_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let args = argv.map { strdup($0) } + [nil]
        let env = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=\(NSTemporaryDirectory())", "LANG=C.UTF-8"].map { (s: String) in strdup(s) } + [nil]
        defer {
            for a in args { free(a) }
            for e in env { free(e) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, args, env)
        if pipeFDs[1] >= 0 { close(pipeFDs[1]) }
        guard rc == 0 else {
            if pipeFDs[0] >= 0 { close(pipeFDs[0]) }
            return .failure(DialerProblem("cannot start \(argv[0]): \(String(cString: strerror(rc)))"))
        }
        return .success(Spawned(pid: pid, stdout: pipeFDs[0]))
    }

    var isRunning: Bool {
        guard status == nil else { return false }
        var s: Int32 = 0
        if waitpid(pid, &s, WNOHANG) == pid { status = s }
        return status == nil
    }

    /// SIGTERM to its group, then SIGKILL after `grace`; reaped.
    func stop(grace: TimeInterval = 2) {
        defer { if stdout >= 0 { close(stdout) } }
        guard isRunning else { kill(-pid, SIGKILL); return }
        kill(-pid, SIGTERM)
        let end = Date().addingTimeInterval(grace)
        while isRunning && Date() < end { usleep(20_000) }
        // Whatever it started goes with it.
        kill(-pid, SIGKILL)
        if status == nil {
            var s: Int32 = 0
            waitpid(pid, &s, 0)
            status = s
        }
    }
}
