#!/usr/bin/env python3
"""Generate a benchmark "source of truth" git repository for sotinc.

    gen_repo.py --out DIR [--scale S|M|L] [--seed N] [--violations RATE]
                [--no-git] [--force] [--report FILE]
                [--roots N] [--shards N] [--filler N]

Layout: R root folders NN_name, each with shards/ holding S shard folders
NN_name (the same names in every root).  A shard has chart.yaml, README.md,
docs/overview.md, contracts/*.json, implementations/<impl>/manifest.yaml and
filler under tools/ (python/, policies/ (Rego), data/ (JSON)) and docs/.
The repository root holds README.md, .gitignore, docs/, .github/, vendor/
(ignored by the rules) and sotinc.yaml from gen_rules.py.

--violations RATE injects each kind of violation into RATE of the items it
can apply to (at least one of each kind when RATE > 0, none when RATE is 0).
--report FILE writes the injected violations (kind, path, rules expected to
fail) as JSON.  Output is byte-for-byte deterministic for a given seed, and
so is the commit id (fixed author, committer and dates).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_rules  # noqa: E402
import repo_model as M  # noqa: E402

GIT_ENV = {
    "GIT_AUTHOR_NAME": "sotinc bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "sotinc bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+0000", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+0000",
}


def git(repo: str, *args: str, env: dict | None = None) -> str:
    e = dict(os.environ)
    e.update(GIT_ENV)
    if env:
        e.update(env)
    res = subprocess.run(["git", "-C", repo, "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false",
                          *args], env=e, check=True, stdout=subprocess.PIPE, text=True)
    return res.stdout


def init_git(repo: str) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    git(repo, "config", "user.name", GIT_ENV["GIT_AUTHOR_NAME"])
    git(repo, "config", "user.email", GIT_ENV["GIT_AUTHOR_EMAIL"])
    git(repo, "config", "core.autocrlf", "false")


def commit_with_add(repo: str, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)


class FastImport:
    """Streams blobs into `git fast-import` (one pack instead of one loose
    object per file, which is what makes `git add -A` slow at scale L) and
    then commits them.  The commit is identical to the one `git add -A &&
    git commit` makes: same tree, author, dates and message."""

    def __init__(self, repo: str):
        self.repo = repo
        self.proc = subprocess.Popen(["git", "-C", repo, "-c", "pack.compression=1", "fast-import", "--quiet"],
                                     stdin=subprocess.PIPE)
        self.marks: list[str] = []

    def blob(self, path: str, data: bytes) -> None:
        self.marks.append(path)
        w = self.proc.stdin.write
        w(b"blob\nmark :%d\ndata %d\n" % (len(self.marks), len(data)))
        w(data)
        w(b"\n")

    def commit(self, message: str) -> None:
        msg = (message + "\n").encode()
        when = "1704067200 +0000"
        who = f"{GIT_ENV['GIT_AUTHOR_NAME']} <{GIT_ENV['GIT_AUTHOR_EMAIL']}>"
        w = self.proc.stdin.write
        w(f"commit refs/heads/main\nauthor {who} {when}\ncommitter {who} {when}\n".encode())
        w(b"data %d\n" % len(msg) + msg)
        for i, path in enumerate(self.marks, 1):
            w(b"M 100644 :%d %s\n" % (i, path.encode()))
        w(b"\n")
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            sys.exit("gen_repo: git fast-import failed")
        # index from HEAD, with stat data so that `git status` is clean
        git(self.repo, "reset", "-q")


def count(rate: float, n: int, weight: float = 1.0) -> int:
    if rate <= 0 or n == 0:
        return 0
    return min(n, max(1, round(rate * n * weight)))


def inject(plan: list, rate: float, seed: int, roots: list[str], width: int) -> list[dict]:
    """Mutate plan (list of [path, spec]) in place; return the report."""
    vr = random.Random(f"{seed}:violations")
    report: list[dict] = []

    def rid(root: str, suffix: str) -> str:
        return f"R{roots.index(root):0{width}d}.{suffix}"

    def pick(kind_filter, kinds):
        pop = [e for e in plan if kind_filter(e)]
        ks = [(k, count(rate, len(pop), w)) for k, w in kinds]
        chosen = vr.sample(pop, min(len(pop), sum(n for _, n in ks)))
        out, i = {}, 0
        for k, n in ks:
            out[k] = chosen[i:i + n]
            i += n
        return out

    def note(kind, path, rules):
        report.append({"kind": kind, "path": path, "rules": rules})

    # charts
    ch = pick(lambda e: e[1]["kind"] == "chart",
              [("wrong_shard_id", 1.0), ("dup_shard_id", 0.5), ("bad_version", 0.5)])
    for e in ch["wrong_shard_id"]:
        e[1]["shard_id"] = M.word_of(e[1]["shard"])
        note("wrong_shard_id", e[0], [rid(e[1]["root"], "chart.identity")])
    for e in ch["dup_shard_id"]:
        s = e[1]["shard"]
        shards = sorted({x[1]["shard"] for x in plan if x[1].get("root") == e[1]["root"] and "shard" in x[1]})
        j = shards.index(s)
        e[1]["shard_id"] = shards[j - 1] if j > 0 else shards[1]
        note("dup_shard_id", e[0], [rid(e[1]["root"], "chart.identity"), rid(e[1]["root"], "chart.unique")])
    for e in ch["bad_version"]:
        e[1]["version"] = f"{vr.randint(1, 4)}.{vr.randint(1, 9)}"
        note("bad_version", e[0], [rid(e[1]["root"], "chart.schema")])

    # missing READMEs
    for e in pick(lambda e: e[1]["kind"] == "shard_readme", [("missing_readme", 1.0)])["missing_readme"]:
        e[1]["drop"] = True
        note("missing_readme", e[0], [rid(e[1]["root"], "shards.docs")])

    # python files
    py = pick(lambda e: e[1]["kind"] == "py",
              [("pii_ssn", 1.0), ("pii_password", 1.0), ("debug_breakpoint", 0.5),
               ("oversized_py", 0.3), ("bad_py_name", 0.3), ("py_syntax", 0.1)])
    for e in py["pii_ssn"]:
        e[1]["inject"] = M.INJECT_SSN
        note("pii_ssn", e[0], ["GL.pii.ssn"])
    for e in py["pii_password"]:
        e[1]["inject"] = M.INJECT_PASSWORD
        note("pii_password", e[0], ["GL.pii.password"])
    for e in py["debug_breakpoint"]:
        e[1]["inject"] = M.INJECT_BREAKPOINT
        note("debug_breakpoint", e[0], [rid(e[1]["root"], "py.debug")])
    for e in py["oversized_py"]:
        e[1]["target"] = vr.randint(70_000, 140_000)
        note("oversized_py", e[0], [rid(e[1]["root"], "size.python")])
    for e in py["bad_py_name"]:
        d, base = e[0].rsplit("/", 1)
        e[0] = f"{d}/{M.camel(*base[:-3].split('_'))}.py"
        note("bad_py_name", e[0], [rid(e[1]["root"], "names.python")])
    for e in py["py_syntax"]:
        e[1]["inject"] = M.INJECT_SYNTAX
        note("py_syntax", e[0], ["CMD.py.syntax"])

    for e in pick(lambda e: e[1]["kind"] == "rego", [("rego_no_owner", 1.0)])["rego_no_owner"]:
        e[1]["no_owner"] = True
        note("rego_no_owner", e[0], [rid(e[1]["root"], "rego.owner")])
    for e in pick(lambda e: e[1]["kind"] == "contract", [("bad_contract_json", 0.5)])["bad_contract_json"]:
        e[1]["broken"] = True
        note("bad_contract_json", e[0], [rid(e[1]["root"], "contracts.schema"), "CMD.contracts.json", "GL.json.parse"])
    for e in pick(lambda e: e[1]["kind"] == "data", [("huge_data", 0.05)])["huge_data"]:
        e[1]["target"] = vr.randint(1_150_000, 1_400_000)
        note("huge_data", e[0], ["GL.size.any"])
    for root in vr.sample(roots, count(rate, len(roots))):
        path = f"{root}/shards/NOTES.txt"
        plan.append([path, {"kind": "text", "text": "Scratch notes that ended up in the wrong place.\n"}])
        note("stray_file", path, ["GL.shard.paths"])

    plan[:] = [e for e in plan if not e[1].get("drop")]
    report.sort(key=lambda x: (x["path"], x["kind"]))
    return report


def build_plan(seed: int, roots: list[str], shards: list[str], filler: int) -> list[list]:
    plan = [list(x) for x in M.repo_files(roots, shards)]
    for root in roots:
        plan += [list(x) for x in M.root_plan(root)]
        for shard in shards:
            plan += [list(x) for x in M.shard_plan(seed, root, shard, filler)]
    return plan


def write_files(out: str, seed: int, plan: list, fi: "FastImport | None") -> int:
    made: set[str] = set()
    total = 0
    for path, spec in plan:
        d = os.path.dirname(path)
        if d not in made:
            os.makedirs(os.path.join(out, d), exist_ok=True)
            made.add(d)
        data = M.render(seed, path, spec).encode("utf-8")
        with open(os.path.join(out, path), "wb") as f:
            f.write(data)
        if fi:
            fi.blob(path, data)
        total += len(data)
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description="Generate a benchmark repository for sotinc.")
    ap.add_argument("--out", required=True, help="directory to create")
    ap.add_argument("--scale", choices=sorted(M.SCALES), default="S")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--violations", type=float, default=0.01, metavar="RATE",
                    help="fraction of eligible items that get each kind of violation (default 0.01)")
    ap.add_argument("--no-git", action="store_true", help="only write files")
    ap.add_argument("--git-add", action="store_true",
                    help="commit with plain `git add -A` + `git commit` instead of git fast-import "
                         "(same commit id, slower: one loose object per file)")
    ap.add_argument("--force", action="store_true", help="delete --out first if it exists")
    ap.add_argument("--report", metavar="FILE", help="write the injected violations as JSON")
    ap.add_argument("--roots", type=int, help="override the scale's number of roots")
    ap.add_argument("--shards", type=int, help="override the scale's shards per root")
    ap.add_argument("--filler", type=int, help="override the mean filler files per shard")
    a = ap.parse_args()

    sc = M.SCALES[a.scale]
    roots = M.root_names(a.roots or sc["roots"])
    shards = M.shard_names(a.shards or sc["shards"])
    filler = a.filler if a.filler is not None else sc["filler"]
    width = max(2, len(str(len(roots) - 1)))

    if os.path.exists(a.out) and os.listdir(a.out):
        if not a.force:
            sys.exit(f"gen_repo: {a.out} exists and is not empty (use --force)")
        shutil.rmtree(a.out)
    os.makedirs(a.out, exist_ok=True)

    t0 = time.monotonic()
    plan = build_plan(a.seed, roots, shards, filler)
    report = inject(plan, a.violations, a.seed, roots, width)
    rules = gen_rules.rules_yaml(roots, shards, f" (scale {a.scale})" if not (a.roots or a.shards) else "")
    plan.append(["sotinc.yaml", {"kind": "text", "text": rules}])
    plan.sort(key=lambda e: e[0])
    message = f"Generated benchmark repository (scale {a.scale}, seed {a.seed}, violations {a.violations})"
    fi = None
    if not a.no_git:
        init_git(a.out)
        if not a.git_add:
            fi = FastImport(a.out)
    nbytes = write_files(a.out, a.seed, plan, fi)
    if fi:
        fi.commit(message)
    elif not a.no_git:
        commit_with_add(a.out, message)
    t1 = time.monotonic()
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            json.dump({"scale": a.scale, "seed": a.seed, "violations": a.violations,
                       "files": len(plan), "injected": report}, f, indent=1)
            f.write("\n")
    print(f"gen_repo: {len(plan)} files, {nbytes / 1e6:.1f} MB, {len(roots)} roots x {len(shards)} shards, "
          f"{len(report)} violations, {t1 - t0:.1f}s -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
