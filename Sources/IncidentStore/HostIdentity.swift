import Escalation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who writes: this machine, its host name in the store, its Unix user.
extension IncidentStore {

    /// A host name made safe as a file name: letters, digits, `.`, `-`, `_`.
    public static func fileSafeHost(_ host: String) -> String {
        let mapped = host.unicodeScalars.map { s -> Character in
            (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "." || s == "-" || s == "_"))
                ? Character(s) : "_"
        }
        let name = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return name.isEmpty ? "host" : String(name.prefix(64))
    }

    /// This machine, as eight hex digits: a checksum of /etc/machine-id
    /// (else the host name). Records carry it (`wid`) so that a log another
    /// machine extended under the same host name is noticed.
    public static let machineID: String = {
        // Containers cloned from one image share /etc/machine-id: they
        // (and tests that play two machines) set their own.
        if let own = ProcessInfo.processInfo.environment["TIERWATCH_MACHINE_ID"], !own.isEmpty {
            return CRC32C.hex(CRC32C.checksum(Array(own.utf8)))
        }
        let id = ["/etc/machine-id", "/var/lib/dbus/machine-id"].lazy
            .compactMap { FileManager.default.contents(atPath: $0) }
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .first { !$0.isEmpty } ?? machineHostName
        return CRC32C.hex(CRC32C.checksum(Array(id.utf8)))
    }()

    /// The host name a writer uses unless `$TIERWATCH_HOST` names one: the
    /// machine's name and four hex digits of this machine and Unix user,
    /// `noc1-3fa2`. Unique by default: two machines called alike, or a
    /// cloned container, never write the same log.
    public static var defaultHost: String {
        let mine = CRC32C.hex(CRC32C.checksum(Array("\(machineID):\(geteuid())".utf8)))
        return fileSafeHost(machineHostName) + "-" + mine.prefix(4)
    }

    /// What every screen and `doctor` say about a host name two writers used.
    public static func clashWarning(host: String, events: Int) -> String {
        "two writers use host name '\(host.sanitizedForMessage)': \(events) event\(events == 1 ? "" : "s") of one kept apart as \(host.sanitizedForMessage)~CHECKSUM (nothing lost) — set TIERWATCH_HOST to a unique name on each machine"
    }

    public static var machineHostName: String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count) == 0 else { return "localhost" }
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static let unixUser: String = {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid\(geteuid())"
    }()
}
