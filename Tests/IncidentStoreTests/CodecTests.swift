import Escalation
import Foundation
import IncidentStore
import Testing

@Suite struct RecordCodecTests {
    static let every: [Action] = [
        opening("Trunk \"down\" \\ 東京 ☎ \u{1B}[2J\n\t\u{7F}"),
        opening("no customer", customer: nil),
        .acknowledged,
        .escalated(toTier: "technical"),
        .contactOutcome(tier: "management", contact: "am", outcome: .noAnswer, person: nil),
        .customerUpdate(message: "line1\nline2 \u{0}"),
        .note(message: "😀 emoji and \u{202E}bidi"),
        .resolved(message: nil),
        .resolved(message: "fixed"),
        .reopened,
    ]

    @Test func everyActionRoundTrips() throws {
        for (n, action) in RecordCodecTests.every.enumerated() {
            let e = event(action, seq: n + 1, minutes: Double(n), base: n)
            var bytes = RecordCodec.encode(e)
            #expect(bytes.last == 10)
            #expect(bytes.dropLast().allSatisfy { $0 != 10 }, "one record is one line")
            bytes.removeLast()
            #expect(try RecordCodec.decode(bytes) == e)
        }
    }

    @Test func recordsAreJSONThatOtherToolsCanRead() throws {
        var bytes = RecordCodec.encode(event(.note(message: "hi"), seq: 4))
        bytes.removeLast()
        let obj = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
        #expect(obj["type"] as? String == "note" && obj["message"] as? String == "hi" && obj["host"] as? String == "noc1")
        #expect((obj["crc"] as? String)?.count == 8)
    }

    @Test func everySingleBitFlipIsDetected() {
        var bytes = RecordCodec.encode(event(.acknowledged, seq: 9))
        bytes.removeLast()
        for i in bytes.indices {
            for bit in [0, 3, 6] {
                var damaged = bytes
                damaged[i] ^= UInt8(1 << bit)
                #expect(throws: RecordCodec.DecodeError.self, "byte \(i) bit \(bit)") { try RecordCodec.decode(damaged) }
            }
        }
    }

    @Test func everyTruncationIsDetected() {
        var bytes = RecordCodec.encode(event(opening(), seq: 1))
        bytes.removeLast()
        for n in 0..<bytes.count {
            #expect(throws: RecordCodec.DecodeError.self) { try RecordCodec.decode(Array(bytes[0..<n])) }
        }
    }

    @Test func validChecksumOverInvalidContentIsStillRejected() {
        // A record with a correct checksum but an unknown type: a newer writer's, or forged.
        let body = #"{"v":1,"host":"h","seq":1,"hlc":1,"hlc_c":0,"inc":"A","type":"exploded","op":"o","user":"u","at":"2026-01-01T00:00:00Z","rec":"2026-01-01T00:00:00Z","base":0"#
        let crc = crc32c(Array(body.utf8))
        let line = Array((body + #","crc":""# + crc + #""}"#).utf8)
        #expect(throws: RecordCodec.DecodeError(message: "unknown event type 'exploded'")) { try RecordCodec.decode(line) }
    }

    /// An independent bitwise CRC-32C, to forge records in tests.
    func crc32c(_ bytes: [UInt8]) -> String {
        var crc: UInt32 = 0xFFFFFFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1 }
        }
        let s = String(crc ^ 0xFFFFFFFF, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}

@Suite struct Checksums {
    @Test func crc32cMatchesTheStandardCheckValue() {
        // The CRC-32C of "123456789" is 0xE3069283 (RFC 3720, appendix B.4).
        let bytes = Array("123456789".utf8)
        let v = bytes.withUnsafeBufferPointer { IncidentStoreTestHooks.crc32c($0) }
        #expect(v == 0xE306_9283)
    }

    /// The CPU's instruction (where there is one) and the table code both
    /// agree with the bitwise definition.
    @Test func hardwareTableAndBytewiseChecksumsAgreeAtEveryLengthAndAlignment() {
        var rng = SeededRandom(seed: 5)
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for start in 0..<9 {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200] where start + length <= data.count {
                let slice = Array(data[start..<start + length])
                let fast = slice.withUnsafeBufferPointer { IncidentStoreTestHooks.crc32c($0) }
                let table = slice.withUnsafeBufferPointer { IncidentStoreTestHooks.tableCRC32C($0) }
                #expect(fast == bitwiseCRC(slice), "start \(start) length \(length)")
                #expect(table == bitwiseCRC(slice), "table: start \(start) length \(length)")
            }
        }
    }

    func bitwiseCRC(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFFFFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1 }
        }
        return crc ^ 0xFFFFFFFF
    }
}
