import Escalation
import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import IncidentStore
import Intake
import Logging
import NIOCore
import ServiceLifecycle

/// `tierwatch serve`: Alertmanager's webhook, the incident API, Prometheus
/// metrics and a health check, on Hummingbird (HTTP/1.1 on SwiftNIO). It
/// writes only through `Desk`, the same store API as the CLI.
public enum Server {
    /// The largest request body taken; more is refused with 413.
    public static let maxBody = 1 << 20
    /// Incidents in a page of `GET /api/v1/incidents`, by default and at most.
    public static let defaultPage = 100, maxPage = 1000

    public struct Options: Sendable {
        public var host: String
        public var port: Int
        /// Required as `Authorization: Bearer TOKEN` on every endpoint but
        /// `/healthz` when set.
        public var token: String?
        /// Open connections kept; past it the longest idle one is closed.
        public var maxConnections: Int
        /// A connection with no request in flight (idle, or still sending
        /// its request line and headers) is closed after this long.
        public var idleTimeout: TimeInterval

        /// HTTPS with this certificate and key (reloaded on SIGHUP); plain HTTP when nil.
        public var tls: TLSFiles?
        /// tierwatch's version, for `tierwatch_build_info`.
        public var version = "unknown"
        /// Lets the on-call calendar feeds be read with `?key=KEY` (a
        /// calendar program sends no header): a secret of their own, which
        /// opens nothing else.
        public var calendarKey: String?

        public init(host: String, port: Int, token: String?, maxConnections: Int = 1024, idleTimeout: TimeInterval = 30, tls: TLSFiles? = nil,
                    version: String = "unknown") {
            self.version = version
            self.host = host
            self.port = port
            self.token = token
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.tls = tls
        }
    }

    /// Runs until SIGTERM or SIGINT, then drains requests in flight and returns.
    public static func run(_ options: Options, desk: Desk, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let table = ConnectionTable(limit: ConnectionTable.limitForProcess(wanted: options.maxConnections))
        desk.live.connections = table
        let router = Router(context: ServeContext.self)
        router.add(middleware: CountResponses(live: desk.live))
        router.add(middleware: BearerToken(token: options.token, calendarKey: options.calendarKey))
        router.add(middleware: AllowedMethods())
        addRoutes(router, desk: desk, options: options, table: table, logger: logger)
        // No client can use up serve: bounded request lines and headers
        // (431, then closed), idle connections closed, the longest idle
        // one closed for a newcomer past the limit, and below that limit's
        // reach of the descriptor limit, accept pauses rather than fail.
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuard(table: table)],
            idleTimeout: .milliseconds(Int64(options.idleTimeout * 1000)),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: ServeLimits.maxHeaderField, maxHeaderListSize: ServeLimits.maxHeaders,
                                            maxHeaderFieldCount: ServeLimits.maxHeaderCount))
        let server: HTTPServerBuilder
        if let tls = options.tls {
            server = HTTPServerBuilder { responder in ReloadableTLSChannel(base: HTTP1Channel(responder: responder, configuration: http1), files: tls) }
        } else {
            server = .http1(configuration: http1)
        }
        let app = Application(router: router, server: server,
                              configuration: .init(address: .hostname(options.host, port: options.port), serverName: "tierwatch", backlog: 1024,
                                                   availableConnectionsDelegate: MaximumAvailableConnections(table.limit + 48)),
                              services: [HeartbeatService(desk: desk), HealthService(desk: desk), HookService(desk: desk, logger: logger)],
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? options.port) },
                              logger: logger)
        try await app.runService()
    }

    typealias ServeRouter = Router<ServeContext>

    /// A GET route and its HEAD: the same answer without the body.
    static func getAndHead(_ router: ServeRouter, _ path: RouterPath, _ handler: @escaping @Sendable (Request, ServeContext) async throws -> Response) {
        router.get(path, use: handler)
        router.head(path) { request, context -> Response in
            let r = try await handler(request, context)
            return Response(status: r.status, headers: r.headers)
        }
    }

    /// Every endpoint of the API (docs/openapi.json says them).
    static func addRoutes(_ router: ServeRouter, desk: Desk, options: Options, table: ConnectionTable, logger: Logger) {
        // Answered from the last look (taken twice a second by its own
        // service), never waiting behind a request or a write.
        getAndHead(router, "/healthz") { _, _ -> Response in
            let health = Wire.Health(problem: desk.live.healthProblem(now: Date()))
            return json(Wire.value(health), status: health.problem == nil ? .ok : .serviceUnavailable)
        }
        getAndHead(router, "/api/v1/openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPI.document + "\n")))
        }
        getAndHead(router, "/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: await desk.metrics() + desk.live.httpMetrics() + ProcessMetrics.text(version: options.version))))
        }
        getAndHead(router, "/api/v1/incidents/{id}") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let incident = await desk.show(id) else { return refuse("unknown incident '\(id.sanitized)'", status: .notFound) }
            return raw(incident)
        }
        addIntakeRoutes(router, desk: desk, table: table, logger: logger)
        addListRoute(router, desk: desk)
        addCalendarRoutes(router, desk: desk, version: options.version)
        addEventStream(router, desk: desk)
    }

    /// `POST /api/v1/alertmanager` and `POST /api/v1/incidents`.
    static func addIntakeRoutes(_ router: ServeRouter, desk: Desk, table: ConnectionTable, logger: Logger) {
        router.post("/api/v1/alertmanager") { request, context -> Response in
            let body = try await request.body.collect(upTo: maxBody)
            let group: AlertGroup
            do {
                group = try AlertGroup(json: Data(buffer: body))
            } catch let error as AlertGroup.Invalid {
                await desk.countRequest("alertmanager", "invalid")
                logger.warning("alertmanager payload refused", metadata: ["reason": "\(error.description)"])
                return refuse("invalid Alertmanager payload: \(error.description)", status: .badRequest)
            }
            do {
                let done = try await desk.intake(group, stillWanted: context.stillWanted(table))
                for d in done { logger.info("alertmanager", metadata: ["incident": "\(d.incident)", "did": "\(d.did)", "group": "\(group.groupKey)"]) }
                return json(Wire.value(Wire.IntakeResult(alerts: group.alerts.count, incidents: done.map { .init(did: $0.did, id: $0.incident) })))
            } catch let error as DeskError {
                logger.error("alertmanager intake failed", metadata: ["error": "\(error.message)"])
                return refuse(error.message, status: .init(code: error.status))
            }
        }
        router.post("/api/v1/incidents") { request, context -> Response in
            let body = try await request.body.collect(upTo: maxBody)
            let fields: NewIncident
            do {
                fields = try NewIncident(json: Data(buffer: body))
            } catch let error as NewIncident.Invalid {
                await desk.countRequest("incidents", "invalid")
                return refuse(error.description, status: .badRequest)
            }
            do {
                let r = try await desk.raise(title: fields.title, customer: fields.customer, severity: fields.severity, dedupKey: fields.dedupKey,
                                             stillWanted: context.stillWanted(table))
                logger.info("incident", metadata: ["incident": "\(r.id)", "created": "\(r.created)"])
                return raw(r.json, status: r.created ? .created : .ok)
            } catch let error as DeskError {
                return refuse(error.message, status: .init(code: error.status))
            }
        }
    }

    /// `GET /api/v1/incidents`.
    static func addListRoute(_ router: ServeRouter, desk: Desk) {
        // A page at a time (`limit`, default 100, at most 1000; `after` the
        // last id of the page before), the next page's address in `Link`.
        getAndHead(router, "/api/v1/incidents") { request, _ -> Response in
            let q = request.uri.queryParameters
            let all = q.get("all") == "true"
            let order = q.get("order") ?? "urgency"
            guard order == "urgency" || order == "opened" else {
                return refuse("order: '\(order.sanitized)' is not urgency or opened", status: .badRequest)
            }
            var limit = defaultPage
            if let text = q.get("limit") {
                guard let n = Int(text), (1...maxPage).contains(n) else {
                    return refuse("limit: '\(text.sanitized)' is not a whole number from 1 to \(maxPage)", status: .badRequest)
                }
                limit = n
            }
            do {
                let page = try await desk.list(all: all, limit: limit, after: q.get("after"), byOpening: order == "opened")
                var headers: HTTPFields = [.contentType: "application/json"]
                headers[HTTPField.Name("X-Total-Count")!] = "\(page.total)"
                if let next = page.next {
                    headers[HTTPField.Name("Link")!] = "</api/v1/incidents?\(all ? "all=true&" : "")\(order == "opened" ? "order=opened&" : "")limit=\(limit)&after=\(next)>; rel=\"next\""
                }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: page.body)))
            } catch let error as DeskError {
                return refuse(error.message, status: .init(code: error.status))
            }
        }
    }

    /// `GET /api/v1/oncall/SCHEDULE.ics` and `/api/v1/oncall/people/PERSON.ics`.
    static func addCalendarRoutes(_ router: ServeRouter, desk: Desk, version: String) {
        // On-call calendars (RFC 5545): a schedule's shifts, or a person's.
        for (path, forPerson) in [("/api/v1/oncall/{file}", false), ("/api/v1/oncall/people/{file}", true)] {
            getAndHead(router, RouterPath(stringLiteral: path)) { request, context -> Response in
                let file = context.parameters.get("file") ?? ""
                guard file.hasSuffix(".ics"), file.count > 4 else {
                    return refuse("\(file.sanitized): a calendar is NAME.ics", status: .notFound)
                }
                let weeks = request.uri.queryParameters["weeks"].map { Int(String($0)) ?? 0 } ?? 8
                guard (1...52).contains(weeks) else { return refuse("weeks: between 1 and 52", status: .badRequest) }
                let name = String(file.dropLast(4))
                switch await desk.calendar(schedule: forPerson ? nil : name, person: forPerson ? name : nil, weeks: weeks, version: version) {
                case let .success(text):
                    return Response(status: .ok, headers: [.contentType: "text/calendar; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
                case let .failure(error):
                    return refuse(error.message, status: .init(code: error.status))
                }
            }
        }
    }

    /// `GET /api/v1/events`.
    static func addEventStream(_ router: ServeRouter, desk: Desk) {
        // The same stream as `watch --json`, one JSON line per item, for as
        // long as the client listens: its own reader of the store, looked
        // at ten times a second (never blocking a thread of the server).
        router.get("/api/v1/events") { _, _ -> Response in
            let path = desk.storePath
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody { writer in
                let store = IncidentStore(path: path, host: "events")
                let stream = EventStream(store: store, follower: StoreFollower(store: store))
                // SIGTERM ends the stream, so the server can drain and exit;
                // a keepalive line every 15 s finds a client that left.
                var quiet = 0
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    let now = store.clock.now()
                    var lines = stream.next(timeout: 0).map { EventStream.jsonLine($0, now: now) + "\n" }
                    quiet = lines.isEmpty ? quiet + 1 : 0
                    if quiet >= 150 {
                        lines = [EventStream.keepaliveLine(at: now) + "\n"]
                        quiet = 0
                    }
                    if !lines.isEmpty { try await writer.write(ByteBuffer(string: lines.joined())) }
                    try? await Task.sleep(nanoseconds: 100_000_000)
                }
                try await writer.finish(nil)
            })
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response { raw(Desk.encode(value), status: status) }

    /// A refusal: `{"error": …}` with its status.
    static func refuse(_ message: String, status: HTTPResponse.Status) -> Response { json(Wire.value(Wire.Refusal(message)), status: status) }

    static func raw(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `Authorization: Bearer TOKEN` on every endpoint but `/healthz` and the
/// OpenAPI document, compared
/// in constant time; 401 with `WWW-Authenticate` otherwise.
struct BearerToken<Context: RequestContext>: RouterMiddleware {
    let token: String?
    var calendarKey: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, !BearerToken.open.contains(request.uri.path) else { return try await next(request, context) }
        // A calendar feed read with its own key (it opens nothing else).
        if let calendarKey, BearerToken.isCalendar(request.uri.path), let key = request.uri.queryParameters["key"],
           BearerToken.same(String(key), calendarKey) {
            return try await next(request, context)
        }
        let given = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard BearerToken.same(given, token) else {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"a valid bearer token is required (Authorization: Bearer TOKEN)\"}\n")))
        }
        return try await next(request, context)
    }

    static func isCalendar(_ path: String) -> Bool { path.hasPrefix("/api/v1/oncall/") && path.hasSuffix(".ics") }

    /// Paths anyone may read: health, and the API's description.
    static var open: Set<String> { ["/healthz", "/api/v1/openapi.json"] }

    static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for k in 0..<max(x.count, y.count) { diff |= (k < x.count ? x[k] : 0) ^ (k < y.count ? y[k] : 0) }
        return diff == 0
    }
}

/// A request's context: Hummingbird's, and its connection, so that a
/// write whose client has gone (it gave up waiting behind a held lock) is
/// not carried out after the fact.
struct ServeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Whether the client still waits for the answer: asked under the
    /// store's lock, just before the write.
    func stillWanted(_ table: ConnectionTable) -> @Sendable () -> Bool {
        let channel = self.channel
        return { !table.clientLeft(channel) }
    }
}

/// Counts every answer by status, whoever gives it (the token check's
/// 401, the router's 404, a body over the limit's 413), for `/metrics`;
/// and gives the framework's own errors the API's JSON shape
/// (`{"error": …}`), as the OpenAPI document says every error has.
struct CountResponses<Context: RequestContext>: RouterMiddleware {
    let live: Desk.Live

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let r: Response
        do {
            r = try await next(request, context)
        } catch let e as any HTTPResponseError {
            let message = switch e.status.code {
            case 404: "no such endpoint: \(request.method.rawValue.sanitized) \(request.uri.path.sanitized) (GET /api/v1/openapi.json lists them)"
            case 413: "the body is over \(Server.maxBody / 1024) KiB"
            default: e.status.reasonPhrase
            }
            r = Server.refuse(message, status: e.status)
        } catch {
            r = Server.refuse("internal error: \(error)", status: .internalServerError)
        }
        live.answered(r.status.code)
        return r
    }
}

/// A known path with a method it does not take is a 405 naming the ones it
/// does (`Allow`), not a 404. (HEAD has routes of its own: `getAndHead`.)
struct AllowedMethods<Context: RequestContext>: RouterMiddleware {
    static func allowed(_ path: String) -> [HTTPRequest.Method]? {
        switch path {
        case "/healthz", "/metrics", "/api/v1/openapi.json": return [.get, .head]
        case "/api/v1/events": return [.get]  // a stream: no HEAD
        case "/api/v1/alertmanager": return [.post]
        case "/api/v1/incidents": return [.get, .head, .post]
        default:
            if BearerToken<Context>.isCalendar(path) { return [.get, .head] }
            let id = path.dropFirst("/api/v1/incidents/".count)
            return path.hasPrefix("/api/v1/incidents/") && !id.isEmpty && !id.contains("/") ? [.get, .head] : nil
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // (Reached for a method no route has: the router's not-found chain.)
        guard let allowed = Self.allowed(request.uri.path) else { return try await next(request, context) }
        guard allowed.contains(request.method) else {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            var r = Server.refuse("\(request.uri.path.sanitized) takes \(names), not \(request.method.rawValue.sanitized)", status: .methodNotAllowed)
            r.headers[.allow] = names
            return r
        }
        return try await next(request, context)
    }
}

/// Looks at the store's health twice a second, for `/healthz` to answer
/// from without waiting.
struct HealthService: Service {
    let desk: Desk

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await desk.healthProblem()
                try await Task.sleep(nanoseconds: 500_000_000)
            }
        }
    }
}

/// Serve's sign of life for the other sites, until shutdown.
struct HeartbeatService: Service {
    let desk: Desk

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let wait = await desk.beat()
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            }
        }
    }
}

/// Runs the policy's hooks as their triggers happen: looks at the store
/// often (a non-blocking check), wakes at the next clock change, and runs
/// each claimed hook on its own thread, recording the result.
struct HookService: Service {
    let desk: Desk
    let logger: Logger

    func run() async throws {
        // Hooks in flight finish (and their results are recorded) before
        // serve exits: a restart must not page twice.
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let (jobs, calls, next) = await desk.hooksDue()
                for call in calls {
                    logger.info("call-out", metadata: ["incident": "\(call.due.incident)", "tier": "\(call.due.tierID)", "contact": "\(call.due.contact)",
                                                       "attempt": "\(call.due.attempt)/\(call.due.attempts)", "late": "\(call.due.late)"])
                    group.addTask {
                        // The message and the call on a thread of their own:
                        // espeak-ng and the ringing hold up no request.
                        let placed = await withCheckedContinuation { (c: CheckedContinuation<Result<(CallPlan.Message, Result<CallResult, DialerProblem>), CallPlan.Refusal>, Never>) in
                            Thread.detachNewThread {
                                do throws(CallPlan.Refusal) {
                                    let message = try call.plan.message()
                                    c.resume(returning: .success((message, call.plan.dial(message, unwanted: { call.cancel.reason }))))
                                } catch {
                                    c.resume(returning: .failure(error))
                                }
                            }
                        }
                        switch placed {
                        case let .failure(why):
                            await desk.notPlaced(call.due, why.description)
                            logger.error("call-out not placed", metadata: ["incident": "\(call.due.incident)", "detail": "\(why)"])
                        case let .success((message, outcome)):
                            await desk.finished(call, message, outcome)
                        }
                    }
                }
                for job in jobs {
                    logger.info("hook", metadata: ["hook": "\(job.due.hook.name)", "incident": "\(job.due.occurrence.incident)",
                                                   "trigger": "\(job.due.occurrence.trigger.rawValue)", "late": "\(job.due.late)"])
                    group.addTask {
                        let r = await HookRunner.run(job)
                        await desk.finished(job, r)
                        if !r.ok { logger.error("hook failed", metadata: ["hook": "\(job.due.hook.name)", "detail": "\(r.detail)"]) }
                    }
                }
                try? await Task.sleep(nanoseconds: UInt64(next * 1e9))
            }
            await group.waitForAll()
        }
    }
}

/// `POST /api/v1/incidents`: `{"title": …, "customer": …, "severity": "sev1", "dedup_key": …}`.
struct NewIncident {
    var title: String
    var customer: String?
    var severity: Severity
    var dedupKey: String?

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(json data: Data) throws(Invalid) {
        guard let o = JSONValue.parse(data), o.members != nil else { throw Invalid(description: "expected a JSON object") }
        func text(_ key: String, max: Int, required: Bool) throws(Invalid) -> String? {
            guard let v = o[key], v != .null else {
                if required { throw Invalid(description: "\(key): missing") }
                return nil
            }
            guard let s = v.stringValue else { throw Invalid(description: "\(key): expected a string") }
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !t.isEmpty else { throw Invalid(description: "\(key): must not be empty") }
            guard t.count <= max else { throw Invalid(description: "\(key): \(t.count) characters; the limit is \(max)") }
            return t
        }
        title = try text("title", max: 256, required: true)!
        customer = try text("customer", max: 128, required: false)
        dedupKey = try text("dedup_key", max: 256, required: false)
        let sev = try text("severity", max: 8, required: false) ?? "sev2"
        guard let s = Severity(rawValue: sev) else { throw Invalid(description: "severity: '\(sev.sanitized)' is not sev1, sev2, sev3 or sev4") }
        severity = s
    }
}
