#!/bin/sh
# ./check.sh: the WebGPU adapter Dawn picks (high-performance, as tfjs does), the libraries taken from
# the bundle, then one estimator on webgpu and wasm. Without an adapter it says why each Vulkan
# driver found failed to load (the missing library, as the dynamic loader names it) and exits 1.
set -eu
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$DIR/env.sh"
"$DIR/node" "$DIR/app/check-adapter.mjs" "$DIR/app/node_modules/webgpu/index.js"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat > "$T/model.json" <<'JSON'
{"activation":"tanh","layers":[{"weight":[[0.3,-0.2,0.5],[0.1,0.4,-0.6],[-0.7,0.2,0.3]],"bias":[0.1,-0.1,0]},{"weight":[[0.8],[-0.5],[0.4]],"bias":[0.05]}]}
JSON
echo '[[0.1,0.2,0.3],[-0.4,0.5,0.1]]' > "$T/points.json"
for b in webgpu wasm; do
  printf '%s: ' "$b"
  "$DIR/stde-bench" operator --estimator stde-sparse --R 2 --seed 1 --model "$T/model.json" --points "$T/points.json" --backend "$b"
done
