#!/usr/bin/env bash
# GPU check of the two pre-training steps, on the paper's per-GPU batches:
#   oCLIP RN50 (configs/pretrain/oclip_rn50_synthtext.py), batch 64 at 512x512;
#   WeCromCL (configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py), batch 16 at 640x640;
# each in fp32 and with AMP (fp16 autocast, dynamic loss scale): step time, images/s and
# peak GPU memory (tools/analysis_tools/benchmark_pretrain.py on random images with
# random words, so no dataset is needed); then, for each model, --amp-steps AMP steps
# against as many fp32 steps from the same weights on the same batches: every step's
# loss must agree within --amp-tol (relative).
#
# Usage: bash tools/analysis_tools/gpu_check.sh [--out DIR] [--python PY]
#          [--iters N] [--warmup N] [--amp-steps N] [--amp-tol T]
#          [--oclip-batch N] [--wecromcl-batch N] [--num-workers N]
#          [--sampling auto|mmcv|pytorch] [--wecromcl-options "K=V ..."] [--dry-run]
# --sampling: the WeCromCL encoder's deformable sampling (model.encoder.sampling);
#   auto = MMCV's CUDA kernel when MMCV was built with CUDA ops, else PyTorch's with
#   recompute_sampling=True (samples not kept for backward, as MMCV's kernel keeps none).
# --wecromcl-options: more --cfg-options of the WeCromCL runs (e.g. model.backbone.with_cp=True).
# --dry-run prints the commands and runs none (no GPU needed).
# Writes DIR/<run>.log for every run and DIR/summary.md (a Markdown table);
# exits 1 when a run fails or an AMP check is out of tolerance.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=work_dirs/gpu_check
PY=${PYTHON:-python3}
ITERS=20
WARMUP=5
AMP_STEPS=20
AMP_TOL=0.02
OCLIP_BATCH=64
WECROMCL_BATCH=16
WORKERS=4
SAMPLING=auto
WECROMCL_OPTIONS=()
DRY_RUN=0

usage() { sed -n '11,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }
die() { echo "gpu_check.sh: $*" >&2; exit 2; }
positive_int() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive integer, got '$2'"; }

while (($#)); do
  case $1 in
    --out|--python|--iters|--warmup|--amp-steps|--amp-tol|--oclip-batch|--wecromcl-batch|--num-workers|--sampling|--wecromcl-options)
      (($# >= 2)) || die "$1 needs a value"
      case $1 in
        --out) OUT=$2 ;;
        --python) PY=$2 ;;
        --iters) positive_int "$1" "$2"; ITERS=$2 ;;
        --warmup) [[ $2 =~ ^[0-9]+$ ]] || die "--warmup needs an integer >= 0, got '$2'"; WARMUP=$2 ;;
        --amp-steps) positive_int "$1" "$2"; AMP_STEPS=$2 ;;
        --amp-tol) [[ $2 =~ ^[0-9]*\.?[0-9]+([eE]-?[0-9]+)?$ ]] || die "--amp-tol needs a number, got '$2'"; AMP_TOL=$2 ;;
        --oclip-batch) positive_int "$1" "$2"; OCLIP_BATCH=$2 ;;
        --wecromcl-batch) positive_int "$1" "$2"; WECROMCL_BATCH=$2 ;;
        --num-workers) [[ $2 =~ ^[0-9]+$ ]] || die "--num-workers needs an integer >= 0, got '$2'"; WORKERS=$2 ;;
        --wecromcl-options) read -r -a WECROMCL_OPTIONS <<< "$2" ;;
        --sampling) [[ $2 =~ ^(auto|mmcv|pytorch)$ ]] || die "--sampling must be auto, mmcv or pytorch, got '$2'"; SAMPLING=$2 ;;
      esac
      shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument '$1'" ;;
  esac
done

cd "$ROOT"
# the project from this checkout, also where it is not installed
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
if ((!DRY_RUN)); then
  "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' ||
    die "no CUDA GPU visible to $PY (torch.cuda.is_available() is False); --dry-run shows the commands"
fi
if [[ $SAMPLING == auto ]]; then
  cuda_ops=$("$PY" -c 'from mmcv.ops import get_compiling_cuda_version as v; print(v())') ||
    die "$PY cannot import mmcv.ops"
  if [[ $cuda_ops == "not available" ]]; then
    SAMPLING=pytorch
    WECROMCL_OPTIONS=(model.encoder.recompute_sampling=True "${WECROMCL_OPTIONS[@]}")
  else
    SAMPLING=mmcv
  fi
  echo "[gpu_check] MMCV's CUDA ops: $cuda_ops -> WeCromCL sampling '$SAMPLING'"
fi
if ((!DRY_RUN)); then
  mkdir -p "$OUT"
  "$PY" -c 'import torch; print("[gpu_check]", torch.cuda.get_device_name(), "torch", torch.__version__)' |
    tee "$OUT/device.txt"
fi

BENCH=(tools/analysis_tools/benchmark_pretrain.py)
OCLIP=(configs/pretrain/oclip_rn50_synthtext.py --synthetic --img-size 512 512
       --batch-size "$OCLIP_BATCH" --num-workers "$WORKERS")
WECROMCL=(configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py --synthetic --img-size 640 640
          --batch-size "$WECROMCL_BATCH" --num-workers "$WORKERS"
          --cfg-options "model.encoder.sampling=$SAMPLING" "${WECROMCL_OPTIONS[@]}")
failed=0

# run NAME ARGS...: one benchmark run, its output in $OUT/NAME.log
run() {
  local name=$1
  shift
  echo "[gpu_check] $name: $PY ${BENCH[*]} $*"
  ((DRY_RUN)) && return 0
  if ! PYTHONUNBUFFERED=1 "$PY" "${BENCH[@]}" "$@" > "$OUT/$name.log" 2>&1; then
    echo "[gpu_check] $name FAILED; last lines of $OUT/$name.log:"
    tail -n 5 "$OUT/$name.log"
    failed=1
  fi
}

steps=(--iters "$ITERS" --warmup "$WARMUP")
run oclip_fp32 "${OCLIP[@]}" "${steps[@]}"
run oclip_amp "${OCLIP[@]}" "${steps[@]}" --amp
run wecromcl_fp32 "${WECROMCL[@]}" "${steps[@]}"
run wecromcl_amp "${WECROMCL[@]}" "${steps[@]}" --amp
run oclip_amp_check "${OCLIP[@]}" --amp-check "$AMP_STEPS" --amp-tol "$AMP_TOL"
run wecromcl_amp_check "${WECROMCL[@]}" --amp-check "$AMP_STEPS" --amp-tol "$AMP_TOL"
((DRY_RUN)) && exit 0

# value LOG PATTERN: the text after "PATTERN: " in LOG (first word), or "-"
value() { sed -n "s/^$2: \([^ ]*\).*/\1/p" "$OUT/$1.log" 2>/dev/null | head -n 1 | grep . || echo -; }
{
  echo "$(cat "$OUT/device.txt"); WeCromCL options: model.encoder.sampling=$SAMPLING ${WECROMCL_OPTIONS[*]}"
  echo
  echo "| run | batch | s/step (median) | images/s | peak GPU memory (GiB) |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for name in oclip_fp32 oclip_amp wecromcl_fp32 wecromcl_amp; do
    batch=$OCLIP_BATCH
    [[ $name == wecromcl* ]] && batch=$WECROMCL_BATCH
    echo "| $name | $batch | $(value $name 's\/iter (median)') | $(value $name 'images\/s') |" \
      "$(value $name 'peak GPU memory') |"
  done
  echo
  for name in oclip_amp_check wecromcl_amp_check; do
    echo "- $name ($AMP_STEPS steps): $(grep '^largest relative difference' "$OUT/$name.log" || echo 'no result')"
  done
} > "$OUT/summary.md"
cat "$OUT/summary.md"
exit $failed
