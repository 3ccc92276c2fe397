import Escalation
import Foundation

/// Prometheus Alertmanager's webhook payload (version 4), read field by
/// field so a bad one is refused with the field's path: `alerts[2].labels:
/// expected an object`. Unknown fields are ignored (newer Alertmanagers add
/// `notification_reason`, `routeLabels`).
public struct AlertGroup: Sendable, Equatable {
    public struct Alert: Sendable, Equatable {
        public var status: String
        public var labels: [String: String]
        public var annotations: [String: String]
        public var startsAt: Date?
        public var endsAt: Date?
        public var generatorURL: String?
        public var fingerprint: String
    }

    public var receiver: String
    public var status: String
    public var groupKey: String
    public var truncatedAlerts: Int
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String?
    public var alerts: [Alert]

    /// A payload that cannot be used, with the path of the field at fault.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { field.isEmpty ? message : "\(field): \(message)" }
    }

    public init(json data: Data) throws(Invalid) {
        let o: JSONValue
        switch JSONValue.parsing(data) {
        case let .success(v): o = v
        case let .failure(e): throw Invalid(field: "", message: "not JSON (\(e.reason))")
        }
        guard o.members != nil else { throw Invalid(field: "", message: "expected a JSON object") }
        let version = try Self.string(o, "version", "")
        guard version == "4" else { throw Invalid(field: "version", message: "webhook payload version \(version) is not supported (only 4)") }
        receiver = try Self.string(o, "receiver", "")
        status = try Self.status(o, "")
        groupKey = try Self.string(o, "groupKey", "")
        truncatedAlerts = try Self.optionalInt(o, "truncatedAlerts", "") ?? 0
        groupLabels = try Self.labels(o, "groupLabels", "")
        commonLabels = try Self.labels(o, "commonLabels", "")
        commonAnnotations = try Self.labels(o, "commonAnnotations", "")
        externalURL = try Self.optionalString(o, "externalURL", "")
        guard let list = o["alerts"]?.elements else { throw Invalid(field: "alerts", message: o["alerts"] == nil ? "missing" : "expected an array") }
        var alerts: [Alert] = []
        alerts.reserveCapacity(list.count)
        for (k, item) in list.enumerated() {
            let path = "alerts[\(k)]"
            guard item.members != nil else { throw Invalid(field: path, message: "expected an object") }
            let a = item
            alerts.append(Alert(status: try Self.status(a, path), labels: try Self.labels(a, "labels", path),
                                annotations: try Self.labels(a, "annotations", path),
                                startsAt: try Self.time(a, "startsAt", path), endsAt: try Self.time(a, "endsAt", path),
                                generatorURL: try Self.optionalString(a, "generatorURL", path),
                                fingerprint: try Self.string(a, "fingerprint", path)))
        }
        self.alerts = alerts
    }

    static func join(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    static func string(_ o: JSONValue, _ key: String, _ parent: String) throws(Invalid) -> String {
        guard let v = o[key] else { throw Invalid(field: join(parent, key), message: "missing") }
        guard let s = v.stringValue else { throw Invalid(field: join(parent, key), message: "expected a string") }
        return s
    }

    static func optionalString(_ o: JSONValue, _ key: String, _ parent: String) throws(Invalid) -> String? {
        guard let v = o[key], v != .null else { return nil }
        guard let s = v.stringValue else { throw Invalid(field: join(parent, key), message: "expected a string") }
        return s
    }

    static func optionalInt(_ o: JSONValue, _ key: String, _ parent: String) throws(Invalid) -> Int? {
        guard let v = o[key], v != .null else { return nil }
        let d: Double
        switch v {
        case let .int(n): d = Double(n)
        case let .double(x): d = x
        default: throw Invalid(field: join(parent, key), message: "expected a whole number")
        }
        guard d == d.rounded(), d >= 0, d < 1e15 else { throw Invalid(field: join(parent, key), message: "expected a whole number") }
        return Int(d)
    }

    static func status(_ o: JSONValue, _ parent: String) throws(Invalid) -> String {
        let s = try string(o, "status", parent)
        guard s == "firing" || s == "resolved" else { throw Invalid(field: join(parent, "status"), message: "expected firing or resolved, not '\(s.sanitized)'") }
        return s
    }

    static func labels(_ o: JSONValue, _ key: String, _ parent: String) throws(Invalid) -> [String: String] {
        guard let v = o[key], v != .null else { return [:] }
        guard let m = v.members else { throw Invalid(field: join(parent, key), message: "expected an object of strings") }
        var out: [String: String] = [:]
        for (k, value) in m {
            guard let s = value.stringValue else { throw Invalid(field: join(parent, key) + "." + k, message: "expected a string") }
            out[k] = s
        }
        return out
    }

    static func time(_ o: JSONValue, _ key: String, _ parent: String) throws(Invalid) -> Date? {
        guard let s = try optionalString(o, key, parent) else { return nil }
        // Alertmanager writes nanoseconds and "0001-01-01T00:00:00Z" for "not yet".
        if s.hasPrefix("0001-") { return nil }
        guard let d = ISOTime.parse(s) ?? ISOTime.parse(AlertGroup.toMilliseconds(s)) else {
            throw Invalid(field: join(parent, key), message: "expected an RFC 3339 time, not '\(s.sanitized)'")
        }
        return d
    }

    /// `2026-11-30T07:00:00.123456789Z` as the milliseconds ISOTime reads.
    static func toMilliseconds(_ s: String) -> String {
        guard let dot = s.firstIndex(of: "."), let end = s[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) else { return s }
        let fraction = s[s.index(after: dot)..<end]
        return String(s[..<dot]) + "." + String((fraction + "000").prefix(3)) + String(s[end...])
    }
}

/// What to record for one request: the steps the store is asked to take,
/// each checked under its lock like any action.
public enum IntakeStep: Sendable, Equatable {
    /// Open an incident, then record `note` on it.
    case open(title: String, customer: String?, severity: Severity, dedupKey: String, note: MonitoringNote)
    /// The same, under the policy file `intake.policies` names for the
    /// group's policy label.
    indirect case openUnder(policyFile: String, IntakeStep)
    /// Record a monitoring note on an open incident.
    case note(incident: String, MonitoringNote)
    /// Resolve an open incident (`intake.auto_resolve`).
    case resolve(incident: String, message: String)
}

/// Turns an Alertmanager group into steps against what the store holds.
public enum AlertIntake {
    /// The store's dedup key of a group (or of one alert, by fingerprint).
    public static func key(group: AlertGroup, alert: AlertGroup.Alert?, settings: IntakeSettings) -> String {
        if settings.dedup == .fingerprint, let a = alert { return "alertmanager/fp/" + a.fingerprint }
        return "alertmanager/" + group.groupKey
    }

    /// The steps for `group`: one incident per key. `lookup` gives the
    /// incidents opened under a key, oldest first.
    public static func plan(_ group: AlertGroup, settings: IntakeSettings, lookup: (String) -> [Incident]) -> [IntakeStep] {
        if settings.dedup == .fingerprint {
            return group.alerts.flatMap { a in
                var one = group
                one.alerts = [a]
                one.status = a.status
                one.commonLabels = group.commonLabels.merging(a.labels) { $1 }
                one.commonAnnotations = group.commonAnnotations.merging(a.annotations) { $1 }
                return planOne(one, key: key(group: group, alert: a, settings: settings), settings: settings, lookup: lookup)
            }
        }
        return planOne(group, key: key(group: group, alert: nil, settings: settings), settings: settings, lookup: lookup)
    }

    static func planOne(_ g: AlertGroup, key: String, settings: IntakeSettings, lookup: (String) -> [Incident]) -> [IntakeStep] {
        let earlier = lookup(key)
        let open = earlier.last { $0.state != .resolved }
        let firing = g.alerts.filter { $0.status == "firing" }
        let truncated = g.truncatedAlerts > 0 ? " (\(g.truncatedAlerts) more not sent: truncatedAlerts)" : ""
        if g.status == "resolved" {
            guard let open else { return [] }
            // Once per resolve: a repeat of it adds nothing.
            if open.monitoringStatus == "resolved" { return [] }
            if settings.autoResolve { return [.resolve(incident: open.id, message: "monitoring reports resolved")] }
            return [.note(incident: open.id, MonitoringNote(status: "resolved", alerts: [], text: "monitoring reports resolved\(truncated)"))]
        }
        guard !firing.isEmpty else { return [] }
        // Alertmanager keeps repeating a group that is still firing after
        // a person resolved its incident: that is no re-fire. Only an alert
        // the incident never had, or one that started again after the
        // resolution, opens a new incident.
        if open == nil, let last = earlier.last, let resolvedAt = last.resolved?.at {
            let known = last.monitoringAlerts
            let news = firing.filter { !known.contains($0.fingerprint) || ($0.startsAt.map { $0 > resolvedAt } ?? false) }
            if news.isEmpty { return [] }
        }
        guard let open else {
            let refire = earlier.last.map { " — fired again after \($0.id)" } ?? ""
            let note = MonitoringNote(status: "firing", alerts: firing.map(\.fingerprint),
                                      text: "\(describe(firing)) firing\(truncated)\(refire)\(g.externalURL.map { " (\($0))" } ?? "")")
            let open = IntakeStep.open(title: title(g, settings), customer: customer(g, settings), severity: severity(g, settings), dedupKey: key, note: note)
            if let value = g.commonLabels[settings.policyLabel] ?? g.alerts.first?.labels[settings.policyLabel], let file = settings.policies[value] {
                return [.openUnder(policyFile: file, open)]
            }
            return [open]
        }
        // Alertmanager repeats the whole group every repeat_interval: only
        // alerts the incident has not seen, or a re-fire after "resolved",
        // are news.
        let known = open.monitoringAlerts
        let new = firing.filter { !known.contains($0.fingerprint) }
        if new.isEmpty && open.monitoringStatus != "resolved" { return [] }
        let text = new.isEmpty ? "monitoring reports firing again" : "\(describe(new)) firing\(truncated)"
        return [.note(incident: open.id, MonitoringNote(status: "firing", alerts: new.map(\.fingerprint), text: text))]
    }

    /// `2 alerts: HighLatency (api-1), HighLatency (api-2)`, at most 10 named.
    static func describe(_ alerts: [AlertGroup.Alert]) -> String {
        let names = alerts.prefix(10).map { a -> String in
            let name = a.labels["alertname"] ?? a.fingerprint
            let instance = a.labels["instance"].map { " (\($0))" } ?? ""
            return name + instance
        }
        let more = alerts.count > 10 ? " and \(alerts.count - 10) more" : ""
        return "\(alerts.count == 1 ? "1 alert" : "\(alerts.count) alerts"): \(names.joined(separator: ", "))\(more)"
    }

    static func title(_ g: AlertGroup, _ s: IntakeSettings) -> String {
        // The first of these that says something: a blank summary is no title.
        let candidates = [g.commonAnnotations[s.titleAnnotation], g.alerts.first?.annotations[s.titleAnnotation],
                          g.commonLabels["alertname"], g.groupLabels["alertname"], g.alerts.first?.labels["alertname"]]
        for c in candidates {
            guard let line = c?.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }), !line.isEmpty else { continue }
            return String(line.prefix(256))
        }
        return "Alert from Alertmanager"
    }

    static func customer(_ g: AlertGroup, _ s: IntakeSettings) -> String? {
        (g.commonLabels[s.customerLabel] ?? g.alerts.first?.labels[s.customerLabel]).map { String($0.prefix(128)) }
    }

    static func severity(_ g: AlertGroup, _ s: IntakeSettings) -> Severity {
        guard let v = g.commonLabels[s.severityLabel] ?? g.alerts.first?.labels[s.severityLabel] else { return s.defaultSeverity }
        return s.severityMap[v.lowercased()] ?? Severity(rawValue: v.lowercased()) ?? s.defaultSeverity
    }
}
