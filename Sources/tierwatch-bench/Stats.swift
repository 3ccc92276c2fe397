import Escalation
import Foundation

/// Order statistics of a sample, for the table: medians and spreads, never means alone.
struct Sample {
    var values: [Double]

    init(_ values: [Double]) { self.values = values.sorted() }

    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let rank = p / 100 * Double(values.count - 1)
        let lo = Int(rank.rounded(.down)), hi = Int(rank.rounded(.up))
        return values[lo] + (values[hi] - values[lo]) * (rank - Double(lo))
    }

    var median: Double { percentile(50) }
    var p99: Double { percentile(99) }
    var max: Double { values.last ?? .nan }
    var count: Int { values.count }
}

/// One row of the results table.
struct Figure {
    var name: String
    var value: String
    var baseline: String
    var target: String
    var verdict: String
    var json: [String: any BenchNumber]
}

/// What a figure's JSON holds: numbers, counts, or nothing measured.
protocol BenchNumber {
    var json: JSONValue { get }
}
extension Double: BenchNumber { var json: JSONValue { .double(self) } }
extension Int: BenchNumber { var json: JSONValue { .int(self) } }
extension Optional: BenchNumber where Wrapped: BenchNumber { var json: JSONValue { map(\.json) ?? .null } }

func fmt(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func makeTempDir(_ name: String) -> String {
    var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("tierwatch-bench-\(name)-XXXXXX").utf8CString)
    return String(cString: mkdtemp(&template)!)
}

/// Peak resident set size of this process, in MiB: VmHWM, the high-water
/// mark of this process's own memory. Not getrusage's ru_maxrss: a child
/// started by posix_spawn (Foundation's Process) shares its parent's memory
/// until exec, and Linux carries that high-water mark into ru_maxrss, so a
/// load child of a bench that had just generated a large store reported
/// the bench's peak instead of its own.
func peakRSSMiB() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kb = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) {
        return kb / 1024
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Writes a file the benchmark needs; without it the figures mean nothing,
/// so a failed write stops the run and names the path.
func writeFixture(atPath path: String, contents: Data?, attributes: [FileAttributeKey: Any]? = nil) {
    precondition(FileManager.default.createFile(atPath: path, contents: contents, attributes: attributes), "cannot write \(path)")
}
