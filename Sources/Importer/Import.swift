import Escalation
import Foundation

/// The services tierwatch imports from.
public enum ImportSource: String, CaseIterable, Sendable {
    case pagerduty
    case opsgenie
    case grafanaOnCall = "grafana-oncall"

    public var title: String {
        switch self {
        case .pagerduty: "PagerDuty"
        case .opsgenie: "Opsgenie"
        case .grafanaOnCall: "Grafana OnCall"
        }
    }

    /// Reads the files (each a saved API response, in any order) and makes
    /// a draft policy. `escalation` picks one escalation policy (chain) by
    /// id or name where the files hold several; `now` judges what already
    /// ended.
    public func read(_ files: [String], escalation: String? = nil, now: Date) throws(ImportError) -> Imported {
        var docs: [Doc] = []
        for f in files { docs.append(try Doc.read(f)) }
        return try read(docs: docs, escalation: escalation, now: now)
    }

    public func read(docs: [Doc], escalation: String? = nil, now: Date) throws(ImportError) -> Imported {
        guard !docs.isEmpty else { throw ImportError("give the files to import: the saved API responses (see docs/import.md)") }
        do {
            switch self {
            case .pagerduty: return try PagerDuty(docs: docs, now: now).read(escalation: escalation)
            case .opsgenie: return try Opsgenie(docs: docs, now: now).read(escalation: escalation)
            case .grafanaOnCall: return try GrafanaOnCall(docs: docs, now: now).read(escalation: escalation)
            }
        } catch let e as ImportError {
            throw e
        } catch {
            throw ImportError("\(error)")
        }
    }
}

/// What every source does with the files given: sort each into the kind of
/// object it holds, by the keys its API response has at the top.
struct Sorted {
    var byKind: [String: [Doc]] = [:]

    /// `kinds`: for each kind, the top-level keys that mark a response of
    /// it (a list response or a single object) and the item key inside.
    init(_ docs: [Doc], source: String, kinds: [(kind: String, key: String)], list: (Doc) throws -> [Doc]?) throws {
        for doc in docs {
            var matched = false
            for (kind, key) in kinds where doc.has(key) {
                let items = try list(doc[key]) ?? [doc[key]]
                byKind[kind, default: []] += items
                matched = true
            }
            guard matched else {
                let keys: [String]
                if case let .object(members) = doc.value { keys = members.map(\.0) } else { keys = [] }
                let found = keys.isEmpty ? "its top level is \(doc.kind)" : "its top-level keys are \(keys.prefix(8).joined(separator: ", "))"
                throw ImportError("\(doc.file): not a \(source) API response: expected one of \(kinds.map(\.key).joined(separator: ", ")) at the top, but \(found)")
            }
        }
    }

    subscript(kind: String) -> [Doc] { byKind[kind] ?? [] }
}

/// Picks the escalation policy to import where there are several, and notes
/// the others as not imported.
func choose(_ all: [(id: String, name: String, doc: Doc)], wanted: String?, kind: String, into b: inout Builder) throws -> (id: String, name: String, doc: Doc)? {
    guard !all.isEmpty else {
        b.note(Finding(.unmapped, kind, id: "-", "none in the files: the policy gets one tier to fill in"))
        return nil
    }
    var chosen = all[0]
    if let wanted {
        guard let hit = all.first(where: { $0.id == wanted || $0.name == wanted }) else {
            throw ImportError("no \(kind) '\(wanted)' in the files; they hold: " + all.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))
        }
        chosen = hit
    }
    for other in all where other.id != chosen.id {
        b.note(Finding(wanted == nil ? .unmapped : .mapped, kind, id: other.id, name: other.name,
                       "not imported: a policy runs one ladder; import it with --escalation \(other.id) --out another file"))
    }
    return chosen
}

/// The name of the escalation policy an import will pick, for the policy's name.
func named(_ all: [(id: String, name: String, doc: Doc)], _ wanted: String?) -> String? {
    (all.first { $0.id == wanted || $0.name == wanted } ?? all.first)?.name
}
