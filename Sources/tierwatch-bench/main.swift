import Escalation
import Foundation
import IncidentStore

/// tierwatch-bench: benchmarks and the store's torture tools.
///
///   tierwatch-bench writer --store DIR --host H --incident ID --count N [--open]
///       appends N notes through the store API; after each fsync'd append
///       prints `ok HOST/SEQ`, so a test that kills the writer knows exactly
///       which appends reported success.
func usage() -> Never {
    FileHandle.standardError.write(Data("""
    usage: tierwatch-bench writer --store DIR --host H --incident ID --count N [--open]

    """.utf8))
    exit(2)
}

let all = Array(CommandLine.arguments.dropFirst())
guard let mode = all.first else { usage() }
let args = Array(all.dropFirst())

func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

switch mode {
case "writer":
    guard let store = option("--store"), let host = option("--host"), let incident = option("--incident"),
          let count = option("--count").flatMap(Int.init) else { usage() }
    let s = IncidentStore(path: store, host: host)
    do {
        if args.contains("--open") {
            try s.append { state in
                guard state.incidents[incident] == nil else { throw StoreError.refused("exists") }
                return IncidentStore.Draft(incident: incident, action: .opened(Opening(
                    title: "torture", customer: nil, severity: .sev3, policyYAML: Policy.builtInYAML,
                    policyDigest: Policy.digest(of: Policy.builtInYAML))), operatorName: "writer", baseVersion: 0)
            }
        }
        for n in 0..<count {
            let e = try s.append { state in
                IncidentStore.Draft(incident: incident, action: .note(message: "\(host) note \(n)"),
                                    operatorName: "writer", baseVersion: state.incidents[incident]?.version ?? 0)
            }
            FileHandle.standardOutput.write(Data("ok \(e.id)\n".utf8))  // unbuffered: the line is out before the next append
        }
    } catch {
        FileHandle.standardError.write(Data("writer: \(error)\n".utf8))
        exit(1)
    }
default:
    usage()
}
