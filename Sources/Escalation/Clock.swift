import Foundation

/// The source of "now". The domain never reads the system time: callers pass
/// instants in, and the executable injects `Clock.system`; tests inject
/// `Clock.fixed`.
public struct Clock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) { self.read = read }

    public func now() -> Date { read() }

    public static let system = Clock { Date() }

    public static func fixed(_ instant: Date) -> Clock { Clock { instant } }
}
