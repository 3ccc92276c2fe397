#!/usr/bin/python3
"""A local SMTP receiver for tests (Debian's python3-aiosmtpd): accepts
every message and appends one JSON line per message to OUT: {"from", "to",
"subject", "body"} (the body as text, decoded). Prints its port on stdout
once listening.

    /usr/bin/python3 smtp-sink.py OUT
"""
import email
import json
import socket
import sys
import time
from email import policy

from aiosmtpd.controller import Controller

out = sys.argv[1]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        part = msg.get_body(preferencelist=("plain", "html"))
        text = part.get_content() if part is not None else ""
        with open(out, "a") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                "subject": str(msg["subject"] or ""), "body": text.replace("\r\n", "\n")}) + "\n")
        return "250 OK"


probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
while True:
    time.sleep(3600)
