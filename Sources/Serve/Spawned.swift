import CSpawn
import Escalation
import Foundation

/// A program tierwatch runs (a hook, baresip, a site's dialer) in a
/// process group of its own, so stopping it stops whatever it started;
/// nothing of ours reaches it but what is asked for: its stdin on a pipe
/// (`stdin`) or /dev/null, its stdout on a pipe (`stdout`), into a file, or
/// to /dev/null.
final class Spawned {
    let pid: pid_t
    /// The write end of its stdin, when asked for; -1 otherwise.
    let stdin: Int32
    /// The read end of its stdout, when asked for; -1 otherwise.
    let stdout: Int32
    private var status: Int32?

    private init(pid: pid_t, stdin: Int32, stdout: Int32) {
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
    }

    enum Output {
        case pipe
        /// stdout and stderr appended to this file.
        case file(String)
        case discard
    }

    /// `environment`: nil, a plain PATH, HOME and LANG. `diesWithCaller`:
    /// the program is killed when the thread that started it ends (a call's
    /// SIP agent must not ring on after its serve was killed); through
    /// util-linux's setpriv, when it is there.
    static func start(_ argv: [String], environment: [String: String]? = nil, input: Bool = false,
                      output: Output = .pipe, diesWithCaller: Bool = false) -> Result<Spawned, DialerProblem> {
        let setpriv = "/usr/bin/setpriv"
        let argv = diesWithCaller && FileManager.default.isExecutableFile(atPath: setpriv) ? [setpriv, "--pdeathsig", "KILL", "--"] + argv : argv
        var inFDs: [Int32] = [-1, -1], outFDs: [Int32] = [-1, -1]
        // Close-on-exec: another program started meanwhile must not hold these pipes open.
        if input {
            guard pipe(&inFDs) == 0 else { return .failure(DialerProblem("cannot make a pipe")) }
            for fd in inFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        if case .pipe = output {
            guard pipe(&outFDs) == 0 else {
                for fd in inFDs where fd >= 0 { close(fd) }
                return .failure(DialerProblem("cannot make a pipe"))
            }
            for fd in outFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input {
            posix_spawn_file_actions_adddup2(&actions, inFDs[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        switch output {
        case let .file(path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .pipe:
            posix_spawn_file_actions_adddup2(&actions, outFDs[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        tw_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let args = argv.map { strdup($0) } + [nil]
        let pairs = environment.map { $0.map { "\($0.key)=\($0.value)" } } ?? ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=\(NSTemporaryDirectory())", "LANG=C.UTF-8"]
        let env = pairs.map { (s: String) in strdup(s) } + [nil]
        defer {
            for a in args { free(a) }
            for e in env { free(e) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, args, env)
        for fd in [inFDs[0], outFDs[1]] where fd >= 0 { close(fd) }
        guard rc == 0 else {
            for fd in [inFDs[1], outFDs[0]] where fd >= 0 { close(fd) }
            return .failure(DialerProblem("cannot start \(argv[0]): \(String(cString: strerror(rc)))"))
        }
        return .success(Spawned(pid: pid, stdin: inFDs[1], stdout: outFDs[0]))
    }

    /// The status of a process waitpid no longer knows.
    static let lost: Int32 = -1

    /// How it ended (a wait status, or `lost`), once it has.
    var exitStatus: Int32? {
        _ = isRunning
        return status
    }

    /// Ends it and whatever it started at once, and reaps it.
    func kill() {
        Glibc.kill(-pid, SIGKILL)
        if status == nil {
            var s: Int32 = 0
            waitpid(pid, &s, 0)
            status = s
        }
    }

    var isRunning: Bool {
        guard status == nil else { return false }
        var s: Int32 = 0
        let r = waitpid(pid, &s, WNOHANG)
        if r == pid { status = s } else if r < 0 { status = Spawned.lost }
        return status == nil
    }

    /// SIGTERM to its group, then SIGKILL after `grace`; reaped.
    func stop(grace: TimeInterval = 2) {
        defer { for fd in [stdin, stdout] where fd >= 0 { close(fd) } }
        guard isRunning else { Glibc.kill(-pid, SIGKILL); return }
        Glibc.kill(-pid, SIGTERM)
        let end = Date().addingTimeInterval(grace)
        while isRunning && Date() < end { usleep(20_000) }
        // Whatever it started goes with it.
        kill()
    }
}
