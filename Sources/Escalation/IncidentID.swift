/// Incident ids: four characters of Crockford's base 32 (`K3F9`), short
/// enough to read out on a phone call, with no I, L, O or U to mishear.
/// Typed ids are normalised: lower case is upper-cased and the look-alikes
/// O→0, I/L→1 are mapped, so `k3f9` and `K3F9` name the same incident.
public enum IncidentID {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".unicodeScalars)
    public static let length = 4

    /// A random id not in `taken`. Ids are random rather than sequential so
    /// that hosts writing to their own log files never need to coordinate;
    /// the writer checks the ids it has read, and the 2^20 space makes a clash
    /// between hosts that have not yet synced unlikely (the fold keeps the
    /// first opening and marks a second one as a conflict).
    public static func generate<G: RandomNumberGenerator>(avoiding taken: (String) -> Bool, using rng: inout G) -> String {
        while true {
            var s = String.UnicodeScalarView()
            for _ in 0..<length { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            let id = String(s)
            if !taken(id) { return id }
        }
    }

    /// The canonical form of a typed id, or nil if it cannot be one.
    public static func normalize(_ typed: String) -> String? {
        var out = String.UnicodeScalarView()
        for s in typed.uppercased().unicodeScalars {
            switch s {
            case "O": out.append("0")
            case "I", "L": out.append("1")
            case "-", " ": continue
            default:
                guard alphabet.contains(s) else { return nil }
                out.append(s)
            }
        }
        return out.isEmpty ? nil : String(out)
    }
}

extension Policy {
    /// FNV-1a 64 of the policy's text, as 16 hex digits: names the exact
    /// policy an incident opened under.
    public static func digest(of text: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in text.utf8 {
            h ^= UInt64(b)
            h &*= 0x100000001b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
