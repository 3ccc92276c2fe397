#!/usr/bin/env python3
"""Hostile clients against a live `tierwatch serve` (issue 27): oversized
headers, a crowd of idle and half-sent connections past the descriptor
limit, and big reads, while /healthz is asked every 100 ms and a hook must
still fire. Prints the figures (healthz's latency under the crowd against
a quiet baseline taken first, in the same run); exits 1 naming what
failed. The latency is a figure, not a check, unless P90_LIMIT_MS is
given (the benchmark stage gives it: Tests/soak/hostile-bench.sh; a test
on a shared machine does not).

usage: hostile-clients.py PORT PID SECONDS RAISE_CMD HOOK_FILE [P90_LIMIT_MS]
"""
import os, socket, subprocess, sys, threading, time

port, pid, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
raise_cmd, hook_file = sys.argv[4], sys.argv[5]
p90_limit = float(sys.argv[6]) if len(sys.argv) > 6 else None
failures = []


def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))


def soft_limit():
    for line in open(f"/proc/{pid}/limits"):
        if line.startswith("Max open files"):
            return int(line.split()[3])


def request(path, timeout=2.0):
    """One request on a new connection: (status, seconds, body) or (0, seconds, error)."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
        return status, time.monotonic() - t0, data
    except Exception as e:
        return 0, time.monotonic() - t0, str(e).encode()


base = fds()
limit = soft_limit()
print(f"serve pid {pid}: {base} descriptors open, soft limit {limit}")

# 0. The baseline: healthz with nobody else asking, in this run.
quiet = []
for _ in range(30):
    quiet.append(request("/healthz", timeout=2)[1] * 1000)
    time.sleep(0.02)
quiet.sort()

# 1. Oversized headers: each refused with 431 and its socket closed by
#    serve, although the client keeps its end open and unread data waits.
big = []
for _ in range(50):
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n")
    except OSError:
        pass  # serve closed it mid-send: refused early
    big.append(s)
time.sleep(1.0)
statuses = []
for s in big:
    try:
        s.settimeout(1)
        statuses.append(s.recv(64).split(b" ")[1:2])
    except Exception:
        statuses.append([b"closed"])
leaked = fds() - base
print(f"oversized headers: 50 sent, answers {sorted(set(x[0].decode() if x else '?' for x in statuses))}, descriptors held after: {leaked}")
if leaked > 5:
    failures.append(f"{leaked} descriptors still held for refused clients (leak)")
if not any(x == [b"431"] for x in statuses):
    failures.append(f"no 431 for an oversized header: {statuses[:3]}")

# 2. A crowd past the descriptor limit: idle connections and half-sent
#    requests (a byte every half second), with health asked every 100 ms,
#    big reads running, and an incident raised whose hook must fire.
crowd = []
stop = threading.Event()


def open_crowd():
    for k in range(limit + 200):
        if stop.is_set():
            return
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            if k % 4 == 0:
                s.sendall(b"GET /healthz HTTP/1.1\r\n")  # and never the rest
            crowd.append(s)
        except OSError:
            time.sleep(0.01)


def slowloris():
    while not stop.is_set():
        for s in list(crowd[::4]):
            try:
                s.sendall(b"X")
            except OSError:
                pass
        time.sleep(0.5)


reads = []


def big_reads():
    while not stop.is_set():
        status, took, _ = request("/api/v1/incidents?all=true&limit=1000", timeout=30)
        reads.append((status, took))


threads = [threading.Thread(target=f, daemon=True) for f in (open_crowd, slowloris, big_reads)]
for t in threads:
    t.start()
health = []
peak = 0
raised_at = None
hook_after = None
t_end = time.monotonic() + seconds
while time.monotonic() < t_end:
    status, took, body = request("/healthz", timeout=2)
    health.append((status, took))
    peak = max(peak, fds())
    if raised_at is None and time.monotonic() > t_end - seconds + 1.5:
        subprocess.run(raise_cmd, shell=True, check=True, stdout=subprocess.DEVNULL)
        raised_at = time.monotonic()
    if raised_at and hook_after is None and os.path.exists(hook_file):
        hook_after = time.monotonic() - raised_at
    time.sleep(0.1)
stop.set()
for s in crowd + big:
    s.close()
answered = [t for s, t in health if s == 200]
times = sorted(t * 1000 for _, t in health)
p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(f"crowd: {len(crowd)} connections opened (soft limit {limit}); serve held at most {peak} descriptors")
print(f"healthz: {len(answered)} of {len(health)} answered 200; p50 {p(0.5):.1f} ms, p90 {p(0.9):.1f} ms, max {times[-1]:.1f} ms")
q50, q90 = quiet[len(quiet) // 2], quiet[min(len(quiet) - 1, int(0.9 * len(quiet)))]
print(f"healthz quiet (baseline, same run): p50 {q50:.1f} ms, p90 {q90:.1f} ms; "
      f"under the crowd / quiet: p50 x{p(0.5) / max(q50, 0.001):.2f}, p90 x{p(0.9) / max(q90, 0.001):.2f}")
print(f"big reads (limit=1000): {len(reads)} done, statuses {sorted(set(s for s, _ in reads))}")
print(f"hook: {'fired %.1f s after the incident was raised' % hook_after if hook_after is not None else 'DID NOT FIRE'}")
if len(answered) != len(health):
    failures.append(f"{len(health) - len(answered)} of {len(health)} health checks were not answered 200")
if p90_limit is not None and p(0.9) > p90_limit:
    failures.append(f"healthz p90 {p(0.9):.1f} ms > {p90_limit:.0f} ms")
if hook_after is None:
    failures.append("the hook did not fire during the crowd")
if peak >= limit:
    failures.append(f"serve reached its descriptor limit ({peak} of {limit})")
if not reads or any(s != 200 for s, _ in reads):
    failures.append(f"big reads failed: {reads[:5]}")
if failures:
    print("FAILED: " + "; ".join(failures))
    sys.exit(1)
print("ok")
