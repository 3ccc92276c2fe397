import ArgumentParser
import Escalation
import Foundation
import IncidentStore
import CSpawn
import Intake
import Serve

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the store: files, permissions, bad records, hosts, clocks, file system.",
        discussion: "Exits 0 when all is well, 1 when something needs attention. Example: tierwatch doctor --json")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let ctx = try Context(global)
        let checkpoint = ctx.store.checkpointPath
        ctx.keepWholeHistory()
        var report = StoreCheck.run(ctx.store, now: ctx.now)
        report.checkCheckpoint(checkpoint, full: ctx.store)
        report.checkPolicy(ctx.policies)
        report.checkPeers(ctx)
        report.checkClock()
        report.checkHooks(ctx)
        report.checkDialer(ctx.policies)
        if json {
            printJSON(report.json)
        } else {
            print(report.text, terminator: "")
        }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}

extension StoreCheck {
    /// Whether a start from the checkpoint in the user's cache gives what
    /// the full read gave (see `Checkpoint.verify`).
    mutating func checkCheckpoint(_ path: String?, full: IncidentStore) {
        guard let path else {
            lines.append("checkpoint: none (TIERWATCH_CACHE=off, or no home directory): every start reads the whole store")
            found.checkpoint = .init(state: "off")
            return
        }
        switch Checkpoint.verify(path: path, against: full, archiveAfter: Context.archiveAfter) {
        case let .none(why):
            lines.append("checkpoint: \(why)")
            found.checkpoint = .init(path: path, state: "none")
        case let .unusable(why):
            lines.append("checkpoint: not usable: \(why)")
            found.checkpoint = .init(detail: why, path: path, state: "unusable")
        case let .matches(why):
            lines.append("checkpoint: \(why)")
            found.checkpoint = .init(path: path, state: "ok")
        case let .differed(why):
            lines.append("checkpoint: \(why)")
            problems.append("the checkpoint differed from a full read (removed; the next start rebuilds it)")
            found.checkpoint = .init(detail: why, path: path, state: "differed")
        }
    }

    /// Hooks that failed in the last day (their latest run, per incident).
    mutating func checkHooks(_ ctx: Context) {
        let now = ctx.now
        var failed: [Wire.HookFailure] = []
        var calls = 0
        for i in ctx.store.state.incidents.values.sorted(by: { $0.id < $1.id }) {
            for e in i.events {
                guard case let .hook(h) = e.action, h.result == .failed, now.timeIntervalSince(e.recordedAt) < 86400 else { continue }
                if HookKey(h.key)?.callOut != nil {
                    // A call tierwatch could not place: the timeline's own words.
                    calls += 1
                    lines.append("\(i.id) at \(ISOTime.format(e.recordedAt)): \(e.summary(policy: ctx.store.state.policy(for: i), customer: i.customer))")
                } else {
                    lines.append("hook \(h.name.sanitized) failed for \(i.id) at \(ISOTime.format(e.recordedAt)): \(h.detail.sanitized)")
                }
                failed.append(.init(at: e.recordedAt, detail: h.detail, hook: h.name, incident: i.id, kind: HookKey(h.key)?.callOut != nil ? "call" : "hook"))
            }
        }
        if calls > 0 { problems.append("\(calls) call(s) tierwatch could not place in the last day (listed above): their people were not called") }
        if failed.count > calls { problems.append("\(failed.count - calls) hook run(s) failed in the last day (listed above)") }
        found.hooks_failed = failed
    }

    /// The policy's dialer: what would stop every call (the SIP agent, the
    /// password file, espeak-ng) is a problem; which tiers call out.
    mutating func checkDialer(_ source: PolicySource) {
        guard case let .success(loaded) = source.current, let settings = loaded.policy.dialer else { return }
        let found = Dialer(settings).problems()
        let callOut = loaded.policy.tiers.compactMap { t in t.callOut.map { "\(t.id) (every \($0.recall), \($0.attempts) tries)" } }
        let agent: String
        switch settings.agent {
        case let .baresip(a): agent = "baresip as \(a.user)@\(a.domain)" + (a.proxy.map { " via \($0)" } ?? "")
        case let .program(p): agent = "program \(p)"
        }
        lines.append("dialer: \(agent.sanitized)" + (found.isEmpty ? ": nothing here stops a call (calls not placed, if any, are listed above)" : ""))
        for p in found { lines.append("  cannot call: \(p.description.sanitized)") }
        lines.append("  automatic call-out: " + (callOut.isEmpty ? "none (no tier has call_out)" : callOut.joined(separator: ", ").sanitized))
        problems += found.map { "the dialer cannot place calls: \($0.description)" }
        self.found.dialer = .init(agent: agent, call_out: callOut, problems: found.map(\.description), ready: found.isEmpty)
    }

    /// Each other site's last sign (heartbeat or event); a silent one is a problem.
    mutating func checkPeers(_ ctx: Context) {
        let sites = ctx.policies.reading.sites
        let now = ctx.now
        let peers = ctx.store.peers(expected: sites.expected, silentAfter: Double(sites.silentAfter.seconds), now: now)
        let mine = ctx.store.heartbeats().first { $0.host == ctx.store.host }
        lines.append("heartbeat of this host: " + (mine.map { "\(Words.ago($0.at, now: now)) (\($0.process.sanitized))" } ?? "none (only read-write screens and serve leave one)"))
        for p in peers {
            lines.append("peer \(p.host.sanitized): last sign " + (p.lastSign.map { "\(ISOTime.format($0)) (\(Words.ago($0, now: now)))" } ?? "never") + (p.isSilent ? " — SILENT" : ""))
            if p.isSilent { problems.append(p.warning(now: now)) }
        }
        found.peers = peers.map { .init(host: $0.host, last_sign: $0.lastSign, silent: $0.isSilent) }
        found.silent_after_seconds = sites.silentAfter.seconds
    }

    /// Whether this machine's clock is kept right, as the kernel tells
    /// (adjtimex: the synchronisation NTP daemons such as chrony or
    /// systemd-timesyncd maintain). Unsynchronised is a note, not a
    /// problem: many machines keep good time without saying so, and the
    /// other hosts' records are the check that matters (see the hosts above).
    mutating func checkClock() {
        var esterror = 0
        let state = tw_clock_state(&esterror)
        let timeError: Int32 = 5  // TIME_ERROR: not synchronised
        let text: String
        switch state {
        case -1: text = "cannot tell (adjtimex: \(String(cString: strerror(errno))))"
        case timeError: text = "not synchronised (no NTP daemon keeps it: run timedatectl status; enable chrony or systemd-timesyncd)"
        default: text = "synchronised (estimated error \(esterror) µs)"
        }
        lines.append("this machine's clock: \(text)")
        found.clock = .init(estimated_error_us: state == -1 || state == timeError ? nil : esterror, state: Int(state), synchronised: state != -1 && state != timeError)
    }

    /// The policy for new incidents: a file that does not parse is a
    /// problem (raise refuses it), its warnings are notes.
    mutating func checkPolicy(_ source: PolicySource) {
        switch source.current {
        case let .success(loaded):
            lines.append("policy: \(loaded.policy.name.sanitized) v\(loaded.policy.version) (\(loaded.source.sanitized))")
            for w in loaded.warnings { lines.append("  \(w.description.sanitized)") }
            found.policy = .init(name: loaded.policy.name, ok: true, source: loaded.source, warnings: loaded.warnings.map(\.description))
        case let .failure(e):
            lines.append("policy: \(e.message.sanitized)")
            problems.append(source.problem!)
            found.policy = .init(error: e.message, ok: false, source: source.file ?? "built-in")
        }
    }
}
