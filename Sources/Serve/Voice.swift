import Escalation
import Foundation

/// The message a call plays: espeak-ng's speech of the text, said twice
/// with a pause, then silence for the time "press 1" is waited for, as an
/// 8 kHz 16-bit mono WAV (what a telephone line carries, and the only rate
/// a SIP agent's file source takes without a resampler).
public enum VoiceMessage {
    public static let rate = 8000

    /// Writes the WAV to `path`; nil, or why not. Returns its length in seconds.
    /// espeak-ng's path here, if it is installed.
    static var espeak: String? { Speaker.espeakPaths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) }
    static let noEspeak = DialerProblem("espeak-ng is not installed here (apt-get install -y espeak-ng)")

    public static func write(_ text: String, to path: String, silenceAfter: Int) -> Result<Double, DialerProblem> {
        guard let espeak else { return .failure(noEspeak) }
        let raw = path + ".espeak.wav"
        defer { unlink(raw) }
        let env = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        if let why = HookRunner.runProgram([espeak, "--stdin", "-w", raw], environment: env, input: Data(text.utf8), timeout: TimeSpan(seconds: 30)) {
            return .failure(DialerProblem("espeak-ng: \(why)"))
        }
        guard let data = FileManager.default.contents(atPath: raw), let (samples, from) = pcm16(data) else {
            return .failure(DialerProblem("espeak-ng wrote no 16-bit mono WAV"))
        }
        let said = resample(samples, from: from, to: rate)
        let pause = [Int16](repeating: 0, count: rate)
        let all = said + pause + said + [Int16](repeating: 0, count: rate * max(0, silenceAfter))
        guard FileManager.default.createFile(atPath: path, contents: wav(all, rate: rate)) else {
            return .failure(DialerProblem("cannot write \(path)"))
        }
        return .success(Double(all.count) / Double(rate))
    }

    /// The samples and rate of a 16-bit mono PCM WAV.
    static func pcm16(_ d: Data) -> ([Int16], Int)? {
        let b = [UInt8](d)
        func u32(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        guard b.count >= 44, b[0..<4].elementsEqual("RIFF".utf8), b[8..<12].elementsEqual("WAVE".utf8) else { return nil }
        var i = 12
        var rate = 0, channels = 0, bits = 0
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<i + 4], as: UTF8.self), size = u32(i + 4)
            if id == "fmt " && i + 24 <= b.count {
                channels = u16(i + 10)
                rate = u32(i + 12)
                bits = u16(i + 22)
            } else if id == "data" {
                guard channels == 1, bits == 16, rate > 0 else { return nil }
                // espeak-ng writing to a file leaves the size unset: take what is there.
                let end = min(b.count, size == 0 || size == 0xFFFF_FFFF ? b.count : i + 8 + size)
                var out = [Int16]()
                out.reserveCapacity((end - i - 8) / 2)
                var k = i + 8
                while k + 1 < end {
                    out.append(Int16(bitPattern: UInt16(b[k]) | UInt16(b[k + 1]) << 8))
                    k += 2
                }
                return (out, rate)
            }
            i += 8 + size + (size & 1)
        }
        return nil
    }

    /// Each output sample the mean of the input samples it covers: a
    /// low-pass and a decimation in one, enough for speech.
    static func resample(_ s: [Int16], from: Int, to: Int) -> [Int16] {
        guard from != to, !s.isEmpty else { return s }
        let ratio = Double(from) / Double(to)
        let n = Int(Double(s.count) / ratio)
        var out = [Int16](repeating: 0, count: n)
        for i in 0..<n {
            let a = Int(Double(i) * ratio), z = max(a + 1, min(s.count, Int(Double(i + 1) * ratio)))
            var sum = 0
            for k in a..<z { sum += Int(s[k]) }
            out[i] = Int16(clamping: sum / (z - a))
        }
        return out
    }

    static func wav(_ s: [Int16], rate: Int) -> Data {
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: "RIFF".utf8); u32(36 + s.count * 2); d.append(contentsOf: "WAVE".utf8)
        d.append(contentsOf: "fmt ".utf8); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2); u16(2); u16(16)
        d.append(contentsOf: "data".utf8); u32(s.count * 2)
        for v in s { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }
}
