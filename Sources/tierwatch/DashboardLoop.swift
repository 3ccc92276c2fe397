import Dashboard
import Surface
import Escalation
import Foundation
import IncidentStore
import Terminal
import Serve

#if canImport(Glibc)
import Glibc
#endif

/// The run loop: the one thread that owns the terminal. It blocks in poll(2)
/// on the keyboard, the store watcher and a signal pipe, with a timeout to
/// the next second boundary (or safety-net poll), so an idle screen costs
/// next to nothing; it redraws only when the frame changed, and the terminal
/// sends only the cells that did.
final class ScreenLoop {
    let ctx: Context
    let follower: StoreFollower
    let terminal: Terminal
    var model: any Screen
    private var alarm = Alarm()
    /// Read-write screens leave a heartbeat for the other sites; a viewer
    /// and the wall write nothing.
    let writesHeartbeat: Bool
    private var nextBeat = 0.0
    private var nextPeerCheck = 0.0
    private var silentPeers: [String] = []
    /// Hosts whose clocks run ahead of this one (looked at with the peers).
    private var clocks = ClockReading(tolerance: 60)
    /// Hooks whose last run failed, per open incident (worked out for the
    /// incidents a read touched).
    private var hookFailures: [String: [String]] = [:]
    /// The live screen, kept while a replay is on screen in its place.
    private var live: (any Screen)?
    /// Customer updates being sent on threads of their own.
    private let deliveries = Jobs<Delivered>()
    /// Calls being placed on threads of their own, and the ones ringing.
    private let calls = Jobs<CallPlaced>()
    private let ringing = Mailbox<String>()
    /// The wall's breaches said aloud (`wall --speak`).
    private let speaker: Speaker?

    init(ctx: Context, follower: StoreFollower, terminal: Terminal, screen: any Screen, writesHeartbeat: Bool = false, speaker: Speaker? = nil) {
        self.ctx = ctx
        self.speaker = speaker
        self.follower = follower
        self.terminal = terminal
        self.writesHeartbeat = writesHeartbeat
        model = screen
        _ = model.update(.watchStatus(follower.watcher.usesInotify ? nil : follower.watcher.statusDescription))
    }

    /// Runs until the operator quits or a signal ends it; returns the exit
    /// code. An update on its way is waited for and recorded first: one
    /// delivered is never left unrecorded by a quit.
    func run() -> Int32 {
        defer { if writesHeartbeat { ctx.store.removeHeartbeat() } }
        SignalPipe.install()
        defer { SignalPipe.uninstall() }
        let code = loop()
        speaker?.stop()
        if calls.pending > 0 {
            _ = model.update(.failed("waiting for the call in progress to end, to record how it went, before quitting…"))
            draw()
            calls.waitForAll()
            recordCalls()
        }
        if deliveries.pending > 0 {
            _ = model.update(.failed("waiting for the customer update on its way, to record what reached whom, before quitting…"))
            draw()
            deliveries.waitForAll()
            recordDeliveries()
        }
        return code
    }

    private func loop() -> Int32 {
        ctx.store.refresh()
        // The breaches already there are said (the wall is new to them);
        // the bell rings only for what happens while it runs.
        for case let .speak(words) in publishStore(changed: nil) { speaker?.say(words) }
        keepInTouch()
        publishAlarm()
        publishDirectory()
        if ProcessInfo.processInfo.environment["TIERWATCH_TEST_CRASH"] == "1" {
            draw()
            fatalError("TIERWATCH_TEST_CRASH: a forced crash, to test that the terminal is restored")
        }
        var second = Int(ctx.now.timeIntervalSince1970)
        // A burst of store changes is drawn at most this often; a key is
        // drawn at once, never queued behind the burst.
        let frameInterval = 1.0 / 30
        var lastDraw = -Double.infinity
        var dirty = true
        while true {
            let mono = StoreFollower.monotonic()
            var wait = Double.infinity
            if dirty {
                if mono - lastDraw >= frameInterval {
                    draw()
                    lastDraw = mono
                    dirty = false
                } else {
                    wait = lastDraw + frameInterval - mono
                }
            }
            let now = ctx.now.timeIntervalSince1970
            let toSecond = (now.rounded(.down) + 1 - now)
            // Safety-net polls ride on the once-a-second wake-up: one wake a
            // second in all, unless polling faster was asked for.
            let timeout = min(wait, follower.watcher.pollInterval >= 1 ? toSecond : min(toSecond, follower.secondsUntilPoll))
            var fds = [
                pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                pollfd(fd: SignalPipe.readFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: follower.watcher.fileDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            let n = poll(&fds, follower.watcher.usesInotify ? 3 : 2, Int32((timeout * 1000).rounded(.up)))
            if n < 0 && errno != EINTR { return 1 }

            switch handleSignals() {
            case let .exit(code): return code
            case let .go(wake): dirty = dirty || wake
            }
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return 1 }  // the terminal went away
            var keyed = false
            if fds[0].revents & Int16(POLLIN) != 0 {
                switch handleKeys() {
                case let .exit(code): return code
                case let .go(any): keyed = any
                }
            }
            let change = follower.check()
            if !change.isEmpty {
                if perform(publishStore(changed: change.incidents)) { return 0 }
                dirty = true
            }
            let s = Int(ctx.now.timeIntervalSince1970)
            if s != second {
                second = s
                if everySecond() { return 0 }
                dirty = true
            }
            if keyed || SignalPipe.resized {
                // What the operator did is on screen at once.
                SignalPipe.resized = false
                draw()
                lastDraw = StoreFollower.monotonic()
                dirty = false
            }
        }
    }

    /// The figures of the incidents opened since `since` that the archive
    /// holds (the report overlay): as the archive keeps them, or (when the
    /// checkpoint's cannot be read) from the incidents read back.
    private func archivedFacts(since: Date) -> [IncidentFacts] {
        let state = ctx.store.state
        if let kept = state.archive.facts(openedFrom: since, to: .distantFuture) { return kept }
        let now = ctx.now
        return state.archivedIncidents(resolvedSince: since).incidents.filter { $0.opened.at >= since }
            .map { IncidentFacts($0, policy: state.policy(for: $0), at: now) }
    }

    /// What the loop does next after a step: go on (saying whether the
    /// step changed what is shown), or end with an exit code.
    private enum Step {
        case go(Bool)
        case exit(Int32)
    }

    /// The signals that came: work done off the loop (wake), a resize, or
    /// an end (SIGINT, SIGTERM, SIGHUP: clean).
    private func handleSignals() -> Step {
        var woke = false
        for sig in SignalPipe.drain() {
            switch sig {
            case SignalPipe.wake:
                recordDeliveries()
                recordCalls()
                publishAlarm()  // a speaker that failed, or works again
                woke = true
            case SIGWINCH:
                terminal.resize()
                SignalPipe.resized = true
            default: return .exit(0)
            }
        }
        return .go(woke)
    }

    /// The keys (and clicks) read: each an update; true when any came.
    private func handleKeys() -> Step {
        let keys = terminal.readKeys()
        if terminal.readFailures > 50 { return .exit(1) }  // readable but empty, again and again: vanished
        tellSize()  // (a resize read with the keys counts before them)
        for key in keys {
            // A click is answered with what the last frame drew under it.
            let message: Message
            if case let .mouse(m) = key { message = .pointer(m, shown?.hit(x: m.x, y: m.y)) } else { message = .key(key) }
            if perform(model.update(message)) { return .exit(0) }
            // The next click of this read lands on the screen as it now is.
            if case .mouse = key { draw() }
        }
        return .go(!keys.isEmpty)
    }

    /// Once a second: whether the whole store is still readable, and
    /// whether the policy file changed (a stat each); the tick. True: quit.
    private func everySecond() -> Bool {
        if ctx.policies.refresh() {
            // Who to call follows the policy in force: every board again.
            ctx.store.useDirectory(ctx.policies.reading.working?.policy)
            publishDirectory()
            if perform(publishStore(changed: nil)) { return true }
        }
        keepInTouch()
        publishAlarm()
        return perform(model.update(.tick(ctx.now)))
    }

    /// The terminal compares with what it last drew and sends only the
    /// cells that changed (nothing at all when none did).
    private func draw() {
        tellSize()
        let frame = model.view(width: terminal.width, height: terminal.height)
        terminal.present(frame)
        shown = frame
    }

    /// The frame on screen: what a click lands on.
    private var shown: Frame?

    /// The size the screen was last told: below the smallest size it takes
    /// no key but q, so it must know before a key is handled.
    private var toldSize = (width: -1, height: -1)

    private func tellSize() {
        guard toldSize != (terminal.width, terminal.height) else { return }
        toldSize = (terminal.width, terminal.height)
        _ = model.update(.resized(width: terminal.width, height: terminal.height))
    }

    /// Hands the store's incidents and their policies to the screen.
    @discardableResult
    private func publishStore(changed: Set<String>?) -> [Command] {
        let state = ctx.store.state
        for id in changed.map(Array.init) ?? Array(state.incidents.keys) {
            guard let i = state.incidents[id], i.state != .resolved else { hookFailures[id] = nil; continue }
            let failed = i.failedHooks.map { h in
                [HookKey.callName, HookKey.callOutName].contains(h.name) ? "a call for \(id) was NOT placed: \(h.detail.sanitized)" : "hook \(h.name.sanitized) failed for \(id): \(h.detail.sanitized)"
            }
            hookFailures[id] = failed.isEmpty ? nil : failed
        }
        // The screen's clock first: an incident opened a moment ago is
        // derived at a time after its opening, not at the last whole second.
        let ticked = model.update(.tick(ctx.now))
        guard let changed else {
            return ticked + model.update(.store(incidents: state.incidents, policies: state.policies, badRecords: ctx.store.badRecordCount))
        }
        return ticked + model.update(.changed(incidents: changed.compactMap { state.incidents[$0] }, policies: state.policies,
                                              badRecords: ctx.store.badRecordCount))
    }

    /// Hands the screen the policy in force: its people and schedules.
    private func publishDirectory() {
        _ = model.update(.directory(ctx.policies.current.map(\.policy).mapError { DirectoryProblem($0.message) }))
    }

    /// Leaves this host's heartbeat (read-write screens, every
    /// `Heartbeat.interval(silentAfter:)`) and looks for silent peers (every few seconds:
    /// a directory listing and a few small files).
    private func keepInTouch() {
        let mono = StoreFollower.monotonic()
        if writesHeartbeat, mono >= nextBeat, ctx.store.health.access == .readable {
            try? ctx.store.beat(process: "dashboard")
            let sites = ctx.policies.reading.sites
            nextBeat = mono + Heartbeat.interval(silentAfter: Double(sites.silentAfter.seconds))
        }
        guard mono >= nextPeerCheck else { return }
        nextPeerCheck = mono + 5
        silentPeers = ctx.silentPeers()
        clocks = ctx.clocks()
    }

    /// Tells the screen what it cannot see or do, when that changed.
    private func publishAlarm() {
        let health = ctx.store.health
        var now = Alarm()
        if health.access == .missing { now.waitingFor = health.path } else { now.problems = health.problems }
        if let p = ctx.policies.problem { now.warnings.append(p) }
        for (host, n) in ctx.store.state.clashes.sorted(by: { $0.key < $1.key }) {
            now.warnings.append(IncidentStore.clashWarning(host: host, events: n))
        }
        now.warnings += silentPeers
        now.warnings += clocks.warnings
        now.warnings += Settings.config.warnings
        now.skewedHosts = clocks.skewedHosts
        now.warnings += hookFailures.keys.sorted().flatMap { hookFailures[$0]! }
        if let why = speaker?.failure { now.warnings.append("NOT SPOKEN: \(why)") }
        guard now != alarm else { return }
        alarm = now
        _ = model.update(.alarm(now))
    }

    /// The screen's answer to what an action's own read brought in: only a
    /// bell (someone else's new incident, a breach) can come back from it.
    private func ringIfAsked(_ commands: [Command]) {
        for command in commands {
            switch command {
            case .bell: terminal.bell()
            case let .speak(words): speaker?.say(words)
            default: break
            }
        }
    }

    /// Carries out the model's commands; returns true to quit.
    private func perform(_ commands: [Command]) -> Bool {
        for command in commands {
            switch command {
            case .quit:
                return true
            case let .loadHistory(since):
                _ = model.update(.history(since: since, facts: archivedFacts(since: since)))
            case let .record(id, action, base):
                do {
                    let event = try ctx.record(on: id, at: nil, baseVersion: base) { _, _, _ in action }
                    ringIfAsked(publishStore(changed: nil))  // the append also read what others wrote
                    // The incident was just written to: it is in the state.
                    let said = ctx.store.state.incidents[id].map { event.summary(policy: ctx.store.state.policy(for: $0), customer: $0.customer) }
                    _ = model.update(.done("\(id): \(said ?? "recorded")"))
                } catch {
                    _ = model.update(.failed("\(error)"))
                }
            case let .raise(title, customer, severity):
                do {
                    let event = try ctx.raise(title: title, customer: customer, severity: severity, at: nil)
                    ringIfAsked(publishStore(changed: nil))
                    _ = model.update(.opened(id: event.incident, title: title))
                } catch {
                    _ = model.update(.failed("\(error)"))
                }
            case .bell:
                terminal.bell()
            case let .speak(words):
                speaker?.say(words)
            case let .replay(id):
                guard live == nil, let template = model as? Model else { continue }
                let state = ctx.store.state
                guard let incident = state.incident(id) else {
                    _ = model.update(.failed("\(id): not found in the store"))
                    continue
                }
                let replay = Replay(events: Array(incident.events), onCall: state.policies.onCall.events, directory: state.policies.directory,
                                    at: nil, now: ctx.now, template: template, returnsToLive: true)
                live = model
                model = replay
                toldSize = (-1, -1)  // a new screen: tell it the size
            case let .sendUpdate(id, title, body, urls):
                send(id, title: title, body: body, urls: urls)
            case let .call(id, contact):
                call(id, contact: contact)
            case .endReplay:
                guard let screen = live else { continue }
                live = nil
                model = screen
                toldSize = (-1, -1)
                // What happened meanwhile, and what the screens cannot see.
                publishDirectory()
                ringIfAsked(publishStore(changed: nil))
                _ = model.update(.alarm(alarm))
            }
        }
        return false
    }
}

extension ScreenLoop {
    /// Sends a customer update without stopping the screen: refused at once
    /// when the record would be (a clock found off, the incident gone), else
    /// sent on a thread of its own; `recordDeliveries` records what came of it.
    fileprivate func send(_ id: String, title: String, body: String, urls: [String]) {
        do {
            try ctx.updatePreflight(id, body: body, urls: urls)
        } catch {
            _ = model.update(.updateSent(incident: id, text: "\(id): the update was not sent: \(error)", isError: true))
            return
        }
        deliveries.start { Delivered(id: id, body: body, delivery: UpdateDelivery.send(title: title, body: body, urls: urls)) }
    }

    /// Places a call without stopping the screen: what must hold is checked
    /// and "calling …" recorded here; the call itself on a thread of its
    /// own; `recordCalls` records what came of it.
    fileprivate func call(_ id: String, contact: String) {
        let plan: CallPlan, message: CallPlan.Message
        do {
            plan = try ctx.planCall(id, contact: contact)
            message = try ctx.prepareCall(plan)
            ringIfAsked(publishStore(changed: nil))
        } catch {
            _ = model.update(.callEnded(incident: id, text: "\(id): no call placed: \(error)", isError: true))
            return
        }
        let ringing = self.ringing
        calls.start { CallPlaced(plan: plan, message: message, result: plan.dial(message) { ringing.post(plan.incident) }) }
    }

    /// Tells the screen which calls ring, and records each call that ended.
    fileprivate func recordCalls() {
        for id in ringing.take() { tellLive(.callRinging(incident: id)) }
        for c in calls.finished() {
            let id = c.plan.incident
            do {
                let result = try ctx.finishCall(c.plan, c.message, c.result)
                ringIfAsked(publishStore(changed: nil))
                tellLive(.callEnded(incident: id, text: result.line(c.plan), isError: result != .confirmed))
            } catch {
                ringIfAsked(publishStore(changed: nil))
                tellLive(.callEnded(incident: id, text: "\(error)", isError: true))
            }
        }
    }

    /// A result for the live board, kept there while a replay is on screen.
    fileprivate func tellLive(_ message: Message) {
        if var screen = live { _ = screen.update(message); live = screen } else { _ = model.update(message) }
    }

    /// Records each finished delivery (the update with who has it, or the
    /// note that nobody does) and tells the screen.
    fileprivate func recordDeliveries() {
        for d in deliveries.finished() {
            let (id, body, delivery) = (d.id, d.body, d.delivery)
            do {
                try ctx.recordDelivery(delivery, body: body, on: id)
                ringIfAsked(publishStore(changed: nil))
                tellLive(.updateSent(incident: id, text: delivery.summary(id), isError: !delivery.reachedEveryone))
            } catch {
                tellLive(.updateSent(incident: id, text: "\(error)", isError: true))
            }
        }
    }
}
