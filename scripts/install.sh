#!/usr/bin/env bash
# Build or refresh the project's virtual environment (default: .venv in the repo root).
#
#   1. create the venv (or reuse it);
#   2. torch/torchvision: keep an installed torch >= 2.1, else requirements/torch.txt;
#   3. mmcv 2.0.1 with compiled ops: from a wheel cache keyed by mmcv, torch and Python
#      versions (and CPU/CUDA), else built once from the PyPI sdist with the C++ standard
#      raised to what torch's headers need;
#   4. the pinned OpenMMLab stack, runtime and test requirements;
#   5. mmocr_oclip itself in develop mode (so `mim train mmocr_oclip ...` finds it).
#
# Idempotent: a fingerprint of the requirement files is kept in the venv, and a re-run
# with nothing changed only checks that the stack imports.
#
# Environment: VENV (venv path), PYTHON (interpreter that creates it),
# MMOCR_OCLIP_CACHE (wheel cache, default ~/.cache/mmocr_oclip), MAX_JOBS (build jobs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
CACHE=${MMOCR_OCLIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmocr_oclip}
MMCV_VERSION=2.0.1
STAMP=$VENV/.mmocr_oclip-install
LOGS=${INSTALL_LOG_DIR:-$ROOT/work_dirs/install}
# Every pip call is constrained, so no later install can move the build tools.
CONSTRAINTS=$ROOT/requirements/constraints.txt

log() { echo "[install] $*"; }

# run_step NAME CMD...: runs CMD with its output in $LOGS/NAME.log; on failure, says which
# step failed, shows the end of its log and where the whole log is, and stops.
run_step() {
  local name=$1
  shift
  local logfile=$LOGS/$name.log start=$SECONDS rc=0
  mkdir -p "$LOGS"
  # in the background so that `set -e` holds inside a multi-command step (it is ignored
  # in any command that is tested with || ); the step's output goes to its log only
  "$@" >"$logfile" 2>&1 </dev/null &
  wait $! || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 25 "$logfile" | sed 's/^/    /' >&2
    echo "[install] FAILED at step '$name' (exit $rc); full log: $logfile" >&2
    echo "[install] $VENV is not marked installed: fix the cause and run 'make install' again" >&2
    exit "$rc"
  fi
  log "  $name: done in $((SECONDS - start)) s (log: $logfile)"
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  if [ -e "$VENV" ]; then
    if [ ! -f "$VENV/pyvenv.cfg" ]; then
      echo "[install] $VENV exists but is not a virtual environment (no pyvenv.cfg): move it away or set VENV" >&2
      exit 1
    fi
    log "$VENV has no working python/pip (a broken earlier run?): recreating it"
    rm -rf "$VENV"
  fi
  log "creating $VENV with $PYTHON"
  run_step venv "$PYTHON" -m venv "$VENV"
fi
PY=$VENV/bin/python
pip_() { "$PY" -m pip --disable-pip-version-check "$@" -c "$CONSTRAINTS"; }

fingerprint=$(cat requirements/*.txt setup.py setup.cfg scripts/install.sh | sha1sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$fingerprint" ] &&
   (cd / && "$PY" -c "import mmcv.ops, mmocr_oclip.datasets, mim.utils as u
assert u.get_installed_path('mmocr_oclip') == mmocr_oclip.__path__[0]") >/dev/null 2>&1; then
  log "up to date: $VENV"
  exit 0
fi
# From here on the venv counts as not installed until the last step writes the stamp:
# an interrupted or failed run is never taken as installed by the next one.
rm -f "$STAMP"
install_start=$SECONDS

log "build requirements (pip, setuptools, wheel, ninja, numpy)"
run_step build-requirements pip_ install -r requirements/build.txt

if "$PY" - <<'EOF' >/dev/null 2>&1
import sys
import torch, torchvision  # noqa: F401
major, minor = (int(x) for x in torch.__version__.split('+')[0].split('.')[:2])
sys.exit(0 if (major, minor) >= (2, 1) else 1)
EOF
then
  log "keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  log "installing torch (requirements/torch.txt)"
  run_step torch pip_ install -r requirements/torch.txt
fi

# build_mmcv_wheel DIR: mmcv's wheel with compiled ops, from its PyPI sdist, into DIR.
build_mmcv_wheel() {
  # (runs in run_step's background subshell: tmp is global there, for the EXIT trap)
  local wheel_dir=$1 std
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # --no-build-isolation: the sdist's metadata step imports the torch of this venv.
  pip_ download --no-deps --no-binary :all: --no-build-isolation -d "$tmp" "mmcv==$MMCV_VERSION"
  tar -xzf "$tmp/mmcv-$MMCV_VERSION.tar.gz" -C "$tmp"
  std=$("$PY" -c "import torch; v = tuple(int(x) for x in torch.__version__.split('+')[0].split('.')[:2]); print('c++20' if v >= (2, 14) else 'c++17')")
  # mmcv 2.0.1 hard-codes -std=c++14; torch's headers need C++17 (2.1-2.13) or C++20 (2.14+).
  sed -i "s/-std=c++14/-std=$std/g" "$tmp/mmcv-$MMCV_VERSION/setup.py"
  grep -q -- "-std=$std" "$tmp/mmcv-$MMCV_VERSION/setup.py"
  # CFLAGS=-g0 comes after Python's own -g and drops debug info: about 2x faster to build.
  (cd "$tmp/mmcv-$MMCV_VERSION" &&
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} CFLAGS="${CFLAGS:-} -g0" \
    pip_ wheel --no-deps --no-build-isolation -w "$tmp/wheel" .)
  # the cache entry appears whole or not at all
  mkdir -p "$(dirname "$wheel_dir")"
  rm -rf "$wheel_dir.partial"
  mv "$tmp/wheel" "$wheel_dir.partial"
  mv -T "$wheel_dir.partial" "$wheel_dir"
}

if "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" >/dev/null 2>&1; then
  log "mmcv $MMCV_VERSION with ops already installed"
else
  key=$("$PY" - <<'EOF'
import sys
import torch
device = 'cuda' if torch.cuda.is_available() else 'cpu'
print(f'torch{torch.__version__.replace("+", "_")}-cp{sys.version_info[0]}'
      f'{sys.version_info[1]}-{device}')
EOF
)
  wheel_dir=$CACHE/mmcv-$MMCV_VERSION/$key
  if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
    log "building mmcv $MMCV_VERSION with ops for $key into $wheel_dir (about 10 min on 2 cores)"
    run_step mmcv-build build_mmcv_wheel "$wheel_dir"
  fi
  log "installing $(ls "$wheel_dir"/mmcv-*.whl)"
  run_step mmcv-install pip_ install --no-deps --force-reinstall "$wheel_dir"/mmcv-*.whl
fi

log "OpenMMLab stack, runtime, test and TensorBoard requirements"
run_step requirements pip_ install -r requirements/build.txt -r requirements/mminstall.txt \
  -r requirements/runtime.txt -r requirements/tests.txt -r requirements/tensorboard.txt
log "mmocr_oclip (develop mode)"
run_step develop-install pip_ install --no-deps --no-build-isolation -e .
# mim and mmengine look for a package at <its dist-info's folder>/<name>; a PEP 660
# editable install leaves no such folder in site-packages, so link it there.
site=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
ln -sfn "$ROOT/mmocr_oclip" "$site/mmocr_oclip"
run_step import-check "$PY" -c "import mmcv.ops, mmocr, mmdet, mmocr_oclip"
# The fused CPU operators (WeCromCL's deformable sampling and seeded dropout), compiled
# now (cached by torch's extension loader, TORCH_EXTENSIONS_DIR) rather than at the
# first training step; a failure only leaves the PyTorch paths (same functions, slower),
# so it does not stop the install
kernel_start=$SECONDS
if "$PY" -c "from mmocr_oclip.models.layers.cpu_ops import cpu_ops
assert cpu_ops() is not None" >"$LOGS/cpu-ops.log" 2>&1; then
  log "  cpu-ops: built in $((SECONDS - kernel_start)) s (log: $LOGS/cpu-ops.log)"
else
  log "  cpu-ops: could not be built, WeCromCL uses PyTorch's sampling and dropout on CPU (log: $LOGS/cpu-ops.log)"
fi
"$PY" -c "import mmcv, mmocr, mmdet, torch; print('[install] ok: torch', torch.__version__, 'mmcv', mmcv.__version__, 'mmdet', mmdet.__version__, 'mmocr', mmocr.__version__)"
echo "$fingerprint" > "$STAMP"
log "installed in $((SECONDS - install_start)) s; step logs in $LOGS"
