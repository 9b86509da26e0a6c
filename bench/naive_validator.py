#!/usr/bin/env python3
"""Naive validator: the benchmark baseline sotinc is measured against.

    naive_validator.py [REPO] [--config FILE] [--json] [--walk-once] [--rule ID ...]

It does what hand-written validation scripts do today: for every rule it walks
the whole tree with os.walk, reads every matching file again, and applies the
check.  No cache, no parallelism, no git.  Exit status 1 when a rule of
severity error failed, like `sotinc check`.

Simplifications (it is a baseline, not a reference implementation):
- candidate files are every file on disk except .git/ and `ignore:`;
  .gitignore is not read (generated repos hold no ignored files).
- regexes are Python `re` on bytes, not RE2 (the rule sets use the common
  subset); forbid/require are applied line by line.
- YAML is parsed with PyYAML (YAML 1.1 typing) when it is installed, else
  with a tiny parser of the block-style subset that the generators write.
  `match` and `equals` compare str(value), not the written form.
- settings (jobs, timeout, max_file_bytes) and rule timeouts are ignored;
  binary files are skipped by the regex kinds only.
- `command` runs with stdout+stderr captured; with `format: lines` stdout
  lines `path:line[:col]: message` are findings; argument lists are split
  in batches of 1000 files.
- --walk-once walks the tree once for all rules (a fairer baseline).
"""

from __future__ import annotations

import argparse
import collections
import glob as _glob
import json
import os
import re
import subprocess
import sys
import time

try:
    import yaml as _pyyaml
except ImportError:  # pragma: no cover - depends on the machine
    _pyyaml = None


# --- YAML -------------------------------------------------------------------

def _scalar(t: str):
    t = t.strip()
    if t[:1] == "'" and t[-1:] == "'":
        return t[1:-1].replace("''", "'")
    if t[:1] == '"' and t[-1:] == '"':
        return json.loads(t)
    if t[:1] == "[" and t[-1:] == "]":
        return [_scalar(x) for x in re.findall(r"""'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^,\s][^,]*""", t[1:-1])]
    if t == "{}":
        return {}
    if t in ("true", "false"):
        return t == "true"
    if t in ("null", "~", ""):
        return None
    if re.fullmatch(r"-?[0-9]+", t):
        return int(t)
    if re.fullmatch(r"-?[0-9]+\.[0-9]*([eE][-+]?[0-9]+)?", t):
        return float(t)
    return t


def mini_yaml(text: str):
    """Block maps/lists, flow lists of scalars, '|' and '>-' blocks, quoted scalars."""
    lines = [ln for ln in text.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    pos = 0

    def block(indent, style):  # the lines of a '|', '|-' or '>-' scalar
        nonlocal pos
        body = []
        while pos < len(lines) and len(lines[pos]) - len(lines[pos].lstrip()) > indent:
            body.append(lines[pos][indent + 2:])
            pos += 1
        return (" " if style == ">-" else "\n").join(body) + ("\n" if style == "|" else "")

    def node(indent):
        nonlocal pos
        first = lines[pos]
        if first.lstrip().startswith("- ") or first.strip() == "-":
            out = []
            while pos < len(lines) and (ind := len(lines[pos]) - len(lines[pos].lstrip())) == indent \
                    and lines[pos].lstrip().startswith("-"):
                rest = lines[pos].lstrip()[1:].lstrip()
                if not rest or re.match(r"^[^'\"\[]*?:(\s|$)|^'[^']*':(\s|$)", rest):
                    lines[pos] = " " * (indent + 2) + rest  # map item: re-read as a map
                    if not rest:
                        pos += 1
                    out.append(node(indent + 2))
                else:
                    pos += 1
                    out.append(block(indent, rest) if rest in ("|", "|-", ">-") else _scalar(rest))
            return out
        out = {}
        while pos < len(lines) and len(lines[pos]) - len(lines[pos].lstrip()) == indent:
            m = re.match(r"^\s*('(?:[^']|'')*'|[^:]+):(?:\s+(.*))?$", lines[pos])
            key, val = _scalar(m[1]), (m[2] or "").strip()
            pos += 1
            if val in ("|", "|-", ">-"):
                out[key] = block(indent, val)
            elif val:
                out[key] = _scalar(val)
            elif pos < len(lines) and len(lines[pos]) - len(lines[pos].lstrip()) > indent:
                out[key] = node(len(lines[pos]) - len(lines[pos].lstrip()))
            elif pos < len(lines) and lines[pos].lstrip().startswith("-") and \
                    len(lines[pos]) - len(lines[pos].lstrip()) == indent:
                out[key] = node(indent)
            else:
                out[key] = None
        return out

    return node(0) if lines else None


def load_docs(path: str, text: str) -> list:
    if path.endswith(".json"):
        return [json.loads(text)]
    if _pyyaml is not None:
        return list(_pyyaml.safe_load_all(text))
    return [mini_yaml(text)]


# --- globs --------------------------------------------------------------------

def glob_re(g: str) -> re.Pattern:
    out, i = "", 0
    while i < len(g):
        c = g[i]
        if g.startswith("**/", i):
            out, i = out + "(?:[^/]+/)*", i + 3
        elif g.startswith("**", i):
            out, i = out + ".*", i + 2
        elif c == "*":
            out, i = out + "[^/]*", i + 1
        elif c == "?":
            out, i = out + "[^/]", i + 1
        elif c == "[":
            j = g.index("]", i)
            out, i = out + g[i:j + 1], j + 1
        elif c == "{":
            j = g.index("}", i)
            out, i = out + "(?:" + "|".join(map(re.escape, g[i + 1:j].split(","))) + ")", j + 1
        elif c == "<":
            j = g.index(">", i)
            out, i = out + f"(?P<{g[i + 1:j]}>[^/]+)", j + 1
        else:
            out, i = out + re.escape(c), i + 1
    return re.compile(out + r"\Z")


def select(paths, globs):
    """[(path, captures)] of paths matching the positive globs, minus '!' ones."""
    globs = [globs] if isinstance(globs, str) else globs
    pos = [glob_re(g) for g in globs if not g.startswith("!")]
    neg = [glob_re(g[1:]) for g in globs if g.startswith("!")]
    out = []
    for p in paths:
        for rx in pos:
            if (m := rx.match(p)) and not any(n.match(p) for n in neg):
                out.append((p, m.groupdict()))
                break
    return out


# --- the tree -----------------------------------------------------------------

class Tree:
    def __init__(self, root, ignore, walk_once):
        self.root, self.ignore, self.walk_once, self._files = root, ignore, walk_once, None

    def files(self) -> list[str]:
        if self._files is not None and self.walk_once:
            return self._files
        out = []
        for d, dirs, names in os.walk(self.root):
            dirs[:] = [x for x in dirs if not (d == self.root and x == ".git")]
            rel = os.path.relpath(d, self.root).replace(os.sep, "/")
            out += [n if rel == "." else f"{rel}/{n}" for n in names]
        ign = [glob_re(g) for g in self.ignore]
        self._files = sorted(p for p in out if not any(rx.match(p) for rx in ign))
        return self._files

    def read(self, p) -> bytes:
        with open(os.path.join(self.root, p), "rb") as f:
            return f.read()


def dirs_of(files):
    out = {"."}
    for p in files:
        parts = p.split("/")[:-1]
        out.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


# --- key paths ------------------------------------------------------------------

def segs(path):
    return [(s[:-3], True) if s.endswith("[*]") else (s, False) for s in path.split(".")]


def values(node, sg):
    if not sg:
        yield node
        return
    (k, star), rest = sg[0], sg[1:]
    if isinstance(node, dict) and k in node:
        v = node[k]
        for item in (v if star and isinstance(v, list) else [] if star else [v]):
            yield from values(item, rest)


def present(node, sg):
    if not sg:
        return True
    (k, star), rest = sg[0], sg[1:]
    if not isinstance(node, dict) or k not in node:
        return False
    v = node[k]
    if star:
        return isinstance(v, list) and all(present(i, rest) for i in v)
    return present(v, rest)


TYPES = {"string": str, "number": (int, float), "bool": bool, "map": dict, "list": list, "null": type(None)}


def typed(v, t):
    return isinstance(v, TYPES[t]) and not (t == "number" and isinstance(v, bool))


# --- checks: each returns a list of findings (path or None, line, col, message) ---

def check(rule, tree):
    c, F = rule["check"], []
    kind = c["kind"]
    files = tree.files()
    if kind == "dir_count":
        parents = sorted(d for d in dirs_of(files) if d == "." and c["parents"] == "." or
                         d != "." and glob_re(c["parents"]).match(d))
        name = re.compile(c.get("name", ""))
        sets = {}
        for p in parents:
            pre = "" if p == "." else p + "/"
            kids = set()
            for f in files:
                if f.startswith(pre):
                    rest = f[len(pre):].split("/")
                    is_dir = len(rest) > 1
                    if c.get("entries", "dirs") == "any" or is_dir == (c.get("entries", "dirs") == "dirs"):
                        kids.add(rest[0])
            sets[p] = frozenset(k for k in kids if name.search(k))
            n = len(sets[p])
            lo, hi = c.get("count", c.get("min", 0)), c.get("count", c.get("max", 10**9))
            if not lo <= n <= hi:
                F.append((None if p == "." else p, 0, 0, f"{n} entries, expected {lo}..{hi}"))
        if c.get("same_names") and sets:
            common = collections.Counter(sets.values()).most_common(1)[0][0]
            F += [(p, 0, 0, "different set of names") for p, s in sets.items() if s != common]
        return F, len(parents)
    if kind == "required_files":
        dirs = [d for d, _ in select(sorted(dirs_of(files) - {"."}), c["dirs"])]
        fset, dset = set(files), dirs_of(files)
        for d in dirs:
            for e in c["files"]:
                if any(ch in e for ch in "*?[{"):
                    ok = bool(select(files, f"{d}/{e}"))
                else:
                    ok = f"{d}/{e}" in fset or f"{d}/{e}" in dset
                if not ok:
                    F.append((f"{d}/{e}", 0, 0, "missing"))
        return F, len(dirs)
    sel = select(files, c["files"])
    if kind == "path_name":
        rx = re.compile(c["pattern"])
        F = [(p, 0, 0, "bad name") for p, _ in sel
             if not rx.search(p if c.get("on") == "path" else p.rsplit("/", 1)[-1])]
    elif kind in ("forbid_regex", "require_regex"):
        rx = re.compile(c["pattern"].encode(), re.I if c.get("ignore_case") else 0)
        hits = 0
        for p, _ in sel:
            data = tree.read(p)
            if b"\0" in data[:8192]:
                continue
            found = False
            for no, line in enumerate(data.split(b"\n"), 1):
                for m in rx.finditer(line):
                    found = True
                    if kind == "forbid_regex":
                        F.append((p, no, m.start() + 1, c.get("message", "forbidden pattern")))
                    else:
                        break
                if found and kind == "require_regex":
                    break
            hits += found
            if kind == "require_regex" and not found and c.get("scope", "each_file") == "each_file":
                F.append((p, 0, 0, "pattern not found"))
        if kind == "require_regex" and c.get("scope") == "any_file" and sel and not hits:
            F.append((None, 0, 0, "no file matches"))
    elif kind in ("yaml", "unique"):
        seen = {}
        for p, caps in sel:
            try:
                docs = load_docs(p, tree.read(p).decode("utf-8"))
            except Exception as e:  # noqa: BLE001 - any parse error is a finding
                F.append((p, 1, 1, f"parse error: {e}".splitlines()[0]))
                continue
            for doc in docs:
                if kind == "unique":
                    for v in values(doc, segs(c["key"])):
                        key = json.dumps(v, sort_keys=True, default=str)
                        if key in seen:
                            F.append((p, 0, 0, f"{c['key']} {v!r} already in {seen[key]}"))
                        else:
                            seen[key] = p
                    continue
                F += [(p, 0, 0, f"missing {k}") for k in c.get("require", []) if not present(doc, segs(k))]
                F += [(p, 0, 0, f"forbidden {k}") for k in c.get("forbid", []) if list(values(doc, segs(k)))]
                for k, want in c.get("equals", {}).items():
                    if isinstance(want, str):
                        want = re.sub(r"<(\w+)>", lambda m: caps.get(m[1], m[0]), want)
                    F += [(p, 0, 0, f"{k} is {v!r}, expected {want!r}") for v in values(doc, segs(k))
                          if v != want and str(v) != str(want)]
                for k, allowed in c.get("enum", {}).items():
                    F += [(p, 0, 0, f"{k} {v!r} not in enum") for v in values(doc, segs(k)) if v not in allowed]
                for k, rx in c.get("match", {}).items():
                    F += [(p, 0, 0, f"{k} {v!r} does not match") for v in values(doc, segs(k))
                          if not isinstance(v, (dict, list)) and not re.search(rx, str(v))]
                for k, t in c.get("type", {}).items():
                    F += [(p, 0, 0, f"{k} is not {t}") for v in values(doc, segs(k)) if not typed(v, t)]
    elif kind == "max_size":
        for p, _ in sel:
            data = tree.read(p)
            lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
            if len(data) > c.get("bytes", 1 << 62) or lines > c.get("lines", 1 << 62):
                F.append((p, 0, 0, f"{len(data)} bytes, {lines} lines"))
    elif kind == "command":
        paths = [p for p, _ in sel]
        env = dict(os.environ, **c.get("env", {}))
        groups = [[p] for p in paths] if c.get("per_file") else \
            [paths[i:i + 1000] for i in range(0, len(paths), 1000)] or [[]]
        for g in groups:
            args = g if c.get("pass_files", True) else []
            run = c["run"]
            argv = ["/bin/sh", "-c", run, rule["id"], *args] if isinstance(run, str) else [*run, *args]
            res = subprocess.run(argv, cwd=tree.root, env=env, capture_output=True, text=True)
            found = []
            if c.get("format", "lines") == "lines":
                for ln in res.stdout.splitlines():
                    if m := re.match(r"^([^:\s][^:]*):(\d+)(?::(\d+))?: (.*)$", ln):
                        found.append((m[1], int(m[2]), int(m[3] or 0), m[4]))
            F += found
            if res.returncode != 0 and not found:
                F.append((None, 0, 0, f"exit {res.returncode}: {(res.stdout + res.stderr)[-200:].strip()}"))
    if not sel and not rule.get("allow_empty"):
        F.append((None, 0, 0, "matched nothing"))
    return F, len(sel)


# --- driver ---------------------------------------------------------------------

def load_config(path):
    with open(path, encoding="utf-8") as f:
        cfg = load_docs(path, f.read())[0]
    rules = list(cfg.get("rules") or [])
    base = os.path.dirname(os.path.abspath(path))
    for pattern in cfg.get("include", []):
        for inc in sorted(_glob.glob(os.path.join(base, pattern))):
            with open(inc, encoding="utf-8") as f:
                rules += load_docs(inc, f.read())[0].get("rules") or []
    return cfg, rules


def main() -> int:
    ap = argparse.ArgumentParser(description="Naive rule validator (benchmark baseline).")
    ap.add_argument("repo", nargs="?", default=".")
    ap.add_argument("--config", help="default: REPO/sotinc.yaml")
    ap.add_argument("--json", action="store_true", help="print sotinc's JSON result format")
    ap.add_argument("--walk-once", action="store_true", help="walk the tree once, not once per rule")
    ap.add_argument("--rule", action="append", help="only these rules (and their prerequisites)")
    a = ap.parse_args()
    cfg, rules = load_config(a.config or os.path.join(a.repo, "sotinc.yaml"))
    byid = {r["id"]: r for r in rules if r.get("enabled", True)}
    want = set(a.rule or byid)
    order, state = [], {}

    def visit(i):  # depth-first topological order
        if state.get(i) == 2:
            return
        if state.get(i) == 1:
            sys.exit(f"naive_validator: dependency cycle through {i}")
        state[i] = 1
        for d in byid[i].get("depends_on", []):
            visit(d)
        state[i] = 2
        order.append(i)

    for i in sorted(want):
        visit(i)
    tree = Tree(os.path.abspath(a.repo), cfg.get("ignore", []), a.walk_once)
    t0, results = time.monotonic(), {}
    for i in order:
        rule, t = byid[i], time.monotonic()
        blocked = [d for d in rule.get("depends_on", []) if results[d]["status"] != "pass"]
        res = {"id": i, "status": "skipped", "severity": rule.get("severity", "error"), "cached": False,
               "findings": []}
        if blocked:
            res["reason"] = f"prerequisite {blocked[0]} did not pass"
        else:
            try:
                F, _ = check(rule, tree)
                res["status"] = "fail" if F else "pass"
                res["findings"] = [{k: v for k, v in (("path", p), ("line", ln), ("column", col),
                                                      ("message", msg)) if v}
                                   for p, ln, col, msg in sorted(F, key=lambda f: (f[0] or "", f[1], f[2]))]
            except Exception as e:  # noqa: BLE001 - report, like sotinc's `error`
                res["status"], res["reason"] = "error", f"{type(e).__name__}: {e}"
        res["duration_ms"] = round((time.monotonic() - t) * 1000, 1)
        results[i] = res
    out = [results[i] for i in sorted(results)]
    count = collections.Counter(r["status"] for r in out)
    summary = {"rules": len(out), "passed": count["pass"], "failed": count["fail"], "errors": count["error"],
               "skipped": count["skipped"], "cached": 0, "ran": len(out) - count["skipped"], "unaffected": 0,
               "duration_ms": round((time.monotonic() - t0) * 1000, 1)}
    if a.json:
        json.dump({"version": 1, "summary": summary, "results": out}, sys.stdout, indent=1)
        print()
    else:
        for r in out:
            print(f"{r['status']:7} {r['id']:28} {len(r['findings']):5} findings  {r.get('reason', '')}")
        print(" ".join(f"{k}={v}" for k, v in summary.items()))
    failed = any(r["status"] in ("fail", "error") and r["severity"] == "error" for r in out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
