import Foundation

/// The `--json` shape of an incident, documented in the README and in
/// docs/openapi.json. Times are ISO-8601 UTC; absent values are null. One
/// description: the CLI, the HTTP API, hooks and the event stream all take
/// it from here. Members are listed in key order (the order they are
/// written in; JSONText sorts any that are not).
extension Board.Entry {
    /// The incident as `--json` prints it.
    public func json(now: Date) -> JSONValue {
        let i = incident, ladder = self.ladder
        let atStart = ladder.rungs.indices.map(onCallAtStart)
        let tiers: [JSONValue] = ladder.rungs.map { r in
            let contacts: [JSONValue] = r.contacts.enumerated().map { k, c in
                .object([
                    ("at", .time(c.at)),
                    ("by", .string(c.by)),
                    ("called_person", c.calledPerson.map { .object([("id", .string($0.id)), ("name", .string($0.name))]) } ?? .null),
                    ("email", .string(c.callee.email)),
                    ("id", .string(c.contact.id)),
                    ("name", .string(c.contact.name)),
                    ("nobody_on_call", .bool(c.callee.nobodyOnCall)),
                    ("on_call_at_start", atStart[r.index][k]?.person.map(Board.Entry.json(person:)) ?? .null),
                    ("on_call_until", .time(c.callee.until)),
                    ("outcome", .string(c.outcome?.rawValue)),
                    ("override", .string(c.callee.override)),
                    ("person", c.callee.person.map(Board.Entry.json(person:)) ?? .null),
                    // The number to dial: the person's, else the contact's.
                    ("phone", .string(c.callee.phone)),
                    ("reached_at", .time(c.reachedAt)),
                    ("role", .string(c.contact.role)),
                    ("schedule", .string(c.contact.schedule)),
                ])
            }
            return .object([
                ("contacts", .array(contacts)),
                ("due_at", .time(r.dueAt)),
                ("id", .string(r.tier.id)),
                ("index", .int(r.index)),
                ("late_seconds", .int(r.lateSeconds)),
                ("met_at", .time(r.metAt)),
                ("name", .string(r.tier.name)),
                ("progress", .double((r.progress * 1000).rounded() / 1000)),
                ("remaining_seconds", r.status.isMet ? .null : .int(r.remainingSeconds)),
                ("scheduled_start_at", r.isStarted ? .null : .time(r.startAt)),
                ("started_at", r.isStarted ? .time(r.startAt) : .null),
                ("status", .string(r.status.rawValue)),
            ])
        }
        let timeline: [JSONValue] = i.timeline.map { entry in
            let e = entry.event
            return .object([
                ("at", .time(e.at)),
                ("backdated", .bool(entry.isBackdated)),
                ("event_id", .string(e.id.description)),
                ("operator", .string(e.operatorName)),
                ("recorded_at", .time(e.recordedAt)),
                ("stale", .bool(entry.isStale)),
                ("stale_reason", .string(entry.staleReason)),
                ("text", .string(e.summary(policy: policy, customer: i.customer))),
                ("type", .string(e.action.typeName)),
                ("unix_user", .string(e.unixUser)),
            ])
        }
        return .object([
            ("acknowledged_at", .time(i.acknowledged?.at)),
            ("acknowledged_by", .string(i.acknowledged?.by)),
            ("customer", .string(i.customer)),
            ("id", .string(i.id)),
            ("next_action", .string(Words.nextAction(self, now: now))),
            ("next_customer_update_at", .time(ladder.nextCustomerUpdateAt)),
            ("next_deadline", .string(ladder.nextDeadline.map { Words.deadline($0, policy, .id) })),
            ("next_deadline_at", .time(ladder.nextDeadline?.at)),
            ("opened_at", .time(i.opened.at)),
            ("opened_by", .string(i.opened.by)),
            ("policy", .object([("digest", .string(i.policyDigest)), ("name", .string(policy.name)), ("version", .int(policy.version))])),
            ("policy_problem", .string(policyProblem)),
            ("resolution", .string(i.resolutionMessage)),
            ("resolved_at", .time(i.resolved?.at)),
            ("resolved_by", .string(i.resolved?.by)),
            ("severity", .string(i.severity.rawValue)),
            ("state", .string(i.state.rawValue)),
            ("tier", .int(ladder.currentTier)),
            ("tiers", .array(tiers)),
            ("timeline", .array(timeline)),
            ("title", .string(i.title)),
            ("version", .int(i.version)),
        ])
    }

    /// A person as `--json` gives them.
    public static func json(person p: Person) -> JSONValue {
        .object([("email", .string(p.email)), ("id", .string(p.id)), ("name", .string(p.name)), ("note", .string(p.note)),
                 ("phones", .array(p.phones.map { .string($0) })), ("zone", .string(p.zone?.identifier))])
    }
}
