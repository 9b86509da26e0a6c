#!/usr/bin/env python3
"""Side-by-side benchmark of `sotinc check` (issues 2 and 3 figures).

    bench/run_bench.py --sotinc PATH [--workdir DIR] [--runs N] [--warmup N]
                       [--only ID ...] [--skip ID ...] [--quick]
                       [--path PATH] [--json FILE] [--markdown FILE]

One command: makes the repositories under --workdir (default /tmp/sotinc-bench)
unless they are already there from the same arguments, then measures every
scenario round-robin: round r runs each scenario once, in forward order on
even rounds and reverse order on odd ones, so a load spike from the other jobs
on the machine hits all scenarios alike and a comparison (`sotinc check` vs
`git status` on the same repository) is always measured minutes apart at most.

Each measured run is preceded (outside the timing) by its scenario's
preparation, so that every run does the same work:

  ex.first      example repo, cache directory deleted: first `sotinc check`
  ex.warm       example repo, after an unmeasured `sotinc check`
  k20.cold      ~20k-file repo, `sotinc check --no-cache`
  m.warm        M repo, clean tree, after an unmeasured `sotinc check`
  m.staged      M repo, one Python file given new content (never seen before:
                a run counter is appended) and `git add`ed: `check --staged`
  m.since       M repo, the same file given new content in the working tree
                only: `check --since HEAD`
  m.cold        M repo, `sotinc check --no-cache`
  *.git_status  `git status` on the same repo, after one unmeasured `git status`

m.staged and m.since restore the file (`git checkout HEAD -- FILE`, index and
working tree) after each run.  Appending a fresh counter matters: the cache is
content-addressed, so alternating between two fixed contents would make every
run after the second a cache hit, not a one-file change.

Wall time is time.perf_counter() around fork/exec/wait; CPU time comes from
os.wait4() of that one child.  Peak RSS: os.wait4()'s ru_maxrss cannot go
below this Python process's own RSS (~19 MB: the forked child's high-water
mark survives exec), so after the timed rounds every scenario except the
cold ones runs once more, untimed, under `/usr/bin/time -f %M`, which gives
the true peak RSS of small processes; the cold scenarios (90+ MB, above the
floor) keep the wait4 figure.  ru_maxrss covers the child and the
descendants it waited for (a `command` rule's python3, say).  The load
average is read before every measured run.  sotinc writes `--format json
--output FILE`; the summary (ran / cached / unaffected) of every run is kept.

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

def ensure_repo(name: str, workdir: str, gen_argv: list[str], env: dict, regen: bool) -> str:
    """Generate a repository once; reuse it when made by the same command."""
    repo = os.path.join(workdir, name)
    stamp = os.path.join(workdir, f"{name}.gen.json")
    want = {"argv": gen_argv}
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
                 expensive: bool = False):
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
        self.runs: list[dict] = []


def build_scenarios(a, repos: dict, env: dict, outdir: str) -> list[Scenario]:
    S = a.sotinc
    sc: list[Scenario] = []
    counter = {"n": 0}

    def sot(repo_key: str, sid: str, *extra: str) -> tuple[list[str], str]:
        out = os.path.join(outdir, f"{sid}.json")
        return [S, "-C", repos[repo_key]["path"], "check", *extra, "--format", "json", "--output", out], out

    def warm(repo_key: str):
        def f():
            restore(repo_key)
            run_quiet([S, "-C", repos[repo_key]["path"], "check", "-q"], repos[repo_key]["path"], env)
        return f

    def git_warm(repo_key: str):
        def f():
            restore(repo_key)
            run_quiet(["git", "status"], repos[repo_key]["path"], env)
        return f

    def restore(repo_key: str):
        edit = repos[repo_key].get("edit_file")
        if edit:
            git(repos[repo_key]["path"], env, "checkout", "-q", "HEAD", "--", edit)

    def edit(repo_key: str, stage: bool):
        def f():
            restore(repo_key)
            r = repos[repo_key]
            counter["n"] += 1
            path = os.path.join(r["path"], r["edit_file"])
            with open(path, "ab") as fh:
                fh.write(f"\n# sotinc-bench edit {counter['n']} ({time.time_ns()})\n".encode())
            if stage:
                git(r["path"], env, "add", "--", r["edit_file"])
        return f

    def drop_cache(repo_key: str):
        def f():
            shutil.rmtree(os.path.join(repos[repo_key]["path"], ".git", "sotinc"), ignore_errors=True)
        return f

    if "ex" in repos:
        argv, out = sot("ex", "ex.first")
        sc.append(Scenario("ex.first", "ex", "example: first `sotinc check` (no cache)", argv,
                           prep=drop_cache("ex"), json_out=out, baseline="ex.git_status"))
        argv, out = sot("ex", "ex.warm")
        sc.append(Scenario("ex.warm", "ex", "example: warm `sotinc check`", argv,
                           prep=warm("ex"), json_out=out, baseline="ex.git_status"))
        sc.append(Scenario("ex.git_status", "ex", "example: `git status`", ["git", "status"],
                           prep=git_warm("ex")))
    if "k20" in repos:
        sc.append(Scenario("k20.git_status", "k20", "~20k files: `git status`", ["git", "status"],
                           prep=git_warm("k20")))
        argv, out = sot("k20", "k20.cold", "--no-cache")
        sc.append(Scenario("k20.cold", "k20", "~20k files: cold `sotinc check --no-cache`", argv,
                           json_out=out, baseline="k20.git_status", expensive=True))
    if "m" in repos:
        sc.append(Scenario("m.git_status", "m", "M: `git status`", ["git", "status"], prep=git_warm("m")))
        argv, out = sot("m", "m.warm")
        sc.append(Scenario("m.warm", "m", "M: warm no-op `sotinc check`", argv,
                           prep=warm("m"), json_out=out, baseline="m.git_status"))
        argv, out = sot("m", "m.staged", "--staged")
        sc.append(Scenario("m.staged", "m", "M: one Python file staged, `sotinc check --staged`", argv,
                           prep=edit("m", True), post=lambda: restore("m"), json_out=out,
                           baseline="m.git_status"))
        argv, out = sot("m", "m.since", "--since", "HEAD")
        sc.append(Scenario("m.since", "m", "M: one Python file modified, `sotinc check --since HEAD`", argv,
                           prep=edit("m", False), post=lambda: restore("m"), json_out=out,
                           baseline="m.git_status"))
        argv, out = sot("m", "m.cold", "--no-cache")
        sc.append(Scenario("m.cold", "m", "M: cold `sotinc check --no-cache`", argv,
                           json_out=out, baseline="m.git_status", expensive=True))
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
    lines = ["| scenario | repo (files) | median s | min s | max s | n | vs git status (median of ratios) | "
             "peak RSS MB | CPU s (user+sys) | rules ran / cached / unaffected | load1 median |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in res["scenarios"]:
        w = s["wall"]
        if not w:
            continue
        repo = res["repos"][s["repo"]]
        ratio = ""
        if s.get("baseline") and s["baseline"] in sc and sc[s["baseline"]]["wall"]:
            b = sc[s["baseline"]]["wall"]["median"]
            ratio = f"{w['median'] / b:.1f}x"
            if s.get("paired_ratio"):
                ratio += f" ({s['paired_ratio']['median']:.1f}x)"
        work = "; ".join(f"{r} / {c} / {u}" + (f" (x{n})" if len(s["work_distinct"]) > 1 else "")
                         for r, c, u, _, n in s["work_distinct"])
        lines.append(
            f"| {s['id']}: {s['title']} | {s['repo']} ({repo['files']:,}) | {fmt_s(w['median'])} | "
            f"{fmt_s(w['min'])} | {fmt_s(w['max'])} | {w['n']} | {ratio} | "
            f"{s['rss_mb']:.1f} | {fmt_s(s['cpu_s']['median'])} | {work} | "
            f"{s['load1']['median']:.1f} |")
    m = res["machine"]
    lines.append("")
    lines.append(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']}; load average 1 min during the "
                 f"measured runs: median {m['load1_during']['median']:.1f}, min {m['load1_during']['min']:.1f}, "
                 f"max {m['load1_during']['max']:.1f}. sotinc {res['sotinc']['version']} "
                 f"({res['sotinc']['path']}).")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sotinc", required=True, help="the sotinc binary to measure (nothing is built)")
    ap.add_argument("--workdir", default="/tmp/sotinc-bench")
    ap.add_argument("--runs", type=int, default=7, help="measured runs per scenario (default 7)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="unmeasured rounds before measuring, cold scenarios excluded (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", default="M", help="scale of the `m` repository (default M)")
    ap.add_argument("--k20-roots", type=int, default=18,
                    help="roots of the ~20k-file repository (scale M shape, 16 shards each; default 18)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: scale S for both generated repositories, 3 runs, no warm-up")
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
        a.scale, a.runs, a.warmup = "S", 3, 0
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
    want = {s.split(".")[0] for s in (a.only or [])} or {"ex", "k20", "m"}
    if "ex" in want:
        p = os.path.join(a.workdir, "ex")
        shutil.rmtree(p, ignore_errors=True)
        subprocess.run([os.path.join(ROOT, "fixtures", "make-example-repo.sh"), p], env=env, check=True)
        repos["ex"] = repo_facts(p, env)
    if "k20" in want:
        argv = gen + ["--out", os.path.join(a.workdir, "k20"), "--seed", str(a.seed)]
        argv += ["--scale", "S"] if a.quick else ["--scale", "M", "--roots", str(a.k20_roots)]
        repos["k20"] = repo_facts(ensure_repo("k20", a.workdir, argv, env, a.regen), env)
    if "m" in want:
        argv = gen + ["--out", os.path.join(a.workdir, "m"), "--scale", a.scale, "--seed", str(a.seed)]
        repos["m"] = repo_facts(ensure_repo("m", a.workdir, argv, env, a.regen), env)
        repos["m"]["edit_file"] = pick_python_file(repos["m"]["path"], env)
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
    for r in range(a.runs):
        order = scen if r % 2 == 0 else list(reversed(scen))
        for s in order:
            res = one_run(s, env)
            res["round"] = r
            s.runs.append(res)
            load_samples.append(loadavg())
            sm = res.get("summary")
            extra = f" ran {sm['ran']} cached {sm['cached']} unaffected {sm['unaffected']}" if sm else ""
            log(f"round {r + 1}/{a.runs} {s.id}: {res['wall_s']:.3f} s, {res['maxrss_kb'] / 1024:.0f} MB, "
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
        "runs": a.runs, "warmup": a.warmup, "wait4_rss_floor_mb": floor_mb,
        "repos": repos, "scenarios": out_sc,
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
