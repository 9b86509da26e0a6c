#!/usr/bin/env python3
"""Side-by-side benchmark of `sotinc` against its peers (issues 3, 4 and 5).

    bench/run_bench.py --sotinc PATH [--scales S,M,L] [--workdir DIR] [--runs N]
                       [--cold-runs N] [--warmup N] [--only ID ...] [--skip ID ...]
                       [--quick | --smoke] [--with-example] [--pool-bench PATH]
                       [--json FILE] [--markdown FILE]

One command reproduces every figure of docs/benchmarks.md: it makes the
repositories under --workdir (default /tmp/sotinc-bench) unless they are
already there from the same arguments (gen_repo.py, then gen_history.py
adds 6 commits so that HEAD~5 exists), then measures every scenario
round-robin: round r runs each scenario once, in forward order on even
rounds and reverse order on odd ones, so a load spike from other jobs on the
machine hits all scenarios alike and every comparison (sotinc vs `git
status`, vs pre-commit, vs ripgrep) is measured minutes apart at most.
Cold scenarios (marked expensive) run --cold-runs times, the others --runs.

Scenarios for each scale X in --scales (ids are lower case: m.warm):

  X.git_status    `git status`, after one unmeasured `git status`
  X.git_ls_files  `git ls-files`
  X.warm          clean tree, after an unmeasured `sotinc check`: warm no-op
  X.staged        one Python file given new content (a run counter is
                  appended, so it is never a cache hit) and `git add`ed:
                  `check --staged`
  X.since         the same edit in the working tree only: `check --since HEAD`
  X.since5        clean tree, warm cache: `check --since HEAD~5`
  X.cold          `check --no-cache` (every rule, command rules included)
  X.cpu_j1/j2     `check --no-cache -j 1` / `-j 2` with
                  fixtures/rules/bench-cpu.yaml: built-in content rules only
                  (CPU-bound): the speed-up of -j 2
  X.pc_cold       `check --no-cache` with fixtures/rules/bench-precommit.yaml
                  (the same checks as the pre-commit hooks)
  X.pc_all        `pre-commit run --all-files` with gen_precommit.py's hooks
  X.pc_staged     the staged edit above, `check --staged` with the
                  pre-commit-equivalent rules
  X.pc_one        the staged edit above, `pre-commit run` (staged files)
  X.regex_cold    `check --no-cache` of the four forbid_regex PII rules of
                  bench-precommit.yaml
  X.rg            ripgrep doing the same four searches over the same files
                  (one `rg` per pattern, as sotinc runs one rule per pattern)
  X.naive         bench/naive_validator.py (walks the tree once per rule)
                  with the repository's sotinc.yaml

The config of pre-commit and the rule files live outside the repository
(`pre-commit run -c`, `sotinc --config`), so the measured tree is the
generated one, untouched. PRE_COMMIT_HOME is WORKDIR/pre-commit-home.

Ratios: each scenario has a baseline (git status, pre-commit, rg, -j 1,
the naive validator); the table gives the ratio of medians and the median
of per-round ratios (same round = measured side by side).

Checks (the harness fails, exit 1, when one does not hold): a warm no-op
ran no rule; the staged and --since runs ran at least one rule and took
at least one from the cache or left it unaffected; -j 1 and -j 2 gave identical results; every sotinc exit
status is 0 or 1 (1 = rules failed: the generated repos hold violations);
pre-commit exited 0 or 1. No timing is ever asserted.

--quick: scale S, 3 runs, 1 cold run, no warm-up. --smoke (CI, ctest
bench_smoke): scale S, one run of each scenario that needs no `command`
rule over every file (no X.cold, X.naive, X.pc_all, X.pc_staged;
bench-cpu.yaml stands in for sotinc.yaml in the warm/staged/since
scenarios), no RSS pass, the pool benchmark with 2,000 jobs.

Wall time is time.perf_counter() around fork/exec/wait; CPU time comes from
os.wait4() of that one child.  Peak RSS: os.wait4()'s ru_maxrss cannot go
below this Python process's own RSS (~19 MB: the forked child's high-water
mark survives exec), so after the timed rounds every scenario except the
cold ones runs once more, untimed, under `/usr/bin/time -f %M`, which gives
the true peak RSS of small processes; the cold scenarios (90+ MB, above the
floor) keep the wait4 figure.  ru_maxrss is the largest single process of
the child and the descendants it waited for.  The load average is read
before every measured run.  sotinc writes `--format json --output FILE`;
the summary (ran / cached / unaffected) of every run is kept.

--pool-bench PATH (default: sotinc_pool_bench next to --sotinc, if built)
also runs bench/pool_overhead.cc's per-job dispatch benchmark once.

Commands run with PATH=--path (default /usr/local/bin:/usr/bin:/bin): a pyenv
or similar shim first on PATH turns every `python3` that the `command` rules
start into a bash script plus ~25 processes (2 s each on the reference
machine instead of 0.1 s), which would measure the shim, not sotinc.

Writes --json (default WORKDIR/results.json) and --markdown (default
WORKDIR/results.md).  Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# ---------------------------------------------------------------------------
# helpers

def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def run_quiet(argv: list[str], cwd: str, env: dict, check: bool = False) -> int:
    r = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise SystemExit(f"run_bench: {' '.join(argv)} in {cwd} failed with {r.returncode}")
    return r.returncode


def git(repo: str, env: dict, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], env=env, check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def measure(argv: list[str], cwd: str, env: dict) -> dict:
    """One timed run: wall (perf_counter), user/sys CPU and peak RSS (wait4)."""
    load = loadavg()
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": wall, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
            "maxrss_kb": ru.ru_maxrss, "exit": p.returncode, "load1": load[0]}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total() -> str:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


# ---------------------------------------------------------------------------
# repositories

def ensure_repo(name: str, workdir: str, gen_argv: list[str], env: dict, regen: bool,
                hist_argv: list[str] | None = None) -> str:
    """Generate a repository once; reuse it when made by the same commands."""
    repo = os.path.join(workdir, name)
    stamp = os.path.join(workdir, f"{name}.gen.json")
    want = {"argv": gen_argv, "history": hist_argv or []}
    have = None
    if os.path.exists(stamp) and os.path.isdir(os.path.join(repo, ".git")) and not regen:
        with open(stamp) as f:
            have = json.load(f)
    if have != want:
        if os.path.exists(repo):
            shutil.rmtree(repo)
        if os.path.exists(stamp):
            os.remove(stamp)
        log(f"generating {name}: {' '.join(gen_argv)}")
        t0 = time.monotonic()
        subprocess.run(gen_argv, env=env, check=True)
        if hist_argv:
            subprocess.run(hist_argv, env=env, check=True, stdout=subprocess.DEVNULL)
        log(f"  {name} generated in {time.monotonic() - t0:.1f} s")
        with open(stamp, "w") as f:
            json.dump(want, f)
    # Back to the committed state, with no cache: every session starts alike.
    git(repo, env, "reset", "-q", "--hard", "HEAD")
    shutil.rmtree(os.path.join(repo, ".git", "sotinc"), ignore_errors=True)
    return repo


def repo_facts(repo: str, env: dict) -> dict:
    files = git(repo, env, "ls-files", "-z").count("\0")
    head = git(repo, env, "rev-parse", "HEAD").strip()
    size = 0
    for dirpath, dirnames, filenames in os.walk(repo):
        if ".git" in dirnames and dirpath == repo:
            dirnames.remove(".git")
        for fn in filenames:
            try:
                size += os.lstat(os.path.join(dirpath, fn)).st_size
            except OSError:
                pass
    return {"path": repo, "files": files, "head": head, "bytes": size}


def pick_python_file(repo: str, env: dict) -> str:
    out = git(repo, env, "ls-files", "--", "00_*/shards/*/tools/python/*.py").split("\n")
    files = sorted(p for p in out if p)
    if not files:
        raise SystemExit(f"run_bench: no Python file to edit in {repo}")
    return files[0]


# ---------------------------------------------------------------------------
# scenarios

class Scenario:
    def __init__(self, sid: str, repo_key: str, title: str, argv: list[str], *,
                 prep=None, post=None, json_out: str | None = None, baseline: str | None = None,
                 expensive: bool = False, kind: str = ""):
        self.id = sid
        self.repo_key = repo_key
        self.title = title
        self.argv = argv
        self.cwd = "/"
        self.prep = prep
        self.post = post
        self.json_out = json_out
        self.baseline = baseline  # id of the git status scenario on the same repo
        self.expensive = expensive
        self.kind = kind  # what the consistency checks look for
        self.runs: list[dict] = []


PII_RULES = ["PC.pii.ssn", "PC.pii.password", "PC.pii.card", "PC.pii.aws"]


def rg_script(rules_file: str) -> str:
    """One `rg` per forbid_regex rule of `rules_file` (PII_RULES), same files."""
    text = open(rules_file, encoding="utf-8").read()
    cmds = []
    for rid in PII_RULES:
        block = text[text.index(f"id: {rid}\n"):]
        block = block[:block.index("\n\n")] if "\n\n" in block else block
        files = block.split("files: '", 1)[1].split("'", 1)[0]
        pattern = block.split("pattern: '", 1)[1].split("'\n", 1)[0].replace("''", "'")
        globs = files.replace("**/*.", "")
        exts = globs.strip("{}").split(",")
        g = " ".join(f"-g '*.{e}'" for e in exts)
        icase = " -i" if "ignore_case: true" in block else ""
        q = "'" + pattern.replace("'", "'\\''") + "'"
        cmds.append(f"rg --no-messages -n{icase} {g} -g '!vendor/**' -e {q} . ; ")
    return "".join(cmds) + "true"


def build_scenarios(a, repos: dict, env: dict, outdir: str) -> list[Scenario]:
    S = a.sotinc
    sc: list[Scenario] = []
    counter = {"n": 0}
    rules_dir = os.path.join(ROOT, "fixtures", "rules")
    cpu_rules = os.path.join(rules_dir, "bench-cpu.yaml")
    pc_rules = os.path.join(rules_dir, "bench-precommit.yaml")
    pc_config = os.path.join(a.workdir, "pre-commit-config.yaml")
    env["PRE_COMMIT_HOME"] = os.path.join(a.workdir, "pre-commit-home")
    # --smoke: the CPU-bound built-in rules stand in for sotinc.yaml (no
    # `command` rule over every file, so a first run takes seconds).
    main_cfg = ["--config", cpu_rules] if a.smoke else []

    def sot(rk: str, sid: str, *extra: str) -> tuple[list[str], str]:
        out = os.path.join(outdir, f"{sid}.json")
        return [S, "-C", repos[rk]["path"], "check", *extra, "--format", "json", "--output", out], out

    def restore(rk: str):
        edit = repos[rk].get("edit_file")
        if edit:
            git(repos[rk]["path"], env, "checkout", "-q", "HEAD", "--", edit)

    def warm(rk: str, *cfg: str):
        def f():
            restore(rk)
            run_quiet([S, "-C", repos[rk]["path"], "check", "-q", *cfg], repos[rk]["path"], env)
        return f

    def git_warm(rk: str):
        def f():
            restore(rk)
            run_quiet(["git", "status"], repos[rk]["path"], env)
        return f

    def edit(rk: str, stage: bool, *cfg: str):
        def f():
            # The cache holds the clean tree: only the edit is new.
            warm(rk, *cfg)()
            r = repos[rk]
            counter["n"] += 1
            path = os.path.join(r["path"], r["edit_file"])
            with open(path, "ab") as fh:
                fh.write(f"\n# sotinc-bench edit {counter['n']} ({time.time_ns()})\n".encode())
            if stage:
                git(r["path"], env, "add", "--", r["edit_file"])
        return f

    def add(sid, rk, title, argv, **kw):
        s = Scenario(sid, rk, title, argv, **kw)
        sc.append(s)
        return s

    if "ex" in repos:
        argv, out = sot("ex", "ex.first")
        add("ex.first", "ex", "example: first `sotinc check` (no cache)", argv,
            prep=lambda: shutil.rmtree(os.path.join(repos["ex"]["path"], ".git", "sotinc"),
                                       ignore_errors=True),
            json_out=out, baseline="ex.git_status")
        argv, out = sot("ex", "ex.warm")
        add("ex.warm", "ex", "example: warm `sotinc check`", argv, prep=warm("ex"), json_out=out,
            baseline="ex.git_status")
        add("ex.git_status", "ex", "example: `git status`", ["git", "status"], prep=git_warm("ex"))

    py = shutil.which("python3", path=a.path) or "/usr/bin/python3"
    for rk in [k for k in repos if k != "ex"]:
        X = rk.upper()
        add(f"{rk}.git_status", rk, f"{X}: `git status`", ["git", "status"], prep=git_warm(rk))
        add(f"{rk}.git_ls_files", rk, f"{X}: `git ls-files`", ["git", "ls-files"], prep=git_warm(rk),
            baseline=f"{rk}.git_status")
        argv, out = sot(rk, f"{rk}.warm", *main_cfg)
        add(f"{rk}.warm", rk, f"{X}: warm no-op `sotinc check`", argv, prep=warm(rk, *main_cfg),
            json_out=out, baseline=f"{rk}.git_status", kind="warm")
        argv, out = sot(rk, f"{rk}.staged", "--staged", *main_cfg)
        add(f"{rk}.staged", rk, f"{X}: one Python file staged, `check --staged`", argv,
            prep=edit(rk, True, *main_cfg), post=lambda rk=rk: restore(rk), json_out=out,
            baseline=f"{rk}.pc_one", kind="incremental")
        argv, out = sot(rk, f"{rk}.since", "--since", "HEAD", *main_cfg)
        add(f"{rk}.since", rk, f"{X}: one Python file modified, `check --since HEAD`", argv,
            prep=edit(rk, False, *main_cfg), post=lambda rk=rk: restore(rk), json_out=out,
            baseline=f"{rk}.git_status", kind="incremental")
        argv, out = sot(rk, f"{rk}.since5", "--since", "HEAD~5", *main_cfg)
        add(f"{rk}.since5", rk, f"{X}: warm cache, `check --since HEAD~5` (5 replayed commits)", argv,
            prep=warm(rk, *main_cfg), json_out=out, baseline=f"{rk}.git_status")
        if not a.smoke:
            argv, out = sot(rk, f"{rk}.cold", "--no-cache")
            add(f"{rk}.cold", rk, f"{X}: cold `check --no-cache`, all rules", argv, json_out=out,
                baseline=f"{rk}.naive", expensive=True)
            add(f"{rk}.naive", rk, f"{X}: naive validator (a walk per rule), all rules",
                [py, os.path.join(HERE, "naive_validator.py"), repos[rk]["path"]],
                expensive=True)
        for j in (1, 2):
            argv, out = sot(rk, f"{rk}.cpu_j{j}", "--no-cache", "-j", str(j), "--config", cpu_rules)
            # Seconds, not minutes: measured --runs times, for a steady ratio.
            add(f"{rk}.cpu_j{j}", rk, f"{X}: CPU-bound rules cold, `-j {j}`", argv, json_out=out,
                baseline=f"{rk}.cpu_j1" if j == 2 else None, kind=f"cpu{j}")
        argv, out = sot(rk, f"{rk}.pc_cold", "--no-cache", "--config", pc_rules)
        add(f"{rk}.pc_cold", rk, f"{X}: pre-commit-equivalent rules, cold `check --no-cache`", argv,
            json_out=out, baseline=f"{rk}.pc_all", expensive=True)
        if not a.smoke:
            add(f"{rk}.pc_all", rk, f"{X}: `pre-commit run --all-files`",
                ["pre-commit", "run", "-c", pc_config, "--all-files"], expensive=True,
                kind="pre-commit")
            argv, out = sot(rk, f"{rk}.pc_staged", "--staged", "--config", pc_rules)
            add(f"{rk}.pc_staged", rk,
                f"{X}: pre-commit-equivalent rules, one file staged, `check --staged`", argv,
                prep=edit(rk, True, "--config", pc_rules), post=lambda rk=rk: restore(rk),
                json_out=out, baseline=f"{rk}.pc_one", kind="incremental")
        add(f"{rk}.pc_one", rk, f"{X}: one file staged, `pre-commit run`",
            ["pre-commit", "run", "-c", pc_config], prep=edit(rk, True, "--config", pc_rules),
            post=lambda rk=rk: restore(rk), kind="pre-commit")
        rule_args = [x for r in PII_RULES for x in ("--rule", r)]
        argv, out = sot(rk, f"{rk}.regex_cold", "--no-cache", "--config", pc_rules, *rule_args)
        add(f"{rk}.regex_cold", rk, f"{X}: 4 forbid_regex rules cold", argv, json_out=out,
            baseline=f"{rk}.rg")
        add(f"{rk}.rg", rk, f"{X}: ripgrep, the same 4 searches", ["sh", "-c", rg_script(pc_rules)])
    for s in sc:
        s.cwd = repos[s.repo_key]["path"]
    if a.only:
        sc = [s for s in sc if s.id in a.only]
    if a.skip:
        sc = [s for s in sc if s.id not in a.skip]
    return sc


def summary_of(path: str) -> dict | None:
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError):
        return None
    s = d.get("summary", {})
    out = {k: s.get(k) for k in ("rules", "passed", "failed", "errors", "skipped", "ran", "cached",
                                 "unaffected", "duration_ms")}
    ran = [r for r in d.get("results", []) if not r.get("cached") and r.get("status") not in ("skipped",)]
    ran.sort(key=lambda r: -(r.get("duration_ms") or 0))
    out["top_rules_ms"] = [[r["id"], round(r.get("duration_ms") or 0, 1)] for r in ran[:6]]
    out["rules_ms_total"] = round(sum(r.get("duration_ms") or 0 for r in d.get("results", [])), 1)
    return out


def one_run(s: Scenario, env: dict) -> dict:
    if s.prep:
        s.prep()
    if s.json_out and os.path.exists(s.json_out):
        os.remove(s.json_out)
    r = measure(s.argv, s.cwd, env)
    if s.json_out:
        r["summary"] = summary_of(s.json_out)
    if s.post:
        s.post()
    return r


def work_distinct(runs: list[dict]) -> list[list]:
    """[[ran, cached, unaffected, rules, how many runs], ...]: the work each run did."""
    seen: dict[tuple, int] = {}
    for x in runs:
        sm = x.get("summary")
        if sm:
            k = (sm["ran"], sm["cached"], sm["unaffected"], sm["rules"])
            seen[k] = seen.get(k, 0) + 1
    return [[*k, n] for k, n in sorted(seen.items())]


def stats(xs: list[float]) -> dict:
    if not xs:
        return {}
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


# ---------------------------------------------------------------------------
# report

def fmt_s(x: float) -> str:
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def markdown(res: dict) -> str:
    sc = {s["id"]: s for s in res["scenarios"]}
    lines = ["| scenario | repo (files) | median s | min s | max s | n | vs baseline: ratio of medians "
             "(median of same-round ratios) | peak RSS MB | CPU s (user+sys) | "
             "rules ran / cached / unaffected | load1 median |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in res["scenarios"]:
        w = s["wall"]
        if not w:
            continue
        repo = res["repos"][s["repo"]]
        ratio = ""
        if s.get("baseline") and s["baseline"] in sc and sc[s["baseline"]]["wall"]:
            b = sc[s["baseline"]]["wall"]["median"]
            ratio = f"{w['median'] / b:.2f}x {s['baseline'].split('.', 1)[1]}"
            if s.get("paired_ratio"):
                ratio += f" ({s['paired_ratio']['median']:.2f}x)"
        work = "; ".join(f"{r} / {c} / {u}" + (f" (x{n})" if len(s["work_distinct"]) > 1 else "")
                         for r, c, u, _, n in s["work_distinct"])
        lines.append(
            f"| {s['id']}: {s['title']} | {s['repo']} ({repo['files']:,}) | {fmt_s(w['median'])} | "
            f"{fmt_s(w['min'])} | {fmt_s(w['max'])} | {w['n']} | {ratio} | "
            f"{s['rss_mb']:.1f} | {fmt_s(s['cpu_s']['median'])} | {work} | "
            f"{s['load1']['median']:.1f} |")
    if res.get("pool_bench"):
        lines += ["", "| executor (empty jobs) | jobs | µs/job median | min | max | worker start ms |",
                  "|---|---|---|---|---|---|"]
        for p in res["pool_bench"]:
            lines.append(f"| {p['executor']} | {p['jobs']:,} x {p['rounds']} rounds | "
                         f"{p['us_per_job_median']:.1f} | {p['us_per_job_min']:.1f} | "
                         f"{p['us_per_job_max']:.1f} | {p['start_ms_median']:.1f} |")
    if res.get("checks"):
        bad = [c["what"] for c in res["checks"] if not c["ok"]]
        lines += ["", f"Consistency checks: {len(res['checks']) - len(bad)} of {len(res['checks'])} hold."
                  + ("" if not bad else " FAILED: " + "; ".join(bad))]
    m = res["machine"]
    lines.append("")
    lines.append(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']}; load average 1 min during the "
                 f"measured runs: median {m['load1_during']['median']:.1f}, min {m['load1_during']['min']:.1f}, "
                 f"max {m['load1_during']['max']:.1f}. sotinc {res['sotinc']['version']} "
                 f"({res['sotinc']['path']}).")
    return "\n".join(lines) + "\n"


def run_pool_bench(a, env: dict) -> list[dict]:
    """bench/pool_overhead.cc: µs per empty job, inline vs the pool at -j 1 and -j 2."""
    path = a.pool_bench or os.path.join(os.path.dirname(a.sotinc), "sotinc_pool_bench")
    if not os.access(path, os.X_OK):
        log(f"no {path}: pool overhead not measured (cmake --build BUILD --target sotinc_pool_bench)")
        return []
    argv = [path, "--jobs", "2000" if a.smoke else "20000", "--rounds", "1" if a.smoke else "5"]
    out = subprocess.run(argv, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    log("pool bench: " + " ".join(argv) + "\n" + "\n".join(l for l in out.splitlines()
                                                           if not l.startswith("{")))
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def load_results(path: str) -> list | None:
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError):
        return None
    return [(r.get("id"), r.get("status"), json.dumps(r.get("findings"), sort_keys=True))
            for r in d.get("results", [])]


def consistency(scen: list[Scenario], outdir: str) -> list[dict]:
    """What must hold whatever the timings (see the docstring)."""
    checks = []

    def check(what: str, ok: bool):
        checks.append({"what": what, "ok": bool(ok)})

    for s in scen:
        for x in s.runs:
            sm = x.get("summary")
            if s.json_out:
                check(f"{s.id}: exit {x['exit']} is 0 or 1 and the JSON report was written",
                      x["exit"] in (0, 1) and sm is not None)
            elif s.kind == "pre-commit":
                check(f"{s.id}: pre-commit exit {x['exit']} is 0 or 1", x["exit"] in (0, 1))
            if not sm:
                continue
            if s.kind == "warm":
                check(f"{s.id}: warm no-op ran {sm['ran']} rules (0 expected)", sm["ran"] == 0)
            if s.kind == "incremental":
                # Not "not all": a path- or size-keyed per-file rule can rerun
                # when the edit gives the file a size never seen before.
                check(f"{s.id}: ran {sm['ran']} (>= 1), cached {sm['cached']} + unaffected "
                      f"{sm['unaffected']} (>= 1)",
                      sm["ran"] >= 1 and sm["cached"] + sm["unaffected"] >= 1)
    by_kind = {s.kind: s for s in scen}
    if "cpu1" in by_kind and "cpu2" in by_kind:
        r1 = load_results(by_kind["cpu1"].json_out)
        r2 = load_results(by_kind["cpu2"].json_out)
        check("-j 1 and -j 2 give identical results (last run of each)", r1 is not None and r1 == r2)
    return checks


# ---------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sotinc", required=True, help="the sotinc binary to measure (nothing is built)")
    ap.add_argument("--workdir", default="/tmp/sotinc-bench")
    ap.add_argument("--runs", type=int, default=7, help="measured runs per scenario (default 7)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="unmeasured rounds before measuring, cold scenarios excluded (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scales", default="M", help="comma-separated scales to measure (default M)")
    ap.add_argument("--cold-runs", type=int, default=3,
                    help="measured runs of the expensive (cold) scenarios (default 3)")
    ap.add_argument("--history", type=int, default=6,
                    help="commits gen_history.py adds after generation (default 6, for HEAD~5)")
    ap.add_argument("--quick", action="store_true",
                    help="scale S, 3 runs, 1 cold run, no warm-up")
    ap.add_argument("--smoke", action="store_true",
                    help="CI: scale S, 1 run, no warm-up, no scenario that runs a command per file")
    ap.add_argument("--with-example", action="store_true",
                    help="also the example repository (fixtures/make-example-repo.sh)")
    ap.add_argument("--pool-bench", help="sotinc_pool_bench binary (default: next to --sotinc)")
    ap.add_argument("--only", nargs="*", help="scenario ids to run")
    ap.add_argument("--skip", nargs="*", help="scenario ids to leave out")
    ap.add_argument("--regen", action="store_true", help="regenerate the repositories")
    ap.add_argument("--path", default="/usr/local/bin:/usr/bin:/bin",
                    help="PATH for every measured command (default: system directories only)")
    ap.add_argument("--no-rss-pass", dest="rss_pass", action="store_false",
                    help="skip the untimed /usr/bin/time run that measures small processes' peak RSS")
    ap.add_argument("--json", help="results file (default WORKDIR/results.json)")
    ap.add_argument("--markdown", help="table file (default WORKDIR/results.md)")
    a = ap.parse_args()

    a.sotinc = os.path.abspath(a.sotinc)
    if a.quick:
        a.scales, a.runs, a.cold_runs, a.warmup = "S", 3, 1, 0
    if a.smoke:
        a.scales, a.runs, a.cold_runs, a.warmup, a.rss_pass = "S", 1, 1, 0, False
    scales = [x.strip().upper() for x in a.scales.split(",") if x.strip()]
    os.makedirs(a.workdir, exist_ok=True)
    outdir = os.path.join(a.workdir, "out")
    os.makedirs(outdir, exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = a.path
    env["NO_COLOR"] = "1"
    env.pop("SOTINC_CACHE_DIR", None)
    py = shutil.which("python3", path=a.path)
    version = subprocess.run([a.sotinc, "--version"], env=env, stdout=subprocess.PIPE, text=True).stdout.strip()

    # Repositories (generation is not timed).
    gen = [sys.executable, os.path.join(HERE, "gen_repo.py")]
    repos: dict[str, dict] = {}
    want = {s.split(".")[0] for s in (a.only or [])} or ({"ex"} if a.with_example else set()) | {
        x.lower() for x in scales}
    if "ex" in want:
        p = os.path.join(a.workdir, "ex")
        shutil.rmtree(p, ignore_errors=True)
        subprocess.run([os.path.join(ROOT, "fixtures", "make-example-repo.sh"), p], env=env, check=True)
        repos["ex"] = repo_facts(p, env)
    for X in scales:
        rk = X.lower()
        if rk not in want:
            continue
        path = os.path.join(a.workdir, rk)
        argv = gen + ["--out", path, "--scale", X, "--seed", str(a.seed)]
        hist = [sys.executable, os.path.join(HERE, "gen_history.py"), "--repo", path,
                "--commits", str(a.history), "--seed", str(a.seed)] if a.history > 0 else []
        repos[rk] = repo_facts(ensure_repo(rk, a.workdir, argv, env, a.regen, hist), env)
        repos[rk]["edit_file"] = pick_python_file(repos[rk]["path"], env)
    with open(os.path.join(a.workdir, "pre-commit-config.yaml"), "w") as f:
        f.write(subprocess.run([sys.executable, os.path.join(HERE, "gen_precommit.py")], env=env,
                               check=True, stdout=subprocess.PIPE, text=True).stdout)
    for k, r in repos.items():
        log(f"repo {k}: {r['files']} files, {r['bytes'] / 1e6:.1f} MB, HEAD {r['head'][:12]}")

    scen = build_scenarios(a, repos, env, outdir)
    log(f"scenarios: {', '.join(s.id for s in scen)}; {a.warmup} warm-up round(s), {a.runs} measured")

    for w in range(a.warmup):
        for s in scen:
            if not s.expensive:
                one_run(s, env)
        log(f"warm-up round {w + 1} done")

    t_start = time.time()
    load_samples: list[list[float]] = []
    for r in range(max(a.runs, a.cold_runs)):
        order = scen if r % 2 == 0 else list(reversed(scen))
        for s in order:
            if r >= (a.cold_runs if s.expensive else a.runs):
                continue
            res = one_run(s, env)
            res["round"] = r
            s.runs.append(res)
            load_samples.append(loadavg())
            sm = res.get("summary")
            extra = f" ran {sm['ran']} cached {sm['cached']} unaffected {sm['unaffected']}" if sm else ""
            log(f"round {r + 1} {s.id}: {res['wall_s']:.3f} s, {res['maxrss_kb'] / 1024:.0f} MB, "
                f"exit {res['exit']}, load {res['load1']:.2f}{extra}")
    t_end = time.time()

    # Peak RSS of the small processes (see the docstring), one untimed run each.
    rss_pass: dict[str, float] = {}
    if a.rss_pass and os.access("/usr/bin/time", os.X_OK):
        tmp = os.path.join(outdir, "rss.txt")
        for s in scen:
            if s.expensive:
                continue
            argv = s.argv
            s.argv = ["/usr/bin/time", "-f", "%M", "-o", tmp] + argv
            try:
                one_run(s, env)
            finally:
                s.argv = argv
            with open(tmp) as f:
                rss_pass[s.id] = int(f.read().split()[-1]) / 1024
            log(f"rss pass {s.id}: {rss_pass[s.id]:.1f} MB")
    floor_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    by_id = {s.id: s for s in scen}
    out_sc = []
    for s in scen:
        walls = [x["wall_s"] for x in s.runs]
        d = {"id": s.id, "repo": s.repo_key, "title": s.title, "argv": s.argv, "baseline": s.baseline,
             "wall": stats(walls),
             "cpu_s": stats([x["user_s"] + x["sys_s"] for x in s.runs]),
             "rss_wait4_mb": stats([x["maxrss_kb"] / 1024 for x in s.runs]),
             "rss_mb": rss_pass.get(s.id, statistics.median([x["maxrss_kb"] / 1024 for x in s.runs])
                                    if s.runs else 0),
             "rss_source": "/usr/bin/time -f %M (one untimed run)" if s.id in rss_pass
                           else "os.wait4 ru_maxrss (median)",
             "load1": stats([x["load1"] for x in s.runs]),
             "exits": sorted({x["exit"] for x in s.runs}),
             "summary": next((x["summary"] for x in s.runs if x.get("summary")), None),
             "work_distinct": work_distinct(s.runs),
             "runs": s.runs}
        if s.baseline and s.baseline in by_id:
            base = {x["round"]: x["wall_s"] for x in by_id[s.baseline].runs}
            pr = [x["wall_s"] / base[x["round"]] for x in s.runs if x["round"] in base]
            d["paired_ratio"] = stats(pr)
        out_sc.append(d)

    pool = run_pool_bench(a, env)
    checks = consistency(scen, outdir)
    for c in checks:
        log(f"check {'ok  ' if c['ok'] else 'FAIL'} {c['what']}")

    l1 = [x[0] for x in load_samples]
    res = {
        "generated_by": "bench/run_bench.py " + " ".join(sys.argv[1:]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t_start)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t_end)),
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "memory": mem_total(),
                    "kernel": platform.release(), "load1_during": stats(l1),
                    "load5_during": stats([x[1] for x in load_samples])},
        "sotinc": {"path": a.sotinc, "version": version},
        "env": {"PATH": a.path, "python3": py, "git": subprocess.run(["git", "--version"], env=env,
                stdout=subprocess.PIPE, text=True).stdout.strip()},
        "runs": a.runs, "cold_runs": a.cold_runs, "warmup": a.warmup, "wait4_rss_floor_mb": floor_mb,
        "repos": repos, "scenarios": out_sc, "pool_bench": pool, "checks": checks,
    }
    jpath = a.json or os.path.join(a.workdir, "results.json")
    mpath = a.markdown or os.path.join(a.workdir, "results.md")
    with open(jpath, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    md = markdown(res)
    with open(mpath, "w") as f:
        f.write(md)
    print(md)
    log(f"wrote {jpath} and {mpath}")
    return 0 if all(c["ok"] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
