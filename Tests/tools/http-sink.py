#!/usr/bin/env python3
"""A tiny HTTP receiver for tests: answers every POST with STATUS (default
200) and appends one JSON line per request to OUT: {"path", "body"}.
Prints its port on stdout once listening.

    http-sink.py OUT [STATUS [DELAY]]

DELAY: seconds to wait before answering (a slow receiver).
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

out, status = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0)).decode("utf-8", "replace")
        with open(out, "a") as f:
            f.write(json.dumps({"path": self.path, "body": body}) + "\n")
        time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
