#!/usr/bin/env bash
# Export the authors' source files that tools/analysis_tools/gpu_vs_authors.py runs
# from fetched git mirrors (bare repositories, no work tree) into plain folders:
#   DEST/oclip     bytedance/oclip: src/clip/model.py, src/training/{train,scheduler}.py,
#                  src/training/model_configs/RN50.json, LICENSE, NOTICE
#   DEST/wecromcl  ZhengyaoFang/WeCromCL: models/ (the model, the loss, the ResNet, the
#                  deformable attention's Python and its C++/CUDA sources with setup.py,
#                  to build their op on a GPU machine), utils/ and configs/ (their YAML)
# each with a COMMIT file (the exported commit). Read with `git show HEAD:PATH`; nothing
# is written to the mirrors. DEST is git-ignored under work_dirs/: copy it to a GPU
# machine with the checkout (an ignored folder that travels with it), never commit it.
#
# Usage: bash tools/analysis_tools/export_authors_code.sh [--mirror DIR] [--dest DIR]
# --mirror: the folder holding the fetched mirrors as owner+name/repo, i.e.
#   DIR/bytedance+oclip/repo and DIR/ZhengyaoFang+WeCromCL/repo
#   (default: $MIRROR, else ../.mirror beside the project's root)
# --dest: where the two folders go (default: work_dirs/authors); existing files are
#   replaced.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MIRROR_DIR=${MIRROR:-$ROOT/../.mirror}
DEST=work_dirs/authors

usage() { sed -n '13,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }
die() { echo "export_authors_code.sh: $*" >&2; exit 2; }

while (($#)); do
  case $1 in
    --mirror|--dest)
      (($# >= 2)) || die "$1 needs a value"
      case $1 in
        --mirror) MIRROR_DIR=$2 ;;
        --dest) DEST=$2 ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument '$1'" ;;
  esac
done

cd "$ROOT"
command -v git > /dev/null || die "git is not installed"

# export_repo NAME OWNER/REPO PATH...: the files under each PATH (a file or a folder) at HEAD
export_repo() {
  local name=$1 github=$2 repo=$MIRROR_DIR/${2/\//+}/repo
  shift 2
  git -C "$repo" rev-parse --verify -q HEAD^{commit} > /dev/null 2>&1 ||
    die "no git mirror of $github at $repo (fetch github:$github; or set --mirror)"
  local files
  files=$(git -C "$repo" ls-tree -r --name-only HEAD -- "$@" | grep -v -e '__pycache__/' -e '\.pyc$' || true)
  [[ -n $files ]] || die "$repo has none of: $*"
  local path out count=0
  for path in "$@"; do
    grep -q -x -F -e "$path" <<< "$files" || grep -q "^$path/" <<< "$files" ||
      die "$repo at HEAD lacks $path"
  done
  mkdir -p "$DEST/$name"
  while IFS= read -r path; do
    out=$DEST/$name/$path
    mkdir -p "$(dirname "$out")"
    git -C "$repo" show "HEAD:$path" > "$out" || die "cannot read $path from $repo"
    count=$((count + 1))
  done <<< "$files"
  git -C "$repo" rev-parse HEAD > "$DEST/$name/COMMIT"
  echo "[export] $name: $count files of $repo at $(cut -c1-10 "$DEST/$name/COMMIT") -> $DEST/$name"
}

export_repo oclip bytedance/oclip \
  LICENSE NOTICE src/clip/model.py src/training/train.py src/training/scheduler.py \
  src/training/model_configs/RN50.json
export_repo wecromcl ZhengyaoFang/WeCromCL \
  models/wecromcl.py models/loss.py models/modules/__init__.py models/modules/components.py \
  models/modules/resnet.py models/ops/functions models/ops/modules models/ops/src \
  models/ops/setup.py utils/__init__.py utils/str_label_converter.py utils/trainer.py \
  configs/Base.yaml configs/pretrain/pretrain.yaml
