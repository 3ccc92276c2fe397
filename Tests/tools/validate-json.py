#!/usr/bin/env python3
"""Validates JSON on stdin against a schema of docs/openapi.json:
validate-json.py DOC SCHEMA (array|one) [FILE]. Prints "ok" or the errors."""
import json, sys, jsonschema
doc = json.load(open(sys.argv[1]))
name = sys.argv[2]
schema = {"$ref": "#/components/schemas/" + name, "components": doc["components"]}
value = json.load(open(sys.argv[4]) if len(sys.argv) > 4 else sys.stdin)
items = value if sys.argv[3] == "array" else [value]
errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for v in items for e in jsonschema.Draft202012Validator(schema).iter_errors(v)]
print("\n".join(errors[:10]) if errors else "ok")
sys.exit(1 if errors else 0)
