import ArgumentParser
import Escalation
import Foundation

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Show, check or simulate the escalation policy.",
        subcommands: [ShowPolicy.self, CheckPolicy.self, SimulatePolicy.self])

    struct ShowPolicy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show the policy in force.",
            discussion: """
            Example: tierwatch policy show --yaml > policy.yaml (a file to edit and pass with --policy).
            --example prints a policy with a people directory and on-call schedules to start from.
            """)
        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "Print the policy's YAML.") var yaml = false
        @Flag(name: .long, help: "Print the example policy (people, schedules) as YAML instead.") var example = false

        func run() throws {
            if example {
                print(Policy.exampleYAML, terminator: "")
                return
            }
            let loaded = try Context(global).policyInForce()
            if yaml {
                print(loaded.text, terminator: loaded.text.hasSuffix("\n") ? "" : "\n")
                return
            }
            let p = loaded.policy
            var out = "policy \(p.name.sanitized) v\(p.version) (\(loaded.source))\n"
            out += "customer updates: " + (p.customerUpdates.map { "every \($0)" } ?? "none") + "\n"
            for (i, t) in p.tiers.enumerated() {
                var when: String
                if let s = t.start {
                    let from: String
                    switch s.from {
                    case .open: from = "the incident opens"
                    case let .tier(id): from = "tier \(id) starts"
                    }
                    when = "starts \(s.after) after \(from), or on escalation"
                } else {
                    when = i < p.tiers.prefix(while: { $0.start == nil }).count ? "starts when the incident opens" : "starts on escalation"
                }
                if t.suppressedWhileAcknowledged { when += " (not while acknowledged)" }
                let due = t.notifyWithin.map { "; contacts due within \($0)" } ?? ""
                out += "T\(i) \(t.id): \(t.name.sanitized) — \(when)\(due); require \(t.require.rawValue)\n"
                for c in t.contacts {
                    let extra = [c.role, c.phone, c.email, c.person.map { "person \($0)" }, c.schedule.map { "on call in schedule \($0)" }]
                        .compactMap { $0?.sanitized }.joined(separator: ", ")
                    out += "    \(c.id): \(c.name.sanitized)\(extra.isEmpty ? "" : " (\(extra))")\n"
                }
            }
            for (customer, overrides) in p.customers.sorted(by: { $0.key < $1.key }) {
                for (contact, o) in overrides.sorted(by: { $0.key < $1.key }) {
                    let fields = [o.name, o.role, o.phone, o.email, o.person.map { "person \($0)" }, o.schedule.map { "schedule \($0)" }]
                        .compactMap { $0?.sanitized }.joined(separator: ", ")
                    out += "customer \(customer.sanitized): \(contact) is \(fields)\n"
                }
            }
            if !p.people.isEmpty {
                out += "people:\n"
                for person in p.people {
                    let fields = [person.phones.isEmpty ? "no number on file" : person.phones.joined(separator: " / "), person.email,
                                  person.zone?.identifier, person.note].compactMap { $0?.sanitized }
                    out += "    \(person.id): \(person.name.sanitized) (\(fields.joined(separator: ", ")))\n"
                }
            }
            for s in p.schedules {
                out += "schedule \(s.id): \(s.name.sanitized), \(s.zone.identifier)\n"
                for (k, r) in s.layers.enumerated() {
                    let shift: String
                    switch r.shift {
                    case let .hours(n): shift = "\(n)h shifts"
                    case let .days(n): shift = n == 1 ? "daily" : "\(n)-day shifts"
                    case let .weeks(n): shift = n == 1 ? "weekly" : "\(n)-week shifts"
                    }
                    let start = String(format: "%04d-%02d-%02d %02d:%02d", r.start.year, r.start.month, r.start.day, r.start.time.minutes / 60, r.start.time.minutes % 60)
                    var only = ""
                    if let x = r.restriction {
                        let days = x.weekdays.sorted().map { ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][$0 - 1] }.joined(separator: ",")
                        only = ", only \(days) \(String(format: "%02d:%02d-%02d:%02d", x.from.minutes / 60, x.from.minutes % 60, x.to.minutes / 60, x.to.minutes % 60))"
                    }
                    out += "    layer \(k + 1): \(r.people.joined(separator: ", ")); \(shift) from \(start)\(only)\n"
                }
            }
            print(out, terminator: "")
        }
    }

    struct CheckPolicy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Check a policy file; errors name the line and column.",
            discussion: "Exit 0 when the file is valid (warnings, e.g. a tier that can never be overdue, go to stderr), 2 when it is not. Example: tierwatch policy check policy.yaml")
        @Argument(help: "The policy file.", completion: .file(extensions: ["yaml", "yml"])) var file: String

        func run() throws {
            let text = try Context.readPolicyText(file)
            do {
                let (p, warnings) = try Policy.check(yaml: text, file: file, at: Clock.system.now())
                for w in warnings { FileHandle.standardError.write(Data("\(w.description.sanitized)\n".utf8)) }
                let noted = warnings.isEmpty ? "" : " (\(warnings.count) warning\(warnings.count == 1 ? "" : "s") above)"
                print("\(file): ok: policy \(p.name.sanitized) v\(p.version), \(p.tiers.count) tiers, \(p.tiers.flatMap(\.contacts).count) contacts\(noted)")
            } catch {
                throw CLIError.usage(error.description)
            }
        }
    }

    struct SimulatePolicy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate", abstract: "When each tier would start and fall due if nobody acts.",
            discussion: "Example: tierwatch policy simulate --customer acme")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Apply this customer's contact overrides.") var customer: String?

        func run() throws {
            let loaded = try Context(global).policyInForce()
            print(SimulatePolicy.schedule(loaded.policy, text: loaded.text, customer: customer), terminator: "")
        }

        static func schedule(_ policy: Policy, text: String, customer: String?) -> String {
            let t0 = Date(timeIntervalSince1970: 0)
            let opening = IncidentEvent(
                id: EventID(host: "simulation", sequence: 1), hlc: HLC(millis: 0, counter: 0), incident: "SIM",
                operatorName: "simulation", unixUser: "simulation", at: t0, recordedAt: t0, baseVersion: 0,
                action: .opened(Opening(title: "simulation", customer: customer, severity: .sev2,
                                        policyYAML: text, policyDigest: Policy.digest(of: text))))
            let ladder = Ladder(incident: Incident(opening: opening)!, policy: policy, at: t0)
            var steps: [(Int, String)] = []
            for r in ladder.rungs {
                let names = r.contacts.map { c in c.contact.name.sanitized + (c.contact.phone.map { " \($0.sanitized)" } ?? "") }
                    .joined(separator: ", ")
                guard let start = r.startAt else {
                    steps.append((Int.max, "T\(r.index) \(r.tier.name.sanitized) starts only on escalation: \(names)"))
                    continue
                }
                let s = Int(start.timeIntervalSince(t0))
                steps.append((s, "T\(r.index) \(r.tier.name.sanitized) starts: \(names)"))
                if let due = r.dueAt ?? r.tier.notifyWithin.map({ start.addingTimeInterval(Double($0.seconds)) }) {
                    steps.append((Int(due.timeIntervalSince(t0)), "T\(r.index) \(r.tier.name.sanitized) contacts due (require \(r.tier.require.rawValue))"))
                }
            }
            if let c = policy.customerUpdates {
                let horizon = max(3600, steps.filter { $0.0 != Int.max }.map(\.0).max() ?? 0)
                var t = c.seconds
                while t <= horizon && c.seconds > 0 {
                    steps.append((t, "customer update due"))
                    t += c.seconds
                }
            }
            steps.sort { $0.0 < $1.0 }
            var out = "policy \(policy.name.sanitized) v\(policy.version)\(customer.map { " for customer \($0.sanitized)" } ?? ""): if nobody acts after the incident opens at +0s\n"
            for (s, text) in steps {
                let when = s == Int.max ? "—" : "+" + TimeSpan(seconds: s).description
                out += "  " + when.padding(toLength: 8, withPad: " ", startingAt: 0) + text + "\n"
            }
            return out
        }
    }
}
