import Escalation
import Foundation
import IncidentStore

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/tierwatch-test-XXXXXX").utf8CString)
        let p = mkdtemp(&template)!
        path = String(cString: p)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ bytes: [UInt8]) {
        let full = path + "/" + relative
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        writeFixture(atPath: full, contents: Data(bytes))
    }

    /// Appends in place (same inode), as a writer does.
    func append(_ relative: String, _ bytes: [UInt8]) {
        let h = FileHandle(forWritingAtPath: path + "/" + relative)!
        h.seekToEndOfFile()
        h.write(Data(bytes))
        try? h.close()
    }

    func read(_ relative: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path + "/" + relative) ?? Data())
    }
}

let t0 = Date(timeIntervalSince1970: 1_790_000_000)

func event(_ action: Action, incident: String = "K3F9", host: String = "noc1", seq: Int, minutes: Double = 0,
           base: Int = 0, op: String = "alice") -> IncidentEvent {
    let t = t0.addingTimeInterval(minutes * 60)
    return IncidentEvent(id: EventID(host: host, sequence: seq),
                         hlc: HLC(millis: Int64(t.timeIntervalSince1970 * 1000), counter: seq % 3),
                         incident: incident, operatorName: op, unixUser: "u-" + op, at: t,
                         recordedAt: t.addingTimeInterval(0.5), baseVersion: base, action: action)
}

func opening(_ title: String = "SIP trunk down", customer: String? = "acme") -> Action {
    .opened(Opening(title: title, customer: customer, severity: .sev1, policyYAML: Policy.builtInYAML,
                    policyDigest: Policy.digest(of: Policy.builtInYAML)))
}

func lines(_ events: [IncidentEvent]) -> [UInt8] { events.flatMap { RecordCodec.encode($0) } }

/// Writes a test's fixture file; a test cannot go on without it, so a failed
/// write stops the run and names the path.
func writeFixture(atPath path: String, contents: Data?, attributes: [FileAttributeKey: Any]? = nil) {
    precondition(FileManager.default.createFile(atPath: path, contents: contents, attributes: attributes), "cannot write the fixture \(path)")
}
