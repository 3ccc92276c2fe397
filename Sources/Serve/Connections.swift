import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

#if canImport(Glibc)
import Glibc
#endif

/// Serve's open connections, so that no client can use them all up: past
/// `limit` the connection idle longest (no request in flight) is closed to
/// make room, so a new client (a health check, Alertmanager) always gets in
/// while a crowd of idle or half-sent connections sits there; the limit is
/// kept below the descriptor limit, so `accept` never fails for want of one.
public final class ConnectionTable: @unchecked Sendable {
    public let limit: Int
    private let lock = NSLock()
    private var open: [ObjectIdentifier: Entry] = [:]
    private var sequence: UInt64 = 0
    private(set) var evicted = 0
    private(set) var refused: [Int: Int] = [:]

    struct Entry {
        let channel: any Channel
        var busy: Bool
        /// The client closed its side (FIN) or the connection is gone.
        var left = false
        /// Order of last activity: the smallest is idle longest.
        var touched: UInt64
    }

    public init(limit: Int) { self.limit = max(2, limit) }

    /// The limit for this process: `wanted`, but no more than the descriptor
    /// limit less room for the store, hooks and logs. Raises the soft
    /// descriptor limit to the hard one first (systemd's default soft limit
    /// is 1024).
    public static func limitForProcess(wanted: Int) -> Int {
        var r = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r) == 0 else { return min(wanted, 512) }
        if r.rlim_cur < r.rlim_max {
            var raised = r
            raised.rlim_cur = r.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { r = raised }
        }
        let descriptors = r.rlim_cur > rlim_t(Int32.max) ? Int(Int32.max) : Int(r.rlim_cur)
        return max(2, min(wanted, descriptors - 96))
    }

    public var count: Int { lock.withLock { open.count } }
    public var counters: (evicted: Int, refused: [Int: Int]) { lock.withLock { (evicted, refused) } }

    func opened(_ channel: any Channel) {
        let victims: [any Channel] = lock.withLock {
            sequence += 1
            open[ObjectIdentifier(channel)] = Entry(channel: channel, busy: false, touched: sequence)
            guard open.count > limit else { return [] }
            // The idle connections, longest idle first; never the new one.
            let idle = open.filter { !$0.value.busy && $0.key != ObjectIdentifier(channel) }.sorted { $0.value.touched < $1.value.touched }
            let victims = idle.prefix(open.count - limit).map(\.value.channel)
            for v in victims { open[ObjectIdentifier(v)] = nil }
            evicted += victims.count
            return victims
        }
        for v in victims { v.close(promise: nil) }
    }

    func closed(_ channel: any Channel) { lock.withLock { _ = open.removeValue(forKey: ObjectIdentifier(channel)) } }

    func mark(_ channel: any Channel, busy: Bool) {
        lock.withLock {
            sequence += 1
            open[ObjectIdentifier(channel)]?.busy = busy
            open[ObjectIdentifier(channel)]?.touched = sequence
        }
    }

    func peerClosed(_ channel: any Channel) { lock.withLock { open[ObjectIdentifier(channel)]?.left = true } }

    /// Whether the client of `channel` has gone (closed its side, or the
    /// connection is closed): a write it asked for is then not carried out.
    public func clientLeft(_ channel: any Channel) -> Bool {
        !channel.isActive || lock.withLock { open[ObjectIdentifier(channel)]?.left ?? false }
    }

    func refusedOne(_ status: Int) { lock.withLock { refused[status, default: 0] += 1 } }

    /// The table's series for `/metrics` (every series present from the start, at 0).
    public func metrics() -> String {
        let (open, evicted, refused) = lock.withLock { (self.open.count, self.evicted, self.refused) }
        var lines = [
            "# HELP tierwatch_http_connections Connections open to serve now.",
            "# TYPE tierwatch_http_connections gauge",
            "tierwatch_http_connections \(open)",
            "# HELP tierwatch_http_connections_limit Connections serve keeps before closing the longest idle one.",
            "# TYPE tierwatch_http_connections_limit gauge",
            "tierwatch_http_connections_limit \(limit)",
            "# HELP tierwatch_http_connections_evicted_total Idle connections closed to make room for a new one.",
            "# TYPE tierwatch_http_connections_evicted_total counter",
            "tierwatch_http_connections_evicted_total \(evicted)",
            "# HELP tierwatch_http_requests_refused_total Requests refused before routing: request line, headers or announced body too large, not HTTP.",
            "# TYPE tierwatch_http_requests_refused_total counter",
        ]
        for code in Set([400, 413, 414, 431]).union(refused.keys).sorted() { lines.append("tierwatch_http_requests_refused_total{code=\"\(code)\"} \(refused[code] ?? 0)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// On each connection, after the HTTP decoder: registers it in the table,
/// marks it busy from a request's head to its response's end, refuses a
/// request line or header block past the decoder's limits with 431 (a URL
/// past `maxURI` with 414) and then closes the connection outright: a
/// refused client's socket is never left half-open.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The longest request target taken (the API's are short).
    static let maxURI = 4096
    let table: ConnectionTable
    private var refusing = false

    init(table: ConnectionTable) { self.table = table }

    func handlerAdded(context: ChannelHandlerContext) { table.opened(context.channel) }

    func handlerRemoved(context: ChannelHandlerContext) { table.closed(context.channel) }

    func channelInactive(context: ChannelHandlerContext) {
        table.closed(context.channel)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed { table.peerClosed(context.channel) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refusing else { return }
        if case let .head(head) = unwrapInboundIn(data) {
            table.mark(context.channel, busy: true)
            if (head.path?.utf8.count ?? 0) > Self.maxURI {
                refuse(context, 414, "Request-URI Too Long", "the request target is longer than \(Self.maxURI) bytes")
                return
            }
            // A body announced over the limit is refused before it is sent
            // (a client that asked `Expect: 100-continue` sends nothing).
            if let length = head.headerFields[.contentLength].flatMap({ Int($0) }), length > Server.maxBody {
                refuse(context, 413, "Content Too Large", "the body is over \(Server.maxBody / 1024) KiB")
                return
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Idle once the response's end has gone out, not when it is queued:
        // a slow reader of a large page is never evicted mid-answer.
        if case .end = unwrapOutboundIn(data) {
            let done = promise ?? context.eventLoop.makePromise()
            let (table, channel) = (self.table, context.channel)
            done.futureResult.whenComplete { _ in table.mark(channel, busy: false) }
            context.write(data, promise: done)
            return
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let e = error as? HTTPParserError {
            if case .headerOverflow = e {
                refuse(context, 431, "Request Header Fields Too Large", "the request line or headers are too large (\(ServeLimits.maxHeaderField / 1024) KiB a line, \(ServeLimits.maxHeaders / 1024) KiB in all)")
            } else {
                refuse(context, 400, "Bad Request", "not an HTTP/1.1 request (\(e))")
            }
            return
        }
        context.fireErrorCaught(error)
    }

    /// Answers `status` with a JSON error and closes the connection (both
    /// ways: nothing more is read from a client that broke the rules).
    private func refuse(_ context: ChannelHandlerContext, _ status: Int, _ reason: String, _ message: String) {
        guard !refusing else { return }
        refusing = true
        table.refusedOne(status)
        let body = ByteBuffer(string: "{\"error\":\"\(message)\"}\n")
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = "\(body.readableBytes)"
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .init(code: status, reasonPhrase: reason), headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Serve's limits on what a client may send and how long it may take.
public enum ServeLimits {
    /// One header line or the request line (NIO's decoder counts the URL as a field).
    public static let maxHeaderField = 16 * 1024
    /// All header lines together.
    public static let maxHeaders = 32 * 1024
    public static let maxHeaderCount = 100
}
