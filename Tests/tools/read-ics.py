#!/usr/bin/env python3
"""Reads an iCalendar feed with the icalendar library (PyPI `icalendar`)
and prints its events as JSON lines: uid, start, end (UTC, ISO 8601), the
start in ZONE as "Mon 09:00", summary, description. Exit 2 when the feed
does not parse. Used by the on-call calendar tests.

    read-ics.py FILE ZONE
"""
import json
import sys
from datetime import timezone
from zoneinfo import ZoneInfo

try:
    import icalendar
except ImportError:
    print("icalendar is missing: python3 -m pip install icalendar (or bash .ci/deps)", file=sys.stderr)
    sys.exit(3)

path, zone = sys.argv[1], ZoneInfo(sys.argv[2])
with open(path, "rb") as f:
    raw = f.read()
try:
    cal = icalendar.Calendar.from_ical(raw)
except Exception as e:  # noqa: BLE001 - any parse failure is the answer
    print(f"not a calendar: {e}", file=sys.stderr)
    sys.exit(2)
print(json.dumps({"calendar": str(cal.get("X-WR-CALNAME", "")), "version": str(cal.get("VERSION", ""))}))
for ev in cal.walk("VEVENT"):
    start = ev.decoded("DTSTART").astimezone(timezone.utc)
    end = ev.decoded("DTEND").astimezone(timezone.utc)
    print(json.dumps({
        "uid": str(ev.get("UID")),
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "local": start.astimezone(zone).strftime("%a %H:%M"),
        "summary": str(ev.get("SUMMARY")),
        "description": str(ev.get("DESCRIPTION", "")),
        "categories": [str(c) for c in ev.get("CATEGORIES").cats] if ev.get("CATEGORIES") is not None else [],
    }))
