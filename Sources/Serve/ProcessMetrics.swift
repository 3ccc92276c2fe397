import Foundation
import Intake

#if canImport(Glibc)
import Glibc
#endif

/// The standard process series (what Prometheus' client libraries export
/// as `process_*`), read from /proc/self, and `tierwatch_build_info`: a
/// NOC alerts on a serve that runs out of descriptors or restarts.
enum ProcessMetrics {
    static func text(version: String) -> String {
        var m = MetricsText()
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        m.family("process_open_fds", "gauge", "Number of open file descriptors.", [([], Double(fds))])
        var r = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r) == 0 {
            m.family("process_max_fds", "gauge", "Maximum number of open file descriptors.", [([], Double(min(r.rlim_cur, rlim_t(Int64.max / 2))))])
        }
        let stat = (try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8)) ?? ""
        // Fields after the command's closing parenthesis: 14 utime, 15 stime, 22 starttime, 24 rss (1-based, whole line).
        if let close = stat.lastIndex(of: ")") {
            let f = stat[stat.index(after: close)...].split(separator: " ").map(String.init)
            let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
            let page = Double(sysconf(Int32(_SC_PAGESIZE)))
            if f.count > 21, let utime = Double(f[11]), let stime = Double(f[12]), let start = Double(f[19]), let rss = Double(f[21]) {
                m.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", [([], (utime + stime) / hz)])
                m.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [([], rss * page)])
                if let boot = bootTime() {
                    m.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", [([], (boot + start / hz).rounded())])
                }
            }
        }
        m.family("tierwatch_build_info", "gauge", "Always 1; the running tierwatch's version.", [([("version", version)], 1)])
        return m.text
    }

    /// The machine's boot time (btime in /proc/stat), seconds since the epoch.
    static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }
}
