#!/bin/sh
# Usage: ./diagnose.sh [OUT_DIR] [--pde P] [--dim D] [--R R] [--estimator E] [--width W] [--depth L]
#        [--points N] [--block B] [--seed S] [--steps S] [--test-points N]
# Where a webgpu training step's time goes, in one call. One cell (default: Table 3's largest,
# allen-cahn-two-body, d = 10⁶, stde-sparse, R = 16, 100 steps, 2000 test points) trained twice — with
# one step in flight, as run-table3.sh times it, and reading every step's loss back (--sync-steps) —
# then one whole training step profiled by kernel. Writes OUT_DIR/train.json, train-sync-steps.json,
# profile-step.json, summary.txt, log.txt, check.txt, bundle.json and nvidia-smi.txt; prints the summary.
set -eu
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$DIR/env.sh"
OUT=${1:-diagnosis-webgpu-$(hostname)-$(date +%Y%m%d-%H%M%S)}
[ $# -gt 0 ] && shift
pde=allen-cahn-two-body dim=1000000 R=16 estimator=stde-sparse steps=100 test_points=2000 more=
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "diagnose: $1 needs a value" >&2; exit 2; }
  case $1 in
    --pde) pde=$2 ;;
    --dim) dim=$2 ;;
    --R) R=$2 ;;
    --estimator) estimator=$2 ;;
    --steps) steps=$2 ;;
    --test-points) test_points=$2 ;;
    --width | --depth | --points | --block | --seed) more="$more $1 $2" ;;
    *) echo "diagnose: unknown option '$1' (expected --pde, --dim, --R, --estimator, --width, --depth, --points, --block, --seed, --steps, --test-points)" >&2; exit 2 ;;
  esac
  shift 2
done
cell="--pde $pde --dim $dim --R $R --estimator $estimator$more"
"$DIR/begin-results.sh" "$OUT" diagnose
: > "$OUT/log.txt"
failed=0
# measure NAME COMMAND…: COMMAND's JSON into OUT/NAME.json, its messages into log.txt; a failure is noted and the rest still runs.
measure() {
  name=$1
  shift
  echo "diagnose: $name: stde-bench $*" | tee -a "$OUT/log.txt"
  if ! "$DIR/stde-bench" "$@" > "$OUT/$name.json" 2>> "$OUT/log.txt"; then
    echo "diagnose: $name failed (see $OUT/log.txt)" >&2
    failed=1
  fi
}
# $cell is a list of options, split on purpose.
measure train train $cell --steps "$steps" --test-points "$test_points" --backend webgpu --json
measure train-sync-steps train $cell --steps "$steps" --test-points "$test_points" --backend webgpu --sync-steps --json
measure profile-step profile $cell --backend webgpu --whole-step --json
"$DIR/node" "$DIR/app/diagnosis-summary.mjs" "$OUT" | tee "$OUT/summary.txt"
exit $failed
