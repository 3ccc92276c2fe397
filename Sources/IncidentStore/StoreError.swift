#if canImport(Glibc)
import Glibc
#endif

/// Why a store operation failed. `isRefusal` separates an action the state
/// does not allow (exit 1) from a broken setup (exit 2).
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The action makes no sense for the incident's state (ack on a resolved incident).
    case refused(String)
    case unknownIncident(String)
    /// Bad input from the user: too long, empty, unknown tier or contact.
    case invalid(String)
    /// The file system said no: path, operation, reason.
    case io(path: String, operation: String, reason: String)
    /// A path in the store is not what tierwatch would have created there.
    case unsafePath(path: String, reason: String)
    /// This host's log was last written by another machine under the same host name.
    case hostClash(log: String, host: String, writer: String)
    /// This machine's clock is off against the other hosts (`ClockReading.refusal`).
    case clock(String)

    public var description: String {
        switch self {
        case let .refused(why): "refused: \(why)"
        case let .unknownIncident(id): "unknown incident '\(id.sanitizedForMessage)'"
        case let .invalid(why): why
        case let .io(path, operation, reason): "\(path): cannot \(operation): \(reason)"
        case let .unsafePath(path, reason): "\(path): refusing to use it: \(reason)"
        case let .clock(why): "refusing to write: \(why)"
        case let .hostClash(log, host, writer):
            "\(log): refusing to append: its last record was written by another machine (writer \(writer.sanitizedForMessage)) under the same host name '\(host)'; two writers with one name lose or mix up events. Set TIERWATCH_HOST to a name unique to this machine (tierwatch doctor shows this machine's default)"
        }
    }

    public var isRefusal: Bool {
        switch self {
        case .refused, .unknownIncident: true
        default: false
        }
    }
}

extension String {
    var sanitizedForMessage: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }
}

/// An errno value that reads as a reason: "permission denied".
public struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int32

    public init(_ code: Int32) { self.code = code }

    public var description: String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
