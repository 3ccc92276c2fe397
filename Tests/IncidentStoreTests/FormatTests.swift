import Escalation
import Foundation
@testable import IncidentStore
import Testing

/// Record format 2: shorter records, and each policy's text once per host
/// log; stores written in format 1 read as before.
@Suite struct RecordFormats {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/store-format-1").path

    @Test func aStoreWrittenByTheFormat1ReleaseReadsAsItDid() throws {
        // Made by tierwatch 0.2.0 (format 1): raise, ack, note, resolve on
        // noc1; raise on noc1, ack and update on noc2.
        let store = IncidentStore(path: RecordFormats.fixture, host: "reader")
        store.refresh()
        #expect(store.badRecordCount == 0)
        #expect(store.state.eventCount == 7)
        let first = try #require(store.state.incidents["FTA8"])
        #expect(first.title == "SIP trunk down" && first.state == .resolved && first.resolutionMessage == "carrier restored")
        #expect(first.events.map(\.action.typeName) == ["opened", "acknowledged", "note", "resolved"])
        let second = try #require(store.state.incidents["67RM"])
        #expect(second.state == .acknowledged && second.customer == "globex")
        #expect(second.events.allSatisfy { $0.unixUser == "root" })
        #expect(store.state.policyErrors.isEmpty)
        #expect(store.state.policy(for: second).name == Policy.builtIn.name)
    }

    @Test func aFormat2WriterAppendsToAFormat1StoreAndBothRead() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        for name in ["noc1.log", "noc2.log"] {
            dir.write("events/" + name, [UInt8](FileManager.default.contents(atPath: RecordFormats.fixture + "/events/" + name)!))
        }
        // (Another host: noc1's log was written by another machine, and a
        // writer never appends to one.)
        let writer = IncidentStore(path: dir.path, host: "noc3")
        let opened = try writer.openIncident(Opening(title: "Voicemail delayed", customer: "acme", severity: .sev3, policyYAML: Policy.builtInYAML,
                                                     policyDigest: Policy.digest(of: Policy.builtInYAML)), operatorName: "carol")
        let reader = IncidentStore(path: dir.path, host: "reader")
        reader.refresh()
        #expect(reader.badRecordCount == 0)
        #expect(reader.state.incidents.count == 3)
        #expect(reader.state.incident(opened.incident)?.policyYAML == Policy.builtInYAML)
        #expect(reader.state.policyErrors.isEmpty)
        // The new records are format 2: the text once, then the opening by digest.
        let lines = String(decoding: dir.read("events/noc3.log"), as: UTF8.self).split(separator: "\n").suffix(2)
        #expect(lines.first?.contains(#""v":2"#) == true && lines.first?.contains(#""type":"policy""#) == true)
        #expect(lines.last?.contains(#""type":"opened""#) == true && lines.last?.contains(#""policy":"#) == false)
    }

    @Test func eachHostLogCarriesEachPolicyTextOnce() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let opening = Opening(title: "SIP trunk down", customer: "acme", severity: .sev1, policyYAML: Policy.builtInYAML,
                              policyDigest: Policy.digest(of: Policy.builtInYAML))
        for host in ["noc1", "noc1", "noc2", "noc1"] {
            _ = try IncidentStore(path: dir.path, host: host).openIncident(opening, operatorName: "alice")
        }
        func count(_ host: String, _ type: String) -> Int {
            String(decoding: dir.read("events/\(host).log"), as: UTF8.self).split(separator: "\n").filter { $0.contains(#""type":"\#(type)""#) }.count
        }
        #expect(count("noc1", "policy") == 1 && count("noc1", "opened") == 3)
        #expect(count("noc2", "policy") == 1 && count("noc2", "opened") == 1)
        let reader = IncidentStore(path: dir.path, host: "reader")
        reader.refresh()
        #expect(reader.state.incidents.count == 4)
        #expect(reader.state.incidents.values.allSatisfy { $0.policyYAML == Policy.builtInYAML })
        // A log is about the size of its records without the text: 4 openings, 2 texts.
        let bytes = dir.read("events/noc1.log").count + dir.read("events/noc2.log").count
        #expect(bytes < 2 * Policy.builtInYAML.utf8.count + 4 * 600)
    }

    @Test func recordsLeaveOutWhatTheyCanSayByDefault() throws {
        let e = IncidentEvent(id: EventID(host: "noc1", sequence: 3), hlc: HLC(millis: 1_790_000_000_000, counter: 0), incident: "K3F9",
                              operatorName: "alice", unixUser: "alice", at: t0, recordedAt: t0, baseVersion: 2, action: .acknowledged)
        var bytes = RecordCodec.encode(e)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"v":2,"#))
        #expect(!text.contains(#""user""#) && !text.contains(#""rec""#) && !text.contains(#""hlc_c""#))
        bytes.removeLast()
        #expect(try RecordCodec.decode(bytes) == e)
        // When they differ they are written.
        var other = e
        other.unixUser = "root"
        other.recordedAt = t0.addingTimeInterval(90)
        other.hlc.counter = 2
        var more = RecordCodec.encode(other)
        let moreText = String(decoding: more, as: UTF8.self)
        #expect(moreText.contains(#""user":"root""#) && moreText.contains(#""rec""#) && moreText.contains(#""hlc_c":2"#))
        more.removeLast()
        #expect(try RecordCodec.decode(more) == other)
    }

    @Test func anOpeningWhosePolicyTextHasNotArrivedSaysSoUntilItDoes() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let digest = Policy.digest(of: Policy.builtInYAML)
        let opening = IncidentEvent(id: EventID(host: "noc2", sequence: 1), hlc: HLC(millis: 1_790_000_000_000, counter: 0), incident: "K3F9",
                                    operatorName: "bob", unixUser: "bob", at: t0, recordedAt: t0, baseVersion: 0,
                                    action: .opened(Opening(title: "Trunk down", customer: nil, severity: .sev1, policyYAML: Policy.builtInYAML, policyDigest: digest)))
        dir.write("events/noc2.log", RecordCodec.encode(opening, policyText: false))
        let reader = IncidentStore(path: dir.path, host: "reader")
        reader.refresh()
        let incident = try #require(reader.state.incidents["K3F9"])
        #expect(reader.state.policies[incident].problem?.contains("is not in the store") == true)
        // The text arrives (another host's log synced later).
        let text = IncidentEvent(id: EventID(host: "noc1", sequence: 1), hlc: HLC(millis: 1_789_000_000_000, counter: 0), incident: PolicyText.key,
                                 operatorName: "alice", unixUser: "alice", at: t0, recordedAt: t0, baseVersion: 0,
                                 action: .policyText(PolicyText(digest: digest, text: Policy.builtInYAML)))
        dir.write("events/noc1.log", RecordCodec.encode(text))
        reader.refresh()
        #expect(reader.state.policies[reader.state.incidents["K3F9"]!].problem == nil)
        #expect(reader.state.policyErrors.isEmpty)
    }
}
