import CSpawn
import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the store shows of the hosts' clocks, seen from this machine.
/// Deadlines are derived from the times events carry, so every writer's
/// clock is part of the record; no clock is trusted by itself, and what
/// cannot be known is said as such ("one of the two clocks is wrong").
///
/// The evidence, per other host:
/// - **ahead**: its last record (by sequence) was dated ahead of this
///   machine's clock when read, its heartbeat is, or its last record is
///   dated after its log file last changed (a file time a shared disk's
///   kernel wrote; over Syncthing it is the writer's own and says nothing);
/// - **behind**: its last record's hybrid logical clock ran past its own
///   time, i.e. it wrote after seeing a later time than its clock showed
///   (less what a host found ahead explains: a fast host carries everyone).
///
/// And this machine itself: when most of the hosts that gave a sign in the
/// last hour, and at least two, are ahead of it (it is behind), or behind
/// it as their hybrid clocks show (it is ahead), the odd one out is this
/// machine, and it must not write (`IncidentStore.append` refuses). One
/// host against one other decides only when the kernels say which: this
/// machine's is not synchronised (adjtimex), the other's heartbeat says
/// its is. A machine whose kernel says its clock is synchronised is never
/// taken to be the wrong one.
public struct ClockReading: Sendable, Equatable {
    public struct Host: Sendable, Equatable {
        public var host: String
        /// Seconds its clock runs ahead (negative: behind), as far as
        /// shown: the size is a lower bound.
        public var offset: TimeInterval
        /// What shows it, in words.
        public var evidence: String
    }

    /// What the store holds of one other host's clock.
    public struct Signs: Sendable, Equatable {
        /// Its last record's date minus this machine's clock when read.
        public var recordLead: TimeInterval?
        /// Its last record's date minus its log's file time.
        public var fileLead: TimeInterval?
        /// Its heartbeat's date minus this machine's clock.
        public var heartbeatLead: TimeInterval?
        /// How far its last record's hybrid clock ran past its own date.
        public var hlcLag: TimeInterval?
        /// Its last record's hybrid clock.
        public var hlc: HLC?
        /// Whether its heartbeat says its kernel keeps its clock synchronised.
        public var synchronised: Bool?
        /// Whether it gave a sign (record or heartbeat) within the last hour.
        public var recent: Bool

        public init(recordLead: TimeInterval? = nil, fileLead: TimeInterval? = nil, heartbeatLead: TimeInterval? = nil,
                    hlcLag: TimeInterval? = nil, hlc: HLC? = nil, synchronised: Bool? = nil, recent: Bool = true) {
            self.recordLead = recordLead
            self.fileLead = fileLead
            self.heartbeatLead = heartbeatLead
            self.hlcLag = hlcLag
            self.hlc = hlc
            self.synchronised = synchronised
            self.recent = recent
        }
    }

    /// Other hosts whose clocks are off by more than the tolerance.
    public var hosts: [Host] = []
    /// This machine, when the others agree its clock is off (its evidence:
    /// the hosts it disagrees with).
    public var own: Host?
    public var tolerance: TimeInterval

    /// The hosts whose times are not trusted (marked on the timeline).
    public var skewedHosts: Set<String> { Set(hosts.map(\.host)) }

    public init(hosts: [Host] = [], own: Host? = nil, tolerance: TimeInterval) {
        self.hosts = hosts
        self.own = own
        self.tolerance = tolerance
    }

    /// The reading from each other host's signs. `synchronised`: whether
    /// this machine's kernel says its clock is kept right (nil: cannot tell).
    /// `mine`: this machine's last record's hybrid clock (a lag carried by
    /// exactly that time was carried by this machine).
    public init(me: String, signs: [String: Signs], tolerance: TimeInterval, synchronised: Bool?, mine: HLC? = nil) {
        self.tolerance = tolerance
        var ahead = Self.ahead(me: me, signs: signs, tolerance: tolerance)
        // A fast host's time carries the hybrid clock of every writer that
        // saw it past its own: that much of a lag is the fast host's, not
        // the writer's (a writer whose record came before the fast host's
        // last one is not excused by it).
        func carried(_ s: Signs) -> TimeInterval {
            ahead.filter { a in signs[a.key]?.hlc.map { h in s.hlc.map { h <= $0 } ?? false } ?? false }.map(\.value.0).max() ?? 0
        }
        var behind: [String: (TimeInterval, String)] = [:]
        var carriedByMe: [String] = []
        var carriedBy: [String: [(String, TimeInterval)]] = [:]
        for (h, s) in signs where h != me && ahead[h] == nil {
            let excused = carried(s)
            guard let lag = s.hlcLag, lag - excused > tolerance else { continue }
            switch Self.carrier(of: s, signs: signs, me: me, mine: mine) {
            case me?: carriedByMe.append(h)
            case let x? where x != h: carriedBy[x, default: []].append((h, lag))
            default: behind[h] = (lag - excused, "its last record was written \(Words.span(Int(lag.rounded()))) before the latest time it had seen")
            }
        }
        // A writer carried by another host's time says that host ran ahead
        // (unless that host is itself behind): the fast host is named, not
        // the writers it carried.
        for (x, carried) in carriedBy {
            if (signs[x]?.hlcLag ?? 0) > tolerance {
                for (h, lag) in carried { behind[h] = (lag, "its last record was written \(Words.span(Int(lag.rounded()))) before the latest time it had seen") }
                continue
            }
            let by = carried.map(\.1).min()!
            if (ahead[x]?.0 ?? 0) < by {
                ahead[x] = (by, "\(Self.names(carried.map(\.0))) wrote after seeing its time, about \(Words.span(Int(by.rounded()))) later than their clocks")
            }
        }
        let witnesses = signs.filter { $0.key != me && $0.value.recent }.map(\.key)
        // Against this machine's clock only: a file time is a third clock
        // (an NFS server's), which names a host but never stops a writer.
        let aheadOfMe = witnesses.filter { h in
            [signs[h]!.recordLead, signs[h]!.heartbeatLead].contains { ($0 ?? -.infinity) > tolerance }
        }
        // This machine ahead: the other writers were carried by this
        // machine's own last time, by about as much.
        let lagging = witnesses.filter { carriedByMe.contains($0) }
        func decides(_ against: [String]) -> Bool {
            guard synchronised != true, !against.isEmpty, against.count > witnesses.count - against.count else { return false }
            return against.count >= 2 || signs[against[0]]?.synchronised == true
        }
        if decides(aheadOfMe) {
            let by = aheadOfMe.map { ahead[$0]!.0 }.min()!
            own = Host(host: me, offset: -by, evidence: Self.names(aheadOfMe))
            for h in aheadOfMe { ahead[h] = nil }
        } else if decides(lagging) {
            let by = lagging.map { signs[$0]!.hlcLag! }.min()!
            own = Host(host: me, offset: by, evidence: Self.names(lagging))
        } else {
            // Not decided: those this machine carried are named as behind it.
            for h in carriedByMe { behind[h] = (signs[h]!.hlcLag!, "its last record was written \(Words.span(Int(signs[h]!.hlcLag!.rounded()))) before the latest time it had seen (this machine's)") }
        }
        hosts = (ahead.map { Host(host: $0.key, offset: $0.value.0, evidence: $0.value.1) }
            + behind.map { Host(host: $0.key, offset: -$0.value.0, evidence: $0.value.1) }).sorted { $0.host < $1.host }
    }

    /// The hosts whose own signs are dated ahead of this machine's clock by
    /// more than the tolerance, with the first sign that shows it (a record
    /// read, a heartbeat, a file time, in that order).
    private static func ahead(me: String, signs: [String: Signs], tolerance: TimeInterval) -> [String: (TimeInterval, String)] {
        var ahead: [String: (TimeInterval, String)] = [:]
        for (h, s) in signs where h != me {
            let candidates: [(TimeInterval?, String)] = [
                (s.recordLead, "its last record was dated %@ ahead of this machine's clock"),
                (s.heartbeatLead, "its heartbeat is dated %@ ahead of this machine's clock"),
                (s.fileLead, "its last record is dated %@ after its log last changed"),
            ]
            if let (lead, why) = candidates.compactMap({ c in c.0.map { ($0, c.1) } }).first(where: { $0.0 > tolerance }) {
                ahead[h] = (lead, why.replacingOccurrences(of: "%@", with: Words.span(Int(lead.rounded()))))
            }
        }
        return ahead
    }

    /// Whose time carried a lagging writer: the host whose last record has
    /// exactly the time its hybrid clock was carried to (nil: that record
    /// is no longer anyone's last). The first to hold that time (the lowest
    /// counter) set it with its own clock; later ones were carried to it
    /// too. (Not the dictionary's order: that differs from run to run.)
    private static func carrier(of s: Signs, signs: [String: Signs], me: String, mine: HLC?) -> String? {
        guard let h = s.hlc else { return nil }
        if let mine, mine.millis == h.millis { return me }
        return signs.filter { $0.value.hlc.map { $0.millis == h.millis && $0 < h } ?? false }
            .min { ($0.value.hlc!, $0.key) < ($1.value.hlc!, $1.key) }?.key
    }

    private static func span(_ h: Host) -> String { Words.span(Int(abs(h.offset).rounded())) }

    private static func names(_ hosts: [String]) -> String {
        hosts.sorted().map(\.sanitized).joined(separator: ", ")
    }

    /// What every screen says.
    public var warnings: [String] {
        var out: [String] = []
        if let own {
            out.append("this machine's clock is about \(Self.span(own)) \(own.offset < 0 ? "behind" : "ahead of") \(own.evidence): actions here are refused until it is put right (check NTP: timedatectl status)")
        }
        for h in hosts {
            let way = h.offset > 0 ? "ahead of this machine's" : "behind"
            let other = h.offset > 0 ? " (or this machine's clock is behind; check NTP with timedatectl)" : " (or the host it saw is ahead; check NTP with timedatectl)"
            out.append("host \(h.host.sanitized)'s clock is about \(Self.span(h)) \(way): its times are not trusted — \(h.evidence)\(other)")
        }
        return out
    }

    /// The refusal of a write while this machine's clock is off.
    public var refusal: String? {
        guard let own else { return nil }
        return "this machine's clock is about \(Self.span(own)) \(own.offset < 0 ? "behind" : "ahead of") \(own.evidence); its times would bend every deadline they touch. Fix NTP here (timedatectl status; chrony or systemd-timesyncd) before recording actions. Nothing was written. The limit is sites.clock_tolerance in the policy (\(Words.span(Int(tolerance))))"
    }

    /// Whether this machine's kernel says its clock is synchronised (nil: cannot tell).
    public static var kernelSynchronised: Bool? {
        var esterror = 0
        let state = tw_clock_state(&esterror)
        if state == -1 { return nil }
        return state != 5  // TIME_ERROR
    }

    /// As the reports' and the handover's `clocks` say it, with the
    /// incidents whose figures rest on a clock that is off.
    public func wire(incidents: [String]) -> Wire.Clocks {
        Wire.Clocks(hosts: hosts.map { .init(evidence: $0.evidence, host: $0.host, offset_seconds: $0.offset.rounded()) }, incidents: incidents,
                    this_machine: own.map { .init(evidence: $0.evidence, offset_seconds: $0.offset.rounded()) }, tolerance_seconds: tolerance)
    }

    /// The hosts whose times are not trusted: those found off, and this
    /// machine's (`me`) when the others find it off.
    public func distrusted(me: String) -> Set<String> { skewedHosts.union(own == nil ? [] : [me]) }

    /// The incidents (ids, in order) with an event from a host whose times
    /// are not trusted: their figures rest on a clock that is off.
    public func touched<C: Collection<Incident>>(_ incidents: C, me: String) -> [String] {
        let hosts = distrusted(me: me)
        return incidents.filter { Self.rests($0, on: hosts) }.map(\.id).sorted()
    }

    /// Whether an event of the incident was written by one of `hosts`.
    public static func rests(_ i: Incident, on hosts: Set<String>) -> Bool {
        !hosts.isEmpty && i.events.contains { hosts.contains($0.id.host) }
    }
}

extension IncidentStore {
    /// The store's clock evidence per other host (see `ClockReading`), at `now`.
    public func clockSigns(now: Date) -> [String: ClockReading.Signs] {
        var signs: [String: ClockReading.Signs] = [:]
        for (h, last) in state.lastWritten where !h.contains("~") && h != host {
            // Only a record of the last hour says anything of the clock now.
            let fresh = abs(now.timeIntervalSince(last)) < 3600
            var s = ClockReading.Signs(recordLead: fresh ? state.clockLead[h] : nil, hlcLag: fresh ? state.hlcLag[h] : nil, hlc: state.lastHLC[h],
                                       recent: fresh)
            var st = stat()
            if stat(eventsDirectory + "/" + h + ".log", &st) == 0 {
                let mtime = Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
                s.fileLead = last.timeIntervalSince(mtime)
            }
            signs[h] = s
        }
        for beat in heartbeats() where beat.host != host && !beat.host.contains("~") {
            let lead = beat.at.timeIntervalSince(now)
            signs[beat.host, default: ClockReading.Signs(recent: false)].heartbeatLead = max(lead, signs[beat.host]?.heartbeatLead ?? -.infinity)
            if abs(lead) < 3600 { signs[beat.host]!.recent = true }
            // A heartbeat newer than the host's last record, dated right,
            // says its clock is right now (put right since that record).
            // (A heartbeat is at most 30 s old unless its writer stopped.)
            if lead <= clockTolerance, lead >= -(30 + clockTolerance), let last = state.lastWritten[beat.host], beat.at > last {
                signs[beat.host]!.recordLead = nil
                signs[beat.host]!.hlcLag = nil
            }
            if let synced = beat.synchronised { signs[beat.host]!.synchronised = synced }
        }
        return signs
    }

    /// What the store shows of the clocks now, with `tolerance` (the
    /// policy's `sites.clock_tolerance`).
    public func clocks(tolerance: TimeInterval? = nil) -> ClockReading {
        let now = clock.now()
        return ClockReading(me: host, signs: clockSigns(now: now), tolerance: tolerance ?? clockTolerance,
                            synchronised: ClockReading.kernelSynchronised, mine: state.lastHLC[host])
    }
}
