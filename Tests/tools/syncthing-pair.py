#!/usr/bin/env python3
"""Two real Syncthing instances on loopback sharing one tierwatch store.

    syncthing-pair.py start BASE      # prints {"a": {...}, "b": {...}} as JSON once both are connected
    syncthing-pair.py stop BASE [a|b] # stops both (or one) instances
    syncthing-pair.py restart BASE b  # starts a stopped instance again

BASE/a and BASE/b hold each instance's home; BASE/store-a and BASE/store-b
are the two sites' copies of the store (the folder "tierwatch"). Loopback
only: no discovery, relays, NAT or usage reporting; the file watcher with a
1 s delay; conflict copies on, as in Syncthing's defaults. Used by the
two-site tests and `tierwatch-bench sites`; never by the product.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def device_id(home):
    out = subprocess.run(["syncthing", "--home=" + home, "--device-id"], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def config(me, peer, store):
    return f"""<configuration version="36">
    <folder id="tierwatch" label="tierwatch" path="{store}" type="sendreceive" rescanIntervalS="60" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false">
        <device id="{me['id']}"></device>
        <device id="{peer['id']}"></device>
        <maxConflicts>10</maxConflicts>
    </folder>
    <device id="{me['id']}" name="{me['name']}"><address>tcp://127.0.0.1:{me['port']}</address></device>
    <device id="{peer['id']}" name="{peer['name']}"><address>tcp://127.0.0.1:{peer['port']}</address></device>
    <gui enabled="true" tls="false"><address>127.0.0.1:{me['gui']}</address><apikey>{me['key']}</apikey></gui>
    <options>
        <listenAddress>tcp://127.0.0.1:{me['port']}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <startBrowser>false</startBrowser>
        <urAccepted>-1</urAccepted>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <crashReportingEnabled>false</crashReportingEnabled>
        <reconnectionIntervalS>1</reconnectionIntervalS>
    </options>
</configuration>
"""


def api(site, path):
    req = urllib.request.Request(f"http://127.0.0.1:{site['gui']}{path}", headers={"X-API-Key": site["key"]})
    with urllib.request.urlopen(req, timeout=2) as r:
        return json.loads(r.read() or b"null")


def launch(base, name, site):
    log = open(os.path.join(base, f"{name}.log"), "ab")
    env = dict(os.environ, STNODEFAULTFOLDER="1", STNOUPGRADE="1")
    p = subprocess.Popen(["syncthing", "serve", "--home=" + site["home"], "--no-browser", "--no-restart", "--skip-port-probing"],
                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    site["pid"] = p.pid


def wait_connected(sites, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            ok = all(api(s, "/rest/system/connections")["connections"].get(peer["id"], {}).get("connected")
                     for s, peer in ((sites["a"], sites["b"]), (sites["b"], sites["a"])))
            if ok:
                return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


def state_file(base):
    return os.path.join(base, "pair.json")


def start(base):
    os.makedirs(base, exist_ok=True)
    sites = {}
    for name in ("a", "b"):
        home = os.path.join(base, name)
        store = os.path.join(base, "store-" + name)
        os.makedirs(store, exist_ok=True)
        os.makedirs(os.path.join(store, ".stfolder"), exist_ok=True)  # Syncthing's folder marker
        subprocess.run(["syncthing", "generate", "--home=" + home, "--no-default-folder"], capture_output=True, check=True)
        sites[name] = {"name": "site-" + name, "home": home, "store": store, "id": device_id(home),
                       "port": free_port(), "gui": free_port(), "key": "tierwatch-test-" + name}
    for me, peer in (("a", "b"), ("b", "a")):
        with open(os.path.join(sites[me]["home"], "config.xml"), "w") as f:
            f.write(config(sites[me], sites[peer], sites[me]["store"]))
    for name in ("a", "b"):
        launch(base, name, sites[name])
    if not wait_connected(sites):
        stop(base, sites=sites)
        sys.exit("syncthing: the two instances did not connect within 60 s (see %s/a.log, b.log)" % base)
    with open(state_file(base), "w") as f:
        json.dump(sites, f)
    print(json.dumps(sites))


def stop(base, which=None, sites=None):
    if sites is None:
        with open(state_file(base)) as f:
            sites = json.load(f)
    for name in ([which] if which else ["a", "b"]):
        pid = sites[name].get("pid")
        if pid:
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                    time.sleep(0.1)
                except ProcessLookupError:
                    break
            sites[name]["pid"] = None
    with open(state_file(base), "w") as f:
        json.dump(sites, f)


def restart(base, which):
    with open(state_file(base)) as f:
        sites = json.load(f)
    launch(base, which, sites[which])
    with open(state_file(base), "w") as f:
        json.dump(sites, f)
    if not wait_connected(sites):
        sys.exit("syncthing: site %s did not reconnect within 60 s" % which)
    print(json.dumps(sites))


if __name__ == "__main__":
    cmd, base = sys.argv[1], sys.argv[2]
    if cmd == "start":
        start(base)
    elif cmd == "stop":
        stop(base, sys.argv[3] if len(sys.argv) > 3 else None)
    elif cmd == "restart":
        restart(base, sys.argv[3])
    else:
        sys.exit("usage: syncthing-pair.py start|stop|restart BASE [a|b]")
