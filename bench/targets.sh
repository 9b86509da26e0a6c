#!/bin/bash
# The targets of docs/benchmarks.md ("Targets"), measured side by side with
# hyperfine on an idle machine:
#
#   bench/targets.sh SOTINC [WORKDIR]
#
# WORKDIR (default /tmp/sotinc-bench) must hold the repositories made by
# bench/run_bench.py (m/, and l/ for the L rows; gen_repo.py --scale L makes
# it), pre-commit-config.yaml and pre-commit-home/. Each repository is reset
# to HEAD first and after; its cache (.git/sotinc) is kept. Writes hyperfine
# JSON files to WORKDIR/targets/.
set -u
S=$(realpath "$1")
W=${2:-/tmp/sotinc-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PATH=/usr/local/bin:/usr/bin:/bin
export PRE_COMMIT_HOME=$W/pre-commit-home
PC=$ROOT/fixtures/rules/bench-precommit.yaml
PCC=$W/pre-commit-config.yaml
OUT=$W/targets
mkdir -p "$OUT"
hf() { hyperfine -N -i "$@" 2>&1 | grep -E "Time|±|faster|slower|Benchmark"; }

M=$W/m
F=00_identity/shards/00_api/tools/python/api_annotation/__init__.py
cd "$M" && git reset -q --hard HEAD
# A new staged edit before every timed run (never a cache hit).
cat > "$OUT/edit.sh" <<EOS
cd $M && git checkout -q -- $F && printf '\n# bench edit %s\n' \$(date +%s%N) >> $F && git add $F
EOS

echo "== M: warm no-op vs git status"
"$S" check -q >/dev/null 2>&1; "$S" check -q >/dev/null 2>&1
hf -r 20 -w 3 --export-json "$OUT/m-warm.json" 'git status' "$S check -q"
/usr/bin/time -f "peak RSS %M KB" "$S" check -q >/dev/null

echo "== M: one staged file, pre-commit-equivalent rules vs pre-commit run"
"$S" check -q --config "$PC" >/dev/null 2>&1
hf -r 10 -w 2 --prepare "sh $OUT/edit.sh" --export-json "$OUT/m-staged-pc.json" \
  "pre-commit run -c $PCC" "$S check -q --staged --config $PC"

echo "== M: one staged file, every rule"
hf -r 10 -w 2 --prepare "sh $OUT/edit.sh" --export-json "$OUT/m-staged.json" "$S check -q --staged"
/usr/bin/time -f "peak RSS %M KB" "$S" check -q --staged >/dev/null
git reset -q --hard HEAD

echo "== M: cold, pre-commit-equivalent rules vs pre-commit run --all-files vs the syntax check alone"
# The rule's own script (bench/gen_rules.py's PY_SYNTAX, as in the rule sets).
/usr/bin/python3 -c "import sys; sys.path.insert(0, '$ROOT/bench'); import gen_rules; \
open('$OUT/syntax.py', 'w').write(gen_rules.PY_SYNTAX)"
# The lower bound: PC.py.syntax / the py-syntax hook's own work, in two
# processes (one per CPU), nothing else.
cat > "$OUT/syntax-only.sh" <<EOS
cd $M && git ls-files -z '*.py' | grep -zv '^vendor/' |
  PYTHONDONTWRITEBYTECODE=1 xargs -0 -P2 -n 6700 /usr/bin/python3 $OUT/syntax.py > /dev/null; true
EOS
hf -r 3 -w 1 --export-json "$OUT/m-cold-pc.json" \
  "pre-commit run --all-files -c $PCC" "$S check -q --no-cache --config $PC" "sh $OUT/syntax-only.sh"

L=$W/l
if [ -d "$L/.git" ]; then
  echo "== L: warm no-op vs git status (run once cold first: about 20 minutes)"
  cd "$L" && git reset -q --hard HEAD
  "$S" check -q >/dev/null 2>&1; "$S" check -q >/dev/null 2>&1
  hf -r 10 -w 2 --export-json "$OUT/l-warm.json" 'git status' "$S check -q"
  /usr/bin/time -f "peak RSS %M KB" "$S" check -q >/dev/null
fi
