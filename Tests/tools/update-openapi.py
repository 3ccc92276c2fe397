#!/usr/bin/env python3
"""Writes serve's OpenAPI 3.1 document: docs/openapi.json (the published
copy) and Sources/Serve/OpenAPI.swift (what GET /api/v1/openapi.json
serves). The Wire types' schemas are written from the types themselves
(`tierwatch-bench wire-schemas`, which this builds); this script adds what
a type cannot say. The tests check the served document equals docs/openapi.json and
that real responses match it (schemathesis; the incident's keys against the
CLI's --json). Edit here, run it, commit both files."""
import json, os, subprocess

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

def nullable(t, **kw):
    return {"type": [t, "null"], **kw}

ref = lambda name: {"$ref": f"#/components/schemas/{name}"}
time = {"type": "string", "format": "date-time"}
ntime = {"type": ["string", "null"], "format": "date-time"}

def obj(props, required=None, extra=False, **kw):
    return {"type": "object", "properties": props, "required": sorted(props) if required is None else required,
            "additionalProperties": extra, **kw}

person = obj({"id": {"type": "string"}, "name": {"type": "string"}, "phones": {"type": "array", "items": {"type": "string"}},
              "email": nullable("string"), "zone": nullable("string"), "note": nullable("string")})
contact = obj({
    "id": {"type": "string"}, "name": {"type": "string"}, "role": nullable("string"),
    "phone": nullable("string", description="The number to dial: the person's on call, else the contact's."),
    "email": nullable("string"), "person": {"oneOf": [ref("Person"), {"type": "null"}]},
    "schedule": nullable("string"), "on_call_until": ntime, "override": nullable("string"),
    "nobody_on_call": {"type": "boolean"},
    "on_call_at_start": {"oneOf": [ref("Person"), {"type": "null"}]},
    "outcome": {"type": ["string", "null"], "enum": ["reached", "voicemail", "no_answer", None]},
    "by": nullable("string"), "at": ntime,
    "called_person": {"oneOf": [obj({"id": {"type": "string"}, "name": {"type": "string"}}), {"type": "null"}]},
    "reached_at": ntime,
})
tier = obj({
    "index": {"type": "integer", "minimum": 0}, "id": {"type": "string"}, "name": {"type": "string"},
    "status": {"type": "string", "enum": ["pending", "active", "overdue", "done", "late", "missed", "not_started"]},
    "started_at": ntime, "scheduled_start_at": ntime, "due_at": ntime,
    "remaining_seconds": nullable("integer"), "met_at": ntime, "late_seconds": nullable("integer"),
    "progress": {"type": "number", "minimum": 0, "maximum": 1},
    "contacts": {"type": "array", "items": ref("Contact")},
})
entry = obj({
    "at": time, "recorded_at": time, "operator": {"type": "string"}, "unix_user": {"type": "string"},
    "type": {"type": "string"}, "text": {"type": "string"}, "stale": {"type": "boolean"},
    "stale_reason": nullable("string"), "backdated": {"type": "boolean"}, "event_id": {"type": "string"},
})
incident = obj({
    "id": {"type": "string", "pattern": "^[0-9A-Z]{4}$"}, "title": {"type": "string"}, "customer": nullable("string"),
    "severity": {"type": "string", "enum": ["sev1", "sev2", "sev3", "sev4"]},
    "state": {"type": "string", "enum": ["open", "acknowledged", "resolved"]},
    "opened_at": time, "opened_by": {"type": "string"},
    "acknowledged_at": ntime, "acknowledged_by": nullable("string"),
    "resolved_at": ntime, "resolved_by": nullable("string"), "resolution": nullable("string"),
    "version": {"type": "integer", "minimum": 1},
    "policy": obj({"name": {"type": "string"}, "version": {"type": "integer"}, "digest": {"type": "string"}}),
    "tier": nullable("integer", description="The current tier's index."),
    "next_deadline_at": ntime, "next_deadline": nullable("string"),
    "next_action": {"type": "string", "description": "What to do now, in words."},
    "policy_problem": nullable("string"), "next_customer_update_at": ntime,
    "tiers": {"type": "array", "items": ref("Tier")},
    "timeline": {"type": "array", "items": ref("TimelineEntry")},
}, description="An incident as `tierwatch show --json` prints it.")
incident_summary = obj({k: v for k, v in incident["properties"].items() if k not in ("tiers", "timeline")},
                       description="The incident without its tiers and timeline, as the event stream gives it beside each line.")
record = {"type": "object", "description": "The event as its record says (docs/store-format.md), less an opening's policy text and the crc."}
stream_event = obj({"event": record, "incident": ref("IncidentSummary")}, description="A line of the event stream: an event on an incident.")
stream_on_call = obj({"event": record, "oncall": {"type": "boolean", "const": True}},
                     description="A line of the event stream: an on-call override set or removed.")
stream_overruled = obj({"overruled": record, "reason": {"type": "string"}, "incident": ref("IncidentSummary")},
                       description="A line of the event stream: an event recorded but not applied (made on a version another operator had moved on from).")
stream_deadline = obj({"deadline": obj({"incident": {"type": "string"}, "tier": nullable("integer", description="null: the customer update."),
                                        "status": {"type": "string", "enum": ["started", "overdue", "update_overdue"]},
                                        "at": time, "text": {"type": "string"}}),
                       "incident": ref("IncidentSummary")},
                      description="A line of the event stream: a deadline the clock passed, with nobody recording anything.")
keepalive = obj({"keepalive": time}, description="What serve's event stream sends after 15 quiet seconds.")
stream_lines = ["StreamEvent", "StreamOnCall", "StreamOverruled", "StreamDeadline", "Keepalive"]
hook_payload = obj({
    "hook": {"type": "string"}, "trigger": {"type": "string", "enum": ["incident_opened", "tier_started", "tier_overdue", "customer_update_due",
                                                                       "acknowledged", "escalated", "resolved"]},
    "at": time, "key": {"type": "string", "description": "The idempotency key: the same for every try of one occurrence."},
    "late": {"type": "boolean"}, "tier": nullable("string"),
    "contacts": {"type": "array", "items": obj({"contact": {"type": "string"}, "name": {"type": "string"}, "phone": nullable("string")})},
    "incident": obj({k: v for k, v in incident["properties"].items() if k != "timeline"}, description="The incident without its timeline."),
}, description="What a hook gets: on stdin, or as the body of its POST (with an Idempotency-Key header).")
error = obj({"error": {"type": "string"}})
labels = {"type": "object", "additionalProperties": {"type": "string"}}
alert = obj({
    "status": {"type": "string", "enum": ["firing", "resolved"]}, "labels": labels, "annotations": labels,
    "startsAt": {"type": "string", "description": "RFC 3339"}, "endsAt": {"type": "string", "description": "RFC 3339"},
    "generatorURL": {"type": "string"}, "fingerprint": {"type": "string"},
}, required=["status", "fingerprint"], extra=True)
group = obj({
    "version": {"type": "string", "const": "4"}, "receiver": {"type": "string"},
    "status": {"type": "string", "enum": ["firing", "resolved"]}, "groupKey": {"type": "string"},
    "truncatedAlerts": {"type": "integer", "minimum": 0}, "groupLabels": labels, "commonLabels": labels,
    "commonAnnotations": labels, "externalURL": {"type": "string"},
    "alerts": {"type": "array", "items": ref("Alert")},
}, required=["version", "receiver", "status", "groupKey", "alerts"], extra=True,
   description="Alertmanager's webhook payload, version 4. Unknown fields are ignored.")
new_incident = obj({
    "title": {"type": "string", "minLength": 1, "maxLength": 256}, "customer": {"type": ["string", "null"], "maxLength": 128},
    "severity": {"type": "string", "enum": ["sev1", "sev2", "sev3", "sev4"], "default": "sev2"},
    "dedup_key": {"type": ["string", "null"], "maxLength": 256},
}, required=["title"], extra=True)
health = obj({"status": {"type": "string", "enum": ["ok", "degraded"]},
              "problem": nullable("string", description="Which part of the store cannot be read, or what is stuck (null when ok).")})
intake = obj({"incidents": {"type": "array", "items": obj({"id": {"type": "string"}, "did": {"type": "string", "enum": ["opened", "noted", "resolved"]}})},
              "alerts": {"type": "integer", "minimum": 0}})

# What the CLI prints with --json besides the incident (serve does not
# serve these): held to these schemas by WireFormatTests, key for key.
nint = nullable("integer")
nnum = nullable("number")
pct = obj({"p50": nint, "p90": nint, "count": {"type": "integer", "minimum": 0}})
clocks = obj({"tolerance_seconds": {"type": "number"},
              "hosts": {"type": "array", "items": obj({"host": {"type": "string"}, "offset_seconds": {"type": "number"}, "evidence": {"type": "string"}})},
              "this_machine": {"oneOf": [obj({"offset_seconds": {"type": "number"}, "evidence": {"type": "string"}}), {"type": "null"}]},
              "incidents": {"type": "array", "items": {"type": "string"}}},
             description="Clocks found off (`ClockReading`): whose figures rest on them.")
report = obj({
    "group": nullable("string"), "from": time, "to": time, "incidents": {"type": "integer", "minimum": 0},
    "steps": {"type": "array", "items": obj({
        "tier": {"type": "string"}, "name": {"type": "string"}, "rule": {"type": "string"},
        "reached": {"type": "integer"}, "met": {"type": "integer"}, "late": {"type": "integer"}, "missed": {"type": "integer"},
        "share_met": nnum, "lateness_seconds": ref("Percentiles"), "lateness_max_seconds": nint})},
    "customer_updates": obj({"intervals": {"type": "integer"}, "on_time": {"type": "integer"},
                             "longest_silence_seconds": nint, "longest_silence_incident": nullable("string")}),
    "mtta_seconds": ref("Percentiles"), "unacknowledged": {"type": "integer"}, "mttr_seconds": ref("Percentiles"),
    "time_to_engage_technical_seconds": ref("Percentiles"),
    "time_to_engage_tiers": {"type": "array", "items": {"type": "string"}, "description": "The names of the tiers time to engage measures (the policy's engage:)."},
    "worst": {"type": "array", "items": obj({"id": {"type": "string"}, "title": {"type": "string"},
                                             "late_seconds": {"type": "integer"}, "silence_seconds": {"type": "integer"}})},
    "weekly": {"type": "array", "items": obj({"week": time, "share_met": nnum})},
    "clocks": ref("Clocks"),
}, description="One group of `tierwatch report --json` (an array of these).")
brief = obj({"id": {"type": "string"}, "title": {"type": "string"}, "severity": {"type": "string"}, "state": {"type": "string"},
             "owner": nullable("string"), "next": {"type": "string"}})
handover = obj({
    "from": time, "to": time, "open": {"type": "array", "items": ref("HandoverIncident")},
    "due_within_an_hour": {"type": "array", "items": obj({"id": {"type": "string"}, "deadline": {"type": "string"}, "at": time})},
    "opened": {"type": "array", "items": ref("HandoverIncident")}, "resolved": {"type": "array", "items": ref("HandoverIncident")},
    "breaches": {"type": "array", "items": obj({"id": {"type": "string"}, "tier": {"type": "string"}, "status": {"type": "string"}, "due_at": ntime})},
    "late_customer_updates": {"type": "array", "items": obj({"id": {"type": "string"}, "due_at": time, "late_seconds": nint})},
    "notes": {"type": "array", "items": obj({"id": {"type": "string"}, "by": {"type": "string"}, "at": time, "text": {"type": "string"}})},
    "handoffs": {"oneOf": [{"type": "array", "items": obj({"schedule": {"type": "string"}, "at": time, "person": nullable("string")})},
                           {"type": "null"}], "description": "null: not known (the policy file does not parse)."},
    "clocks": ref("Clocks"),
}, description="`tierwatch handover --json`.")
override = obj({"id": {"type": "string"}, "schedule": {"type": "string"}, "person": ref("Person"), "from": time, "to": time,
                "replacing": nullable("string"), "cancelled_at": ntime, "by": nullable("string"), "recorded_at": ntime})
maybe_person = {"oneOf": [ref("Person"), {"type": "null"}]}
on_call = obj({"schedule": obj({"id": {"type": "string"}, "name": {"type": "string"}, "zone": {"type": "string"}}),
               "person": maybe_person, "until": ntime, "override": {"oneOf": [ref("Override"), {"type": "null"}]},
               "next": maybe_person, "at": time}, description="One row of `tierwatch oncall --json` (an array of these).")
on_call_turns = obj({"schedule": {"type": "string"}, "from": time, "to": time, "on_call_at_start": maybe_person,
                     "handoffs": {"type": "array", "items": obj({"at": time, "person": maybe_person})}},
                    description="One schedule of `tierwatch oncall SCHEDULE --next SPAN --json` (an array of these).")

def resp(desc, schema=None, ctype="application/json", headers=None):
    r = {"description": desc}
    if schema is not None:
        r["content"] = {ctype: {"schema": schema}}
    if headers:
        r["headers"] = headers
    return r

err = lambda d: resp(d, ref("Error"))
# A JSON-lines body: the schema of a line is in x-line-schema (OpenAPI 3.1
# has no schema for a line of a stream).
stream_response = resp("JSON lines, each a StreamEvent, StreamOnCall, StreamOverruled or StreamDeadline; a Keepalive after 15 quiet seconds.",
                       {"type": "string"}, "application/x-ndjson")
stream_response["content"]["application/x-ndjson"]["x-line-schema"] = {"oneOf": [ref(n) for n in stream_lines]}
unauthorized = resp("No valid bearer token.", ref("Error"), headers={"WWW-Authenticate": {"schema": {"type": "string"}}})
common = {"401": unauthorized, "405": err("A method this path does not take (`Allow` names those it does)."),
          "414": err("The request target is over 4 KiB."), "431": err("The request line or headers are too large.")}
doc = {
    "openapi": "3.1.0",
    "info": {"title": "tierwatch serve", "version": "1",
             "description": "Incidents from Alertmanager, the incident API, metrics and health of a tierwatch store. "
                            "Every endpoint but /healthz and this document needs `Authorization: Bearer TOKEN` when serve has a token.",
             "license": {"name": "see the repository"}},
    "servers": [{"url": "http://127.0.0.1:9095"}],
    "security": [{"bearer": []}],
    "paths": {
        "/healthz": {"get": {"operationId": "health", "security": [], "summary": "Whether the whole store is read.",
                             "responses": {"200": resp("The whole store is read.", ref("Health")),
                                           "503": resp("Part of the store cannot be read, or serve is stuck; `problem` says which.", ref("Health")),
                                           **{k: v for k, v in common.items() if k != "401"}}}},
        "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus text exposition.",
                             "responses": {"200": resp("The metrics.", {"type": "string"}, "text/plain"), **common}}},
        "/api/v1/openapi.json": {"get": {"operationId": "openapi", "security": [], "summary": "This document.",
                                         "responses": {"200": resp("OpenAPI 3.1.", {"type": "object"}), **{k: v for k, v in common.items() if k != "401"}}}},
        "/api/v1/alertmanager": {"post": {
            "operationId": "alertmanagerWebhook", "summary": "Alertmanager's webhook: one incident per group.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("AlertGroup")}}},
            "responses": {"200": resp("What the payload did, per incident.", ref("IntakeResult")),
                          "400": err("Not a version 4 payload; `error` names the field."),
                          "413": err("Over 1 MiB."), "503": err("The policy does not parse; nothing was opened."), **common}}},
        "/api/v1/incidents": {
            "get": {"operationId": "listIncidents", "summary": "The incidents, most urgent first, a page at a time.",
                    "parameters": [
                        {"name": "all", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}, "description": "Include resolved incidents."},
                        {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["urgency", "opened"], "default": "urgency"},
                         "description": "urgency: most urgent first (incidents move between pages as they change); opened: oldest first, stable, for reading every incident once."},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                        {"name": "after", "in": "query", "schema": {"type": "string"}, "description": "The last id of the page before."}],
                    "responses": {"200": resp("A page of incidents.", {"type": "array", "items": ref("Incident")},
                                              headers={"Link": {"schema": {"type": "string"}, "description": "`<…>; rel=\"next\"` unless this is the last page."},
                                                       "X-Total-Count": {"schema": {"type": "string"}, "description": "How many incidents the whole list has."}}),
                                  "400": err("A bad limit or order, or an after no longer listed."), **common}},
            "post": {"operationId": "raiseIncident", "summary": "Open an incident (or return the open one with the same dedup_key).",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": ref("NewIncident")}}},
                     "responses": {"201": resp("Opened.", ref("Incident")), "200": resp("Already open with this dedup_key.", ref("Incident")),
                                   "400": err("A field is missing or wrong; `error` names it."), "413": err("Over 1 MiB."),
                                   "503": err("The policy does not parse; nothing was opened."), **common}}},
        "/api/v1/incidents/{id}": {"get": {
            "operationId": "showIncident", "summary": "One incident.",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": resp("The incident.", ref("Incident")), "404": err("No such incident."), **common}}},
        **{path: {"get": {
            "operationId": op, "summary": summary,
            "security": [{"bearer": []}, {"calendarKey": []}],
            "parameters": [{"name": "file", "in": "path", "required": True, "schema": {"type": "string"}, "description": what},
                           {"name": "weeks", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 52, "default": 8}}],
            "responses": {"200": resp("An RFC 5545 calendar: one VEVENT per shift (UTC; UID = schedule and start, stable across fetches).",
                                      {"type": "string"}, "text/calendar"),
                          "400": err("weeks out of range."), "404": err(f"Not NAME.ics, or no such {noun}."),
                          "503": err("The policy does not parse."), **common}}}
           for path, op, summary, what, noun in [
               ("/api/v1/oncall/{file}", "scheduleCalendar", "A schedule's shifts ahead, with overrides, as a calendar to subscribe to.",
                "SCHEDULE.ics: the schedule's id or name.", "schedule"),
               ("/api/v1/oncall/people/{file}", "personCalendar", "One person's shifts ahead in every schedule, as a calendar to subscribe to.",
                "PERSON.ics: the person's id in the directory.", "person")]},
        "/api/v1/events": {"get": {
            "operationId": "events", "summary": "The stream `tierwatch watch --json` prints, one JSON object a line, for as long as the client listens.",
            "responses": {"200": stream_response, **common}}},
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                            "calendarKey": {"type": "apiKey", "in": "query", "name": "key",
                                            "description": "serve --calendar-key-file: opens the calendar feeds only (calendar programs send no header)."}},
        "schemas": {"Incident": incident, "Tier": tier, "Contact": contact, "Person": person, "TimelineEntry": entry,
                    "Error": error, "Health": health, "IncidentSummary": incident_summary,
                    "StreamEvent": stream_event, "StreamOnCall": stream_on_call, "StreamOverruled": stream_overruled,
                    "StreamDeadline": stream_deadline, "Keepalive": keepalive, "AlertGroup": group, "Alert": alert, "NewIncident": new_incident,
                    "IntakeResult": intake, "Percentiles": pct, "Clocks": clocks, "Report": report, "HandoverIncident": brief,
                    "Handover": handover, "Override": override, "OnCall": on_call, "OnCallHandoffs": on_call_turns,
                    "HookPayload": hook_payload},
    },
    "webhooks": {
        "hook": {"post": {"summary": "A hook with post: in the policy: what serve sends when its trigger happens.",
                          "requestBody": {"required": True, "content": {"application/json": {"schema": ref("HookPayload")}}},
                          "responses": {"2XX": {"description": "Received; any other answer is retried as the hook's retries: say."}}}},
    },
}

# The schemas of the Wire types are the types': their members, types and
# nulls come from `tierwatch-bench wire-schemas` (read from the Swift types),
# so a property added to a type is in the document when this runs again.
# What is written above only adds what a type cannot say: descriptions,
# enums, bounds, patterns, a member's schema by name.
STRUCTURE = {"type", "format", "properties", "required", "additionalProperties", "items", "oneOf", "$ref"}

def annotations(written):
    return {k: v for k, v in (written or {}).items() if k not in STRUCTURE}

def overlay(generated, written):
    """The generated schema, with what the written one adds where they agree."""
    if not written:
        return generated
    if "properties" in generated:
        props = (written.get("properties") or {})
        return {**annotations(written), **generated,
                "properties": {k: overlay(v, props.get(k)) for k, v in generated["properties"].items()}}
    if "items" in generated:
        return {**annotations(written), **generated, "items": overlay(generated["items"], written.get("items"))}
    if "oneOf" in generated:
        inner = next((o for o in written.get("oneOf", []) if o.get("type") != "null"), None)
        return {**annotations(written), "oneOf": [overlay(generated["oneOf"][0], inner), {"type": "null"}]}
    if "$ref" in generated:
        return {**annotations(written), **generated}
    return {**annotations(written), **generated}

def wire_schemas():
    subprocess.run(["swift", "build", "--product", "tierwatch-bench"], cwd=root, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([os.path.join(root, ".build/debug/tierwatch-bench"), "wire-schemas"], cwd=root, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)

schemas = doc["components"]["schemas"]
for name, generated in wire_schemas().items():
    schemas[name] = overlay(generated, schemas.get(name))

text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
open(os.path.join(root, "docs/openapi.json"), "w").write(text)
# The Swift source holds the same text in lines of about 60 of its lines
# each (a raw string per line, "\\##n" its newlines): a short file to read,
# the same bytes served.
lines = text.rstrip("\n").split("\n")
assert not any('"##' in l for l in lines), "a line would end the raw string"
chunks = ["\\##n".join(lines[k:k + 60]) for k in range(0, len(lines), 60)]
swift = ("// Generated by Tests/tools/update-openapi.py from the same source as\n"
         "// docs/openapi.json; edit the script, not this file.\n\n"
         "/// serve's OpenAPI 3.1 document, served at `/api/v1/openapi.json`.\n"
         "enum OpenAPI {\n    static let document = [\n"
         + ",\n".join('        ##"' + c + '"##' for c in chunks)
         + ',\n    ].joined(separator: "\\n")\n}\n')
open(os.path.join(root, "Sources/Serve/OpenAPI.swift"), "w").write(swift)
print("docs/openapi.json and Sources/Serve/OpenAPI.swift written")
