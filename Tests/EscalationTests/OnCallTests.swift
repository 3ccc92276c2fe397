import Escalation
import Foundation
import Testing

/// Who is on call, derived from the schedule, the overrides and the instant.
@Suite struct OnCallRotations {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    func utc(_ iso: String) -> Date { ISOTime.parse(iso)! }

    func schedule(_ layers: [Rotation], zone: TimeZone = berlin) -> Schedule {
        Schedule(id: "platform", name: "Platform Engineering", zone: zone, layers: layers)
    }

    /// Weekly, handing off on Mondays at 09:00 Berlin time, from Monday 2026-11-02.
    var weekly: Rotation {
        Rotation(people: ["ana", "ben", "cho"], shift: .weeks(1), start: LocalDateTime(year: 2026, month: 11, day: 2, time: WallTime(hour: 9)))
    }

    @Test func aWeeklyRotationHandsOffOnMondayMornings() {
        let s = schedule([weekly])
        #expect(s.onCall(at: utc("2026-11-02T07:59:59Z")).person == nil, "before the first handoff")
        let first = s.onCall(at: utc("2026-11-02T08:00:00Z"))  // 09:00 CET
        #expect(first.person == "ana" && first.until == utc("2026-11-09T08:00:00Z"))
        #expect(s.onCall(at: utc("2026-11-15T12:00:00Z")).person == "ben")
        #expect(s.onCall(at: utc("2026-11-23T08:00:00Z")).person == "ana", "round again after three weeks")
        let turns = s.handoffs(from: utc("2026-11-02T09:00:00Z"), to: utc("2026-11-30T09:00:00Z"))
        #expect(turns.map { $0.person } == ["ben", "cho", "ana", "ben"])
    }

    @Test func aDailyShiftAcrossSpringForwardIs23HoursAndFallBack25() {
        // Daily at 09:00 Berlin: the shift containing 2026-03-29 (clocks jump
        // 02:00 -> 03:00) is 23 h; the one containing 2026-10-25 is 25 h.
        let daily = Rotation(people: ["ana", "ben"], shift: .days(1), start: LocalDateTime(year: 2026, month: 3, day: 1, time: WallTime(hour: 9)))
        let s = schedule([daily])
        let spring = s.onCall(at: utc("2026-03-28T08:00:00Z"))  // 09:00 CET on the 28th
        #expect(spring.until == utc("2026-03-29T07:00:00Z"), "09:00 CEST on the 29th: 23 h later")
        let autumn = s.onCall(at: utc("2026-10-24T07:00:00Z"))  // 09:00 CEST on the 24th
        #expect(autumn.until == utc("2026-10-25T08:00:00Z"), "09:00 CET on the 25th: 25 h later")
        // The handoff stays at 09:00 on the wall clock all year.
        for day in ["2026-01-15", "2026-07-15", "2026-12-15"] {
            let t = s.onCall(at: utc(day + "T12:00:00Z")).until!
            let local = Calendar(identifier: .gregorian).dateComponents(in: Self.berlin, from: t)
            #expect(local.hour == 9 && local.minute == 0, "\(day)")
        }
    }

    @Test func aHandoffInTheSpringGapHappensAtTheFirstInstantAfterIt() {
        // 02:30 does not exist in New York on 2026-03-08 (02:00 -> 03:00 EDT).
        let s = schedule([Rotation(people: ["ana", "ben"], shift: .days(1),
                                   start: LocalDateTime(year: 2026, month: 3, day: 1, time: WallTime(hour: 2, minute: 30)))], zone: Self.newYork)
        #expect(s.instant(LocalDateTime(year: 2026, month: 3, day: 8, time: WallTime(hour: 2, minute: 30))) == utc("2026-03-08T07:00:00Z"))
        #expect(s.onCall(at: utc("2026-03-07T12:00:00Z")).until == utc("2026-03-08T07:00:00Z"), "03:00 EDT, when the gap ends")
        #expect(s.onCall(at: utc("2026-03-08T12:00:00Z")).until == utc("2026-03-09T06:30:00Z"), "and 02:30 EDT the day after")
    }

    @Test func anAmbiguousHandoffInTheFallBackHappensAtItsFirstOccurrence() {
        // 01:30 happens twice in New York on 2026-11-01: EDT first (05:30Z), then EST (06:30Z).
        let s = schedule([Rotation(people: ["ana"], shift: .days(1),
                                   start: LocalDateTime(year: 2026, month: 10, day: 1, time: WallTime(hour: 1, minute: 30)))], zone: Self.newYork)
        #expect(s.instant(LocalDateTime(year: 2026, month: 11, day: 1, time: WallTime(hour: 1, minute: 30))) == utc("2026-11-01T05:30:00Z"))
        #expect(s.onCall(at: utc("2026-10-31T12:00:00Z")).until == utc("2026-11-01T05:30:00Z"))
    }

    @Test func aBusinessHoursLayerOverA24x7LayerWinsWhereItCovers() {
        let office = Rotation(people: ["desk1", "desk2"], shift: .days(1), start: LocalDateTime(year: 2026, month: 11, day: 2, time: WallTime(hour: 0)),
                              restriction: .init(weekdays: [1, 2, 3, 4, 5], from: WallTime(hour: 9), to: WallTime(hour: 17)))
        let s = schedule([office, weekly])
        let tuesdayNoon = s.onCall(at: utc("2026-11-03T11:00:00Z"))  // 12:00 CET
        #expect(tuesdayNoon.person == "desk2" && tuesdayNoon.layer == 0 && tuesdayNoon.until == utc("2026-11-03T16:00:00Z"))
        let tuesdayNight = s.onCall(at: utc("2026-11-03T20:00:00Z"))
        #expect(tuesdayNight.person == "ana" && tuesdayNight.layer == 1 && tuesdayNight.until == utc("2026-11-04T08:00:00Z"))
        #expect(s.onCall(at: utc("2026-11-07T11:00:00Z")).person == "ana", "Saturday: the 24/7 layer")
        // A night window runs past midnight.
        let night = Rotation(people: ["owl"], shift: .weeks(1), start: LocalDateTime(year: 2026, month: 11, day: 2, time: WallTime(hour: 0)),
                             restriction: .init(weekdays: [1, 2, 3, 4, 5, 6, 7], from: WallTime(hour: 22), to: WallTime(hour: 6)))
        let n = schedule([night])
        #expect(n.onCall(at: utc("2026-11-04T03:00:00Z")).person == "owl")  // 04:00 CET
        #expect(n.onCall(at: utc("2026-11-04T12:00:00Z")).person == nil)
    }

    @Test func overridesTakeOverLaterOnesWinAndReplacingOnlyReplacesThatPerson() {
        let s = schedule([weekly])  // ana 2026-11-02 .. 11-09, ben .. 11-16
        let o1 = Override(id: "o1", schedule: "platform", person: "dora", from: utc("2026-11-03T00:00:00Z"), to: utc("2026-11-05T00:00:00Z"), order: 1)
        let o2 = Override(id: "o2", schedule: "platform", person: "eli", from: utc("2026-11-04T00:00:00Z"), to: utc("2026-11-04T12:00:00Z"), order: 2)
        let o3 = Override(id: "o3", schedule: "platform", person: "fay", from: utc("2026-11-01T00:00:00Z"), to: utc("2026-11-30T00:00:00Z"),
                          replacing: "ben", order: 3)
        let all = [o1, o2, o3]
        #expect(s.onCall(at: utc("2026-11-03T12:00:00Z"), overrides: all) == OnCall(person: "dora", until: utc("2026-11-04T00:00:00Z"), override: "o1", layer: nil))
        #expect(s.onCall(at: utc("2026-11-04T06:00:00Z"), overrides: all).person == "eli", "the later override wins where they overlap")
        #expect(s.onCall(at: utc("2026-11-04T13:00:00Z"), overrides: all).person == "dora")
        #expect(s.onCall(at: utc("2026-11-06T00:00:00Z"), overrides: all).person == "ana", "fay replaces only ben")
        #expect(s.onCall(at: utc("2026-11-10T00:00:00Z"), overrides: all).person == "fay")
        // Cancelled: simply not among the overrides any more.
        #expect(s.onCall(at: utc("2026-11-03T12:00:00Z"), overrides: [o2, o3]).person == "ana")
        let turns = s.handoffs(from: utc("2026-11-02T12:00:00Z"), to: utc("2026-11-10T00:00:00Z"), overrides: all)
        #expect(turns.map { $0.person } == ["dora", "eli", "dora", "ana", "fay"])
    }
}
