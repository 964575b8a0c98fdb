#!/bin/sh
# Long fuzz runs: every target of tests/fuzz.rs (or those named) for $CARTNET_FUZZ_CASES inputs
# (default 1,000,000), one after another on one thread; prints inputs, wall time and peak memory.
# Usage: fuzz/run.sh [target ...]     e.g. fuzz/run.sh demand_csv plan_json
set -eu
cd "$(dirname "$0")/.."
CASES=${CARTNET_FUZZ_CASES:-1000000}
TARGETS=${*:-demand_csv hospitals_csv sites_csv lanes_csv scenario_toml set_override plan_json orlib_cap census_counties zip_points hifld_hospitals}
cargo test --release --test fuzz --no-run 2>/dev/null
BIN=$(cargo test --release --test fuzz --no-run --message-format=json 2>/dev/null |
    grep -o "\"executable\":\"[^\"]*/deps/fuzz-[^\"]*\"" | cut -d\" -f4 | tail -1)
for t in $TARGETS; do
    start=$(date +%s)
    if CARTNET_FUZZ_CASES=$CASES /usr/bin/time -f "%M" -o /tmp/cartnet-fuzz-rss.$$ \
        "$BIN" --exact "fuzz_$t" --test-threads 1 >/tmp/cartnet-fuzz-$t.log 2>&1; then
        result=ok
    else
        result="FAILED (see /tmp/cartnet-fuzz-$t.log)"
    fi
    echo "fuzz_$t: $CASES inputs, $(( $(date +%s) - start )) s, peak RSS $(tail -1 /tmp/cartnet-fuzz-rss.$$) KB: $result"
done
rm -f /tmp/cartnet-fuzz-rss.$$
