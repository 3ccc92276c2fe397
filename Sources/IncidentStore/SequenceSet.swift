import Foundation

/// One host's sequence numbers seen, each with its record's checksum.
/// Hosts number their events 1, 2, 3…, so a bitmap holds them in a bit each
/// and the checksums in an array by number: a cold start checks its ids
/// without hashing. A number far beyond what the host has written so far (a
/// hostile or damaged record) goes to a dictionary instead, so no record
/// can make the arrays large.
struct SequenceSet: Sendable {
    enum Insert: Equatable {
        case new
        /// The same record again (same checksum, or no checksum to tell).
        case duplicate
        /// Another record with this number: two writers with one host name.
        case clash
    }

    var bits: [UInt64] = []
    /// The checksums of numbers from `sumsFrom` on; those below it were
    /// taken up from a checkpoint and are read from its file when a
    /// number comes again (`savedSums`): a start from a checkpoint holds
    /// no checksum of the history in memory.
    var sums: [UInt32] = []
    var sumsFrom = 0
    var savedSums: SavedSums?
    var sparse: [Int: UInt32] = [:]
    var count = 0
    var lastSequence = -1

    /// Adds `n` with its record's checksum (nil: unknown, never a clash).
    mutating func insert(_ n: Int, crc: UInt32?) -> Insert {
        let sum = crc ?? 0
        // A checksum of 0 stands for "unknown" (an event staged without
        // one): the same number is then taken as the same event. A real
        // checksum is 0 once in 2^32 records.
        func compare(_ known: UInt32) -> Insert { crc == nil || known == 0 || known == sum ? .duplicate : .clash }
        if n > lastSequence { lastSequence = n }
        // (A number below `sumsFrom` not seen before keeps its checksum in
        // `sparse`, which is looked at first.)
        let word = n >> 6
        guard n >= 0, word < max(bits.count, 1024, 2 * (count >> 6)) else {
            if let known = sparse[n] { return compare(known) }
            sparse[n] = sum
            count += 1
            return .new
        }
        if !sparse.isEmpty, let known = sparse[n] { return compare(known) }  // seen before the bitmap reached it
        if word >= bits.count {
            let words = max(word + 1, bits.count * 2)
            bits.append(contentsOf: repeatElement(0, count: words - bits.count))
            sums.append(contentsOf: repeatElement(0, count: words * 64 - sumsFrom - sums.count))
        }
        let mask = UInt64(1) << UInt64(n & 63)
        if bits[word] & mask != 0 { return compare(self.sum(n)) }
        bits[word] |= mask
        if n >= sumsFrom { sums[n - sumsFrom] = sum } else { sparse[n] = sum }
        count += 1
        return .new
    }
}

extension SequenceSet {
    /// The checksum kept for a number whose bit is set.
    func sum(_ n: Int) -> UInt32 {
        if n >= sumsFrom { return sums[n - sumsFrom] }
        return savedSums?.sum(n) ?? 0
    }
}
