#!/usr/bin/env bash
# GPU device check, for a machine with an accelerator, python3 with a CUDA PyTorch (a full libtorch under torch/),
# g++, and NO Node and NO internet. Prepare with benchmarks/perf/device-prepare.sh where Node and node_modules are
# (it writes the ignored .device/, which must travel: device tool `run` with carry [".device"]). Stages:
#   1. unpack the carried Node; compile the torch addon against python3's torch (packages/backend-torch)
#   2. kernel parity: every case of packages/backend-torch/src/parity-cases.ts on the GPU against the TF.js CPU
#      backend, in strict float32 (NVIDIA_TF32_OVERRIDE=0) - the pass/fail gate - and again with libtorch's
#      default TF32 convolutions (reported, not gated)
#   3. ResNet50-WSOL training step (full width, 224 px, batch 32, GAP + dense, plain SGD): PyTorch first, then the
#      torch backend, same GPU, same run; the ratio; again in strict float32 if time allows
#   4. out of memory: a 256 GiB tensor and a training step at batch 1024 must fail with WSLBENCH_TORCH_OOM naming the
#      size asked, and the backend must still compute afterwards
# Without CUDA (torch.cuda.is_available() false) it says so and runs everything on the CPU with a small training
# step (batch 2 at 64 px), so the whole flow can be rehearsed on any machine with a libtorch.
# Writes $OUT/device-check.json (every stage's record) and $OUT/device-check.log; exits 1 if a stage failed.
# Env: OUT (default .device-out/), WSLBENCH_PYTHON, WSLBENCH_DEVICE_BATCH/SIZE/STEPS/WARMUP to override the step.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
T0=$(date +%s)
OUT=${OUT:-$ROOT/.device-out}
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/wslbench-device.XXXXXX)
LOG=$OUT/device-check.log
exec > >(tee "$LOG") 2>&1
TEE=$!
# Close our side of the log pipe and let tee write its last lines before the command returns.
finish() { exec >&- 2>&-; wait "$TEE" 2>/dev/null; exit "$1"; }
elapsed() { echo $(($(date +%s) - T0)); }
stage() { echo; echo "== [$(elapsed) s] $*"; }
FAILED=()
die() { echo "device-check: $*"; echo "{\"error\": $(printf '%s' "$*" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')}" >"$OUT/device-check.json"; finish 1; }

stage "python with torch"
PY=
for cand in ${WSLBENCH_PYTHON:-} python3 /usr/bin/python3; do
  if "$cand" -c 'import torch' >/dev/null 2>&1; then PY=$(command -v "$cand"); break; fi
done
[ -n "$PY" ] || die "no python with torch (tried ${WSLBENCH_PYTHON:-} python3 /usr/bin/python3)"
export WSLBENCH_PYTHON=$PY
"$PY" - >"$WORK/python.json" <<'PYEOF' || die "$PY could not describe its torch"
import json, os, platform, torch
cuda = torch.cuda.is_available()
print(json.dumps({"python": platform.python_version(), "torch": torch.__version__, "torchDir": os.path.dirname(torch.__file__),
                  "cudaBuilt": torch.version.cuda, "cuda": cuda, "gpu": torch.cuda.get_device_name(0) if cuda else None,
                  "gpuMemoryGiB": torch.cuda.get_device_properties(0).total_memory / 2**30 if cuda else None,
                  "cxx11Abi": bool(torch._C._GLIBCXX_USE_CXX11_ABI)}))
PYEOF
cat "$WORK/python.json"
TORCH_DIR=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["torchDir"])' "$WORK/python.json")
if [ "$("$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["cuda"]))' "$WORK/python.json")" = 1 ]; then
  DEVICE=cuda
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
else
  DEVICE=cpu
  echo "torch.cuda.is_available() is False: NO GPU here. Running the check on the CPU (small training step)."
fi
if [ $DEVICE = cuda ]; then B=32 S=224 N=10 W=2; else B=2 S=64 N=3 W=1; fi
B=${WSLBENCH_DEVICE_BATCH:-$B} S=${WSLBENCH_DEVICE_SIZE:-$S} N=${WSLBENCH_DEVICE_STEPS:-$N} W=${WSLBENCH_DEVICE_WARMUP:-$W}

stage "node"
NODE_DIR=$WORK/node
if [ -s .device/node.xz ]; then
  mkdir -p "$NODE_DIR/bin" "$NODE_DIR/include"
  if command -v xz >/dev/null; then xz -dc .device/node.xz >"$NODE_DIR/bin/node"
  else "$PY" -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' .device/node.xz "$NODE_DIR/bin/node"; fi
  chmod +x "$NODE_DIR/bin/node"
  cp -r .device/node-include/node "$NODE_DIR/include/" # build-addon.mjs looks in <node>/../include/node
  NODE=$NODE_DIR/bin/node
elif command -v node >/dev/null; then
  NODE=$(command -v node)
  echo "no .device/node.xz: using $NODE"
else
  die "no .device/node.xz (run benchmarks/perf/device-prepare.sh and carry .device) and no node on PATH"
fi
BUNDLE=.device/device-check.mjs
[ -s "$BUNDLE" ] || die "no $BUNDLE (run benchmarks/perf/device-prepare.sh and carry .device)"
echo "node $("$NODE" --version) at $NODE; bundle $(stat -c %s "$BUNDLE") bytes"
cat .device/manifest.json 2>/dev/null

stage "compile the torch addon against $PY's torch"
# A pip torch is a complete libtorch (include/, lib/); Debian's python3-torch is not (its libtorch is under /usr,
# which build-addon.mjs finds by itself).
if [ -f "$TORCH_DIR/include/torch/csrc/api/include/torch/version.h" ]; then export LIBTORCH=$TORCH_DIR; fi
# pip's torch loads CUDA, cuDNN, cuBLAS from the nvidia-* wheels beside it: make them findable for Node too.
NV=$(ls -d "$(dirname "$TORCH_DIR")"/nvidia/*/lib "$(dirname "$TORCH_DIR")"/nvidia/*/*/lib 2>/dev/null | paste -sd: -)
[ -n "$NV" ] && export LD_LIBRARY_PATH=$NV${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
ADDON_T0=$(date +%s)
WSLBENCH_REQUIRE_TORCH=1 "$NODE" packages/backend-torch/scripts/build-addon.mjs --force || die "the addon did not build (see above)"
ADDON_S=$(($(date +%s) - ADDON_T0))
export WSLBENCH_TORCH_ADDON=$ROOT/packages/backend-torch/build/wslbench_torch.node
cat packages/backend-torch/build/status.json

# run_stage NAME SECONDS CMD...: one stage in its own process, bounded; a failure is recorded, not fatal.
run_stage() {
  local name=$1 limit=$2
  shift 2
  stage "$name (limit ${limit} s)"
  timeout --kill-after=10 "$limit" "$@"
  local rc=$?
  if [ $rc -ne 0 ]; then
    FAILED+=("$name (exit $rc$([ $rc = 124 ] && echo ', timed out'))")
    echo "!! $name failed with exit $rc"
  fi
  return $rc
}
check=("$NODE" --no-warnings "$BUNDLE" --device $DEVICE)
STEP=(--batch "$B" --size "$S" --steps "$N" --warmup "$W")
# On the CPU both sides run one thread: equal, and stable on a shared machine (two OpenMP threads on two busy cores
# made PyTorch 16x slower here).
[ $DEVICE = cpu ] && STEP+=(--threads 1)
PYSTEP=("$PY" benchmarks/perf/pytorch/resnet50_wsol_step.py --device $DEVICE "${STEP[@]}")
PARTS=

# Required stages first (parity gate, the timed step, out of memory), then the informative ones while time is left;
# each optional stage starts only if it would end by ~470 s even at its limit (the whole run must stay under 8 min).
left() { [ "$(elapsed)" -lt "$1" ] || { echo "(skipped: $(elapsed) s spent) $2"; return 1; }; }
run_stage "parity, strict float32" 150 env NVIDIA_TF32_OVERRIDE=0 "$NODE" --no-warnings "$BUNDLE" --device $DEVICE \
  --mode parity --gate --out "$WORK/parity.json"
PARTS+="parity=$WORK/parity.json,"

stage "training step: PyTorch, then the torch backend, ${B}x${S}x${S}x3"
run_stage "PyTorch ResNet50-WSOL step" 120 bash -c '"$@" >"'"$WORK/pytorch.json"'"' _ "${PYSTEP[@]}"
cat "$WORK/pytorch.json" 2>/dev/null
run_stage "torch backend ResNet50-WSOL step" 180 "${check[@]}" --mode train "${STEP[@]}" \
  --pytorch-json "$WORK/pytorch.json" --out "$WORK/train.json"
PARTS+="train=$WORK/train.json,"

if left 370 "out of memory"; then
  run_stage "out of memory" 90 "${check[@]}" --mode oom --size "$S" --out "$WORK/oom.json"
  PARTS+="oom=$WORK/oom.json,"
fi

if [ $DEVICE = cuda ] && left 370 "parity with TF32"; then
  run_stage "parity, libtorch defaults (TF32 convolutions)" 90 \
    "${check[@]}" --mode parity --out "$WORK/parity-tf32.json"
  PARTS+="parityDefaultTf32=$WORK/parity-tf32.json,"
fi

if [ $DEVICE = cuda ] && left 280 "strict float32 step"; then
  export NVIDIA_TF32_OVERRIDE=0
  run_stage "PyTorch step, strict float32" 70 bash -c '"$@" >"'"$WORK/pytorch-fp32.json"'"' _ "${PYSTEP[@]}"
  run_stage "torch backend step, strict float32" 100 "${check[@]}" --mode train "${STEP[@]}" \
    --pytorch-json "$WORK/pytorch-fp32.json" --out "$WORK/train-fp32.json"
  unset NVIDIA_TF32_OVERRIDE
  PARTS+="trainStrictFp32=$WORK/train-fp32.json,"
fi

stage "report"
"$PY" -c 'import json,sys; print(json.dumps({"seconds": int(sys.argv[1]), "addonCompileSeconds": int(sys.argv[2]), "device": sys.argv[3], "failedStages": sys.argv[4:]}))' \
  "$(elapsed)" "$ADDON_S" "$DEVICE" ${FAILED[@]+"${FAILED[@]}"} >"$WORK/run.json"
cp packages/backend-torch/build/status.json "$WORK/addon.json"
"$NODE" --no-warnings "$BUNDLE" --mode report --out "$OUT/device-check.json" \
  --parts "run=$WORK/run.json,python=$WORK/python.json,addon=$WORK/addon.json,manifest=$ROOT/.device/manifest.json,$PARTS" ||
  FAILED+=("report")
"$PY" - "$OUT/device-check.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
def g(*path):
    v = r
    for p in path:
        v = v.get(p) if isinstance(v, dict) else None
    return v
print(f"device {r['run']['device']} ({g('python', 'gpu') or 'no GPU'}), torch {g('python', 'torch')}, addon compiled in {g('run', 'addonCompileSeconds')} s")
for k in ("parity", "parityDefaultTf32"):
    if g(k, "cases"):
        bad = [c["name"] for c in g(k, "cases") if not c["pass"]]
        print(f"{k}: {g(k, 'passed')}/{len(g(k, 'cases'))} pass" + (f"; failing: {bad}" if bad else ""))
for k in ("train", "trainStrictFp32"):
    if g(k, "msPerStep"):
        print(f"{k}: torch backend {g(k, 'msPerStep'):.1f} ms/step, PyTorch {g(k, 'pytorch', 'msPerStep') or float('nan'):.1f} ms/step, "
              f"PyTorch/torch-backend speed ratio {g(k, 'ratioPytorchOverTorch') or float('nan'):.2f}, tensors flat: {g(k, 'tensorsFlat')}")
for p in g("oom", "probes") or []:
    print(f"oom: {p.get('probe')}: {p.get('skipped') or (str(p.get('code')) + ' - ' + str(p.get('message')) if p.get('failed') else 'did not fail')}")
if g("oom", "recovered") is not None:
    print(f"oom: backend afterwards: {g('oom', 'recovered')}")
PYEOF
echo
echo "device-check: $(elapsed) s; failed stages: ${FAILED[*]:-none}; wrote $OUT/device-check.json and $LOG"
[ ${#FAILED[@]} -eq 0 ] && finish 0
finish 1
