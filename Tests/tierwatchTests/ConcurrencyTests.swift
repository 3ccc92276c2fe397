import Foundation
import Testing

@Suite struct SeveralWriters {
    /// Four writer processes append 500 events each to one host's log at the
    /// same time: every append that reported success is in the store once.
    @Test func fourProcessesTimesFiveHundredAppendsLoseNothing() throws {
        let s = TempStore(); defer { s.cleanup() }
        let open = Binary.run(["writer", "--store", s.path, "--host", "noc1", "--incident", "TEST", "--count", "0", "--open"], executable: Binary.bench)
        #expect(open.status == 0, "\(open.stderr)")
        let writers = (0..<4).map { _ -> (Process, Pipe) in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Binary.bench)
            p.arguments = ["writer", "--store", s.path, "--host", "noc1", "--incident", "TEST", "--count", "500"]
            let out = Pipe()
            p.standardOutput = out
            try! p.run()
            return (p, out)
        }
        var reported: [String] = []
        for (p, out) in writers {
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            reported += text.split(separator: "\n").map { String($0.dropFirst(3)) }
        }
        #expect(reported.count == 2000 && Set(reported).count == 2000, "sequence numbers are unique")

        let export = Binary.run(["export", "--events"], store: s.path)
        let ids = export.stdout.split(separator: "\n").map { line -> String in
            let obj = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return "\(obj["host"]!)/\(obj["seq"]!)"
        }
        #expect(ids.count == 2001 && Set(ids).count == 2001)
        #expect(Set(reported).isSubset(of: Set(ids)))
        let list = Binary.run(["list"], store: s.path)
        #expect(!list.stderr.contains("bad record"), "nothing torn: \(list.stderr)")
        let log = try String(contentsOfFile: s.path + "/events/noc1.log", encoding: .utf8)
        #expect(log.split(separator: "\n", omittingEmptySubsequences: false).count == 2002, "2001 lines and a final newline")
    }
}
