/// Text from outside (titles, notes, names, host names) is untrusted: it may
/// carry escape sequences that would move the cursor, retitle the window or
/// write the clipboard. `sanitized` makes every such character visible
/// instead: C0 controls become their Control Pictures (␛, ␇, ␊…), DEL becomes
/// ␡, C1 controls and bidi overrides become `�`. Invalid UTF-8 was already
/// replaced with `�` when the bytes were decoded.
extension String {
    public var sanitized: String {
        // Fast path: most text needs nothing.
        if !unicodeScalars.contains(where: String.needsReplacement) { return self }
        var out = String.UnicodeScalarView()
        for s in unicodeScalars {
            out.append(String.replacement(for: s))
        }
        return String(out)
    }

    static func needsReplacement(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            || v == 0x2028 || v == 0x2029 || v == 0xFEFF
    }

    static func replacement(for s: Unicode.Scalar) -> Unicode.Scalar {
        let v = s.value
        if v < 0x20 { return Unicode.Scalar(0x2400 + v)! }
        if v == 0x7F { return "\u{2421}" }
        if needsReplacement(s) { return "\u{FFFD}" }
        return s
    }
}
