import Foundation

/// The `--json` shape of an incident, documented in the README. Times are
/// ISO-8601 UTC; absent values are null.
extension Board.Entry {
    /// The incident as `--json` prints it (the README documents the shape).
    public func jsonObject(now: Date) -> [String: Any] {
        let i = incident, ladder = self.ladder
        func t(_ d: Date?) -> Any { d.map { ISOTime.format($0) } ?? NSNull() }
        func v(_ s: Any?) -> Any { s ?? NSNull() }
        let atStart = ladder.rungs.indices.map(onCallAtStart)
        return [
            "id": i.id,
            "title": i.title,
            "customer": v(i.customer),
            "severity": i.severity.rawValue,
            "state": i.state.rawValue,
            "opened_at": t(i.opened.at),
            "opened_by": i.opened.by,
            "acknowledged_at": t(i.acknowledged?.at),
            "acknowledged_by": v(i.acknowledged?.by),
            "resolved_at": t(i.resolved?.at),
            "resolved_by": v(i.resolved?.by),
            "resolution": v(i.resolutionMessage),
            "version": i.version,
            "policy": ["name": policy.name, "version": policy.version, "digest": i.policyDigest] as [String: Any],
            "tier": v(ladder.currentTier),
            "next_deadline_at": t(ladder.nextDeadline?.at),
            "next_deadline": v(ladder.nextDeadline.map { Words.deadline($0, policy, .id) }),
            "next_action": Words.nextAction(self, now: now),
            "policy_problem": v(policyProblem),
            "next_customer_update_at": t(ladder.nextCustomerUpdateAt),
            "tiers": ladder.rungs.map { r -> [String: Any] in
                [
                    "index": r.index,
                    "id": r.tier.id,
                    "name": r.tier.name,
                    "status": r.status.rawValue,
                    "started_at": r.isStarted ? t(r.startAt) : NSNull(),
                    "scheduled_start_at": r.isStarted ? NSNull() : t(r.startAt),
                    "due_at": t(r.dueAt),
                    "remaining_seconds": r.status.isMet ? NSNull() : v(r.remainingSeconds),
                    "met_at": t(r.metAt),
                    "late_seconds": v(r.lateSeconds),
                    "progress": (r.progress * 1000).rounded() / 1000,
                    "contacts": r.contacts.enumerated().map { k, c -> [String: Any] in
                        [
                            "id": c.contact.id, "name": c.contact.name, "role": v(c.contact.role),
                            // The number to dial: the person's, else the contact's.
                            "phone": v(c.callee.phone), "email": v(c.callee.email),
                            "person": c.callee.person.map(Board.Entry.json(person:)) ?? NSNull(),
                            "schedule": v(c.contact.schedule),
                            "on_call_until": t(c.callee.until), "override": v(c.callee.override),
                            "nobody_on_call": c.callee.nobodyOnCall,
                            "on_call_at_start": atStart[r.index][k]?.person.map(Board.Entry.json(person:)) ?? NSNull(),
                            "outcome": v(c.outcome?.rawValue), "by": v(c.by), "at": t(c.at),
                            "called_person": c.calledPerson.map { ["id": $0.id, "name": $0.name] } ?? NSNull(),
                            "reached_at": t(c.reachedAt),
                        ]
                    },
                ]
            },
            "timeline": i.timeline.map { entry -> [String: Any] in
                let e = entry.event
                return [
                    "at": t(e.at), "recorded_at": t(e.recordedAt), "operator": e.operatorName,
                    "unix_user": e.unixUser, "type": e.action.typeName, "text": e.summary(policy: policy, customer: i.customer),
                    "stale": entry.isStale, "stale_reason": v(entry.staleReason), "backdated": entry.isBackdated,
                    "event_id": e.id.description,
                ]
            },
        ]
    }

    /// A person as `--json` gives them.
    public static func json(person p: Person) -> [String: Any] {
        ["id": p.id, "name": p.name, "phones": p.phones, "email": p.email ?? NSNull(), "zone": p.zone?.identifier ?? NSNull(),
         "note": p.note ?? NSNull()]
    }
}
