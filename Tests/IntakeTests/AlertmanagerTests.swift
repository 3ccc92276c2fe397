import Escalation
import Foundation
import Intake
import Testing

/// Alertmanager's webhook payload, and what it becomes in the store.
@Suite struct AlertmanagerIntake {
    static func payload(status: String = "firing", groupKey: String = "{}:{alertname=\"HighLatency\"}", alerts: [(fp: String, status: String, instance: String)],
                        truncated: Int = 0, labels: [String: String] = ["alertname": "HighLatency", "customer": "acme", "severity": "critical"],
                        annotations: [String: String] = ["summary": "API latency over 2s"], extra: [String: Any] = [:]) -> Data {
        var o: [String: Any] = [
            "version": "4", "groupKey": groupKey, "truncatedAlerts": truncated, "status": status, "receiver": "tierwatch",
            "groupLabels": ["alertname": labels["alertname"] ?? ""], "commonLabels": labels, "commonAnnotations": annotations,
            "externalURL": "http://alertmanager:9093",
            "alerts": alerts.map { a in
                ["status": a.status, "labels": labels.merging(["instance": a.instance]) { $1 }, "annotations": annotations,
                 "startsAt": "2026-11-30T07:00:00.123456789Z", "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus/graph",
                 "fingerprint": a.fp] as [String: Any]
            },
        ]
        for (k, v) in extra { o[k] = v }
        return try! JSONSerialization.data(withJSONObject: o)
    }

    func group(_ data: Data) throws -> AlertGroup { try AlertGroup(json: data) }

    @Test func aVersion4PayloadIsReadAndUnknownFieldsAreIgnored() throws {
        let g = try group(Self.payload(alerts: [("aaa1", "firing", "api-1")], extra: ["notification_reason": "new", "routeLabels": ["x": "y"]]))
        #expect(g.groupKey == "{}:{alertname=\"HighLatency\"}" && g.status == "firing" && g.alerts.count == 1)
        #expect(g.alerts[0].fingerprint == "aaa1" && g.alerts[0].labels["instance"] == "api-1" && g.alerts[0].endsAt == nil)
        #expect(g.alerts[0].startsAt == ISOTime.parse("2026-11-30T07:00:00.123Z"))
    }

    @Test func aBadPayloadIsRefusedNamingTheField() {
        func reason(_ text: String) -> String {
            do { _ = try AlertGroup(json: Data(text.utf8)); return "accepted" } catch { return error.description }
        }
        #expect(reason("{\"version\":\"4\",") .hasPrefix("not JSON"))
        #expect(reason("[]") == "expected a JSON object")
        #expect(reason(#"{"version":"3"}"#) == "version: webhook payload version 3 is not supported (only 4)")
        let base = #""version":"4","receiver":"r","status":"firing","groupKey":"g""#
        #expect(reason("{\(base)}") == "alerts: missing")
        #expect(reason("{\(base),\"alerts\":{}}") == "alerts: expected an array")
        #expect(reason("{\(base),\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":1},\"fingerprint\":\"f\"}]}") == "alerts[0].labels.a: expected a string")
        #expect(reason("{\(base),\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"f\",\"startsAt\":\"yesterday\"}]}") == "alerts[0].startsAt: expected an RFC 3339 time, not 'yesterday'")
        #expect(reason("{\(base),\"alerts\":[{\"status\":\"burning\",\"fingerprint\":\"f\"}]}") == "alerts[0].status: expected firing or resolved, not 'burning'")
        #expect(reason("{\(base),\"truncatedAlerts\":\"many\",\"alerts\":[]}") == "truncatedAlerts: expected a whole number")
    }

    /// A tiny store: incidents by dedup key, as the desk looks them up.
    struct Fake {
        var incidents: [Incident] = []
        var seq = 0

        mutating func apply(_ steps: [IntakeStep], at t: Date) {
            for step in steps {
                switch step {
                case let .open(title, customer, severity, key, note):
                    let opening = Opening(title: title, customer: customer, severity: severity, policyYAML: Policy.builtInYAML,
                                          policyDigest: Policy.digest(of: Policy.builtInYAML), dedupKey: key)
                    let id = "I\(incidents.count)"
                    var i = Incident(opening: event(id, .opened(opening), t))!
                    i.apply(event(id, .monitoring(note), t))
                    incidents.append(i)
                case let .note(id, note):
                    let k = incidents.firstIndex { $0.id == id }!
                    incidents[k].apply(event(id, .monitoring(note), t))
                case let .resolve(id, message):
                    let k = incidents.firstIndex { $0.id == id }!
                    incidents[k].apply(event(id, .resolved(message: message), t))
                case let .openUnder(_, inner):
                    apply([inner], at: t)
                }
            }
        }

        mutating func event(_ id: String, _ a: Action, _ t: Date) -> IncidentEvent {
            seq += 1
            return IncidentEvent(id: EventID(host: "serve", sequence: seq), hlc: HLC(millis: Int64(seq), counter: 0), incident: id,
                                 operatorName: "alertmanager", unixUser: "tw", at: t, recordedAt: t,
                                 baseVersion: incidents.first { $0.id == id }?.version ?? 0, action: a)
        }

        func lookup(_ key: String) -> [Incident] { incidents.filter { $0.dedupKey == key } }
    }

    @Test func oneIncidentPerGroupRepeatsAddNothingNewAlertsAreOneEntryResolvedIsNotedOnce() throws {
        var store = Fake()
        let t = Date(timeIntervalSince1970: 1_796_000_000)
        let settings = IntakeSettings()
        func send(_ data: Data) throws -> [IntakeStep] {
            let steps = AlertIntake.plan(try group(data), settings: settings, lookup: store.lookup)
            store.apply(steps, at: t)
            return steps
        }
        let first = try send(Self.payload(alerts: [("a1", "firing", "api-1")]))
        guard case let .open(title, customer, severity, key, note)? = first.first else { Issue.record("no incident opened"); return }
        #expect(title == "API latency over 2s" && customer == "acme" && severity == .sev1 && key.hasPrefix("alertmanager/"))
        #expect(note.text == "1 alert: HighLatency (api-1) firing (http://alertmanager:9093)" && note.alerts == ["a1"])
        #expect(try send(Self.payload(alerts: [("a1", "firing", "api-1")])).isEmpty, "a repeat records nothing")
        let grown = try send(Self.payload(alerts: [("a1", "firing", "api-1"), ("a2", "firing", "api-2"), ("a3", "firing", "api-3")], truncated: 4))
        #expect(grown == [.note(incident: "I0", MonitoringNote(status: "firing", alerts: ["a2", "a3"],
                                                              text: "2 alerts: HighLatency (api-2), HighLatency (api-3) firing (4 more not sent: truncatedAlerts)"))])
        let resolved = try send(Self.payload(status: "resolved", alerts: [("a1", "resolved", "api-1")]))
        #expect(resolved == [.note(incident: "I0", MonitoringNote(status: "resolved", alerts: [], text: "monitoring reports resolved"))])
        #expect(try send(Self.payload(status: "resolved", alerts: [("a1", "resolved", "api-1")])).isEmpty, "resolved is said once")
        #expect(store.incidents.count == 1 && store.incidents[0].state == .open, "the incident stays open for a person to resolve")
        // Firing again while still open: one entry.
        #expect(try send(Self.payload(alerts: [("a1", "firing", "api-1")])) ==
            [.note(incident: "I0", MonitoringNote(status: "firing", alerts: [], text: "monitoring reports firing again"))])
    }

    @Test func autoResolveResolvesAndAReFireOpensANewIncidentNamingTheEarlier() throws {
        var store = Fake()
        var settings = IntakeSettings()
        settings.autoResolve = true
        let t = Date(timeIntervalSince1970: 1_796_000_000)
        func send(_ data: Data) throws -> [IntakeStep] {
            let steps = AlertIntake.plan(try group(data), settings: settings, lookup: store.lookup)
            store.apply(steps, at: t)
            return steps
        }
        _ = try send(Self.payload(alerts: [("a1", "firing", "api-1")]))
        #expect(try send(Self.payload(status: "resolved", alerts: [("a1", "resolved", "api-1")])) == [.resolve(incident: "I0", message: "monitoring reports resolved")])
        #expect(store.incidents[0].state == .resolved)
        let again = try send(Self.payload(alerts: [("a1", "firing", "api-1")]))
        guard case let .open(_, _, _, _, note)? = again.first else { Issue.record("no new incident"); return }
        #expect(note.text.hasSuffix("— fired again after I0 (http://alertmanager:9093)") && store.incidents.count == 2)
    }

    @Test func aRepeatOfAGroupStillFiringAfterAPersonResolvedIsNoReFire() throws {
        var store = Fake()
        let t = ISOTime.parse("2026-11-30T08:00:00Z")!  // the alerts started at 07:00
        func send(_ data: Data, at: Date) throws -> [IntakeStep] {
            let steps = AlertIntake.plan(try group(data), settings: IntakeSettings(), lookup: store.lookup)
            store.apply(steps, at: at)
            return steps
        }
        _ = try send(Self.payload(alerts: [("a1", "firing", "api-1")]), at: t)
        // A person resolves it (the alert itself still fires).
        store.apply([.resolve(incident: "I0", message: "fixed by hand")], at: t.addingTimeInterval(600))
        #expect(try send(Self.payload(alerts: [("a1", "firing", "api-1")]), at: t.addingTimeInterval(900)).isEmpty,
                "Alertmanager's repeat of the same firing alert (started before the resolve) opens nothing")
        // A new alert in the group does.
        #expect(try send(Self.payload(alerts: [("a1", "firing", "api-1"), ("a9", "firing", "api-9")]), at: t.addingTimeInterval(960)).count == 1)
        // A blank summary is no title.
        let blank = try group(Self.payload(alerts: [("b1", "firing", "x")], labels: ["alertname": "DiskFull"], annotations: ["summary": "   "]))
        guard case let .open(title, _, _, _, _)? = AlertIntake.plan(blank, settings: IntakeSettings(), lookup: { _ in [] }).first else { Issue.record("no incident"); return }
        #expect(title == "DiskFull")
    }

    @Test func byFingerprintEachAlertIsItsOwnIncidentAndTheMappingIsThePolicys() throws {
        var settings = IntakeSettings()
        settings.dedup = .fingerprint
        settings.severityMap = ["critical": .sev2]
        var store = Fake()
        let steps = AlertIntake.plan(try group(Self.payload(alerts: [("a1", "firing", "api-1"), ("a2", "firing", "api-2")])), settings: settings, lookup: store.lookup)
        store.apply(steps, at: Date())
        #expect(store.incidents.count == 2 && store.incidents.allSatisfy { $0.severity == .sev2 })
        #expect(Set(store.incidents.compactMap(\.dedupKey)) == ["alertmanager/fp/a1", "alertmanager/fp/a2"])
        // No summary: the alert's name; no customer label: none; no severity label: the default.
        let bare = try group(Self.payload(alerts: [("b1", "firing", "x")], labels: ["alertname": "DiskFull"], annotations: [:]))
        guard case let .open(title, customer, severity, _, _)? = AlertIntake.plan(bare, settings: IntakeSettings(), lookup: { _ in [] }).first else {
            Issue.record("no incident"); return
        }
        #expect(title == "DiskFull" && customer == nil && severity == .sev2)
    }

    @Test func aPolicyLabelPicksThePolicyFileTheIncidentOpensUnder() throws {
        var settings = IntakeSettings()
        settings.policies = ["premium": "premium.yaml"]
        let labelled = try group(Self.payload(alerts: [("p1", "firing", "x")], labels: ["alertname": "Down", "policy": "premium"], annotations: [:]))
        guard case let .openUnder(file, .open(title, _, _, _, _))? = AlertIntake.plan(labelled, settings: settings, lookup: { _ in [] }).first else {
            Issue.record("not opened under the labelled policy"); return
        }
        #expect(file == "premium.yaml" && title == "Down")
        let other = try group(Self.payload(alerts: [("p2", "firing", "x")], labels: ["alertname": "Down", "policy": "basic"]))
        guard case .open? = AlertIntake.plan(other, settings: settings, lookup: { _ in [] }).first else { Issue.record("a value not listed: the policy in force"); return }
    }

    @Test func tenThousandAlertsAreOneIncidentWithATimelineLineThatStaysShort() throws {
        let many = (0..<10_000).map { (fp: "f\($0)", status: "firing", instance: "host-\($0)") }
        let steps = AlertIntake.plan(try group(Self.payload(alerts: many)), settings: IntakeSettings(), lookup: { _ in [] })
        guard case let .open(_, _, _, _, note)? = steps.first, steps.count == 1 else { Issue.record("expected one incident"); return }
        #expect(note.alerts.count == 10_000 && note.text.contains("10000 alerts") && note.text.contains("and 9990 more") && note.text.count < 400)
    }

    @Test func thePolicysIntakeSectionIsParsedWithLineAndColumn() throws {
        let text = Policy.builtInYAML + "intake: { dedup: fingerprint, severity_map: { page: sev1, ticket: sev4 }, auto_resolve: true, customer_label: tenant }\n"
        let p = try Policy(yaml: text, file: "p.yaml")
        #expect(p.intake.dedup == .fingerprint && p.intake.severityMap == ["page": .sev1, "ticket": .sev4] && p.intake.autoResolve && p.intake.customerLabel == "tenant")
        do {
            _ = try Policy(yaml: Policy.builtInYAML + "intake: { dedup: grouped }\n", file: "p.yaml")
            Issue.record("accepted a bad dedup")
        } catch {
            #expect(error.message == "'dedup' must be group or fingerprint, not 'grouped'" && error.column == 18)
        }
    }

    @Test func metricsAreThePrometheusTextFormatWithEscapedLabels() {
        var m = MetricsText()
        m.family("x_total", "counter", "An example.", [([("host", "a\"b\\c\nd")], 3), ([], 1.5)])
        #expect(m.text == "# HELP x_total An example.\n# TYPE x_total counter\nx_total{host=\"a\\\"b\\\\c\\nd\"} 3\nx_total 1.500\n")
    }
}
