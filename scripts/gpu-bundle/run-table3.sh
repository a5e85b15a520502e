#!/bin/sh
# Usage: ./run-table3.sh [OUT_DIR] [run options, e.g. --seeds 0 --steps 1000 --timeout 3600 --resume;
#        --dims 1000000 --R 16 to run a part]
# Runs the Table 3 STDE cells (table3-stde.json) with --backend webgpu; writes OUT_DIR/results.csv,
# machine.json, run.json, per-cell samples, bundle.json (what built this bundle) and nvidia-smi.txt.
set -eu
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$DIR/env.sh"
OUT=${1:-results-table3-webgpu-$(hostname)-$(date +%Y%m%d-%H%M%S)}
[ $# -gt 0 ] && shift
"$DIR/begin-results.sh" "$OUT" run-table3
"$DIR/stde-bench" run --matrix "$DIR/table3-stde.json" --backend webgpu --out "$OUT" "$@"
echo "run-table3: results in $OUT (results.csv, machine.json)"
