import Escalation
import Foundation

/// Reading what the archive holds: an incident on demand, the resolved
/// ones of a period, the report's figures.
extension StoreState {
    /// An incident by id as typed, from memory or else the archive (read
    /// back from the logs on demand).
    public func incident(_ typed: String) -> Incident? {
        if let i = incidents[typed] ?? IncidentID.normalize(typed).flatMap({ incidents[$0] }) { return i }
        guard let id = [typed, IncidentID.normalize(typed)].compactMap({ $0 }).first(where: archive.contains) else { return nil }
        return archivedIncident(id)
    }

    /// An archived incident, read back from the logs: nil when it is not
    /// archived, or its records are no longer where they were.
    public func archivedIncident(_ id: String) -> Incident? {
        guard let locs = archive.locations(of: id), var events = archive.files?.events(at: locs).map({ $0.map(completed) }),
              events.allSatisfy({ $0.incident == id }) else { return nil }
        IncidentEvent.sortInLogOrder(&events)
        return Incident.fold(events)
    }

    /// Archived incidents resolved at or after `since` (nil: all), read
    /// back from the logs; those whose records moved are left out and
    /// counted in `missing`.
    public func archivedIncidents(resolvedSince since: Date? = nil) -> (incidents: [Incident], missing: Int) {
        var out: [Incident] = [], missing = 0
        for a in archive.entries() where since.map({ a.resolvedAt >= $0 }) ?? true {
            guard let locs = a.locations(), var events = archive.files?.events(at: locs).map({ $0.map(completed) }),
                  events.allSatisfy({ $0.incident == a.id }) else {
                missing += 1
                continue
            }
            IncidentEvent.sortInLogOrder(&events)
            if let i = Incident.fold(events) { out.append(i) } else { missing += 1 }
        }
        return (out, missing)
    }

    /// What the compliance report needs of every incident opened in
    /// [from, to): those in memory derived at `now`, archived ones as the
    /// archive kept them (no event is read). Nil when the checkpoint's
    /// figures cannot be read: the caller reads the store in full
    /// (`IncidentStore.readInFull`) and asks again.
    public func complianceFacts(openedFrom from: Date, to: Date, now: Date) -> [IncidentFacts]? {
        guard var out = archive.facts(openedFrom: from, to: to) else { return nil }
        var tables = complianceTiers
        for i in incidents.values where i.opened.at >= from && i.opened.at < to {
            let policy = policies.policy(for: i)
            let tiers = tables[i.policyDigest] ?? ComplianceTiers(policy)
            tables[i.policyDigest] = tiers
            out.append(IncidentFacts(i, policy: policy, at: now, tiers: tiers))
        }
        return out
    }

    /// Every incident, those in memory and the archived ones read back:
    /// what a full read holds (tests and `doctor` compare the two).
    public func allIncidents() -> [String: Incident] {
        var all = incidents
        for i in archivedIncidents().incidents { all[i.id] = i }
        return all
    }
}
