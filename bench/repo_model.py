"""Shared model of the benchmark "source of truth" repositories.

Used by gen_repo.py, gen_rules.py, gen_history.py and gen_precommit.py so that
the generated tree and the rules that describe it agree on names and shape.

Everything here is deterministic: content depends only on the seed and the
path of the file being rendered (each file gets its own random.Random seeded
with a string, which Python hashes with SHA-512, independent of
PYTHONHASHSEED).
"""

from __future__ import annotations

import json
import random

# ---------------------------------------------------------------------------
# Shape

# roots x shards, and the mean number of filler files per shard.  The totals
# land near 5k (S), 27k (M) and 250k (L) files.
SCALES = {
    "S": {"roots": 8, "shards": 6, "filler": 97},
    "M": {"roots": 24, "shards": 16, "filler": 62},
    "L": {"roots": 120, "shards": 20, "filler": 96},
}

ROOT_WORDS = [
    "identity", "billing", "network", "storage", "compute", "payments",
    "catalog", "search", "messaging", "analytics", "security", "logging",
    "monitoring", "inventory", "shipping", "pricing", "accounts", "auth",
    "notifications", "reporting", "scheduling", "compliance", "audit",
    "ledger", "customers", "orders", "support", "content", "media", "ml",
    "data", "edge", "dns", "cdn", "registry", "secrets", "backup", "quotas",
    "tenancy", "workflow",
]
REGION_SUFFIXES = ["eu", "us", "apac", "latam", "mea"]

SHARD_WORDS = [
    "api", "worker", "gateway", "scheduler", "store", "cache", "indexer",
    "ingest", "exporter", "webhook", "admin", "cli", "sync", "router",
    "quota", "metrics", "events", "backfill", "reconciler", "notifier",
    "planner", "validator", "archiver", "broker",
]

ROOT_NAME_RE = r"^[0-9]{2,3}_[a-z][a-z0-9_]*$"
SHARD_NAME_RE = r"^[0-9]{2}_[a-z][a-z0-9_]*$"


def root_names(n: int) -> list[str]:
    width = max(2, len(str(n - 1)))
    out = []
    for i in range(n):
        word = ROOT_WORDS[i % len(ROOT_WORDS)]
        if i >= len(ROOT_WORDS):
            word += "_" + REGION_SUFFIXES[i // len(ROOT_WORDS) - 1]
        out.append(f"{i:0{width}d}_{word}")
    return out


def shard_names(n: int) -> list[str]:
    return [f"{i:02d}_{shard_word(i)}" for i in range(n)]


def shard_word(i: int) -> str:
    word = SHARD_WORDS[i % len(SHARD_WORDS)]
    if i >= len(SHARD_WORDS):
        word += str(i // len(SHARD_WORDS) + 1)
    return word


def word_of(folder: str) -> str:
    """'03_identity_eu' -> 'identity_eu'."""
    return folder.split("_", 1)[1]


def team_of(root: str) -> str:
    return "team-" + word_of(root).replace("_", "-")


def chart_name(root: str, shard: str) -> str:
    return (word_of(root) + "-" + word_of(shard)).replace("_", "-")


# ---------------------------------------------------------------------------
# Vocabulary

NOUNS = [
    "record", "entry", "request", "response", "batch", "event", "payload",
    "account", "tenant", "quota", "limit", "window", "bucket", "policy",
    "schema", "contract", "token", "session", "snapshot", "checkpoint",
    "segment", "partition", "cursor", "offset", "label", "annotation",
    "metric", "sample", "route", "endpoint", "target", "resource", "job",
    "task", "queue", "lease", "shard", "replica", "region", "zone",
]
VERBS = [
    "load", "parse", "build", "resolve", "validate", "merge", "split",
    "render", "fetch", "store", "publish", "collect", "normalize", "index",
    "compact", "refresh", "expire", "apply", "diff", "encode", "decode",
    "summarize", "filter", "group", "rank", "schedule", "reconcile",
]
ADJS = [
    "active", "pending", "stale", "primary", "secondary", "default",
    "partial", "cached", "remote", "local", "strict", "lenient", "current",
    "previous", "expired", "healthy", "degraded",
]
WORDS = NOUNS + VERBS + ADJS + [
    "the", "a", "of", "for", "with", "when", "each", "every", "is", "are",
    "from", "into", "and", "or", "not", "only", "before", "after", "per",
]
FIRST_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace",
               "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy",
               "rupert", "sybil", "trent", "victor", "wendy", "yusuf"]
LAST_NAMES = ["martin", "nguyen", "garcia", "smith", "kowalski", "rossi",
              "dubois", "tanaka", "okafor", "silva", "novak", "jensen"]
TOPICS = ["architecture", "runbook", "operations", "migration", "faq",
          "design", "glossary", "oncall", "capacity", "changelog", "slo",
          "security-review", "data-model", "testing"]
CONTRACT_NAMES = ["events", "commands", "queries", "status", "audit", "admin"]
FIELD_TYPES = ["string", "integer", "number", "boolean", "object", "array",
               "timestamp"]


def camel(*parts: str) -> str:
    return "".join(p.capitalize() for p in parts)


def sentence(r: random.Random, lo: int = 6, hi: int = 14) -> str:
    words = [r.choice(WORDS) for _ in range(r.randint(lo, hi))]
    return " ".join(words).capitalize()


def person(r: random.Random) -> tuple[str, str]:
    first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
    return f"{first.capitalize()} {last.capitalize()}", f"{first}.{last}@example.com"


def unique_names(r: random.Random, n: int, make) -> list[str]:
    seen: set[str] = set()
    out = []
    while len(out) < n:
        name = make(r)
        if name in seen:
            name = f"{name}_{len(out)}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


# ---------------------------------------------------------------------------
# File plan of a shard.  A plan is a list of (relative path, spec) where spec
# is a dict with at least "kind"; content is rendered later by render().

def shard_plan(seed: int, root: str, shard: str, filler_mean: int) -> list[tuple[str, dict]]:
    r = random.Random(f"{seed}:plan:{root}:{shard}")
    base = f"{root}/shards/{shard}"
    plan: list[tuple[str, dict]] = [
        (f"{base}/chart.yaml", {"kind": "chart", "root": root, "shard": shard}),
        (f"{base}/README.md", {"kind": "shard_readme", "root": root, "shard": shard}),
        (f"{base}/docs/overview.md", {"kind": "overview", "root": root, "shard": shard}),
        (f"{base}/implementations/default/manifest.yaml",
         {"kind": "manifest", "root": root, "shard": shard, "impl": "default"}),
    ]
    if r.random() < 0.3:
        impl = r.choice(["canary", "legacy", "fips"])
        plan.append((f"{base}/implementations/{impl}/manifest.yaml",
                     {"kind": "manifest", "root": root, "shard": shard, "impl": impl}))
    for c in sorted(r.sample(CONTRACT_NAMES, r.randint(2, 4))):
        plan.append((f"{base}/contracts/{c}.json",
                     {"kind": "contract", "root": root, "shard": shard, "name": c}))

    n = max(8, round(filler_mean * r.uniform(0.75, 1.25)))
    n_py = round(n * 0.55)
    n_rego = round(n * 0.15)
    n_json = round(n * 0.15)
    n_md = n - n_py - n_rego - n_json
    # Python packages, each with an __init__.py
    n_pkgs = 1 + n_py // 12
    pkgs = unique_names(r, n_pkgs, lambda r: f"{word_of(shard)}_{r.choice(NOUNS)}")
    mods = unique_names(r, max(0, n_py - n_pkgs), lambda r: f"{r.choice(VERBS)}_{r.choice(NOUNS)}")
    for p in pkgs:
        plan.append((f"{base}/tools/python/{p}/__init__.py",
                     {"kind": "py_init", "root": root, "shard": shard}))
    for i, m in enumerate(mods):
        plan.append((f"{base}/tools/python/{pkgs[i % n_pkgs]}/{m}.py",
                     {"kind": "py", "root": root, "shard": shard}))
    for p in unique_names(r, n_rego, lambda r: f"{r.choice(ADJS)}_{r.choice(NOUNS)}"):
        plan.append((f"{base}/tools/policies/{p}.rego",
                     {"kind": "rego", "root": root, "shard": shard, "name": p}))
    for d in unique_names(r, n_json, lambda r: f"{r.choice(NOUNS)}_{r.choice(NOUNS)}s"):
        plan.append((f"{base}/tools/data/{d}.json",
                     {"kind": "data", "root": root, "shard": shard, "name": d}))
    for t in unique_names(r, n_md, lambda r: r.choice(TOPICS)):
        t = t.replace("_", "-")
        plan.append((f"{base}/docs/{t}.md", {"kind": "doc", "root": root, "shard": shard}))
    return plan


def root_plan(root: str) -> list[tuple[str, dict]]:
    return [(f"{root}/README.md", {"kind": "root_readme", "root": root})]


# ---------------------------------------------------------------------------
# Renderers.  Each takes (r, path, spec) and returns the file text.

def render(seed: int, path: str, spec: dict) -> str:
    r = random.Random(f"{seed}:file:{path}")
    return RENDERERS[spec["kind"]](r, path, spec)


def r_chart(r, path, s):
    root, shard = s["root"], s["shard"]
    shard_id = s.get("shard_id", shard)
    version = s.get("version", f"{r.randint(0, 4)}.{r.randint(0, 20)}.{r.randint(0, 30)}")
    quote = r.random() < 0.2
    sid = f'"{shard_id}"' if quote else shard_id
    lines = [
        "apiVersion: v2",
        f"name: {chart_name(root, shard)}",
        f"version: {version}",
        f"description: {sentence(r)}.",
        f"type: {r.choice(['application', 'application', 'library'])}",
        "maintainers:",
    ]
    for _ in range(r.randint(1, 3)):
        name, email = person(r)
        lines += [f"  - name: {name}", f"    email: {email}"]
    lines += [
        "annotations:",
        f"  shard_id: {sid}",
        f"  root_id: {root}",
        f"  owner: {team_of(root)}",
    ]
    if r.random() < 0.5:
        lines += ["keywords:"] + [f"  - {w}" for w in r.sample(NOUNS, 3)]
    return "\n".join(lines) + "\n"


def r_shard_readme(r, path, s):
    root, shard = s["root"], s["shard"]
    out = [f"# {word_of(root)} / {word_of(shard)}", "",
           f"Shard `{shard}` of root `{root}`, owned by {team_of(root)}.", ""]
    for _ in range(r.randint(1, 3)):
        out += [sentence(r, 12, 30) + ".", ""]
    out += ["## Layout", "", "- `chart.yaml`: shard metadata",
            "- `contracts/`: JSON contracts", "- `implementations/`: deployables",
            "- `tools/`: helpers, policies and data", ""]
    return "\n".join(out)


def r_overview(r, path, s):
    out = [f"# Overview of {word_of(s['shard'])}", "", sentence(r, 15, 40) + ".", "",
           "## Interfaces", ""]
    for c in r.sample(CONTRACT_NAMES, 2):
        out.append(f"- `{c}`: {sentence(r, 5, 10).lower()}.")
    out += ["", "## Dependencies", "", sentence(r, 10, 25) + ".", ""]
    return "\n".join(out)


def r_doc(r, path, s):
    title = path.rsplit("/", 1)[1][:-3].replace("-", " ").capitalize()
    out = [f"# {title}", ""]
    target = r.randint(600, 4000)
    size = 0
    while size < target:
        kind = r.random()
        if kind < 0.5:
            block = sentence(r, 20, 60) + "."
        elif kind < 0.7:
            block = f"## {sentence(r, 2, 5)}"
        elif kind < 0.9:
            block = "\n".join(f"- {sentence(r, 4, 10).lower()}" for _ in range(r.randint(2, 5)))
        else:
            block = "```sh\n" + f"sotinc check --rule {r.choice(NOUNS)}\n" + "```"
        out += [block, ""]
        size += len(block) + 1
    return "\n".join(out)


def r_root_readme(r, path, s):
    root = s["root"]
    return (f"# {word_of(root)}\n\nRoot `{root}` owned by {team_of(root)}.\n\n"
            f"{sentence(r, 20, 40)}.\n\nEach folder under `shards/` is one shard with a\n"
            "`chart.yaml`, contracts, implementations and tools.\n")


def r_manifest(r, path, s):
    shard, impl = s["shard"], s["impl"]
    pkg = word_of(shard)
    return "\n".join([
        "kind: Implementation",
        f"name: {impl}",
        f"shard: {shard}",
        f"runtime: {r.choice(['python3.11', 'python3.12', 'go1.22'])}",
        "spec:",
        f"  entrypoint: tools/python/{pkg}/main.py",
        f"  replicas: {r.randint(1, 6)}",
        "  resources:",
        f"    cpu: {r.choice([250, 500, 1000])}m",
        f"    memory: {r.choice([128, 256, 512, 1024])}Mi",
        "  env:",
        f"    - name: LOG_LEVEL",
        f"      value: {r.choice(['info', 'debug', 'warning'])}",
        "",
    ])


def r_contract(r, path, s):
    root, shard, name = s["root"], s["shard"], s["name"]
    fields = []
    for n in unique_names(r, r.randint(3, 12), lambda r: f"{r.choice(NOUNS)}_{r.choice(['id', 'name', 'count', 'at', 'state'])}"):
        fields.append({"name": n, "type": r.choice(FIELD_TYPES), "required": r.random() < 0.6,
                       "description": sentence(r, 3, 8)})
    obj = {"kind": "Contract", "name": f"{chart_name(root, shard)}-{name}",
           "version": f"{r.randint(1, 3)}.{r.randint(0, 9)}.0", "owner": team_of(root),
           "fields": fields}
    text = json.dumps(obj, indent=2) + "\n"
    if s.get("broken"):
        # drop the closing brace and a comma: a parse error well inside the file
        text = text.replace('"kind": "Contract",', '"kind": "Contract"', 1)
    return text


def r_data(r, path, s):
    target = s.get("target", r.randint(400, 6000))
    obj = {"kind": "Dataset", "name": s["name"], "version": r.randint(1, 40), "records": []}
    size = 80
    i = 0
    while size < target:
        rec = {"id": f"{s['name']}-{i:05d}", "label": r.choice(NOUNS), "state": r.choice(ADJS),
               "weight": round(r.random() * 100, 3), "tags": r.sample(NOUNS, 2)}
        obj["records"].append(rec)
        size += 130
        i += 1
    return json.dumps(obj, indent=2) + "\n"


def r_rego(r, path, s):
    root, shard, name = s["root"], s["shard"], s["name"]
    out = []
    if not s.get("no_owner"):
        out.append(f"# owner: {team_of(root)}")
    out += [f"# shard: {shard}", f"# {sentence(r, 5, 10)}.",
            f"package sot.{word_of(root)}.{word_of(shard)}.{name}", "", "import rego.v1", "",
            "default allow := false", "",
            "allow if {", f'\tinput.subject.team == "{team_of(root)}"',
            f'\tinput.action in {{"read", "list", "{r.choice(VERBS)}"}}', "}", ""]
    for _ in range(r.randint(1, 8)):
        label = r.choice(NOUNS)
        out += ["deny contains msg if {", f"\tnot input.resource.labels.{label}",
                f'\tmsg := sprintf("resource %s is missing label {label}", [input.resource.name])',
                "}", ""]
        if r.random() < 0.4:
            n = r.randint(2, 50)
            out += [f"{r.choice(ADJS)}_{label} contains item if {{",
                    f"\tsome item in input.{r.choice(NOUNS)}s",
                    f"\titem.{r.choice(NOUNS)}_count > {n}", "}", ""]
    return "\n".join(out)


# --- Python ---------------------------------------------------------------

PY_HEADER = '''"""{doc}.

{doc2}.
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

logger = logging.getLogger(__name__)

'''


def _py_const(r):
    name = f"{r.choice(ADJS)}_{r.choice(NOUNS)}".upper()
    kind = r.random()
    if kind < 0.4:
        return f"{name}_LIMIT = {r.randint(1, 5000)}\n"
    if kind < 0.7:
        vals = ", ".join(f'"{w}"' for w in r.sample(NOUNS, r.randint(2, 5)))
        return f"{name}_NAMES = ({vals})\n"
    return f"{name}_TIMEOUT_S = {r.randint(1, 120)}.{r.randint(0, 9)}\n"


def _py_func(r):
    verb, noun, key = r.choice(VERBS), r.choice(NOUNS), r.choice(NOUNS)
    arg = f"{noun}s"
    doc = sentence(r)
    v = r.random()
    if v < 0.35:
        return f'''

def {verb}_{noun}s({arg}: Iterable[dict[str, Any]], limit: int = {r.randint(10, 10000)}) -> dict[str, Any]:
    """{doc}.

    Args:
        {arg}: the {noun}s to {verb}, in input order.
        limit: stop after this many {noun}s.
    """
    result: dict[str, Any] = {{}}
    for index, item in enumerate({arg}):
        if index >= limit:
            logger.info("{verb}_{noun}s: limit %d reached", limit)
            break
        key = item.get("{key}")
        if key is None:
            logger.warning("skipping {noun} without {key}: %r", item)
            continue
        result[str(key)] = item
    return result
'''
    if v < 0.6:
        return f'''

def {verb}_{noun}(path: str, *, strict: bool = {r.choice(["True", "False"])}) -> Optional[dict[str, Any]]:
    """{doc}."""
    if not os.path.exists(path):
        if strict:
            raise FileNotFoundError(path)
        return None
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if "{key}" not in data and strict:
        raise ValueError(f"{{path}}: missing {key}")
    logger.debug("{verb}_{noun} read %d keys from %s", len(data), path)
    return data
'''
    if v < 0.8:
        return f'''

def {verb}_by_{key}({arg}: Iterable[Any]) -> dict[str, list[Any]]:
    """{doc}."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for item in {arg}:
        groups[getattr(item, "{key}", "unknown")].append(item)
    for name, members in sorted(groups.items()):
        if len(members) > {r.randint(2, 500)}:
            logger.warning("group %s has %d {noun}s", name, len(members))
    return dict(groups)
'''
    return f'''

def {verb}_{noun}_score({noun}: dict[str, Any], weight: float = {r.randint(1, 9)}.{r.randint(0, 99)}) -> float:
    """{doc}."""
    score = 0.0
    for name, value in {noun}.items():
        if isinstance(value, (int, float)):
            score += weight * float(value)
        elif isinstance(value, str) and value.startswith("{r.choice(ADJS)}"):
            score -= weight
    return round(score, {r.randint(1, 6)})
'''


def _py_class(r):
    noun, adj, n2 = r.choice(NOUNS), r.choice(ADJS), r.choice(NOUNS)
    cls = camel(adj, noun)
    return f'''

@dataclass
class {cls}:
    """{sentence(r)}."""

    name: str
    {n2}_count: int = {r.randint(0, 100)}
    labels: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add_label(self, label: str) -> bool:
        """{sentence(r)}."""
        if not label or label in self.labels:
            return False
        self.labels.append(label)
        logger.debug("%s: added label %s", self.name, label)
        return True

    def to_dict(self) -> dict[str, Any]:
        return {{
            "name": self.name,
            "{n2}_count": self.{n2}_count,
            "labels": sorted(self.labels),
            **self.extra,
        }}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "{cls}":
        return cls(
            name=str(data["name"]),
            {n2}_count=int(data.get("{n2}_count", 0)),
            labels=list(data.get("labels", [])),
        )
'''


def r_py(r, path, s):
    target = s.get("target") or int(1000 * (1.0 + 19.0 * r.random() ** 2.2))
    parts = [PY_HEADER.format(doc=sentence(r), doc2=sentence(r, 10, 25))]
    for _ in range(r.randint(1, 4)):
        parts.append(_py_const(r))
    size = sum(map(len, parts))
    injected = False
    while size < target:
        block = _py_class(r) if r.random() < 0.25 else _py_func(r)
        if not injected and s.get("inject") and size > target // 3:
            parts.append(s["inject"])
            injected = True
        parts.append(block)
        size += len(block)
    if s.get("inject") and not injected:
        parts.append(s["inject"])
    parts.append('''

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
''')
    return "".join(parts)


def r_py_init(r, path, s):
    return f'"""{sentence(r)}."""\n\n__all__: list[str] = []\n__version__ = "{r.randint(0, 3)}.{r.randint(0, 20)}.0"\n'


def r_text(r, path, s):
    return s["text"]


RENDERERS = {
    "chart": r_chart, "shard_readme": r_shard_readme, "overview": r_overview,
    "doc": r_doc, "root_readme": r_root_readme, "manifest": r_manifest,
    "contract": r_contract, "data": r_data, "rego": r_rego, "py": r_py,
    "py_init": r_py_init, "text": r_text,
}

# Lines injected into Python files as violations.  Each is valid Python so
# that only the intended rule fails.
INJECT_SSN = '\n\n# sample customer for the smoke test\nSMOKE_CUSTOMER = {"name": "Jane Roe", "ssn": "123-45-6789"}\n'
INJECT_PASSWORD = '\n\nDB_USER = "svc_reader"\npassword = "Winter2024!"\n'
INJECT_BREAKPOINT = '\n\ndef _debug_hook() -> None:\n    breakpoint()\n'
INJECT_SYNTAX = '\n\ndef broken(:\n    pass\n'


# ---------------------------------------------------------------------------
# Repository-level files

GITIGNORE = """__pycache__/
*.pyc
.venv/
build/
.sotinc/
.DS_Store
"""


def repo_readme(roots: list[str], shards: list[str]) -> str:
    lines = ["# Source of truth", "",
             f"{len(roots)} roots, {len(shards)} shards per root. Validated by `sotinc check`",
             "against the rules in `sotinc.yaml`.", "", "## Roots", ""]
    lines += [f"- `{r}`: owned by {team_of(r)}" for r in roots]
    return "\n".join(lines) + "\n"


def repo_files(roots: list[str], shards: list[str]) -> list[tuple[str, dict]]:
    def text(t):
        return {"kind": "text", "text": t}
    return [
        ("README.md", text(repo_readme(roots, shards))),
        (".gitignore", text(GITIGNORE)),
        ("docs/architecture.md", text("# Architecture\n\nRoots hold shards; shards hold charts, contracts,\n"
                                      "implementations and tools.\n")),
        ("docs/contributing.md", text("# Contributing\n\nRun `sotinc check --staged` before you commit.\n")),
        (".github/pull_request_template.md", text("# Summary\n\n- [ ] `sotinc check` passes\n")),
        # Third-party code: excluded by `ignore: [vendor/**]`, and it would fail
        # the PII rules if it were not.
        ("vendor/acme_fixtures/README.md", text("# acme fixtures\n\nVendored test data.\n")),
        ("vendor/acme_fixtures/people.py", text('PEOPLE = [\n    {"name": "John Doe", "ssn": "078-05-1120"},\n]\npassword = "not-a-secret"\n')),
    ]
