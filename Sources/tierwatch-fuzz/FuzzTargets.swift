import Dashboard
import Surface
import Escalation
import Foundation
import IncidentStore

/// The parsers that read text from outside, each checked for two things on
/// any input: it never crashes, and what it accepts means what it says
/// (a decoded record encodes back to a record that decodes the same).
enum FuzzTarget: String, CaseIterable {
    case record, policy, theme, when, command

    func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .record:
            guard let event = try? RecordCodec.decode(bytes) else { return }
            var again = RecordCodec.encode(event)
            again.removeLast()
            guard let back = try? RecordCodec.decode(again), back == event else {
                fatalError("a decoded record did not survive re-encoding: \(event)")
            }
        case .policy:
            let text = String(decoding: bytes, as: UTF8.self)
            if let p = try? Policy(yaml: text, file: "fuzz") {
                // Whatever parses must give a ladder at any instant without trapping.
                let opening = IncidentEvent(id: EventID(host: "f", sequence: 1), hlc: HLC(millis: 0, counter: 0), incident: "F",
                                            operatorName: "f", unixUser: "f", at: Date(timeIntervalSince1970: 0),
                                            recordedAt: Date(timeIntervalSince1970: 0), baseVersion: 0,
                                            action: .opened(Opening(title: "f", customer: p.customers.keys.first, severity: .sev1,
                                                                    policyYAML: text, policyDigest: "f")))
                _ = Ladder(incident: Incident(opening: opening)!, policy: p, at: Date(timeIntervalSince1970: 86400))
            }
            if let span = TimeSpan(parsing: text), TimeSpan(parsing: span.description) != span {
                fatalError("duration \(text) does not read back")
            }
        case .theme:
            _ = try? Theme(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz")
        case .when:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = When.parse(text, now: Date(timeIntervalSince1970: 1_800_000_000))
            _ = ISOTime.parse(utf8: bytes)
        case .command:
            _ = TypedCommand.parse(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Chosen by $TIERWATCH_FUZZ_TARGET when libFuzzer runs the binary.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["TIERWATCH_FUZZ_TARGET"] ?? ""
        guard let t = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("set TIERWATCH_FUZZ_TARGET to one of: \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return t
    }()
}
