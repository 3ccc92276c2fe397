import Escalation
import Foundation

/// A piece of a log, decoded on another core: its events and what its
/// scan found, signalled when done.
private final class Piece: @unchecked Sendable {
    let file: LogReader.OpenLog
    let cursor: LogReader.Cursor
    let end: Int
    let done = DispatchSemaphore(value: 0)
    var started = false
    var scan: LogReader.Scan?
    var events: [IncidentEvent] = []
    var crcs: [RecordLocation] = []

    init(file: LogReader.OpenLog, cursor: LogReader.Cursor, end: Int) {
        self.file = file
        self.cursor = cursor
        self.end = end
    }

    func start() {
        guard !started else { return }
        started = true
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            var buffer = [UInt8](repeating: 0, count: LogReader.chunkSize)
            var decoded: [IncidentEvent] = []
            var sums: [RecordLocation] = []
            // Each piece its own policy cache: the reader's is not thread-safe.
            scan = LogReader.scan(file, cursor: cursor, end: end, policies: RecordCodec.PolicyTexts(),
                                  buffer: &buffer) { decoded.append($0); sums.append($1) }
            events = decoded
            crcs = sums
            done.signal()
        }
    }
}

/// One log being merged: its pieces in order, the events of the
/// current one, and what the whole file reports.
private struct Stream {
    var pieces: [Piece]
    var next = 0
    var events: [IncidentEvent] = []
    var crcs: [RecordLocation] = []
    var at = 0
    var report: LogReader.Scan
}

extension LogReader {
    /// A cold start reads every byte of every host's log. With enough bytes
    /// to matter, the logs are cut into pieces at line ends and the pieces
    /// checked and decoded on all cores (decoding is most of a cold start),
    /// while this thread merges the logs' events in log order (each host's
    /// log is in its own order already) and hands them to `sink`: the state
    /// then applies nearly every event as it comes instead of grouping,
    /// sorting and folding the whole store at the end. Only a few pieces per
    /// log are decoded ahead, so the events never wait in a second copy of
    /// the store.
    mutating func readInParallel(_ names: [String], into sink: (IncidentEvent, RecordLocation) -> Void) {
        let streams = cut(names)
        // Pieces decoded ahead of the merge, per log: enough to keep every
        // core busy, and no more (each waiting piece holds its events).
        let ahead = max(1, (LogReader.cores + streams.count - 1) / max(1, streams.count))
        for s in streams { for p in s.pieces.prefix(ahead) { p.start() } }
        var live: [Stream] = []
        for var s in streams where advance(&s, ahead: ahead) { live.append(s) }
        while !live.isEmpty {
            var first = 0
            for k in live.indices.dropFirst()
            where IncidentEvent.precedes(live[k].events[live[k].at], live[first].events[live[first].at]) { first = k }
            sink(live[first].events[live[first].at], live[first].crcs[live[first].at])
            live[first].at += 1
            if live[first].at == live[first].events.count, !advance(&live[first], ahead: ahead) { live.remove(at: first) }
        }
    }

    /// The logs opened and cut into pieces at line ends, each log a stream.
    private mutating func cut(_ names: [String]) -> [Stream] {
        var logs: [(file: OpenLog, cursor: Cursor, restarted: Bool)] = []
        for name in names {
            guard let f = open(name) else { continue }
            let (cursor, restarted) = f.start(from: cursors[name])
            logs.append((f, cursor, restarted))
        }
        let total = logs.reduce(0) { $0 + max(0, $1.file.size - max($1.cursor.offset, $1.cursor.scanFrom)) }
        let pieceSize = max(minimumPiece, total / (LogReader.cores * 32))
        var streams: [Stream] = []
        for (f, start, restarted) in logs {
            var pieces: [Piece] = []
            var cursor = start
            var from = max(start.offset, start.scanFrom)
            while f.size - from > pieceSize + pieceSize / 2 {
                let cut = f.lineEnd(from: from + pieceSize)
                guard cut < f.size else { break }
                pieces.append(Piece(file: f, cursor: cursor, end: cut))
                cursor = Cursor(device: f.device, inode: f.inode, offset: cut)
                from = cut
            }
            pieces.append(Piece(file: f, cursor: cursor, end: f.size))
            streams.append(Stream(pieces: pieces, report: Scan(cursor: start, restarted: restarted)))
        }
        return streams
    }

    /// Moves a stream on to its next piece's events, waiting for them;
    /// false when the file is done (its report is then applied).
    private mutating func advance(_ s: inout Stream, ahead: Int) -> Bool {
        while s.next < s.pieces.count {
            let piece = s.pieces[s.next]
            piece.start()
            piece.done.wait()
            if s.next + ahead < s.pieces.count { s.pieces[s.next + ahead].start() }
            s.next += 1
            s.events = piece.events
            s.crcs = piece.crcs
            piece.events = []
            piece.crcs = []
            s.at = 0
            let scan = piece.scan!
            let last = s.report.cursor.last
            s.report.cursor = scan.cursor
            if s.report.cursor.last == nil { s.report.cursor.last = last }
            s.report.bad += scan.bad
            if !s.events.isEmpty { return true }
        }
        s.events = []
        apply(s.report, name: s.pieces[0].file.name)
        return false
    }
}
