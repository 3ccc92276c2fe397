import Escalation
import Foundation

/// Says the wall's breaches aloud, one at a time, on a thread of its own:
/// never over itself; what comes in goes ahead of what is still waiting
/// (the newest breach first), and an incident's older words still waiting
/// are dropped. Through espeak-ng to the machine's audio, a command of the
/// site's (a PA system: the text on its stdin and in TIERWATCH_SPEECH), or
/// into WAV files in a directory (with the text beside each, `.txt`).
public final class Speaker: @unchecked Sendable {
    public enum Output: Sendable, Equatable {
        case audio
        case command(String)
        case files(directory: String)
    }

    public static let espeakPaths = ["/usr/bin/espeak-ng", "/usr/local/bin/espeak-ng"]

    private let output: Output
    private let espeak: String?
    private let condition = NSCondition()
    private var pending: [Announcement] = []
    private var stopping = false
    private var busy = false
    private var lastFailure: String?
    private var count = 0
    private let wake: @Sendable () -> Void

    /// Why the speaker cannot start (espeak-ng missing, a directory that
    /// cannot be written), for a clear message before the screen opens.
    public static func problem(_ output: Output) -> String? {
        switch output {
        case .command: return nil
        case .audio, .files:
            if espeakPaths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) == nil {
                return "espeak-ng is not installed here (apt-get install -y espeak-ng)"
            }
            if case let .files(dir) = output {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue, access(dir, W_OK) == 0 else {
                    return "--speak-to \(dir.sanitized): not a directory this user can write"
                }
            }
            return nil
        }
    }

    /// `wake`: called from the speaker's thread when a failure is new.
    public init(_ output: Output, wake: @escaping @Sendable () -> Void) {
        self.output = output
        self.wake = wake
        espeak = Self.espeakPaths.first { FileManager.default.isExecutableFile(atPath: $0) }
        Thread.detachNewThread { [self] in loop() }
    }

    public func say(_ items: [Announcement]) {
        condition.withLock {
            let ids = Set(items.map(\.incident))
            pending = items + pending.filter { !ids.contains($0.incident) }
            condition.signal()
        }
    }

    /// Why the last announcement was not said (nil: it was).
    public var failure: String? { condition.withLock { lastFailure } }

    /// Stops after what is being said now; what waits is dropped.
    public func stop(waitingUpTo seconds: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(seconds)
        condition.withLock {
            stopping = true
            pending = []
            condition.broadcast()
            while busy && Date() < deadline { _ = condition.wait(until: deadline) }
        }
    }

    private func loop() {
        while true {
            let item: Announcement? = condition.withLock {
                while pending.isEmpty && !stopping { condition.wait() }
                guard !stopping else { return nil }
                busy = true
                count += 1
                return pending.removeFirst()
            }
            guard let item else { return }
            let why = speak(item)
            condition.withLock {
                busy = false
                let changed = why != lastFailure
                lastFailure = why
                condition.broadcast()
                if changed { wake() }
            }
        }
    }

    /// nil when said (or written); else why not.
    private func speak(_ item: Announcement) -> String? {
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "TIERWATCH_SPEECH": item.text,
                   "TIERWATCH_INCIDENT": item.incident]
        let timeout = TimeSpan(seconds: 60)
        switch output {
        case let .command(cmd):
            return HookRunner.runProgram(["/bin/sh", "-c", cmd], environment: env, input: Data(item.text.utf8), timeout: timeout).map { "speech command: \($0)" }
        case .audio:
            guard let espeak else { return "espeak-ng is not installed here (apt-get install -y espeak-ng)" }
            return HookRunner.runProgram([espeak, "--stdin"], environment: env, input: Data(item.text.utf8), timeout: timeout).map { "espeak-ng: \($0)" }
        case let .files(dir):
            guard let espeak else { return "espeak-ng is not installed here (apt-get install -y espeak-ng)" }
            let stamp = ISOTime.format(Date()).replacingOccurrences(of: ":", with: "")
            let n = condition.withLock { count }
            let base = "\(dir)/\(stamp)-\(String(format: "%04d", n))-\(item.incident.filter { $0.isLetter || $0.isNumber })"
            // The text first: a reader that sees the WAV finds its words.
            guard FileManager.default.createFile(atPath: base + ".txt", contents: Data((item.text + "\n").utf8)) else {
                return "cannot write \(base).txt"
            }
            let partial = base + ".wav.part"
            if let why = HookRunner.runProgram([espeak, "--stdin", "-w", partial], environment: env, input: Data(item.text.utf8), timeout: timeout) {
                unlink(partial)
                return "espeak-ng: \(why)"
            }
            // Whole or not there: a player never picks up half a file.
            return rename(partial, base + ".wav") == 0 ? nil : "cannot write \(base).wav"
        }
    }
}
