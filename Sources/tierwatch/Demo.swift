import ArgumentParser
import Escalation
import Foundation
import IncidentStore

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a demo store with incidents in every interesting state, and show it.",
        discussion: """
        The store goes in a new temporary directory unless --store is given. Its
        incidents are timed relative to now: one just opened, one with management
        overdue, one a few minutes from the CEO tier, one acknowledged, one resolved.
        Example: tierwatch demo
        """)
    @Option(name: .long, help: ArgumentHelp("Where to create the demo store (default: a new temporary directory).", valueName: "dir"))
    var store: String?

    @Flag(name: .long, help: "Only create the store and print its incidents; do not open the dashboard.")
    var noDashboard = false

    @OptionGroup var screen: ScreenOptions

    func run() throws {
        let path: String
        if let store {
            path = Context.absolute(store)
        } else {
            var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("tierwatch-demo-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else { throw CLIError.usage("cannot create a temporary directory") }
            path = String(decoding: UnsafeRawBufferPointer(start: made, count: strlen(made)), as: UTF8.self)
        }
        let store = IncidentStore(path: path, host: IncidentStore.defaultHost)
        // A store is append-only: fake incidents written into a real one
        // could never be taken out again.
        store.refresh()
        if store.state.eventCount > 0 || store.health.hasEvents || store.health.cannotRead && store.health.access != .missing {
            throw CLIError.usage("\(path) already holds a store (it has an events/ directory, or cannot be read); the demo only writes into a new or empty directory: leave out --store to use a fresh temporary one")
        }
        if FileManager.default.fileExists(atPath: path + "/policy.yaml") {
            throw CLIError.usage("\(path) already has a policy.yaml; the demo writes its own example policy there: leave out --store to use a fresh temporary one")
        }
        try DemoStore.populate(store, now: Date())
        // On a terminal the demo is the dashboard; in a script, a listing.
        if !noDashboard && isatty(0) == 1 && isatty(1) == 1 {
            try openDashboard(try GlobalOptions.parse(["--store", path]), screen, readOnly: false)
            print("Demo store: \(path)  (export TIERWATCH_STORE=\(path) to keep using it)")
            return
        }
        print("Demo store: \(path)")
        print("Try: export TIERWATCH_STORE=\(path); tierwatch list; tierwatch show <ID>; tierwatch\n")
        let now = Date()
        for e in Board(store.state.incidents, policies: store.state.policies, now: now, includeResolved: true).entries {
            print("  \(e.incident.id)  \(e.incident.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(e.incident.title.sanitized)")
            print("        next: \(Words.nextAction(e, now: now))")
        }
    }
}

/// The demo's incidents, written through the same store API as every action.
enum DemoStore {
    static func populate(_ store: IncidentStore, now: Date) throws {
        // The example policy, with its directory and rotations, is the
        // store's policy: the demo names a person and a number for every
        // call it asks for.
        let text = Policy.exampleYAML
        let digest = Policy.digest(of: text)
        try FileManager.default.createDirectory(atPath: store.path, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: store.path + "/policy.yaml"))
        var rng = SystemRandomNumberGenerator()

        func open(_ title: String, _ customer: String, _ sev: Severity, ago: Int, by: String) throws -> String {
            let opening = Opening(title: title, customer: customer, severity: sev, policyYAML: text, policyDigest: digest)
            return try store.append { state in
                let id = IncidentID.generate(avoiding: { state.incidents[$0] != nil }, using: &rng)
                return IncidentStore.Draft(incident: id, action: .opened(opening), operatorName: by,
                                           at: now.addingTimeInterval(-Double(ago)), baseVersion: 0)
            }.incident
        }
        func act(_ id: String, _ action: Action, ago: Int, by: String) throws {
            try store.append { state in
                let at = now.addingTimeInterval(-Double(ago))
                return IncidentStore.Draft(incident: id, action: Policy.example.namingPersonCalled(
                                               action, customer: state.incidents[id]!.customer, at: at, overrides: state.policies.overrides),
                                           operatorName: by, at: at, baseVersion: state.incidents[id]!.version)
            }
        }

        // Whoever is on Telecom now is covered by the next person for a few
        // hours: an override, as `tierwatch oncall override` records it.
        let telecom = Policy.example.schedule("telecom")!
        if let onNow = telecom.onCall(at: now).person {
            let cover = Policy.example.person(onNow == "gia" ? "hugo" : "gia")!
            try store.append { _ in
                IncidentStore.Draft(incident: OverrideLog.key, action: .onCallOverride(OverrideRequest(
                    schedule: "telecom", person: PersonRef(cover), phone: cover.phone,
                    from: now, to: now.addingTimeInterval(4 * 3600), replacing: onNow)),
                    operatorName: "dana", baseVersion: 0)
            }
        }

        _ = try open("Inbound calls failing for all DIDs", "globex", .sev1, ago: 40, by: "dana")

        let overdue = try open("Voicemail to email delayed", "acme", .sev2, ago: 12 * 60 + 20, by: "sam")
        try act(overdue, .contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), ago: 9 * 60, by: "sam")
        try act(overdue, .contactOutcome(tier: "management", contact: "director-support", outcome: .voicemail, person: nil), ago: 8 * 60, by: "sam")
        try act(overdue, .customerUpdate(message: "We are investigating delayed voicemail delivery."), ago: 6 * 60, by: "sam")

        let ceoSoon = try open("SIP trunk down in Frankfurt PoP", "initech", .sev1, ago: 22 * 60, by: "alex")
        try act(ceoSoon, .acknowledged, ago: 21 * 60, by: "alex")
        for c in ["am", "director-support", "vp-cx"] {
            try act(ceoSoon, .contactOutcome(tier: "management", contact: c, outcome: .reached, person: nil), ago: 19 * 60, by: "alex")
        }
        try act(ceoSoon, .escalated(toTier: "technical"), ago: 18 * 60, by: "alex")
        try act(ceoSoon, .contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), ago: 17 * 60, by: "alex")
        try act(ceoSoon, .note(message: "Carrier ticket 55123 opened; BGP session flapping."), ago: 10 * 60, by: "alex")
        try act(ceoSoon, .customerUpdate(message: "Carrier engaged; next update in 15 minutes."), ago: 7 * 60, by: "alex")

        let acked = try open("Call recording exports failing", "acme", .sev3, ago: 5 * 60, by: "dana")
        try act(acked, .acknowledged, ago: 3 * 60, by: "dana")

        let done = try open("Fax gateway unreachable", "globex", .sev3, ago: 2 * 3600, by: "sam")
        try act(done, .acknowledged, ago: 2 * 3600 - 60, by: "sam")
        try act(done, .resolved(message: "Gateway rebooted; faxes flowing."), ago: 90 * 60, by: "sam")
    }
}
