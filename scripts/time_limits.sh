#!/usr/bin/env bash
# Measures the wall time of `cartnet solve --time-limit S` (the whole process: loading, model
# build, solve, writing) against S, with hyperfine; prints limit, median wall and the overshoot.
#
#   scripts/time_limits.sh [RUNS]          (default 3 runs per line)
#
# Instances: the demo and a generated 1,000-point instance always; the national instance if
# US=DIR is given (built by `cartnet import us`), capa (OR-Library, capacity 8000) if
# ORLIB=DIR holds capa.txt (e.g. ../shared/bench/orlib-cap).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
bin=$PWD/target/release/cartnet
[ -x "$bin" ] || cargo build --release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate --demand 1000 --hospitals 100 --sites 60 --seed 1 --out "$work/g1000" >/dev/null

# name|limit|solve arguments
cases=(
  "demo|0.05|--data data/demo"
  "demo|0.5|--data data/demo"
  "demo|2|--data data/demo"
  "generated 1000x100x60|5|--data $work/g1000"
  "generated 1000x100x60|10|--data $work/g1000"
)
if [ -n "${US:-}" ]; then
  cases+=("national ($US)|10|--data $US" "national ($US)|20|--data $US")
fi
if [ -n "${ORLIB:-}" ]; then
  "$bin" import orlib-cap "$ORLIB/capa.txt" --capacity 8000 --out "$work/capa" >/dev/null
  cases+=("capa-8000|10|--data $work/capa --model $work/capa/scenario.toml"
    "capa-8000|30|--data $work/capa --model $work/capa/scenario.toml")
fi

printf '%-28s %8s %12s %10s\n' instance limit_s median_wall_s overshoot
for spec in "${cases[@]}"; do
  IFS='|' read -r name limit args <<<"$spec"
  hyperfine --runs "$runs" --style none --export-json "$work/h.json" \
    "$bin solve $args --out $work/out --time-limit $limit" >/dev/null 2>&1
  median=$(python3 -c "import json;print(json.load(open('$work/h.json'))['results'][0]['median'])")
  python3 -c "m=$median; l=$limit; print(f'{\"$name\":<28} {l:>8} {m:>12.3f} {100*(m-l)/l:>+9.1f}%')"
done
