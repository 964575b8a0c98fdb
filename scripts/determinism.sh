#!/usr/bin/env bash
# Reruns `cartnet solve` N times (default 10) on the bundled demo and on a generated
# 1,000-demand-point instance and checks that the plans are byte-identical apart from timing
# (plan.json's solver.seconds is masked; the CSVs and plan.geojson are compared as they are).
#
#   scripts/determinism.sh [N] [extra solve arguments, e.g. --threads 1]
#
# Prints one line per instance: the number of runs, the distinct results (1 = deterministic) and
# the median wall time. Exit 1 if any instance gave more than one distinct plan.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
shift || true
bin=target/release/cartnet
[ -x "$bin" ] || cargo build --release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" generate --demand 1000 --hospitals 40 --sites 20 --seed 7 --out "$work/g1000" >/dev/null

# name|data|arguments
instances=(
  "demo|data/demo|"
  "generated 1000x40x20 seed 7, --gap 0.01|$work/g1000|--gap 0.01"
)
status=0
for spec in "${instances[@]}"; do
  IFS='|' read -r name data args <<<"$spec"
  : >"$work/hashes"
  : >"$work/times"
  for i in $(seq 1 "$n"); do
    out="$work/out$i"
    rm -rf "$out"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$bin" solve --data "$data" --out "$out" $args "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc >>"$work/times"
    {
      sed -E 's/^( *"seconds": )[0-9.eE+-]+/\10/' "$out/plan.json"
      cat "$out/sites.csv" "$out/patient_flows.csv" "$out/batch_flows.csv" "$out/plan.geojson"
    } | sha256sum | cut -c1-16 >>"$work/hashes"
  done
  distinct=$(sort -u "$work/hashes" | wc -l)
  median=$(sort -n "$work/times" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}')
  printf '%-45s runs %3d  distinct plans %d  (hash %s)  median wall %s s\n' \
    "$name ${*:-}" "$n" "$distinct" "$(head -1 "$work/hashes")" "$median"
  [ "$distinct" -eq 1 ] || status=1
done
exit $status
