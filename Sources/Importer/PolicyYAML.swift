import Escalation
import Foundation

/// Writes a draft as a policy file a person can read and edit: one line per
/// person and rotation, each with a comment naming the source object.
public enum PolicyYAML {
    public static func write(_ d: Draft, at now: Date) -> String {
        var out = [
            "# tierwatch policy imported from \(d.source) on \(ISOTime.format(now).prefix(10)).",
            "# Check it with `tierwatch policy check FILE`; the import's report lists",
            "# what was approximated and what could not be mapped.",
            "name: \(q(d.name))",
            "version: 2",
        ]
        if !d.people.isEmpty {
            out.append("people:")
            for p in d.people {
                var fields = ["id: \(p.id)", "name: \(q(p.name))"]
                if p.phones.count == 1 { fields.append("phone: \(q(p.phones[0]))") }
                if p.phones.count > 1 { fields.append("phones: [\(p.phones.map(q).joined(separator: ", "))]") }
                if let e = p.email { fields.append("email: \(q(e))") }
                if let z = p.zone { fields.append("zone: \(z)") }
                out.append("  - { \(fields.joined(separator: ", ")) }  # \(comment(p.source))")
            }
        }
        if !d.schedules.isEmpty {
            out.append("schedules:")
            for s in d.schedules {
                out += ["  - id: \(s.id)  # \(comment(s.source))", "    name: \(q(s.name))", "    zone: \(s.zone)", "    rotations:"]
                for r in s.rotations {
                    var fields = ["people: [\(r.people.joined(separator: ", "))]", "shift: \(r.shift)", "handoff: \(q(r.handoff))", "start: \(r.start)"]
                    if let days = r.days, let hours = r.hours { fields.append("only: { days: \(q(days)), hours: \(q(hours)) }") }
                    out.append("      - { \(fields.joined(separator: ", ")) }  # \(comment(r.source))")
                }
            }
        }
        out.append("tiers:")
        for t in d.tiers {
            out += ["  - id: \(t.id)  # \(comment(t.source))", "    name: \(q(t.name))"]
            if let after = t.startAfter, let from = t.from { out.append("    start: { after: \(Clock.duration(after)), from: \(from) }") }
            if t.unlessAcknowledged { out.append("    unless: acknowledged") }
            if let w = t.notifyWithin { out.append("    notify_within: \(Clock.duration(w))") }
            out.append("    require: \(t.require)")
            if t.contacts.isEmpty {
                out.append("    contacts: []")
                continue
            }
            out.append("    contacts:")
            for c in t.contacts {
                var fields = ["id: \(c.id)", "name: \(q(c.name))"]
                if let p = c.person { fields.append("person: \(p)") }
                if let s = c.schedule { fields.append("schedule: \(s)") }
                out.append("      - { \(fields.joined(separator: ", ")) }")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The overrides as the commands that record them in a store.
    /// One that began before `now` starts now: an override changes who is
    /// on call from now on, never the past.
    public static func overrideCommands(_ d: Draft, at now: Date) -> String {
        var out = ["#!/bin/sh", "# Overrides imported from \(d.source) on \(ISOTime.format(now)): run once, with the store set",
                   "# (TIERWATCH_STORE=DIR sh THIS-FILE), after the policy is in the store. An override that has",
                   "# ended by then (or started: it then starts now) is said and skipped; the rest still run.", "failed=0"]
        for o in d.overrides {
            let from = o.from <= now ? "now" : ISOTime.format(o.from)
            let began = o.from <= now ? "; began \(ISOTime.format(o.from))" : ""
            out.append("# \(comment(o.source))\(began)")
            out.append("tierwatch oncall override \(o.schedule) --person \(o.person) --from \(from) --to \(ISOTime.format(o.to)) || failed=1")
        }
        if d.overrides.isEmpty { out.append("# No override still to come in the files: nothing to record.") }
        out.append("exit $failed")
        return out.joined(separator: "\n") + "\n"
    }

    /// A comment: only what cannot end it or start YAML of its own (letters,
    /// digits and a few marks in ASCII), so text from outside never becomes
    /// policy.
    static func comment(_ s: String) -> String {
        String(s.unicodeScalars.map { c -> Character in
            c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || " ._@:/-\"".unicodeScalars.contains(c)) ? Character(c) : "_"
        }.prefix(160))
    }

    /// A YAML double-quoted string (its escapes are JSON's).
    static func q(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where ch.value < 0x20 || (0x7F...0x9F).contains(ch.value) || [0x2028, 0x2029, 0xFEFF].contains(ch.value):
                out += String(format: "\\u%04X", ch.value)
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
