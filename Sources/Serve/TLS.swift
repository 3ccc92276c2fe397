import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// serve's certificate and key, read from their files at start and again
/// on SIGHUP (a renewed certificate is served without a restart; a bad new
/// one is refused and the old one kept). TLS 1.2 and later only.
public final class TLSFiles: @unchecked Sendable {
    public let certificate: String
    public let key: String
    private let lock = NSLock()
    private var context: NIOSSLContext

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads both files now: a missing, unreadable or mismatched pair is an
    /// error naming the file.
    public init(certificate: String, key: String) throws(Problem) {
        self.certificate = certificate
        self.key = key
        context = try Self.load(certificate: certificate, key: key)
    }

    static func load(certificate: String, key: String) throws(Problem) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw Problem(description: "--tls-cert \(certificate): not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw Problem(description: "--tls-cert \(certificate): no certificate in the file") }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw Problem(description: "--tls-key \(key): not a readable PEM private key (\(error))")
        }
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        config.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: config)
        } catch {
            throw Problem(description: "--tls-cert \(certificate) and --tls-key \(key) do not make a TLS context (does the key belong to the certificate?): \(error)")
        }
    }

    /// The context new connections get.
    var current: NIOSSLContext { lock.withLock { context } }

    /// Reads the files again; on an error the old pair stays in use.
    public func reload() throws(Problem) {
        let fresh = try Self.load(certificate: certificate, key: key)
        lock.withLock { context = fresh }
    }
}

/// A child channel that speaks TLS (with the context in force when the
/// connection arrives) before the HTTP channel it wraps.
struct ReloadableTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let files: TLSFiles

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: files.current))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
