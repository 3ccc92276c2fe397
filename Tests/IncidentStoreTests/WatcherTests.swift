import Escalation
import Foundation
import IncidentStore
import Testing

@Suite struct WatchingTheStore {
    /// A follower whose safety-net poll is too slow to explain a fast wake-up:
    /// anything seen within a second was seen through inotify.
    func follower(_ dir: TempDir, polling: Bool = false, interval: TimeInterval = 60) -> StoreFollower {
        StoreFollower(store: IncidentStore(path: dir.path + "/s", host: "reader"), forcePolling: polling, pollInterval: interval)
    }

    func timed(_ body: () -> StoreState.Change) -> (StoreState.Change, TimeInterval) {
        let t = StoreFollower.monotonic()
        let c = body()
        return (c, StoreFollower.monotonic() - t)
    }

    @Test func anAppendWakesTheFollower() {
        let dir = TempDir(); defer { dir.cleanup() }
        dir.write("s/events/noc1.log", RecordCodec.encode(event(opening(), seq: 1)))
        let f = follower(dir)
        #expect(f.watcher.usesInotify)
        f.store.refresh()
        dir.append("s/events/noc1.log", RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1)))
        let (change, took) = timed { f.next(timeout: 5) }
        #expect(change.events.map(\.id.sequence) == [2] && took < 1)
        #expect(f.store.state.incidents["K3F9"]?.state == .acknowledged)
    }

    @Test func aNewHostFileIsNoticed() {
        let dir = TempDir(); defer { dir.cleanup() }
        dir.write("s/events/noc1.log", RecordCodec.encode(event(opening(), seq: 1)))
        let f = follower(dir)
        f.store.refresh()
        dir.write("s/events/noc2.log", RecordCodec.encode(event(.note(message: "from noc2"), host: "noc2", seq: 1, minutes: 1)))
        let (change, took) = timed { f.next(timeout: 5) }
        #expect(change.events.map(\.id.host) == ["noc2"] && took < 1)
    }

    @Test func aFileReplacedByRenameIsReadAgain() {
        let dir = TempDir(); defer { dir.cleanup() }
        let first = RecordCodec.encode(event(opening(), seq: 1))
        dir.write("s/events/noc1.log", first)
        let f = follower(dir)
        f.store.refresh()
        dir.write("s/events/.syncthing.noc1.log.tmp", first + RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1)))
        rename(dir.path + "/s/events/.syncthing.noc1.log.tmp", dir.path + "/s/events/noc1.log")
        let (change, took) = timed { f.next(timeout: 5) }
        #expect(change.events.map(\.id.sequence) == [2] && took < 1)
        #expect(f.store.state.duplicateCount == 1)
    }

    @Test func aTruncatedAndRewrittenFileIsReadAgain() {
        let dir = TempDir(); defer { dir.cleanup() }
        let a = RecordCodec.encode(event(opening(), seq: 1))
        dir.write("s/events/noc1.log", a + RecordCodec.encode(event(.note(message: "long note to be cut"), seq: 2, minutes: 1)))
        let f = follower(dir)
        f.store.refresh()
        truncate(dir.path + "/s/events/noc1.log", off_t(a.count))
        dir.append("s/events/noc1.log", RecordCodec.encode(event(.acknowledged, seq: 3, minutes: 2)))
        let (change, took) = timed { f.next(timeout: 5) }
        #expect(change.events.map(\.id.sequence) == [3] && took < 1)
    }

    @Test func aQueueOverflowStillEndsInTheFullState() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        dir.write("s/events/a.log", RecordCodec.encode(event(opening(), host: "a", seq: 1)))
        dir.write("s/events/b.log", [])
        let f = follower(dir)
        f.store.refresh()
        let limit = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "16384") ?? 16384
        // Alternate files so the kernel cannot merge consecutive events.
        let a = FileHandle(forWritingAtPath: dir.path + "/s/events/a.log")!, b = FileHandle(forWritingAtPath: dir.path + "/s/events/b.log")!
        a.seekToEndOfFile(); b.seekToEndOfFile()
        let n = limit / 2 + 200
        for k in 0..<n {
            a.write(Data(RecordCodec.encode(event(.note(message: "a\(k)"), host: "a", seq: k + 2))))
            b.write(Data(RecordCodec.encode(event(.note(message: "b\(k)"), host: "b", seq: k + 1))))
        }
        try a.close(); try b.close()
        _ = f.next(timeout: 5)
        #expect(f.watcher.overflowCount >= 1)
        #expect(f.store.state.eventCount == 1 + 2 * n)
    }

    @Test func pollingAloneSeesChanges() {
        let dir = TempDir(); defer { dir.cleanup() }
        dir.write("s/events/noc1.log", RecordCodec.encode(event(opening(), seq: 1)))
        let f = follower(dir, polling: true, interval: 0.1)
        #expect(!f.watcher.usesInotify && f.watcher.statusDescription.hasPrefix("polling every 100ms"))
        f.store.refresh()
        dir.append("s/events/noc1.log", RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1)))
        let (change, took) = timed { f.next(timeout: 5) }
        #expect(change.events.map(\.id.sequence) == [2] && took < 2)
    }

    @Test func aStoreCreatedAfterTheFollowerStartedIsFound() {
        let dir = TempDir(); defer { dir.cleanup() }
        let f = follower(dir, interval: 0.2)
        #expect(f.next(timeout: 0.3).isEmpty)
        dir.write("s/events/noc1.log", RecordCodec.encode(event(opening(), seq: 1)))
        #expect(f.next(timeout: 5).events.count == 1)
        dir.append("s/events/noc1.log", RecordCodec.encode(event(.acknowledged, seq: 2, minutes: 1)))
        let (change, took) = timed { f.next(timeout: 5) }
        #expect(change.events.count == 1 && took < 0.19, "watched by inotify once it exists")
    }

    @Test func remoteFileSystemsAreRecognised() {
        #expect(FileSystemKind.of("/proc/self").name == "proc")
        for remote in ["nfs", "nfs4", "cifs", "smb3", "fuse.sshfs", "9p"] { #expect(FileSystemKind.isRemoteType(remote)) }
        for local in ["ext4", "xfs", "btrfs", "tmpfs", "overlay"] { #expect(!FileSystemKind.isRemoteType(local)) }
        #expect(FileSystemKind.unescapeMountPath(#"/mnt/my\040store"#) == "/mnt/my store")
    }
}
