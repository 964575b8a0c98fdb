#!/bin/bash
# Submits a cartnet sweep (or evaluation) to Slurm as a job array of N shards and a merge job
# that runs once every shard has succeeded. Prints the job ids and where the result will be.
#
#   deploy/slurm/submit.sh --shards N --out DIR [--cpus C] [--evaluate] -- ARGS...
#
# ARGS are those of `cartnet sweep` (or, with --evaluate, of `cartnet evaluate PLAN.json`)
# without --shard, --out and --jobs. Each task gets C CPUs (default 1), passed to --jobs.
# Other sbatch settings come from the environment, as sbatch reads them (SBATCH_PARTITION,
# SBATCH_TIMELIMIT, SBATCH_ACCOUNT, ...). $CARTNET names the binary (default: cartnet on the
# PATH, else target/release/cartnet); relative paths in ARGS are relative to this folder, where
# the jobs run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() {
    echo "usage: $0 --shards N --out DIR [--cpus C] [--evaluate] -- ARGS..." >&2
    exit 1
}
shards='' out='' cpus=1 command=sweep
while [ $# -gt 0 ]; do
    case $1 in
        --shards) shards=${2:-}; shift 2 ;;
        --out) out=${2:-}; shift 2 ;;
        --cpus) cpus=${2:-}; shift 2 ;;
        --evaluate) command=evaluate; shift ;;
        --) shift; break ;;
        *) usage ;;
    esac
done
case $shards in '' | *[!0-9]* | 0) echo "--shards: give a whole number >= 1" >&2; usage ;; esac
case $cpus in '' | *[!0-9]* | 0) echo "--cpus: give a whole number >= 1" >&2; usage ;; esac
[ -n "$out" ] || usage
if [ -z "${CARTNET:-}" ]; then
    CARTNET=$(command -v cartnet || echo "$PWD/target/release/cartnet")
fi
export CARTNET
mkdir -p "$out/logs"
array=$(sbatch --parsable --array="0-$((shards - 1))" --cpus-per-task="$cpus" \
    --output="$out/logs/shard-%a.out" "$here/sweep.sbatch" "$command" "$out" "$shards" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --output="$out/logs/merge.out" "$here/merge.sbatch" "$command" "$out")
merge=${merge%%;*}
echo "shards: job $array, array 0-$((shards - 1)), $cpus CPU(s) a task (--jobs $cpus); logs in $out/logs/"
echo "merge:  job $merge (runs after job $array succeeds)"
if [ "$command" = sweep ]; then
    echo "result: $out/sweep.csv and $out/sweep.svg"
else
    echo "result: $out/evaluation.csv (the estimate in $out/logs/merge.out)"
fi
