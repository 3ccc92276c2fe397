import CNcurses
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Restores the terminal when the program crashes, before the crash report
/// is printed, so the report lands on a usable screen.
///
/// While the dashboard runs, standard error goes to a temporary file (the
/// alternate screen would swallow it); a crash signal's handler writes the
/// terminal's own reset strings, restores the saved tty modes, copies the
/// saved error output (the runtime's "Fatal error: …") to the real standard
/// error, and re-raises the signal. Only async-signal-safe calls run there.
public enum CrashGuard {
    nonisolated(unsafe) static var resetBytes: UnsafeMutablePointer<UInt8>?
    nonisolated(unsafe) static var resetCount = 0
    nonisolated(unsafe) static var savedTermios = termios()
    nonisolated(unsafe) static var haveTermios = false
    nonisolated(unsafe) static var realStderr: Int32 = -1
    nonisolated(unsafe) static var logFD: Int32 = -1
    nonisolated(unsafe) static var armed = false
    static let fatalSignals = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// Call before newterm: the tty modes to go back to (newterm already
    /// changes some).
    static func saveModes() {
        haveTermios = tcgetattr(0, &savedTermios) == 0
    }

    /// Call after newterm: saves the reset strings and takes standard error.
    static func arm() {
        guard !armed else { return }
        armed = true
        var bytes: [UInt8] = []
        for cap in ["rmcup", "cnorm", "sgr0"] {
            if let s = tw_capability(cap) { bytes += Array(String(cString: s).utf8) }
        }
        // Mouse reporting off (the dashboard may have asked for it): else
        // the shell gets an escape sequence for every click.
        bytes += Array("\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l".utf8)
        bytes += Array("\r\n".utf8)
        resetBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        resetBytes!.initialize(from: bytes, count: bytes.count)
        resetCount = bytes.count
        // Standard error to a temporary file while the screen is ours.
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("tierwatch-stderr-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        if fd >= 0 {
            unlink(&template)
            realStderr = dup(2)
            dup2(fd, 2)
            logFD = fd
        }
        for sig in fatalSignals { signal(sig, crashHandler) }
    }

    /// Call after endwin: puts standard error back and shows what was written to it.
    static func disarm() {
        guard armed else { return }
        armed = false
        for sig in fatalSignals { signal(sig, SIG_DFL) }
        if realStderr >= 0 {
            dup2(realStderr, 2)
            close(realStderr)
            realStderr = -1
        }
        if logFD >= 0 {
            copyLog(to: 2)
            close(logFD)
            logFD = -1
        }
    }

    static func copyLog(to fd: Int32) {
        guard logFD >= 0 else { return }
        var buf = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let n = buf.withUnsafeMutableBytes { pread(logFD, $0.baseAddress, $0.count, offset) }
            if n <= 0 { break }
            _ = buf.withUnsafeBytes { write(fd, $0.baseAddress, n) }
            offset += off_t(n)
        }
    }
}

private func crashHandler(_ sig: Int32) {
    if let bytes = CrashGuard.resetBytes { _ = write(1, bytes, CrashGuard.resetCount) }
    if CrashGuard.haveTermios { _ = tcsetattr(0, TCSANOW, &CrashGuard.savedTermios) }
    if CrashGuard.realStderr >= 0 {
        CrashGuard.copyLog(to: CrashGuard.realStderr)
        dup2(CrashGuard.realStderr, 2)
    }
    signal(sig, SIG_DFL)
    raise(sig)
}
