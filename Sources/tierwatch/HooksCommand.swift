import ArgumentParser
import Escalation
import Foundation
import IncidentStore
import Intake
import Serve

/// `tierwatch hooks`: the policy's hooks, and one run of a hook to try it.
struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks", abstract: "List the policy's hooks, or run one once to try it.",
        discussion: "Hooks run in `tierwatch serve`. Example: tierwatch hooks test page-ceo --incident K3F9",
        subcommands: [List.self, Test.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The hooks of the policy in force (the default).")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let policy = try Context(global).policyInForce().policy
            if policy.hooks.isEmpty { return print("No hooks in the policy in force (see docs/serve.md, \"Hooks\").") }
            for h in policy.hooks {
                let target: String
                switch h.target {
                case let .run(argv): target = "runs " + argv.map(\.sanitized).joined(separator: " ")
                case let .post(url, _): target = "posts to \(url.sanitized)"
                case let .notify(n):
                    // Apprise URLs hold tokens: their schemes only.
                    let whom = n.urls.map { String($0.prefix { $0 != ":" }) + "://…" } + n.onCall.map { "on call in \($0)" } + n.people + (n.config.map { ["config \($0)"] } ?? [])
                    target = "notifies " + whom.map(\.sanitized).joined(separator: ", ") + " (Apprise)"
                }
                let only = [h.tiers.map { "tiers " + $0.sorted().joined(separator: ",") }, h.severities.map { "severities " + $0.map(\.rawValue).sorted().joined(separator: ",") },
                            h.customers.map { "customers " + $0.sorted().joined(separator: ",") }].compactMap { $0 }
                print("\(h.name.sanitized): on \(h.on.map(\.rawValue).sorted().joined(separator: ", "))\(only.isEmpty ? "" : " (" + only.joined(separator: "; ") + ")"); \(target); timeout \(h.timeout), \(h.retries) retries")
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test", abstract: "Run one hook once for an incident, now, marked as a test on its timeline.",
            discussion: "Exit 0 when the hook succeeded, 1 when it failed. Example: tierwatch hooks test page-ceo --incident K3F9")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The hook's name.") var name: String
        @Option(name: .long, help: "The incident it runs for.", completion: .custom(Completions.incidentIDs)) var incident: String

        func run() throws {
            let ctx = try Context(global)
            let policy = try ctx.policyInForce().policy
            guard let hook = policy.hooks.first(where: { $0.name == name }) else {
                throw CLIError.refused("no hook '\(name.sanitized)' in the policy in force\(Suggest.didYouMean(name, among: policy.hooks.map(\.name)))")
            }
            let i = try ctx.incident(incident)
            let entry = ctx.entry(i)
            let trigger = hook.on.sorted { $0.rawValue < $1.rawValue }.first!
            let tier = hook.tiers?.sorted().first ?? entry.ladder.currentTier.map { entry.ladder.rungs[$0].tier.id }
            let occurrence = HookOccurrence(incident: i.id, trigger: trigger, tier: tier.flatMap(entry.policy.tierIndex(id:)), tierID: tier,
                                            at: ctx.now, key: "\(i.id)/test/\(Int64(ctx.now.timeIntervalSince1970 * 1000))")
            let due = HookDue(hook: hook, occurrence: occurrence, key: HookKey(occurrence: occurrence.key, name: hook.name).description, late: false)
            let done = DispatchSemaphore(value: 0)
            final class Box: @unchecked Sendable { var result: HookRunner.Result? }
            let box = Box()
            let job = HookRunner.job(due, entry: entry, now: ctx.now, host: ctx.store.host)
            Task {
                box.result = await HookRunner.run(job)
                done.signal()
            }
            done.wait()
            let r = box.result!
            _ = try ctx.record(on: i.id, at: nil) { _, _, _ in
                .hook(HookRecord(name: hook.name, key: due.key, result: r.ok ? .testOK : .testFailed, detail: r.detail, tries: r.tries))
            }
            print("hook \(hook.name.sanitized) for \(i.id) (\(trigger.rawValue), a test): \(r.ok ? "ok" : "failed"): \(r.detail.sanitized)")
            if !r.ok { throw ExitCode(1) }
        }
    }
}
