import Escalation
import Foundation
import IncidentStore

/// tierwatch-bench: the benchmarks, and the store's torture tools.
///
///   tierwatch-bench [--quick] [--json]     run every benchmark, print the table
///   tierwatch-bench generate DIR EVENTS    write a realistic store of EVENTS events
///   tierwatch-bench torture [--long]       crash loop, damage and concurrency, with figures
///   tierwatch-bench wall [SECONDS]         only the idle wall against htop (default 60 s each)
///   tierwatch-bench storm [--quick]         only the storm section
///   tierwatch-bench oncall [--quick]        only the on-call board figure
///   tierwatch-bench sites [--quick]         two sites over two real Syncthing instances
///   tierwatch-bench history [--quick|--long] a start from the checkpoint against a full read (1M events; --long 10M)
///   tierwatch-bench serve [--quick]         tierwatch serve: webhook latency, wrk throughput, idle CPU
///   tierwatch-bench call [--quick]          automatic call-out: tier start -> the callee's INVITE, beside baresip alone
///   tierwatch-bench writer --store DIR --host H --incident ID --count N [--open] [--rate R]
///       appends N notes through the store API; after each fsync'd append
///       prints `ok HOST/SEQ`, so a test that kills the writer knows exactly
///       which appends reported success.
///   (follow, bare-follow, load and converge are the benchmarks' own child processes)
let usageText = """
usage: tierwatch-bench [--quick] [--json]
       tierwatch-bench generate DIR EVENTS
       tierwatch-bench torture [--long]
       tierwatch-bench wall [SECONDS]
       tierwatch-bench storm [--quick]
       tierwatch-bench oncall [--quick]
       tierwatch-bench sites [--quick]
       tierwatch-bench history [--quick|--long]
       tierwatch-bench serve [--quick]
       tierwatch-bench call [--quick]
       tierwatch-bench writer --store DIR --host H --incident ID --count N [--open] [--rate R]

"""

func usage() -> Never {
    FileHandle.standardError.write(Data(usageText.utf8))
    exit(2)
}

let all = Array(CommandLine.arguments.dropFirst())
let mode = all.first ?? "run"
let args = Array(all.dropFirst())

func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func runWriter() {
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
        // --rate N: N appends a second, paced against the clock.
        let rate = option("--rate").flatMap(Double.init)
        let start = monotonic()
        for n in 0..<count {
            if let rate {
                let due = start + Double(n) / rate
                let wait = due - monotonic()
                if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            }
            let e = try s.append { state in
                IncidentStore.Draft(incident: incident, action: .note(message: "\(host) note \(n)"),
                                    operatorName: "writer", baseVersion: state.incidents[incident]?.version ?? 0)
            }
            FileHandle.standardOutput.write(Data("ok \(e.id)\n".utf8))  // unbuffered: out before the next append
        }
    } catch {
        FileHandle.standardError.write(Data("writer: \(error)\n".utf8))
        exit(1)
    }
}

switch mode {
case "writer":
    runWriter()
case "generate":
    guard args.count == 2, let n = Int(args[1]) else { usage() }
    do {
        let s = try StoreGenerator.generate(store: args[0], events: n)
        print("\(args[0]): \(s.events) events, \(s.incidents) incidents (\(s.open) open)")
    } catch {
        FileHandle.standardError.write(Data("generate: \(error)\n".utf8))
        exit(1)
    }
case "wire-schemas":
    // docs/openapi.json's schemas as the Wire types say them (read by Tests/tools/update-openapi.py).
    do {
        print(String(decoding: JSONText.data(try Wire.schemas(), pretty: true), as: UTF8.self))
    } catch {
        FileHandle.standardError.write(Data("wire-schemas: a type could not be read as a shape: \(error)\n".utf8))
        exit(1)
    }
case "follow":
    guard let dir = args.last else { usage() }
    SyncBench.follow(store: dir, polling: args.contains("--poll"), interval: option("--poll-interval").flatMap(Double.init))
case "bare-follow":
    guard let dir = args.last else { usage() }
    SyncBench.bareFollow(store: dir)
case "load":
    guard let dir = args.last else { usage() }
    LoadBench.loadChild(store: dir)
case "storm-change":
    // One per-change measurement, to profile: storm-change STORE_EVENTS TIMELINE SAMPLES
    guard args.count == 3, let n = Int(args[0]), let t = Int(args[1]), let k = Int(args[2]) else { usage() }
    do {
        let r = try StormBench.perChange(storeEvents: n, timeline: t, samples: k)
        print("dashboard median \(fmt(r.dashboard.median, 4)) ms, wall median \(fmt(r.wall.median, 4)) ms, frame \(fmt(r.frame.median, 4)) ms")
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
case "storm":
    Benchmarks.storm(quick: args.contains("--quick"), json: args.contains("--json"))
case "sites":
    do {
        Benchmarks.report([try SitesBench.figure(quick: args.contains("--quick")) { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) }],
                          json: args.contains("--json"))
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
case "serve":
    do {
        Benchmarks.report(try ServeBench.figures(quick: args.contains("--quick")) { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) },
                          json: args.contains("--json"))
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
case "call":
    do {
        Benchmarks.report(try CallBench.figures(quick: args.contains("--quick")) { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) },
                          json: args.contains("--json"))
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
case "history":
    do {
        Benchmarks.report(try HistoryBench.figures(quick: args.contains("--quick"), long: args.contains("--long")) { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) },
                          json: args.contains("--json"))
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
case "oncall":
    Benchmarks.report([OnCallBench.figure(quick: args.contains("--quick"))], json: args.contains("--json"))
case "wall":
    let seconds = args.first.flatMap(Double.init) ?? 60
    do {
        let idle = try ScreenBench.wallIdle(seconds: seconds)
        print("idle wall, 50 open incidents, 200x60, \(Int(seconds)) s: CPU \(fmt(idle.wall.cpuPercent, 3))%, \(fmt(idle.wall.bytesPerSecond, 0)) B/s; \(fmt(idle.changedCellsPerSecond, 0)) cells change per second")
        print(idle.htop.map { "htop -d 10, same run: CPU \(fmt($0.cpuPercent, 3))%, \(fmt($0.bytesPerSecond, 0)) B/s; wall/htop CPU \(fmt(idle.wall.cpuPercent / max($0.cpuPercent, 1e-9), 2))" }
              ?? "htop not installed (apt-get install htop)")
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
case "torture":
    exit(Torture.run(long: args.contains("--long")))
case "converge":
    guard args.count == 2, let n = Int(args[1]) else { usage() }
    Torture.converge(store: args[0], expected: n)
case "run", "--quick", "--json":
    Benchmarks.run(quick: all.contains("--quick"), json: all.contains("--json"))
default:
    usage()
}
