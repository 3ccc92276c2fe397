import Escalation
import Foundation
import Testing

/// The rule above all others: when tierwatch cannot know, it says so, and
/// what it records follows when things happened. Real binaries, a real
/// file system, real users (root and nobody) and a real terminal.
@Suite(.serialized) struct NoFalseAllClear {
    /// Runs tierwatch as nobody, who can read only what is world-readable.
    func asNobody(_ args: [String], store: String) -> Binary.Result {
        Binary.run(["--reuid=65534", "--regid=65534", "--clear-groups", Binary.tierwatch] + args,
                   executable: "/usr/bin/setpriv", store: store)
    }

    @Test func aStoreThatIsNotThereIsAnErrorNotAllClear() {
        for args in [["list"], ["list", "--json"], ["show", "ABCD"], ["export"]] {
            let r = Binary.run(args + ["--store", "/nonexistent/tw-store"])
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains("no store at /nonexistent/tw-store: it does not exist"), "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("All clear") && !r.stdout.contains("[]"), "\(args)")
        }
        let file = TempStore().path + "/a-file"
        defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
        writeFixture(atPath: file, contents: Data("x".utf8))
        let r = Binary.run(["list", "--store", file])
        #expect(r.status == 2 && r.stderr.contains("\(file) is not a directory"))
    }

    @Test func aStoreTheUserCannotReadIsAnError() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        chmod(s.path, 0o700)  // root's only: nobody cannot list it
        let r = asNobody(["list"], store: s.path)
        #expect(r.status == 2 && r.stderr.contains("unreadable: permission denied"), "\(r.stderr)")
        #expect(!r.stdout.contains("All clear") && !r.stdout.contains(id))
    }

    @Test func anUnreadableHostLogIsWarnedAboutAndExitsOne() throws {
        let s = TempStore(); defer { s.cleanup() }
        let seen = s.raise("Readable by everyone")
        let hidden = Binary.run(["raise", "--title", "Only root can read this"], store: s.path, env: ["TIERWATCH_HOST": "noc2"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for (path, mode) in [(s.path, 0o755), (s.path + "/events", 0o755), (s.path + "/events/noc1.log", 0o644),
                             (s.path + "/events/noc2.log", 0o600)] {
            chmod(path, mode_t(mode))
        }
        let warning = "events/noc2.log unreadable: permission denied — incidents may be missing"
        let list = asNobody(["list"], store: s.path)
        #expect(list.status == 1 && list.stderr.contains(warning), "\(list.stderr)")
        #expect(list.stdout.contains(seen) && !list.stdout.contains(hidden))
        let json = asNobody(["list", "--json"], store: s.path)
        #expect(json.status == 1 && json.stderr.contains(warning))
        #expect((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any])?.count == 1)
        let show = asNobody(["show", seen], store: s.path)
        #expect(show.status == 1 && show.stdout.contains("Readable by everyone") && show.stderr.contains(warning))
        let export = asNobody(["export"], store: s.path)
        #expect(export.status == 1 && export.stderr.contains(warning))
        // Only resolving what can be seen: still not all clear.
        #expect(s.tw("resolve", seen).status == 0)
        chmod(s.path + "/events/noc1.log", 0o644)
        let none = asNobody(["list"], store: s.path)
        #expect(none.status == 1 && !none.stdout.contains("All clear") && none.stdout.contains("could not be read"))
        // Root reads it all: complete, and exit 0.
        let all = s.tw("list")
        #expect(all.status == 0 && all.stdout.contains(hidden) && all.stderr.isEmpty)
    }

    @Test func anEmptyStoreIsNotCalledAllClearButAResolvedOneIs() {
        let s = TempStore(); defer { s.cleanup() }
        let empty = s.tw("list")
        #expect(empty.status == 0 && empty.stdout.contains("No incidents recorded in") && !empty.stdout.contains("All clear"))
        let id = s.raise()
        #expect(s.tw("resolve", id).status == 0)
        let clear = s.tw("list")
        #expect(clear.status == 0 && clear.stdout.contains("No open incidents. All clear."))
    }
}

@Suite(.serialized) struct TimesAreTrue {
    @Test func backDatedCallsAndUpdatesDoNotOverrideNewerOnes() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise(extra: ["--at", "-5m"])
        for c in ["am", "director-support", "vp-cx"] { #expect(s.tw("notify", id, c).status == 0) }
        #expect(s.tw("notify", id, "vp-cx", "--outcome", "no_answer", "--at", "-2m").status == 0)
        var j = try s.json("show", id)
        let management = (j["tiers"] as! [[String: Any]])[1]
        #expect(management["status"] as? String == "done")
        #expect((management["contacts"] as! [[String: Any]])[2]["outcome"] as? String == "reached")

        #expect(s.tw("update", id, "--message", "now").status == 0)
        let due = try s.json("show", id)["next_customer_update_at"] as? String
        #expect(s.tw("update", id, "--message", "late", "--at", "-3m").status == 0)
        j = try s.json("show", id)
        #expect(j["next_customer_update_at"] as? String == due)

        // The timeline is in the order things happened: the back-dated call
        // comes before the calls recorded earlier but made later.
        let texts = (j["timeline"] as! [[String: Any]]).map { $0["text"] as! String }
        let missed = texts.firstIndex { $0.contains("no answer") }!
        let reached = texts.firstIndex { $0.contains("VP of Customer Experience") && $0.contains("reached") }!
        #expect(missed < reached)
        let ats = (j["timeline"] as! [[String: Any]]).map { $0["at"] as! String }
        #expect(ats == ats.sorted())
    }

    @Test func impossibleTimesAreRefusedAndWriteNothing() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise(extra: ["--at", "-10m"])
        #expect(s.tw("resolve", id, "--at", "-2m").status == 0)
        let before = s.snapshot()
        let reopen = s.tw("reopen", id, "--at", "-5m")
        #expect(reopen.status == 1 && reopen.stderr.contains("before the resolve it undoes"), "\(reopen.stderr)")
        let epoch = s.tw("note", id, "--message", "x", "--at", "1970-01-01T00:00:00Z")
        #expect(epoch.status == 1 && epoch.stderr.contains("before \(id) was opened"), "\(epoch.stderr)")
        let ancient = s.tw("raise", "--title", "x", "--at", "-99999h")
        #expect(ancient.status == 1 && ancient.stderr.contains("more than 7 days ago"), "\(ancient.stderr)")
        let future = s.tw("note", id, "--message", "x", "--at", "2099-01-01T00:00:00Z")
        #expect(future.status == 1 && future.stderr.contains("is in the future"))
        #expect(s.snapshot() == before)
        #expect(s.tw("reopen", id).status == 0)
    }

    @Test func aResolvedIncidentsTiersSayHowTheyWent() throws {
        let s = TempStore(); defer { s.cleanup() }
        // Every action at a stated instant, so no process's own start-up
        // time enters the lateness (each read its own clock before).
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 900).rounded(.down))
        let id = s.raise(extra: ["--at", ISOTime.format(start)])
        // Management was due 10 minutes in: reached at 15 it is 5 minutes late.
        let reached = ISOTime.format(start.addingTimeInterval(900))
        for c in ["am", "director-support", "vp-cx"] { #expect(s.tw("notify", id, c, "--at", reached).status == 0) }
        #expect(s.tw("resolve", id, "--message", "fixed", "--at", reached).status == 0)
        let tiers = try s.json("show", id)["tiers"] as! [[String: Any]]
        #expect(tiers.map { $0["status"] as! String } == ["done", "late", "missed", "not_started"])
        #expect(tiers[1]["late_seconds"] as? Int == 300)
        let text = s.tw("show", id).stdout
        #expect(text.contains("late by 05:00") && text.contains("missed") && text.contains("not started"), "\(text)")
    }
}

@Suite(.serialized) struct PoliciesThatCannotHurt {
    @Test func policyCheckWarnsOfATierThatCanNeverBeOverdue() throws {
        let s = TempStore(); defer { s.cleanup() }
        let file = s.path + "/p.yaml"
        try "name: p\ntiers:\n  - id: first\n    name: First\n    contacts: [Someone]\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = s.tw("policy", "check", file)
        #expect(r.status == 0 && r.stdout.contains("ok: policy p"))
        #expect(r.stderr.contains("\(file):3:9: warning: tier 'first' has contacts to reach but no notify_within: this tier can never be overdue"), "\(r.stderr)")
        let builtIn = s.tw("policy", "show", "--yaml")
        try builtIn.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let clean = s.tw("policy", "check", file)
        #expect(clean.status == 0 && clean.stderr.isEmpty)
    }

    @Test func aBrokenPolicyFileStopsOnlyRaise() throws {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        try "name: broken\ntiers:\n  - id: a\n    name: A\n    notify_within: soon\n".write(toFile: s.path + "/policy.yaml", atomically: true, encoding: .utf8)
        let position = "\(s.path)/policy.yaml:5:20: error"
        for args in [["list"], ["show", id], ["export"]] {
            let r = Binary.run(args, store: s.path)
            #expect(r.status == 0 && r.stdout.contains(id) && r.stderr.contains(position), "\(args): \(r.stderr)")
        }
        let doctor = s.tw("doctor")
        #expect(doctor.status == 1 && doctor.stdout.contains(position) && doctor.stdout.contains("new incidents cannot be opened"))
        let raise = s.tw("raise", "--title", "x")
        #expect(raise.status == 2 && raise.stderr.contains(position), "\(raise.stderr)")
        #expect(s.tw("ack", id).status == 0, "actions on open incidents use their own policy")
    }

    @Test func demoNeverWritesIntoAStoreWithEvents() throws {
        let s = TempStore(); defer { s.cleanup() }
        s.raise()
        let before = s.snapshot()
        let r = s.tw("demo", "--store", s.path, "--no-dashboard")
        #expect(r.status == 2 && r.stderr.contains("already holds a store"), "\(r.stderr)")
        #expect(s.snapshot() == before)
        let fresh = TempStore(); defer { fresh.cleanup() }
        let ok = fresh.tw("demo", "--store", fresh.path, "--no-dashboard")
        #expect(ok.status == 0 && ok.stdout.contains("Demo store: \(fresh.path)"))
    }
}

@Suite(.serialized) struct Durability {
    /// strace shows the order: the new log is created, its directory
    /// synced, and only then is the id printed (the append's success).
    /// Also when the log is there but empty: a writer that created it and
    /// died before syncing its directory left it so.
    @Test(arguments: [false, true])
    func aNewLogsDirectoryIsSyncedBeforeTheFirstAppendReportsSuccess(leftEmpty: Bool) throws {
        try requireStrace()
        let s = TempStore(); defer { s.cleanup() }
        let store = s.path + "/new-store"
        if leftEmpty {
            try FileManager.default.createDirectory(atPath: store + "/events", withIntermediateDirectories: true)
            writeFixture(atPath: store + "/events/noc1.log", contents: Data())
        }
        let log = s.path + "/trace"
        let r = Binary.run(["-f", "-qq", "-o", log, "-e", "trace=openat,fsync,write", Binary.tierwatch, "raise", "--title", "first"],
                           executable: "/usr/bin/strace", store: store)
        #expect(r.status == 0)
        let id = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        func fd(_ line: String) -> String? { line.components(separatedBy: " = ").last.map { $0.trimmingCharacters(in: .whitespaces) } }
        let opened = lines.firstIndex { $0.contains("\"\(store)/events/noc1.log\"") && $0.contains("O_RDWR") && !$0.contains("= -1") }
        let dirOpen = lines.firstIndex { $0.contains("\"\(store)/events\"") && $0.contains("O_DIRECTORY") && !$0.contains("= -1") }
        #expect(opened != nil && dirOpen != nil, "\(lines.filter { $0.contains(store) })")
        guard let opened, let dirOpen, let dirFD = fd(lines[dirOpen]) else { return }
        let synced = lines.indices.first { $0 > dirOpen && lines[$0].contains("fsync(\(dirFD))") && lines[$0].hasSuffix("= 0") }
        let reported = lines.firstIndex { $0.contains("write(1, \"\(id)") }
        #expect(synced != nil && reported != nil)
        if let synced, let reported { #expect(opened < dirOpen && synced < reported) }
    }
}

@Suite(.serialized) struct WatchSaysWhatTheClockDoes {
    @Test func aDeadlinePassingAndATierStartingByItselfArePrinted() throws {
        let s = TempStore(); defer { s.cleanup() }
        // The watcher is up and has read the store (it says so) before the
        // incident is opened 5 s short of its deadline: timed from the
        // watcher, not from a start-up that a loaded machine makes slow.
        let watch = Tmux(command: "\(Binary.tierwatch) watch", env: ["TIERWATCH_STORE": s.path, "LANG": "C.UTF-8"])
        #expect(watch.wait(for: "tierwatch: watching", timeout: 30), "\(watch.screen)")
        let id = s.raise("About to breach", extra: ["--at", "-9m55s"])
        #expect(watch.wait(for: "\(id)  T1 Management notified is overdue", timeout: 30), "\(watch.screen)")
        #expect(watch.wait(for: "\(id)  T2 Technical resources engaged started by itself", timeout: 10), "\(watch.screen)")
    }
}
