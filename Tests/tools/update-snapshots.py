#!/usr/bin/env python3
"""Rewrites the frame snapshots in Tests/DashboardTests after a deliberate
change of the screens: each `#expect(EXPR.text == \"\"\" ... \"\"\")` gets the
frame EXPR draws now. It writes a temporary test that prints every EXPR,
runs it, puts the frames into the literals and removes the temporary test.
Read the diff before committing it: a snapshot is a specification."""
import glob, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tests = os.path.join(root, "Tests", "DashboardTests")
# A new snapshot may be written empty (`== """` then `"""`) to be filled in.
pattern = re.compile(r'#expect\((?P<expr>[^\n]*?)\.text == """\n(?:(?P<body>.*?)\n)??(?P<indent> *)"""\)', re.S)

sites = []
for path in sorted(glob.glob(os.path.join(tests, "*.swift"))):
    for m in pattern.finditer(open(path).read()):
        sites.append((path, m.group("expr")))
if not sites:
    sys.exit("no snapshots found")

dump = os.path.join(tests, "ZZSnapshotDump.swift")
import tempfile
scratch = tempfile.mkdtemp(prefix="snapshots-")
with open(dump, "w") as f:
    f.write("import Dashboard\nimport Escalation\nimport Foundation\nimport Testing\n\n@Suite struct ZZSnapshotDump {\n    @Test func dump() throws {\n")
    for k, (_, expr) in enumerate(sites):
        f.write(f'        try ({expr}.text).write(toFile: "{scratch}/{k}.txt", atomically: true, encoding: .utf8)\n')
    f.write("    }\n}\n")
try:
    out = subprocess.run(["swift", "test", "--filter", "ZZSnapshotDump"], cwd=root, capture_output=True, text=True).stdout
finally:
    os.remove(dump)

frames = {}
for k in range(len(sites)):
    try:
        frames[k] = open(os.path.join(scratch, f"{k}.txt")).read()
    except OSError:
        sys.exit(f"snapshot {k} ({sites[k][1]}) was not written; is the build broken?\n{out[-2000:]}")

changed = 0
for path in sorted({p for p, _ in sites}):
    text = open(path).read()
    def replace(m):
        global changed
        k = next(i for i, (p, e) in enumerate(sites) if p == path and e == m.group("expr") and i not in used)
        used.add(k)
        indent = m.group("indent")
        body = "\n".join((indent + line) if line else "" for line in frames[k].split("\n"))
        new = f'#expect({m.group("expr")}.text == """\n{body}\n{indent}""")'
        if new != m.group(0):
            changed += 1
        return new
    used = set()
    text = pattern.sub(replace, text)
    open(path, "w").write(text)
print(f"{len(sites)} snapshots, {changed} rewritten")
