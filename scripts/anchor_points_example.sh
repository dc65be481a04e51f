#!/usr/bin/env bash
# `make anchor-points-example`: WeCromCL anchor points for images labelled only with
# their words, end to end on rendered data, in minutes on a CPU.
#   1. render held-out images (the demo's 20 made-up words, 2-3 per image, 192 px);
#   2. strip the polygons: a listing `IMAGE_PATH<TAB>WORD WORD ...`, what users have;
#   3. the demo's WeCromCL model (`make demo`'s checkpoint, or trained here, ~10 min):
#      its anchor points for the listing (tools/wecromcl_anchor_points.py);
#   4. score the points against the rendered polygons the tool never saw
#      (tools/analysis_tools/eval_anchor_points.py).
# Environment: EXAMPLE_WORK (work_dirs/anchor_points_example), NUM_IMAGES (64),
# CONFIG / CKPT (another model: both given, no training), VENV.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
WORK=${EXAMPLE_WORK:-work_dirs/anchor_points_example}
NUM_IMAGES=${NUM_IMAGES:-64}
CONFIG=${CONFIG:-configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py}
DATA=$WORK/images
mkdir -p "$WORK"

echo "[example] 1/4 rendering $NUM_IMAGES held-out images into $DATA"
"$PY" tools/render_synthetic_text.py "$DATA" --split test --num-images "$NUM_IMAGES" \
  --seed 1 --img-size 192 192 --words-per-image 2 3 --font-size 18 36 \
  --pseudo-words 20 --workers 2 >"$WORK/render.log" 2>&1 ||
  { tail -n 20 "$WORK/render.log" >&2; exit 1; }

echo "[example] 2/4 stripping the polygons: $WORK/words.txt"
"$PY" - "$DATA/textspotting_test.json" "$WORK/words.txt" <<'PYEOF'
import json, sys
data_list = json.load(open(sys.argv[1], encoding='utf-8'))['data_list']
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    for info in data_list:
        words = [i['text'] for i in info['instances'] if not i.get('ignore')]
        f.write(info['img_path'] + '\t' + ' '.join(words) + '\n')
print(f'  {len(data_list)} images, e.g. {open(sys.argv[2]).readline().strip()!r}')
PYEOF

if [ -z "${CKPT:-}" ]; then
  DEMO_CKPT=work_dirs/demo/wecromcl/last_checkpoint
  if [ -f "$DEMO_CKPT" ]; then
    CKPT=$(cat "$DEMO_CKPT")
    echo "[example] 3/4 the demo's model: $CKPT"
  else
    echo "[example] 3/4 training the demo's WeCromCL model (no $DEMO_CKPT; ~10 min):" \
      "log in $WORK/train.log"
    wdata=data/wecromcl_text
    if [ ! -f "$wdata/textspotting_train.json" ]; then
      "$PY" tools/render_synthetic_text.py "$wdata" --split train --num-images 640 \
        --seed 0 --img-size 192 192 --words-per-image 2 3 --font-size 18 36 \
        --pseudo-words 20 --workers 2 >"$WORK/render_train.log" 2>&1
      "$PY" tools/render_synthetic_text.py "$wdata" --split test --num-images 64 \
        --seed 1 --img-size 192 192 --words-per-image 2 3 --font-size 18 36 \
        --pseudo-words 20 --workers 2 >>"$WORK/render_train.log" 2>&1
    fi
    "$PY" tools/build_vocabulary.py --ann-files "$wdata/textspotting_train.json" \
      --out "$wdata/vocab.txt" --lowercase --dict-file lowercase_68.txt --min-len 1 \
      >"$WORK/vocab.log" 2>&1
    "$VENV/bin/mim" train mmocr_oclip "$CONFIG" --work-dir "$WORK/wecromcl" \
      >"$WORK/train.log" 2>&1 || { tail -n 20 "$WORK/train.log" >&2; exit 1; }
    CKPT=$(cat "$WORK/wecromcl/last_checkpoint")
  fi
fi

echo "[example] 3/4 anchor points of the listing: $WORK/points.json"
rm -f "$WORK/points.json.partial"
"$PY" tools/wecromcl_anchor_points.py "$CONFIG" "$CKPT" "$WORK/words.txt" \
  "$WORK/points.json" --data-root "$DATA" --batch-size 8

echo "[example] 4/4 the points against the rendered polygons"
"$PY" tools/analysis_tools/eval_anchor_points.py "$WORK/points.json" \
  "$DATA/textspotting_test.json"
