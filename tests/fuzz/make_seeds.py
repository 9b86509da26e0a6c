#!/usr/bin/python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ from real inputs:
the example repository's config, the bench rule sets, the bad-config
catalog, the YAML examples and globs of docs/rules.md, and encoded cache
records and worker frames (the byte format of engine/wire.h). Run it from
anywhere; it only adds files named seed-*, so reproducers stay."""
import json
import os
import re
import struct
import glob as pyglob

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


rules_md = read("docs/rules.md")
yaml_blocks = re.findall(r"```yaml\n(.*?)```", rules_md, re.S)
examples = [json.loads(m) for m in re.findall(r"<!-- example: (\{.*?\}) -->", rules_md, re.S)]

# config_fuzzer: files separated by a line "#%%" (see config_fuzzer.cc).
write("config", "example", read("fixtures/example/sotinc.yaml") + "\n#%%\n" +
      read("fixtures/example/rules/docs.yaml"))
for p in sorted(pyglob.glob(os.path.join(ROOT, "fixtures/rules/*.yaml"))):
    if os.path.getsize(p) > 16384:  # bench-400.yaml: big, and the same shape again
        continue
    write("config", "fixture-" + os.path.basename(p), read(p))
for i, block in enumerate(yaml_blocks):
    if block.startswith("version:"):
        write("config", "rules-md-%02d.yaml" % i, block)
for p in sorted(pyglob.glob(os.path.join(ROOT, "tests/bad_configs/*.yaml"))):
    write("config", "bad-" + os.path.basename(p), read(p))

# glob_fuzzer: a pattern line, then paths.
globs = set()
for m in re.finditer(r'(?:files|parents|dirs|ignore|include): *(\[[^\]\n]*\]|"[^"\n]*"|\'[^\'\n]*\'|[^\s{},]+)',
                     rules_md + read("fixtures/example/sotinc.yaml")):
    v = m.group(1)
    for g in re.findall(r'"([^"]*)"|\'([^\']*)\'|([^\s\[\],"\']+)', v):
        g = next(x for x in g if x)
        if g.startswith("!"):
            g = g[1:]
        globs.add(g)
for m in re.finditer(r"`([^`\s]*[*?<{\[][^`\s]*)`", rules_md):
    if not re.search(r"[()^$|+]", m.group(1)):
        globs.add(m.group(1))
globs = {g.strip('"\'') for g in globs if g.strip('"\'')}
paths = set()
for ex in examples:
    paths.update(ex.get("files", {}).keys())
paths = sorted(paths)
for i, g in enumerate(sorted(globs)):
    write("glob", "%03d" % i, g + "\n" + "\n".join(paths[i % 7::7][:12]))

# yaml_check_fuzzer: file contents.
n = 0
for ex in examples:
    for path, content in sorted(ex.get("files", {}).items()):
        if path.endswith((".yaml", ".yml", ".json")):
            write("yaml_check", "rules-md-%03d" % n, content)
            n += 1
for p in sorted(pyglob.glob(os.path.join(ROOT, "fixtures/example/*/shards/*/*.yaml"))):
    write("yaml_check", "example-" + os.path.relpath(p, ROOT).replace("/", "_"), read(p))


# codec_fuzzer: a selector byte (0 rule result, 1 findings, 2 job,
# 3 outcome, 7 run memo, 8 base of --staged/--since), then the record.
def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def zigzag(v):
    return varint(((v << 1) ^ (v >> 63)) & 0xFFFFFFFFFFFFFFFF)


def string(s):
    s = s.encode() if isinstance(s, str) else s
    return varint(len(s)) + s


def findings_body(fs):
    out = varint(len(fs))
    for path, line, col, msg in fs:
        out += string(path) + zigzag(line) + zigzag(col) + string(msg)
    return out


F1 = [("a/b.py", 3, 5, "tab found"), ("", 0, 0, "matched nothing"),
      ("x.yaml", 2147483647, -2147483648, "m\x00\xe2\x9c\x93")]
write("codec", "rule-pass", b"\x00\x01R\x00\x00" + struct.pack("<d", 1.5) + string("AR001") +
      string("") + findings_body([]))
write("codec", "rule-fail", b"\x00\x01R\x01\x01" + struct.pack("<d", 12.75) + string("SH001") +
      string("") + findings_body(F1))
write("codec", "rule-skipped", b"\x00\x01R\x03\x02" + struct.pack("<d", 0.0) + string("X") +
      string("depends on Y") + findings_body([]))
write("codec", "findings", b"\x01\x01F" + findings_body(F1))
write("codec", "findings-empty", b"\x01\x01F" + findings_body([]))
write("codec", "job", b"\x02" + b"J" + varint(1 << 40) + varint(7) + b"\x01" + zigzag(-5) +
      varint(2) + varint(3) + varint(2) + string("shard") + string("a") + string("name") +
      string("") + varint(0) + varint(0))
write("codec", "outcome", b"\x03" + b"O" + varint(9) + b"\x00" + string("worker said no") +
      findings_body(F1[:1]) + varint(2) + findings_body([]) + findings_body(F1[1:]) +
      varint(1) + string("c") + string("x:00") + varint(1) + string("d") + varint(4) +
      varint(1 << 33))
RULE_FAIL = b"\x01R\x01\x01" + struct.pack("<d", 0.0) + string("A1") + string("") + findings_body(F1)
write("codec", "run-memo", b"\x07\x01M" + string(b"\x7f" * 16) + varint(1) + string("sotinc.yaml") +
      string(b"\x01" * 16) + varint(1) + string("A1") + string("Title") + string("") +
      string("yaml") + string("sotinc.yaml") + zigzag(4) + zigzag(5) + b"\x01\x01" +
      varint(1) + string("tag") + varint(0) + varint(1) + string(RULE_FAIL) + b"\x01")
write("codec", "base", b"\x08\x01B" + varint(1) + string("/etc/rules.yaml") +
      string(b"\x02" * 16) + varint(2) + string("A1") + string(b"\x03" * 16) +
      string(b"\x04" * 16) + string("") + string("B2") + string(b"\x05" * 16) + string("") +
      string("cannot read b.py"))
