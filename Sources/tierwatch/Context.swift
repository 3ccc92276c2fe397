import ArgumentParser
import Escalation
import Foundation
import IncidentStore

/// Options every command shares: where the store is, which policy, who acts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store directory (else $TIERWATCH_STORE, else $XDG_DATA_HOME/tierwatch).", valueName: "dir"),
            completion: .directory)
    var store: String?

    @Option(name: .long, help: ArgumentHelp("The policy file (else policy.yaml in the store, else the built-in policy).", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("Who you are (else $TIERWATCH_OPERATOR, else user@host). Claimed, not authenticated.", valueName: "name"))
    var `operator`: String?
}

/// A failure the executable reports on stderr and turns into an exit code:
/// 1 for an action the incident's state refuses, 2 for usage or configuration.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    static func usage(_ m: String) -> CLIError { CLIError(message: m, exitCode: 2) }
    static func refused(_ m: String) -> CLIError { CLIError(message: m, exitCode: 1) }

    var description: String { message }
}

/// Everything a command needs, resolved once from options and environment.
struct Context {
    let store: IncidentStore
    /// The policy new incidents open under; only `raise` needs it to parse.
    let policies: PolicySource
    let operatorName: String
    let clock: Clock
    var now: Date { clock.now() }

    static let maxTitle = 256
    static let maxMessage = 4096
    static let maxName = 128

    init(_ options: GlobalOptions, environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        clock = .system
        let path = try Context.storePath(options.store, env)
        let host = env["TIERWATCH_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? IncidentStore.defaultHost
        store = IncidentStore(path: path, host: host, clock: clock)
        // Start from the checkpoint in the user's cache, keeping incidents
        // resolved over a day ago out of memory; history commands call
        // `keepWholeHistory()` (see docs/operations.md, "The store on disk").
        store.checkpointPath = Checkpoint.path(forStore: path, environment: env)
        store.archiveAfter = Context.archiveAfter
        policies = PolicySource(flag: options.policy, storePath: path)
        // Who to call: the policy in force, or while it does not parse the
        // last that did (a number fixed in it still reaches open incidents).
        store.useDirectory(policies.reading.working?.policy)
        // The policy's clock tolerance, for every write.
        store.clockTolerance = Double(policies.reading.sites.clockTolerance.seconds)
        let who = options.operator ?? env["TIERWATCH_OPERATOR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(env["USER"] ?? IncidentStore.unixUser)@\(IncidentStore.machineHostName)"
        operatorName = try Context.checked(who, "operator name", max: Context.maxName)
    }

    /// Incidents resolved longer ago than this are read from the logs on
    /// demand instead of held in memory (the board's resolved list shows
    /// the last day's).
    static let archiveAfter: TimeInterval = 86400

    /// For commands over the whole history (handover over more than a
    /// day, list --all, export; `report` takes archived incidents' figures
    /// from the archive instead): a full read with every incident in memory, no checkpoint.
    func keepWholeHistory() {
        store.checkpointPath = nil
        store.archiveAfter = nil
    }

    /// One incident as the screens and `show` see it now, under the policy
    /// it opened with.
    func entry(_ incident: Incident) -> Board.Entry {
        Board.Entry(incident, policies: store.state.policies, at: now)
    }

    /// One incident as `--json` prints it.
    func json(_ incident: Incident) -> JSONValue {
        entry(incident).json(now: now)
    }

    static func storePath(_ flag: String?, _ env: [String: String]) throws -> String {
        if let flag {
            // An empty --store (an unset variable in a script) must not
            // quietly mean the default store.
            guard !flag.isEmpty else { throw CLIError.usage("--store is empty: name the store directory") }
            return absolute(flag)
        }
        if let s = env["TIERWATCH_STORE"], !s.isEmpty { return absolute(s) }
        if let x = env["XDG_DATA_HOME"], !x.isEmpty { return absolute(x) + "/tierwatch" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.local/share/tierwatch"
    }

    static func absolute(_ p: String) -> String {
        p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
    }

    /// The policy for new incidents, or why there is none (exit 2).
    func policyInForce() throws -> PolicyInForce { try policies.current.get() }

    /// The other sites that gave no sign for longer than the policy in
    /// force allows, as every screen says it (see `PolicyReading.sites`
    /// for a policy that does not parse).
    func silentPeers() -> [String] {
        let sites = policies.reading.sites
        return store.peers(expected: sites.expected, silentAfter: Double(sites.silentAfter.seconds), now: now)
            .filter(\.isSilent).map { $0.warning(now: now) }
    }

    /// What the store shows of the clocks, with the tolerance of the policy
    /// in force (see `PolicyReading.sites`), which the store's writes use
    /// from now on too.
    func clocks() -> ClockReading {
        let sites = policies.reading.sites
        store.clockTolerance = Double(sites.clockTolerance.seconds)
        return store.clocks()
    }

    /// Reads the store for a command that reports on it. A store that does
    /// not exist, is not a directory or cannot be listed is an error (exit
    /// 2): reporting nothing would read as "all clear". A store read only in
    /// part is reported on stderr, and the command ends with `finish(_:)`.
    func readStore() throws -> StoreHealth {
        store.refresh()
        let health = store.health
        if health.cannotRead {
            throw CLIError.usage(health.problems.joined(separator: "; ") + (health.access == .missing
                ? " (check --store or $TIERWATCH_STORE; the first `tierwatch raise` creates it)" : ""))
        }
        // A policy file that does not parse keeps no report from being
        // made (each incident carries its own policy), but is said.
        let clashes = store.state.clashes.sorted { $0.key < $1.key }.map { IncidentStore.clashWarning(host: $0.key, events: $0.value) }
        for problem in health.problems + [policies.problem].compactMap({ $0 }) + clashes + silentPeers() + clocks().warnings {
            FileHandle.standardError.write(Data("tierwatch: warning: \(problem.sanitized)\n".utf8))
        }
        return health
    }

    /// Ends a reporting command: exit 1 when part of the store could not be
    /// read (what could be shown was printed, and the warning said what is
    /// missing).
    func finish(_ health: StoreHealth) throws {
        if !health.isComplete { throw ExitCode(1) }
    }

    static let maxPolicyBytes = 256 * 1024

    static func readPolicyText(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage("\(file): cannot read the policy file (missing or not readable)")
        }
        guard data.count <= maxPolicyBytes else {
            throw CLIError.usage("\(file): policy file is \(data.count) bytes; the limit is \(maxPolicyBytes)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError.usage("\(file):1:1: error: the policy is not UTF-8 text")
        }
        return text
    }

    /// Checks text an operator typed: not empty, within its limit.
    static func checked(_ text: String, _ what: String, max: Int) throws -> String {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { throw CLIError.usage("the \(what) must not be empty") }
        guard t.count <= max else { throw CLIError.usage("the \(what) is \(t.count) characters; the limit is \(max)") }
        return t
    }

    /// How far ahead of this host's clock `--at` may be: clocks of hosts
    /// sharing a store differ a little, and no more.
    static let allowedFutureSkew: TimeInterval = 60
    /// How far back an incident may be opened with `--at` (an action on an
    /// incident is bounded by its opening instead).
    static let maxBackdatedOpening: TimeInterval = 7 * 86400

    /// Reads `--at`. Text that is not a time is a usage error (exit 2); a
    /// time the record cannot have (ahead of the clock) is refused (exit 1).
    /// Whether it is possible for the incident (not before its opening, a
    /// reopen not before its resolve) is `Incident.refusal`'s to say.
    func parseWhen(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let d = When.parse(text, now: now) else {
            throw CLIError.usage("--at '\(text)': not a time (write -5m, '5m ago', now, or 2026-11-26T17:50:00Z)")
        }
        guard d.timeIntervalSince(now) <= Context.allowedFutureSkew else {
            throw CLIError.refused("--at '\(text)' (\(ISOTime.format(d))) is in the future; --at records actions taken earlier (at most \(Int(Context.allowedFutureSkew))s ahead of this host's clock)")
        }
        return d
    }

    /// `--at` for opening an incident: also not more than a week back.
    func parseOpeningTime(_ text: String?) throws -> Date? {
        guard let d = try parseWhen(text) else { return nil }
        guard now.timeIntervalSince(d) <= Context.maxBackdatedOpening else {
            throw CLIError.refused("--at '\(text!)' (\(ISOTime.format(d))) is more than 7 days ago; an incident can be opened back-dated by a week at most")
        }
        return d
    }

    /// Reads the store, then finds the incident or fails with exit 1.
    func incident(_ typed: String) throws -> Incident {
        _ = try readStore()
        if let i = store.state.incident(typed) { return i }
        // Archived, but its records are not where the checkpoint says:
        // the logs alone answer (and the checkpoint is written anew).
        if [typed, IncidentID.normalize(typed)].contains(where: { $0.map(store.state.archive.contains) ?? false }) {
            store.readInFull()
            if let i = store.state.incident(typed) { return i }
        }
        throw Context.unknownIncident(typed, store.state)
    }

    /// An unknown incident id, with the nearest open one.
    static func unknownIncident(_ typed: String, _ state: StoreState) -> CLIError {
        let open = state.incidents.values.filter { $0.state != .resolved }.map(\.id)
        return .refused("unknown incident '\(typed.sanitized)'\(Suggest.didYouMean(typed.uppercased(), among: open))")
    }
}

/// The policy new incidents open under: `--policy FILE`, else `policy.yaml`
/// in the store, else the built-in one. Read again when the file changes,
/// so a running screen opens new incidents under an edit. A file that does
/// not parse is kept as the error to show (file:line:column), never quietly
/// replaced by another policy: reading screens warn, `raise` refuses. Open
/// incidents are not affected either way: each carries its own policy.
final class PolicySource {
    let flag: String?
    let storePath: String
    /// The policy in force or why there is none, and the last that parsed.
    private(set) var reading: PolicyReading
    /// What the file looked like when read (nil: there was none).
    private var signature: [Int]?

    init(flag: String?, storePath: String) {
        self.flag = flag
        self.storePath = storePath
        signature = PolicySource.signature(of: flag ?? storePath + "/policy.yaml")
        // The kept copy is read (and parsed) only when the file does not
        // parse: a start whose policy is fine reads nothing more.
        reading = PolicyReading(current: .failure(PolicyProblem("not read yet")))
        let first = load()
        reading = PolicyReading(current: first, lastGood: (try? first.get()) ?? PolicySource.kept(storePath))
        keep()
    }

    /// Where the last policy file that parsed is kept for this store: in the
    /// user's cache beside the checkpoint (nil: no cache). A process started
    /// while the file does not parse (a command, a restarted serve) keeps
    /// its checks and hooks on it, as one that was running does.
    static func keptPath(_ storePath: String) -> String? {
        Checkpoint.path(forStore: storePath).map { String($0.dropLast(".checkpoint".count)) + ".policy.yaml" }
    }

    /// The kept policy, if there is one and it parses.
    static func kept(_ storePath: String) -> PolicyInForce? {
        guard let path = keptPath(storePath), let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8), let policy = try? Policy(yaml: text, file: path) else { return nil }
        return PolicyInForce(policy: policy, text: text, source: "the last that parsed, kept at \(path)")
    }

    /// Keeps the policy file in force when it parsed and differs from the
    /// kept copy (the built-in policy is not kept: it needs no keeping).
    private func keep() {
        guard case let .success(p) = reading.current, p.source != "built-in", let path = PolicySource.keptPath(storePath),
              FileManager.default.contents(atPath: path) != Data(p.text.utf8) else { return }
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let tmp = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(p.text.utf8), attributes: [.posixPermissions: 0o600]) else { return }
        if rename(tmp, path) != 0 { unlink(tmp) }
    }

    /// The policy for new incidents, or why there is none (exit 2).
    var current: Result<PolicyInForce, CLIError> { reading.current.mapError { .usage($0.message) } }

    /// The file in force: the flag's, else the store's if it has one.
    var file: String? {
        if let flag { return flag }
        let inStore = storePath + "/policy.yaml"
        return FileManager.default.fileExists(atPath: inStore) ? inStore : nil
    }

    /// Reads the file again if it changed; true when it did.
    @discardableResult
    func refresh() -> Bool {
        let now = PolicySource.signature(of: flag ?? storePath + "/policy.yaml")
        guard now != signature else { return false }
        signature = now
        reading = reading.reading(load())
        keep()
        return true
    }

    /// Why new incidents cannot be opened, for every screen; nil when they can.
    var problem: String? { reading.problem }

    private func load() -> Result<PolicyInForce, PolicyProblem> {
        guard let file else {
            return .success(PolicyInForce(policy: .builtIn, text: Policy.builtInYAML, source: "built-in"))
        }
        do {
            let text = try Context.readPolicyText(file)
            let (policy, warnings) = try Policy.check(yaml: text, file: file, at: Clock.system.now())
            return .success(PolicyInForce(policy: policy, text: text, source: file, warnings: warnings))
        } catch let e as CLIError {
            return .failure(PolicyProblem(e.message))
        } catch {
            return .failure(PolicyProblem("\(error)"))
        }
    }

    /// Device, inode, size and modification time: an edit in place or a
    /// replacement by rename both change it.
    private static func signature(of path: String) -> [Int]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [Int(st.st_dev), Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
    }
}

/// What a report says of clocks that are off (see `ClockReading`): the
/// figures, handover lines and timeline rows that rest on such a host's
/// times are marked, counted as recorded.
struct ClockMarks {
    let reading: ClockReading
    /// This machine's host name.
    let me: String
    /// The hosts whose times are not trusted, this machine's too when the
    /// others find it off.
    let hosts: Set<String>

    init(_ reading: ClockReading, me: String) { (self.reading, self.me, hosts) = (reading, me, reading.distrusted(me: me)) }

    func touches(_ i: Incident) -> Bool { ClockReading.rests(i, on: hosts) }

    /// The hosts in words: "b (about 5m ahead), c (about 5m behind)".
    var described: String {
        (reading.hosts.map { ($0.host, $0.offset) } + (reading.own.map { [("this machine", $0.offset)] } ?? []))
            .map { "\($0.0.sanitized) (about \(Words.span(Int(abs($0.1).rounded()))) \($0.1 > 0 ? "ahead" : "behind"))" }
            .joined(separator: ", ")
    }

    /// The line above a report whose incidents `ids` rest on such times (nil: none do).
    func note(_ ids: [String]) -> String? {
        guard !ids.isEmpty else { return nil }
        let shown = ids.sorted().prefix(10).joined(separator: ", ") + (ids.count > 10 ? " and \(ids.count - 10) more" : "")
        return "CLOCKS: \(ids.count) incident(s) rest on times from host(s) whose clock is off — \(described): \(shown). Their figures are counted as recorded and may be off by as much."
    }
}

extension Context {
    func clockMarks() -> ClockMarks { ClockMarks(clocks(), me: store.host) }
}
