import Escalation
import Foundation

/// The report's figures of archived incidents (`IncidentFacts`), encoded:
/// the policies' tier tables and the customers once each, and one record
/// per incident (its id is not in it: the archive's key says it). Seconds
/// are 32 bits (0xFFFFFFFF: none), so a record is about 90 bytes. The
/// archive keeps what it archives this way (not as structs: a cold read
/// of a year archives 90,000 incidents), and the checkpoint's section is
/// `encoded()`: tables, customers, then the records in key order.
struct FactsCodec {
    private(set) var tables: [ComplianceTiers] = []
    private var tableIndex: [ObjectIdentifier: Int] = [:]
    private(set) var customers: [String] = []
    private var customerIndex: [String: Int] = [:]
    private(set) var records = BinaryWriter()

    private static let none: UInt32 = 0xFFFFFFFF
    private static func seconds(_ s: Int?) -> UInt32 { s.map { min(UInt32(clamping: max(0, $0)), none - 1) } ?? none }

    /// Appends one incident's record; where it lies in `records`.
    @discardableResult
    mutating func add(_ f: IncidentFacts) -> Range<Int> {
        let table: Int
        if let k = tableIndex[ObjectIdentifier(f.tiers)] {
            table = k
        } else if let k = tables.firstIndex(of: f.tiers) {
            // An equal table held by another object: found by content (the
            // identity map keeps only objects `tables` holds, whose
            // addresses cannot be reused).
            table = k
        } else {
            table = tables.count
            tables.append(f.tiers)
            tableIndex[ObjectIdentifier(f.tiers)] = table
        }
        var customer = 0
        if let c = f.customer {
            if let k = customerIndex[c] {
                customer = k + 1
            } else {
                customers.append(c)
                customerIndex[c] = customers.count - 1
                customer = customers.count
            }
        }
        let start = records.bytes.count
        records.string(f.title)
        records.i64(Int64((f.opened.timeIntervalSince1970 * 1000).rounded(.down)))
        records.u8(UInt8(Severity.allCases.firstIndex(of: f.severity)!))
        records.u32(UInt32(table))
        records.u32(UInt32(customer))
        records.u16(f.furthestTier.map { UInt16(clamping: $0) } ?? 0xFFFF)
        records.u32(FactsCodec.seconds(f.acknowledgedAfter))
        records.u32(FactsCodec.seconds(f.resolvedAfter))
        records.u32(FactsCodec.seconds(f.engagedAfter))
        records.u32(UInt32(clamping: f.updateIntervals))
        records.u32(UInt32(clamping: f.updatesOnTime))
        records.u32(FactsCodec.seconds(f.longestSilence))
        records.u16(UInt16(clamping: f.steps.count))
        for st in f.steps.prefix(Int(UInt16.max)) {
            records.u16(UInt16(clamping: st.tier))
            records.u8(st.outcome.rawValue)
            records.u32(FactsCodec.seconds(st.lateSeconds))
        }
        return start..<records.bytes.count
    }

    /// The record at `range` of `records`, for the incident `id`.
    func facts(_ id: String, at range: Range<Int>) -> IncidentFacts? {
        var r = BinaryReader(Array(records.bytes[range]))
        return try? FactsCodec.record(&r, id: id, tables: tables, customers: customers)
    }

    /// The section: tables, customers, records.
    func encoded() -> [UInt8] {
        var out = BinaryWriter()
        out.u64(UInt64(tables.count))
        for t in tables {
            out.u64(UInt64(t.tiers.count))
            for tier in t.tiers {
                out.string(tier.id)
                out.string(tier.name)
                out.string(tier.rule)
            }
            out.u16(t.engage.map { UInt16(clamping: $0) } ?? 0xFFFF)
        }
        out.u64(UInt64(customers.count))
        for c in customers { out.string(c) }
        return out.bytes + records.bytes
    }

    private struct Malformed: Error {}

    private static func record(_ r: inout BinaryReader, id: String, tables: [ComplianceTiers], customers: [String]) throws -> IncidentFacts {
        func seconds(_ v: UInt32) -> Int? { v == none ? nil : Int(v) }
        let title = try r.string()
        let opened = Date(timeIntervalSince1970: Double(try r.i64()) / 1000)
        let severity = Int(try r.u8()), table = Int(try r.u32()), customer = Int(try r.u32())
        let furthest = try r.u16()
        let ack = seconds(try r.u32()), resolved = seconds(try r.u32()), engaged = seconds(try r.u32())
        let intervals = Int(try r.u32()), onTime = Int(try r.u32())
        let silence = seconds(try r.u32())
        guard severity < Severity.allCases.count, table < tables.count, customer <= customers.count,
              furthest == 0xFFFF || Int(furthest) < tables[table].tiers.count else { throw Malformed() }
        var steps: [IncidentFacts.Step] = []
        for _ in 0..<(try r.u16()) {
            let tier = Int(try r.u16())
            guard tier < tables[table].tiers.count, let outcome = IncidentFacts.Outcome(rawValue: try r.u8()) else { throw Malformed() }
            steps.append(IncidentFacts.Step(tier: tier, outcome: outcome, lateSeconds: seconds(try r.u32()) ?? 0))
        }
        return IncidentFacts(id: id, title: title, customer: customer == 0 ? nil : customers[customer - 1],
                             severity: Severity.allCases[severity], opened: opened, tiers: tables[table], steps: steps,
                             furthestTier: furthest == 0xFFFF ? nil : Int(furthest), acknowledgedAfter: ack, resolvedAfter: resolved,
                             engagedAfter: engaged, updateIntervals: intervals, updatesOnTime: onTime, longestSilence: silence)
    }

    /// A checkpoint's section (`encoded()`) as the figures of `ids.count`
    /// incidents, or nil when it does not hold exactly that many
    /// well-formed records.
    static func decode(_ raw: [UInt8], ids: [String]) -> [IncidentFacts]? {
        var r = BinaryReader(raw)
        do {
            let tables = try (0..<r.count()).map { _ throws(BinaryReader.Short) -> ComplianceTiers in
                let tiers = try (0..<r.count()).map { _ throws(BinaryReader.Short) in
                    ComplianceTiers.Tier(id: try r.string(), name: try r.string(), rule: try r.string())
                }
                let engage = try r.u16()
                return ComplianceTiers(tiers, engage: engage == 0xFFFF ? nil : Int(engage))
            }
            let customers = try (0..<r.count()).map { _ throws(BinaryReader.Short) in try r.string() }
            var out: [IncidentFacts] = []
            out.reserveCapacity(ids.count)
            for id in ids { out.append(try record(&r, id: id, tables: tables, customers: customers)) }
            return r.atEnd ? out : nil
        } catch {
            return nil
        }
    }
}
