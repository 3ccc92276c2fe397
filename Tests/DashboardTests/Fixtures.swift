import Dashboard
import Surface
import Escalation
import Foundation

/// A fixed clock and incidents built from events, for frames that never change.
enum Board {
    static let now = ISOTime.parse("2026-11-26T18:00:00Z")!

    static func at(_ minutesAgo: Double) -> Date { now.addingTimeInterval(-minutesAgo * 60) }

    final class Builder {
        var events: [IncidentEvent] = []
        var seq = 0
        let id: String

        init(_ id: String, title: String, customer: String?, severity: Severity = .sev2, openedMinutesAgo: Double, by: String = "alice",
             policy: String = Policy.builtInYAML) {
            self.id = id
            add(.opened(Opening(title: title, customer: customer, severity: severity, policyYAML: policy,
                                policyDigest: Policy.digest(of: policy))), minutesAgo: openedMinutesAgo, by: by)
        }

        @discardableResult
        func add(_ action: Action, minutesAgo: Double, by: String = "alice") -> Builder {
            seq += 1
            let t = Board.at(minutesAgo)
            events.append(IncidentEvent(id: EventID(host: "noc1", sequence: seq), hlc: HLC(millis: Int64(seq), counter: 0),
                                        incident: id, operatorName: by, unixUser: by, at: t, recordedAt: t,
                                        baseVersion: events.count, action: action))
            return self
        }

        var incident: Incident { Incident.fold(events)! }
    }

    static func model(_ builders: [Builder], readOnly: Bool = false, glyphs: Glyphs = .unicode) -> Model {
        var m = Model(now: now, storePath: "/srv/noc/store", operatorName: "alice", readOnly: readOnly, glyphs: glyphs, localOffsetSeconds: 3600)
        let incidents = Dictionary(uniqueKeysWithValues: builders.map { ($0.id, $0.incident) })
        var book = PolicyBook()
        for i in incidents.values { book.learn(i) }
        _ = m.update(.store(incidents: incidents, policies: book, badRecords: 0))
        return m
    }

    /// The demo's mix: just opened, management overdue, the CEO tier close, acknowledged, resolved.
    static var several: [Builder] {
        let fresh = Builder("D4H4", title: "Inbound calls failing for all DIDs", customer: "globex", severity: .sev1, openedMinutesAgo: 1)
        let overdue = Builder("G2D9", title: "Voicemail to email delayed", customer: "acme", openedMinutesAgo: 12, by: "sam")
            .add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), minutesAgo: 9, by: "sam")
            .add(.contactOutcome(tier: "management", contact: "director-support", outcome: .voicemail, person: nil), minutesAgo: 8, by: "sam")
        let ceo = Builder("20AJ", title: "SIP trunk down in Frankfurt PoP", customer: "initech", severity: .sev1, openedMinutesAgo: 22, by: "alex")
            .add(.acknowledged, minutesAgo: 21, by: "alex")
            .add(.contactOutcome(tier: "management", contact: "am", outcome: .reached, person: nil), minutesAgo: 19, by: "alex")
            .add(.contactOutcome(tier: "management", contact: "director-support", outcome: .reached, person: nil), minutesAgo: 19, by: "alex")
            .add(.contactOutcome(tier: "management", contact: "vp-cx", outcome: .reached, person: nil), minutesAgo: 19, by: "alex")
            .add(.escalated(toTier: "technical"), minutesAgo: 18, by: "alex")
            .add(.contactOutcome(tier: "technical", contact: "telecom", outcome: .reached, person: nil), minutesAgo: 17, by: "alex")
            .add(.note(message: "Carrier ticket 55123 opened"), minutesAgo: 10, by: "alex")
        let acked = Builder("TSF2", title: "Call recording exports failing", customer: "acme", severity: .sev3, openedMinutesAgo: 5, by: "dana")
            .add(.acknowledged, minutesAgo: 3, by: "dana")
        let done = Builder("B6XZ", title: "Fax gateway unreachable", customer: "globex", severity: .sev3, openedMinutesAgo: 120, by: "sam")
            .add(.resolved(message: "Gateway rebooted"), minutesAgo: 90, by: "sam")
        return [fresh, overdue, ceo, acked, done]
    }
}
