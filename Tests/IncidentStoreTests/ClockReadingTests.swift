import Escalation
import Foundation
import IncidentStore
import Testing

/// Who is wrong when clocks disagree: the estimate from what the store
/// holds of each other host (`ClockReading.Signs`), as a pure function.
@Suite struct ClockReadingRules {
    let tolerance: TimeInterval = 60

    func hlc(_ seconds: Double) -> HLC { HLC(millis: Int64(1_800_000_000_000 + seconds * 1000), counter: 0) }

    @Test func aHostWhoseRecordIsDatedAheadIsAheadAndNothingElseIsSaid() {
        let r = ClockReading(me: "a", signs: ["b": .init(recordLead: 300, hlc: hlc(300))], tolerance: tolerance, synchronised: false)
        #expect(r.hosts.map(\.host) == ["b"])
        #expect(r.hosts[0].offset == 300)
        #expect(r.hosts[0].evidence.contains("last record was dated 5m ahead"))
        // One host against one: which is wrong is not known, so this
        // machine is not judged (it is warned, and writes).
        #expect(r.own == nil && r.refusal == nil)
        #expect(r.warnings == ["host b's clock is about 5m ahead of this machine's: its times are not trusted — its last record was dated 5m ahead of this machine's clock (or this machine's clock is behind; check NTP with timedatectl)"])
    }

    @Test func withinTheToleranceNothingIsSaid() {
        let r = ClockReading(me: "a", signs: ["b": .init(recordLead: 59, fileLead: 30, heartbeatLead: 45, hlcLag: 50)], tolerance: tolerance, synchronised: nil)
        #expect(r.hosts.isEmpty && r.own == nil && r.warnings.isEmpty)
    }

    @Test func twoHostsAheadOfThisOneMakeThisOneBehindAndItRefuses() {
        let signs: [String: ClockReading.Signs] = ["a": .init(recordLead: 290, hlc: hlc(0)), "b": .init(recordLead: 600, hlc: hlc(300))]
        let r = ClockReading(me: "c", signs: signs, tolerance: tolerance, synchronised: false)
        #expect(r.own?.offset == -290)
        #expect(r.hosts.isEmpty, "the others are right: \(r.hosts)")
        #expect(r.refusal?.contains("this machine's clock is about 5m behind a, b") == true, "\(r.refusal ?? "")")
        #expect(r.refusal?.contains("timedatectl") == true)
        // A kernel that says its clock is synchronised is not overruled:
        // the others are the ones said to be off.
        let synced = ClockReading(me: "c", signs: signs, tolerance: tolerance, synchronised: true)
        #expect(synced.own == nil && synced.hosts.map(\.host) == ["a", "b"])
    }

    @Test func aMinorityDoesNotOverruleThisMachine() {
        // b ahead, d and e agree with this machine: b is the one off.
        let signs: [String: ClockReading.Signs] = ["b": .init(recordLead: 300), "d": .init(recordLead: -20), "e": .init(heartbeatLead: 2)]
        let r = ClockReading(me: "a", signs: signs, tolerance: tolerance, synchronised: false)
        #expect(r.own == nil)
        #expect(r.hosts.map(\.host) == ["b"])
        // Hosts with no sign in the last hour are no witnesses either way.
        let stale = ClockReading(me: "a", signs: ["b": .init(recordLead: 300), "c": .init(recordLead: 400), "d": .init(recordLead: -20, recent: false)],
                                 tolerance: tolerance, synchronised: false)
        #expect(stale.own?.offset == -300)
    }

    @Test func oneAgainstOneIsDecidedByTheKernels() {
        // The other's heartbeat says its kernel keeps its clock, this one's does not.
        let r = ClockReading(me: "c", signs: ["a": .init(heartbeatLead: 300, synchronised: true)], tolerance: tolerance, synchronised: false)
        #expect(r.own?.offset == -300)
        #expect(r.own?.evidence == "a")
        // Both unsynchronised, or unknown: undecided, the other is named.
        for other: Bool? in [false, nil] {
            let u = ClockReading(me: "c", signs: ["a": .init(heartbeatLead: 300, synchronised: other)], tolerance: tolerance, synchronised: false)
            #expect(u.own == nil && u.hosts.map(\.host) == ["a"])
        }
    }

    @Test func aHostThatWroteAfterSeeingALaterTimeIsBehind() {
        // c's record carries a hybrid clock 5m past its own date.
        let r = ClockReading(me: "a", signs: ["c": .init(recordLead: -300, hlcLag: 300, hlc: hlc(10))], tolerance: tolerance, synchronised: false)
        #expect(r.hosts.map(\.offset) == [-300])
        #expect(r.warnings.first?.hasPrefix("host c's clock is about 5m behind: its times are not trusted") == true)
    }

    @Test func aLagAFastHostExplainsIsTheFastHostsNotTheWriters() {
        // b runs 5m fast; a wrote after b (its hybrid clock carried by b's
        // time): a's lag is b's doing. c wrote before b's last record: its
        // lag is its own.
        let signs: [String: ClockReading.Signs] = [
            "b": .init(recordLead: 300, hlc: hlc(300)),
            "a": .init(recordLead: -10, hlcLag: 290, hlc: hlc(301)),
            "c": .init(recordLead: -400, hlcLag: 300, hlc: hlc(100)),
        ]
        let r = ClockReading(me: "d", signs: signs, tolerance: tolerance, synchronised: false)
        #expect(Dictionary(uniqueKeysWithValues: r.hosts.map { ($0.host, $0.offset) }) == ["b": 300, "c": -300], "\(r.hosts)")
    }

    @Test func everyOtherWriterCarriedByThisMachinesTimeMakesItAhead() {
        // Both carried to exactly this machine's last time (their hybrid
        // clocks took its milliseconds, with a counter after it).
        let base = hlc(0)
        let signs: [String: ClockReading.Signs] = ["a": .init(recordLead: -300, hlcLag: 290, hlc: HLC(millis: base.millis, counter: 1)),
                                                   "c": .init(recordLead: -600, hlcLag: 300, hlc: HLC(millis: base.millis, counter: 2))]
        let r = ClockReading(me: "b", signs: signs, tolerance: tolerance, synchronised: false, mine: base)
        #expect(r.own?.offset == 290)
        #expect(r.refusal?.contains("this machine's clock is about 5m ahead of a, c") == true, "\(r.refusal ?? "")")
        #expect(r.hosts.isEmpty)
    }

    /// A file time is a third clock (an NFS server's): a server behind makes
    /// every host's record look dated after its log changed. Those hosts
    /// are named, but no writer is stopped by it.
    @Test func fileTimesNameAHostButNeverStopAWriter() {
        let signs: [String: ClockReading.Signs] = ["a": .init(recordLead: -5, fileLead: 120), "b": .init(recordLead: -8, fileLead: 120)]
        let r = ClockReading(me: "c", signs: signs, tolerance: tolerance, synchronised: false)
        #expect(r.own == nil && r.refusal == nil)
        #expect(r.hosts.map(\.host) == ["a", "b"] && r.hosts.allSatisfy { $0.evidence.contains("after its log last changed") })
    }

    /// A fast host no longer seen ahead (its record read minutes later)
    /// still carried the writers after it: it is named, not them, and a
    /// machine with a right clock is not refused (found by review).
    @Test func aFastHostThatCarriedTheWritersIsNamedNotThem() {
        let f = hlc(300)
        let signs: [String: ClockReading.Signs] = [
            "f": .init(recordLead: -60, hlcLag: 0, hlc: f),
            "a": .init(recordLead: -30, hlcLag: 290, hlc: HLC(millis: f.millis, counter: 1)),
            "b": .init(recordLead: -20, hlcLag: 280, hlc: HLC(millis: f.millis, counter: 2)),
        ]
        let r = ClockReading(me: "d", signs: signs, tolerance: tolerance, synchronised: false, mine: hlc(-600))
        #expect(r.own == nil && r.refusal == nil, "\(r.refusal ?? "")")
        #expect(r.hosts.map(\.host) == ["f"] && r.hosts[0].offset == 280, "\(r.hosts)")
        #expect(r.hosts[0].evidence == "a, b wrote after seeing its time, about 5m later than their clocks")
        // Without this machine's own time in it, nobody blames this machine.
        let unknown = ClockReading(me: "d", signs: signs.filter { $0.key != "f" }, tolerance: tolerance, synchronised: false, mine: hlc(-600))
        #expect(unknown.own == nil && Set(unknown.hosts.map(\.host)) == ["a", "b"], "\(unknown.hosts)")
    }
}
