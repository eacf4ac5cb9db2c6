#!/usr/bin/env python3
"""api_examples.py BASE DOC [--update] — runs every example of docs/API.md
against a running server (BASE = http://127.0.0.1:PORT) and prints one
line per example: "ok<TAB>name" or "fail<TAB>name<TAB>why".

An example in the document is a ```http block holding "METHOD PATH"
(PATH may contain {a*N}: N letters a; a line "Body: N bytes" sends a body
of N bytes; a line "Authorization: Bearer $TOKEN" sends that header with
$TOKEN replaced by the environment's HQ_TOKEN; lines starting with "{"
are the body, JSON Lines), then a line "Response: `STATUS ...`", then a ```json or
```text block.  JSON must be equal, except "took_ms" (a timing); for
text, every "# HELP" / "# TYPE" line of the example must be in the reply.
With --update the response blocks are rewritten from the server (for
review before committing, like HQ_UPDATE_GOLDEN).
"""
import json
import os
import re
import sys
import urllib.error
import urllib.request

EXAMPLE = re.compile(
    r"```http\n(?P<req>.*?)\n```\s*\nResponse: `(?P<status>\d{3})[^`]*`\s*\n"
    r"```(?P<kind>json|text)\n(?P<body>.*?)\n```",
    re.S,
)


def expand(path):
    return re.sub(r"\{(.)\*(\d+)\}", lambda m: m.group(1) * int(m.group(2)), path)


def fetch(base, req):
    lines = req.strip().split("\n")
    method, path = lines[0].split(" ", 1)
    data = None
    headers = {}
    records = []
    for line in lines[1:]:
        m = re.match(r"Body: (\d+) bytes", line)
        if m:
            data = b"x" * int(m.group(1))
        elif line.startswith("Authorization: "):
            headers["Authorization"] = line[len("Authorization: "):].replace(
                "$TOKEN", os.environ.get("HQ_TOKEN", ""))
        elif line.startswith("{"):
            records.append(line)
    if records:
        data = ("\n".join(records) + "\n").encode("utf-8")
    r = urllib.request.Request(base + expand(path), data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def strip_timing(v):
    if isinstance(v, dict):
        return {k: (None if k == "took_ms" else strip_timing(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [strip_timing(x) for x in v]
    return v


def check(m, status, body):
    if status != int(m["status"]):
        return "status %d, documented %s" % (status, m["status"])
    if m["kind"] == "json":
        try:
            got = json.loads(body)
        except ValueError:
            return "the reply is not JSON: " + body[:200]
        if strip_timing(got) != strip_timing(json.loads(m["body"])):
            return "reply differs: " + json.dumps(got)[:600]
        return None
    for line in m["body"].split("\n"):
        if line.startswith(("# HELP", "# TYPE")) and line not in body.split("\n"):
            return "missing line: " + line
    return None


def render(m, body):
    if m["kind"] == "json":
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    return body.rstrip("\n")


def main():
    base, doc = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    text = open(doc, encoding="utf-8").read()
    out, at, n = [], 0, 0
    for m in EXAMPLE.finditer(text):
        n += 1
        name = m["req"].split("\n")[0]
        name = re.sub(r"\{(.)\*(\d+)\}", r"<\2 × \1>", name)
        status, body = fetch(base, m["req"])
        why = check(m, status, body)
        print("ok\t%s" % name if why is None else "fail\t%s\t%s" % (name, why))
        if update:
            out.append(text[at:m.start("body")])
            out.append(render(m, body))
            at = m.end("body")
    if n == 0:
        print("fail\texamples of %s\tnone found" % doc)
    if update:
        out.append(text[at:])
        open(doc, "w", encoding="utf-8").write("".join(out))


if __name__ == "__main__":
    main()
