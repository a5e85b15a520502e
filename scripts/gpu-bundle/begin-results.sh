#!/bin/sh
# Usage: ./begin-results.sh OUT_DIR NAME — what every measuring launcher (NAME: run-table3, diagnose)
# writes first into OUT_DIR: bundle.json (what built this bundle), nvidia-smi.txt where there is one,
# and check.txt (check.sh); prints the adapter line, or check.sh's output and exits 1 if it fails.
set -eu
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$DIR/env.sh"
OUT=$1
mkdir -p "$OUT"
cp "$DIR/BUNDLE.json" "$OUT/bundle.json"
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -q > "$OUT/nvidia-smi.txt" 2>&1 || true; fi
"$DIR/check.sh" > "$OUT/check.txt" 2>&1 || { cat "$OUT/check.txt" >&2; echo "$2: the bundle's check failed (see above)" >&2; exit 1; }
head -n 1 "$OUT/check.txt"
