#!/usr/bin/env python3
"""Add a history of typical edits to a repository made by gen_repo.py.

    gen_history.py --repo DIR --commits N [--seed S] [--log FILE] [--shard-filler N]

Each commit is one of (weights in parentheses):
  modify1   (45) modify one file
  modifyN   (20) modify 3-8 files across shards
  add_shard (10) add a new shard, with all its files, to one root
  move      (15) move a tools/ or docs/ file to another shard of the same root
  delete    (10) delete a filler file (tools/ or docs/, never a required file)

Edits keep files valid (Python still parses, JSON and YAML still load, charts
keep their ids), so they introduce no new violation, with one exception that
real repositories share: add_shard gives one root a shard more than the rules
expect, so that root's `*.shards.count` rule and `GL.shards.same` fail.

Deterministic: the same repository and seed give the same commits, with the
same ids (fixed author and dates, counted from the HEAD commit's date).
One line per commit goes to stdout; --log FILE writes JSON lines with the
commit id, the operation and the paths it touched.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import repo_model as M  # noqa: E402

WHO = ("sotinc bench", "bench@example.com")
SHARD_RE = re.compile(r"^([^/]+)/shards/([^/]+)/(.+)$")


class Repo:
    def __init__(self, path: str):
        self.path = path
        out = self.git("ls-files", "-z")
        self.files = sorted(p for p in out.split("\0") if p)
        self.time = int(self.git("log", "-1", "--format=%ct").strip())

    def git(self, *args: str, env: dict | None = None) -> str:
        e = dict(os.environ)
        if env:
            e.update(env)
        return subprocess.run(["git", "-C", self.path, "-c", "core.autocrlf=false",
                               "-c", "commit.gpgsign=false", *args],
                              env=e, check=True, stdout=subprocess.PIPE, text=True).stdout

    def read(self, p: str) -> str:
        with open(os.path.join(self.path, p), encoding="utf-8") as f:
            return f.read()

    def write(self, p: str, text: str) -> None:
        full = os.path.join(self.path, p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(text.encode("utf-8"))
        i = bisect.bisect_left(self.files, p)
        if i == len(self.files) or self.files[i] != p:
            self.files.insert(i, p)

    def remove(self, p: str) -> None:
        os.remove(os.path.join(self.path, p))
        self.files.pop(bisect.bisect_left(self.files, p))
        d = os.path.dirname(os.path.join(self.path, p))
        while d != self.path and not os.listdir(d):
            os.rmdir(d)
            d = os.path.dirname(d)

    def commit(self, n: int, message: str, paths: list[str]) -> str:
        self.git("add", "-A", "--", *paths)
        when = f"{self.time + 600 * (n + 1)} +0000"
        env = {"GIT_AUTHOR_NAME": WHO[0], "GIT_AUTHOR_EMAIL": WHO[1], "GIT_AUTHOR_DATE": when,
               "GIT_COMMITTER_NAME": WHO[0], "GIT_COMMITTER_EMAIL": WHO[1], "GIT_COMMITTER_DATE": when}
        self.git("commit", "-q", "--no-verify", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()


# --- edits that keep a file valid -------------------------------------------

def edit(r: random.Random, path: str, text: str) -> str:
    name = path.rsplit("/", 1)[1]
    if name.endswith(".py"):
        if r.random() < 0.5 and re.search(r"_LIMIT = \d+", text):
            return re.sub(r"_LIMIT = \d+", lambda m: f"_LIMIT = {r.randint(1, 9999)}", text, count=1)
        return text + M._py_func(r)
    if name.endswith(".md"):
        return text + "\n" + M.sentence(r, 10, 30) + ".\n"
    if name.endswith(".rego"):
        label = r.choice(M.NOUNS)
        return text + (f"deny contains msg if {{\n\tnot input.resource.labels.{label}\n"
                       f'\tmsg := sprintf("resource %s is missing label {label}", [input.resource.name])\n}}\n\n')
    if name.endswith(".json"):
        try:
            obj = json.loads(text)
        except ValueError:  # an injected violation: leave it broken
            return text + "\n"
        if isinstance(obj.get("fields"), list):
            obj["fields"].append({"name": f"{r.choice(M.NOUNS)}_{len(obj['fields'])}_id",
                                  "type": r.choice(M.FIELD_TYPES), "required": False,
                                  "description": M.sentence(r, 3, 8)})
        elif isinstance(obj.get("records"), list):
            obj["version"] = int(obj.get("version", 0)) + 1
            obj["records"].append({"id": f"{obj.get('name', 'rec')}-{len(obj['records']):05d}",
                                   "label": r.choice(M.NOUNS), "state": r.choice(M.ADJS),
                                   "weight": round(r.random() * 100, 3), "tags": r.sample(M.NOUNS, 2)})
        else:
            obj["updated"] = r.randint(1, 10**6)
        return json.dumps(obj, indent=2) + "\n"
    if name == "chart.yaml":
        if r.random() < 0.5:
            return re.sub(r"^description: .*$", f"description: {M.sentence(r)}.", text, count=1, flags=re.M)
        return re.sub(r"^version: (\d+)\.(\d+)\.(\d+)$",
                      lambda m: f"version: {m[1]}.{m[2]}.{int(m[3]) + 1}", text, count=1, flags=re.M)
    if name == "manifest.yaml":
        return re.sub(r"replicas: \d+", f"replicas: {r.randint(1, 6)}", text, count=1)
    return text + "\n"


EDITABLE = re.compile(r"\.(py|md|rego|json)$|/chart\.yaml$|/manifest\.yaml$")
FILLER = re.compile(r"^[^/]+/shards/[^/]+/(tools/(python/[^/]+/(?!__init__\.py)[^/]+\.py|policies/[^/]+\.rego|"
                    r"data/[^/]+\.json)|docs/(?!overview\.md)[^/]+\.md)$")


def editable(files: list[str]) -> list[str]:
    return [p for p in files if SHARD_RE.match(p) and EDITABLE.search(p)]


def op_modify(repo: Repo, r: random.Random, n: int) -> tuple[str, list[str]]:
    cands = editable(repo.files)
    paths = sorted(r.sample(cands, n))
    for p in paths:
        repo.write(p, edit(r, p, repo.read(p)))
    what = paths[0] if n == 1 else f"{n} files"
    return f"Update {what}", paths


def op_add_shard(repo: Repo, r: random.Random, seed: int, filler: int) -> tuple[str, list[str]]:
    roots = sorted({m[1] for p in repo.files if (m := SHARD_RE.match(p))})
    root = r.choice(roots)
    existing = {m[2] for p in repo.files if (m := SHARD_RE.match(p)) and m[1] == root}
    i = len(existing)
    while True:
        shard = f"{i:02d}_{M.shard_word(i)}"
        if shard not in existing and not any(s.startswith(f"{i:02d}_") for s in existing):
            break
        i += 1
    paths = []
    for path, spec in M.shard_plan(seed, root, shard, filler):
        repo.write(path, M.render(seed, path, spec))
        paths.append(path)
    return f"Add shard {root}/shards/{shard}", paths


def op_move(repo: Repo, r: random.Random) -> tuple[str, list[str]]:
    src = r.choice([p for p in repo.files if FILLER.match(p)])
    m = SHARD_RE.match(src)
    root, shard, rest = m[1], m[2], m[3]
    shards = sorted({x[2] for p in repo.files if (x := SHARD_RE.match(p)) and x[1] == root and x[2] != shard})
    dst_shard = r.choice(shards)
    dst_base = f"{root}/shards/{dst_shard}/"
    d, name = rest.rsplit("/", 1)
    if d.startswith("tools/python/"):
        pkgs = sorted({p[len(dst_base):].rsplit("/", 1)[0] for p in repo.files
                       if p.startswith(dst_base + "tools/python/") and p.endswith("/__init__.py")})
        d = r.choice(pkgs) if pkgs else d
    dst = f"{dst_base}{d}/{name}"
    k = 2
    while dst in repo.files or dst == src:
        stem, ext = name.rsplit(".", 1)
        dst = f"{dst_base}{d}/{stem}_{k}.{ext}"
        k += 1
    text = repo.read(src)
    repo.remove(src)
    repo.write(dst, text)
    return f"Move {src} to {dst}", [src, dst]


def op_delete(repo: Repo, r: random.Random) -> tuple[str, list[str]]:
    p = r.choice([p for p in repo.files if FILLER.match(p)])
    repo.remove(p)
    return f"Delete {p}", [p]


OPS = [("modify1", 45), ("modifyN", 20), ("add_shard", 10), ("move", 15), ("delete", 10)]


def main() -> int:
    ap = argparse.ArgumentParser(description="Add N commits of typical edits to a generated repository.")
    ap.add_argument("--repo", required=True)
    ap.add_argument("--commits", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shard-filler", type=int, default=40, help="mean filler files of an added shard")
    ap.add_argument("--log", metavar="FILE", help="write one JSON line per commit")
    a = ap.parse_args()

    repo = Repo(a.repo)
    if repo.git("status", "--porcelain"):
        sys.exit(f"gen_history: {a.repo} has uncommitted changes")
    r = random.Random(f"{a.seed}:history")
    log = open(a.log, "w", encoding="utf-8") if a.log else None
    names, weights = zip(*OPS)
    for n in range(a.commits):
        op = r.choices(names, weights)[0]
        if op == "modify1":
            msg, paths = op_modify(repo, r, 1)
        elif op == "modifyN":
            msg, paths = op_modify(repo, r, r.randint(3, 8))
        elif op == "add_shard":
            msg, paths = op_add_shard(repo, r, a.seed * 1000 + n, a.shard_filler)
        elif op == "move":
            msg, paths = op_move(repo, r)
        else:
            msg, paths = op_delete(repo, r)
        sha = repo.commit(n, msg, paths)
        print(f"{sha[:12]} {op:9} {msg if len(msg) < 100 else msg[:97] + '...'}")
        if log:
            log.write(json.dumps({"commit": sha, "op": op, "message": msg, "paths": paths}) + "\n")
    if log:
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
