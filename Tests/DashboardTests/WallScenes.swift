import Dashboard
import Surface
import Escalation
import Foundation

enum WallScenes {
    static func wall(_ builders: [Board.Builder], rotate: TimeInterval? = nil, bell: Bool = false) -> Wall {
        var w = Wall(now: Board.now, rotateEvery: rotate, bell: bell)
        let m = Board.model(builders)
        _ = w.update(.store(incidents: m.incidents, policies: m.policies, badRecords: 0))
        return w
    }

    /// One incident, management due in 6 minutes.
    static func one() -> Wall {
        wall([Board.Builder("K3F9", title: "SIP trunk down", customer: "acme", severity: .sev1, openedMinutesAgo: 4)])
    }

    /// The dashboard's mix: two breached, the rest counting down.
    static func several() -> Wall { wall(Board.several) }

    /// The same, rotating every 10 s, after one rotation.
    static func rotated() -> Wall {
        var w = wall(Board.several, rotate: 10)
        _ = w.update(.tick(Board.now.addingTimeInterval(10)))
        return w
    }

    /// Nothing open; the last incident resolved 90 minutes ago.
    static func allClear() -> Wall {
        wall([Board.Builder("B6XZ", title: "Fax gateway unreachable", customer: "globex", openedMinutesAgo: 120)
            .add(.resolved(message: "Gateway rebooted"), minutesAgo: 90)])
    }
}
