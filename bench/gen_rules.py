#!/usr/bin/env python3
"""Emit the sotinc.yaml rule set that describes a generated benchmark repo.

The rule set has 16 rules per root folder (how real source-of-truth repos
grow to hundreds of rules: each team owns the rules of its root) plus ~21
repository-wide rules.  Scale M (24 roots) gives ~405 rules, L (120 roots)
~1,941, S (8 roots) ~149.

    gen_rules.py --scale M [--output FILE]
    gen_rules.py --repo DIR [--output FILE]     # shape read from an existing tree
    gen_rules.py --roots 24 --shards 16

Output is plain YAML written by a small emitter (no PyYAML needed); it is
byte-for-byte deterministic.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import repo_model as M  # noqa: E402

# ---------------------------------------------------------------------------
# YAML emitter for the subset we write: maps, lists, str, int, bool.

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
# prose (titles) may be plain in block context: no ':', '#', ',', quotes
_PROSE = re.compile(r"^[A-Za-z][A-Za-z0-9 _./()-]*[A-Za-z0-9.)]$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(v, block: bool = False) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        if (_PLAIN.match(v) or (block and _PROSE.match(v) and "  " not in v)) and v.lower() not in _RESERVED:
            return v
        return "'" + v.replace("'", "''") + "'"
    raise TypeError(type(v))


def _flow_ok(items) -> bool:
    return all(not isinstance(i, (dict, list)) and not (isinstance(i, str) and "\n" in i) for i in items)


def emit(v, indent: int = 0) -> list[str]:
    """Lines of a block node at `indent` (for maps and lists)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(v, dict):
        for k, val in v.items():
            key = scalar(k)
            lines += _entry(pad + key + ":", val, indent)
    elif isinstance(v, list):
        for item in v:
            if isinstance(item, dict) and item:
                sub = emit(item, indent + 2)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                lines += sub
            else:
                lines += _entry(pad + "-", item, indent)
    return lines


def _entry(head: str, val, indent: int) -> list[str]:
    if isinstance(val, dict):
        if not val:
            return [head + " {}"]
        return [head] + emit(val, indent + 2)
    if isinstance(val, list):
        flow = "[" + ", ".join(scalar(i) for i in val) + "]" if _flow_ok(val) else None
        if flow is not None and len(head) + len(flow) < 100:
            return [head + " " + flow]
        return [head] + emit(val, indent + 2)
    if isinstance(val, str) and "\n" in val:
        body = val[:-1] if val.endswith("\n") else val
        chomp = "|" if val.endswith("\n") else "|-"
        return [head + " " + chomp] + [(" " * (indent + 2) + ln) if ln else "" for ln in body.split("\n")]
    return [head + " " + scalar(val, block=True)]


def dump(doc: dict, header: str = "") -> str:
    out = [("# " + ln).rstrip() for ln in header.splitlines()]
    for k, v in doc.items():
        if k == "rules":
            out.append("")
            out.append("rules:")
            for rule in v:
                sub = emit(rule, 4)
                sub[0] = "  - " + sub[0][4:]
                out += sub
                out.append("")
        else:
            out += _entry(scalar(k) + ":", v, 0)
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------
# Rules

SEMVER = r"^[0-9]+\.[0-9]+\.[0-9]+$"
PY_SYNTAX = """import ast, sys
bad = 0
for path in sys.argv[1:]:
    try:
        with open(path, 'rb') as f:
            ast.parse(f.read(), path)
    except SyntaxError as e:
        print(f'{path}:{e.lineno or 1}:{e.offset or 1}: {e.msg}')
        bad = 1
sys.exit(bad)
"""
MD_CRLF = ("grep -Hn \"$(printf '\\r')\" \"$@\" | "
           "sed -e 's/^\\([^:]*:[0-9]*\\):.*/\\1: CRLF line ending/'")


def per_root_rules(idx: int, root: str, n_shards: int, width: int) -> list[dict]:
    P = f"R{idx:0{width}d}"
    w = M.word_of(root)
    team = M.team_of(root)
    shards = f"{root}/shards"
    return [
        {"id": f"{P}.shards.count", "title": f"{root} has exactly {n_shards} shards",
         "tags": ["structure", w], "depends_on": ["GL.roots.count"],
         "check": {"kind": "dir_count", "parents": shards, "name": M.SHARD_NAME_RE,
                   "entries": "dirs", "count": n_shards}},
        {"id": f"{P}.shards.layout", "title": f"Every shard of {root} has a chart, contracts and a default implementation",
         "tags": ["structure", w], "depends_on": ["GL.roots.count"],
         "check": {"kind": "required_files", "dirs": f"{shards}/*",
                   "files": ["chart.yaml", "implementations/default/manifest.yaml", "contracts/*.json"]}},
        {"id": f"{P}.shards.docs", "title": f"Every shard of {root} is documented",
         "severity": "warning", "tags": ["structure", "docs", w], "depends_on": ["GL.roots.count"],
         "check": {"kind": "required_files", "dirs": f"{shards}/*", "files": ["README.md", "docs/overview.md"]}},
        {"id": f"{P}.impl.variants", "title": f"Shards of {root} have 1 to 3 implementations",
         "tags": ["structure", w], "depends_on": [f"{P}.shards.layout"],
         "check": {"kind": "dir_count", "parents": f"{shards}/*/implementations",
                   "name": r"^[a-z][a-z0-9-]*$", "entries": "dirs", "min": 1, "max": 3}},
        {"id": f"{P}.names.python", "title": f"Python modules of {root} are snake_case",
         "severity": "warning", "tags": ["naming", "python", w],
         "check": {"kind": "path_name", "files": f"{shards}/*/tools/**/*.py", "pattern": r"^[a-z_][a-z0-9_]*\.py$"}},
        {"id": f"{P}.chart.schema", "title": f"Charts of {root} have the required fields",
         "tags": ["yaml", "charts", w], "depends_on": [f"{P}.shards.layout"],
         "check": {"kind": "yaml", "files": f"{shards}/*/chart.yaml",
                   "require": ["apiVersion", "name", "version", "description", "maintainers",
                               "maintainers[*].name", "maintainers[*].email",
                               "annotations.shard_id", "annotations.root_id", "annotations.owner"],
                   "type": {"version": "string", "maintainers": "list", "annotations": "map"}}},
        {"id": f"{P}.chart.identity", "title": f"Charts of {root} name their own shard and root",
         "description": "A chart copied from another shard keeps the old shard_id; this catches it.",
         "tags": ["yaml", "charts", w], "depends_on": [f"{P}.chart.schema"],
         "check": {"kind": "yaml", "files": f"{shards}/<shard>/chart.yaml",
                   "equals": {"annotations.shard_id": "<shard>", "annotations.root_id": root}}},
        {"id": f"{P}.chart.values", "title": f"Chart values of {root} are well-formed",
         "tags": ["yaml", "charts", w], "depends_on": [f"{P}.chart.schema"],
         "check": {"kind": "yaml", "files": f"{shards}/*/chart.yaml",
                   "enum": {"apiVersion": ["v2"], "type": ["application", "library"],
                            "annotations.owner": [team, "team-platform"]},
                   "match": {"version": SEMVER, "maintainers[*].email": r"^[a-z.]+@example\.com$"}}},
        {"id": f"{P}.chart.unique", "title": f"Shard ids are unique within {root}",
         "tags": ["charts", w], "depends_on": [f"{P}.chart.schema"],
         "check": {"kind": "unique", "files": f"{shards}/*/chart.yaml", "key": "annotations.shard_id"}},
        {"id": f"{P}.contracts.schema", "title": f"Contracts of {root} follow the contract schema",
         "tags": ["json", "contracts", w], "depends_on": [f"{P}.shards.layout"],
         "check": {"kind": "yaml", "files": f"{shards}/*/contracts/*.json",
                   "require": ["kind", "name", "version", "owner", "fields", "fields[*].name", "fields[*].type"],
                   "equals": {"kind": "Contract", "owner": team},
                   "enum": {"fields[*].type": list(M.FIELD_TYPES)},
                   "type": {"fields": "list", "fields[*].required": "bool"}}},
        {"id": f"{P}.manifest.schema", "title": f"Implementation manifests of {root} are valid",
         "tags": ["yaml", w], "depends_on": [f"{P}.shards.layout"],
         "check": {"kind": "yaml", "files": f"{shards}/<shard>/implementations/<impl>/manifest.yaml",
                   "require": ["kind", "name", "shard", "runtime", "spec.entrypoint", "spec.replicas"],
                   "equals": {"kind": "Implementation", "name": "<impl>", "shard": "<shard>"},
                   "enum": {"runtime": ["python3.11", "python3.12", "go1.22"]},
                   "type": {"spec.replicas": "number", "spec.env": "list"},
                   "match": {"spec.resources.memory": r"^[0-9]+Mi$"}}},
        {"id": f"{P}.readme.title", "title": f"Shard READMEs of {root} start with a title",
         "severity": "warning", "tags": ["docs", w], "depends_on": [f"{P}.shards.docs"],
         "check": {"kind": "require_regex", "files": f"{shards}/??_*/README.md", "pattern": r"^# \S"}},
        {"id": f"{P}.overview.sections", "title": f"Overviews of {root} list their interfaces",
         "severity": "warning", "tags": ["docs", w], "depends_on": [f"{P}.shards.docs"],
         "check": {"kind": "require_regex", "files": f"{shards}/*/docs/overview.md", "pattern": "(?m)^## Interfaces$"}},
        {"id": f"{P}.rego.owner", "title": f"Policies of {root} declare their owner",
         "tags": ["policy", w],
         "check": {"kind": "require_regex", "files": f"{root}/**/*.rego",
                   "pattern": r"(?m)^# owner: team-[a-z0-9-]+$", "scope": "each_file"}},
        {"id": f"{P}.py.debug", "title": f"No debugger calls in {root}",
         "tags": ["python", w],
         "check": {"kind": "forbid_regex", "files": f"{root}/**/*.py",
                   "pattern": r"^\s*(breakpoint\(\)|import pdb|pdb\.set_trace\(\))",
                   "message": "debugger call left in code"}},
        {"id": f"{P}.size.python", "title": f"Python files of {root} stay small",
         "tags": ["size", "python", w],
         "check": {"kind": "max_size", "files": f"{root}/**/*.py", "bytes": 65536, "lines": 2000}},
    ]


def global_rules(roots: list[str], n_shards: int) -> list[dict]:
    return [
        {"id": "GL.roots.count", "title": f"Exactly {len(roots)} root folders",
         "tags": ["structure"],
         "check": {"kind": "dir_count", "parents": ".", "name": M.ROOT_NAME_RE, "entries": "dirs",
                   "count": len(roots)}},
        {"id": "GL.shards.same", "title": "Every root has the same set of shards",
         "tags": ["structure"], "depends_on": ["GL.roots.count"],
         "check": {"kind": "dir_count", "parents": "*/shards", "name": M.SHARD_NAME_RE, "entries": "dirs",
                   "min": 1, "same_names": True}},
        {"id": "GL.root.readme", "title": "Every root folder has a README",
         "tags": ["structure", "docs"], "depends_on": ["GL.roots.count"],
         "check": {"kind": "required_files", "dirs": "[0-9]*_*", "files": ["README.md"]}},
        {"id": "GL.shard.paths", "title": "Nothing lives directly under a shards/ folder",
         "tags": ["structure", "naming"],
         "check": {"kind": "path_name", "files": "*/shards/**", "on": "path",
                   "pattern": r"^[0-9]{2,3}_[a-z][a-z0-9_]*/shards/[0-9]{2}_[a-z][a-z0-9_]*/"}},
        {"id": "GL.names.portable", "title": "File names are portable",
         "severity": "warning", "tags": ["naming"],
         "check": {"kind": "path_name", "files": "**", "pattern": r"^[A-Za-z0-9._-]+$"}},
        {"id": "GL.chart.root_id", "title": "Every chart names the root it lives in",
         "tags": ["yaml", "charts"], "depends_on": ["GL.roots.count"],
         "check": {"kind": "yaml", "files": "<root>/shards/<shard>/chart.yaml",
                   "equals": {"annotations.root_id": "<root>"}}},
        {"id": "GL.chart.name.unique", "title": "Chart names are unique across the repository",
         "tags": ["charts"],
         "check": {"kind": "unique", "files": "*/shards/*/chart.yaml", "key": "name"}},
        {"id": "GL.yaml.parse", "title": "YAML files parse",
         "tags": ["yaml"],
         "check": {"kind": "yaml", "files": ["**/*.yaml", "**/*.yml"], "type": {"apiVersion": "string"}}},
        {"id": "GL.json.parse", "title": "JSON files parse",
         "tags": ["json"],
         "check": {"kind": "yaml", "files": "**/*.json", "type": {"kind": "string"}}},
        {"id": "GL.pii.ssn", "title": "No social security numbers in code",
         "tags": ["pii", "security", "python"],
         "check": {"kind": "forbid_regex", "files": "**/*.py", "pattern": r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b",
                   "message": "looks like a US social security number"}},
        {"id": "GL.pii.password", "title": "No hard-coded passwords in code",
         "tags": ["pii", "security", "python"],
         "check": {"kind": "forbid_regex", "files": "**/*.py",
                   "pattern": r"""\b(password|passwd|secret)\s*=\s*["'][^"']+["']""",
                   "ignore_case": True, "message": "hard-coded credential"}},
        {"id": "GL.pii.card", "title": "No payment card numbers in code",
         "tags": ["pii", "security", "python"],
         "check": {"kind": "forbid_regex", "files": "**/*.py", "pattern": r"\b4[0-9]{3}([ -]?[0-9]{4}){3}\b",
                   "message": "looks like a card number"}},
        {"id": "GL.pii.aws", "title": "No AWS access keys anywhere",
         "tags": ["pii", "security"],
         "check": {"kind": "forbid_regex", "files": "**/*.{py,json,yaml,yml,md}", "pattern": r"\bAKIA[0-9A-Z]{16}\b",
                   "message": "AWS access key id"}},
        {"id": "GL.rego.package", "title": "Policies declare a package",
         "tags": ["policy"],
         "check": {"kind": "require_regex", "files": "**/*.rego", "pattern": r"(?m)^package [a-z][a-z0-9_.]*$"}},
        {"id": "GL.md.title", "title": "Markdown files start with a title",
         "severity": "info", "tags": ["docs"],
         "check": {"kind": "require_regex", "files": "**/*.md", "pattern": "^# "}},
        {"id": "GL.size.any", "title": "No file over 1 MiB",
         "tags": ["size"],
         "check": {"kind": "max_size", "files": "**", "bytes": 1048576}},
        {"id": "GL.size.docs", "title": "Docs stay readable",
         "severity": "info", "tags": ["size", "docs"],
         "check": {"kind": "max_size", "files": ["**/*.md", "!**/README.md"], "lines": 400}},
        {"id": "GL.legacy.tabs", "title": "No tabs in Python (disabled while the migration runs)",
         "enabled": False, "tags": ["python"],
         "check": {"kind": "forbid_regex", "files": "**/*.py", "pattern": "\t"}},
        {"id": "CMD.contracts.json", "title": "Contracts pass python -m json.tool",
         "tags": ["command", "contracts"], "timeout": "120s",
         "check": {"kind": "command", "files": "*/shards/*/contracts/*.json", "per_file": True,
                   "batch": True, "format": "plain",
                   "run": 'for f in "$@"; do python3 -m json.tool "$f" /dev/null || exit 1; done'}},
        {"id": "CMD.py.syntax", "title": "Python files compile",
         "tags": ["command", "python"], "timeout": "300s",
         "check": {"kind": "command", "files": "**/*.py", "per_file": True, "batch": True,
                   "env": {"PYTHONDONTWRITEBYTECODE": "1"},
                   "run": ["python3", "-c", PY_SYNTAX]}},
        {"id": "CMD.md.crlf", "title": "Markdown uses LF line endings",
         "severity": "warning", "tags": ["command", "docs"],
         "check": {"kind": "command", "files": "**/*.md", "run": MD_CRLF}},
    ]


def build(roots: list[str], shards: list[str]) -> dict:
    width = max(2, len(str(len(roots) - 1)))
    rules = global_rules(roots, len(shards))
    for i, root in enumerate(roots):
        rules += per_root_rules(i, root, len(shards), width)
    return {
        "version": 1,
        "ignore": ["vendor/**"],
        "settings": {"jobs": "auto", "timeout": "60s", "max_file_bytes": "8MiB"},
        "rules": rules,
    }


def rules_yaml(roots: list[str], shards: list[str], label: str = "") -> str:
    doc = build(roots, shards)
    header = (f"sotinc rules for a generated benchmark repository{label}:\n"
              f"{len(roots)} roots x {len(shards)} shards, {len(doc['rules'])} rules.\n"
              "Generated by bench/gen_rules.py; do not edit by hand.")
    return dump(doc, header)


def shape_of_repo(path: str) -> tuple[list[str], list[str]]:
    rr = re.compile(M.ROOT_NAME_RE)
    sr = re.compile(M.SHARD_NAME_RE)
    roots = sorted(d for d in os.listdir(path) if rr.match(d) and os.path.isdir(os.path.join(path, d)))
    if not roots:
        sys.exit(f"gen_rules: no root folders in {path}")
    shards = sorted(d for d in os.listdir(os.path.join(path, roots[0], "shards")) if sr.match(d))
    return roots, shards


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--scale", choices=sorted(M.SCALES), help="shape of gen_repo.py --scale")
    g.add_argument("--repo", help="read the shape (roots, shards of the first root) from this tree")
    ap.add_argument("--roots", type=int, help="number of roots (with --shards)")
    ap.add_argument("--shards", type=int)
    ap.add_argument("--output", "-o", help="write here instead of stdout")
    a = ap.parse_args()
    if a.repo:
        roots, shards = shape_of_repo(a.repo)
        label = ""
    else:
        sc = M.SCALES[a.scale or "M"]
        roots = M.root_names(a.roots or sc["roots"])
        shards = M.shard_names(a.shards or sc["shards"])
        label = f" (scale {a.scale})" if a.scale else ""
    text = rules_yaml(roots, shards, label)
    if a.output:
        with open(a.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
