#!/usr/bin/env bash
# `make demo`: the main job on a CPU in about 22 minutes (2 cores).
#   1. render small synthetic scene-text sets (train + held-out test);
#   2. oCLIP pre-training of a narrow CLIP ResNet-50 (`mim train`), scored on the
#      held-out images against the same model at random initialisation (`mim test`);
#   3. attention pictures of the pre-trained model on a held-out image;
#   4. a small PSENet fine-tuned from the pre-trained `backbone.*` and from random
#      initialisation (`mim train`), both scored with `mim test` (hmean);
#   5. WeCromCL stage 1 (`mim train`), its anchor-point H on the held-out images against
#      the same model at random initialisation (`mim test`), and its anchor points as
#      MMOCR text-spotting JSON with heat-map pictures.
# The terminal shows progress (stage, iteration, ETA, losses) and the metrics; every
# job's whole output is kept in $WORK/logs/. The summary at the end says what each
# number is, its chance level, and trained vs random init side by side.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
MIM=$VENV/bin/mim
DATA=data/synthetic_text
WDATA=data/wecromcl_text
WORK=${DEMO_WORK_DIR:-work_dirs/demo}
LOGS=$WORK/logs
PRETRAIN_CFG=configs/pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py
WECROMCL_CFG=configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py
DET_CFG=configs/textdet/psenet/psenet_resnet50-oclip-w16_fpnc_4e_synthetic.py
mkdir -p "$LOGS"
demo_start=$SECONDS

step() { printf '\n==== [%s, %d s] %s\n' "$(date +%H:%M:%S)" "$((SECONDS - demo_start))" "$*"; }
# run NAME CMD...: CMD's whole output goes to $LOGS/NAME.log, its progress to the terminal
run() {
  local name=$1
  shift
  if ! "$@" 2>&1 | "$PY" -m projects.demo.demo_progress "$LOGS/$name.log" "$name"; then
    echo "[demo] '$name' failed; its whole output: $LOGS/$name.log" >&2
    tail -n 20 "$LOGS/$name.log" >&2
    exit 1
  fi
}
# score_against_random_init NAME CONFIG CHECKPOINT: `mim test` of the trained checkpoint
# and of the same model at its random initialisation (seed 0), the baseline every
# learned number is compared with
score_against_random_init() {
  local name=$1 cfg=$2 trained=$3 init=$WORK/$1/random_init.pth
  run "${name}_random_init" "$PY" tools/save_random_init.py "$cfg" "$init" --seed 0
  run "${name}_test_random_init" "$MIM" test mmocr_oclip "$cfg" --checkpoint "$init" \
    --work-dir "$WORK/${name}_test_random_init"
  run "${name}_test_trained" "$MIM" test mmocr_oclip "$cfg" --checkpoint "$trained" \
    --work-dir "$WORK/${name}_test_trained"
}

step "1/5 rendering synthetic scene text into $DATA and $WDATA"
render() {  # folder, split, images, seed, options...
  local folder=$1 split=$2 n=$3 seed=$4
  shift 4
  if [ -f "$folder/textspotting_$split.json" ]; then
    echo "  $folder/textspotting_$split.json exists, keeping it"
  else
    run "render_$(basename "$folder")_$split" "$PY" tools/render_synthetic_text.py "$folder" \
      --split "$split" --num-images "$n" --seed "$seed" --workers 2 "$@"
  fi
}
# oCLIP: 300 made-up pronounceable words (a masked character is predictable from context)
oclip_set=(--img-size 256 256 --words-per-image 2 6 --font-size 14 48 --pseudo-words 300)
render "$DATA" train 640 0 "${oclip_set[@]}"
render "$DATA" test 64 1 "${oclip_set[@]}"
# WeCromCL: 20 made-up words, 2-3 per image, 192x192 (learnable in a few hundred CPU
# iterations); negatives are the rendered training words (the paper draws them from an
# English vocabulary: rendered pseudo-words would make that a shortcut)
wecromcl_set=(--img-size 192 192 --words-per-image 2 3 --font-size 18 36 --pseudo-words 20)
render "$WDATA" train 640 0 "${wecromcl_set[@]}"
render "$WDATA" test 64 1 "${wecromcl_set[@]}"
run vocabulary "$PY" tools/build_vocabulary.py --ann-files "$WDATA/textspotting_train.json" \
  --out "$WDATA/vocab.txt" --lowercase --dict-file lowercase_68.txt --min-len 1

step "2/5 oCLIP pre-training: mim train mmocr_oclip $PRETRAIN_CFG"
run oclip_train "$MIM" train mmocr_oclip "$PRETRAIN_CFG" --work-dir "$WORK/oclip"
ckpt_oclip=$(cat "$WORK/oclip/last_checkpoint")
score_against_random_init oclip "$PRETRAIN_CFG" "$ckpt_oclip"

step "3/5 attention pictures of $ckpt_oclip"
read -r image words < <("$PY" - "$DATA" <<'EOF'
import json, os.path as osp, sys
item = json.load(open(osp.join(sys.argv[1], 'textspotting_test.json')))['data_list'][0]
print(osp.join(sys.argv[1], item['img_path']), ' '.join(i['text'] for i in item['instances']))
EOF
)
# shellcheck disable=SC2086
run attention "$PY" tools/visualize_attention.py "$PRETRAIN_CFG" "$ckpt_oclip" "$image" \
  --words $words --out "$WORK/attention_test_000000.png"

step "4/5 PSENet fine-tuned from backbone.* of $ckpt_oclip, and from random init"
for init in oclip random_init; do
  if [ "$init" = oclip ]; then
    init_opt=model.backbone.init_cfg.checkpoint=$ckpt_oclip
  else
    init_opt=model.backbone.init_cfg=None
  fi
  run "psenet_train_$init" "$MIM" train mmocr_oclip "$DET_CFG" \
    --work-dir "$WORK/psenet_$init" --cfg-options "$init_opt"
  run "psenet_test_$init" "$MIM" test mmocr_oclip "$DET_CFG" \
    --checkpoint "$(cat "$WORK/psenet_$init/last_checkpoint")" \
    --work-dir "$WORK/psenet_test_$init"
done

step "5/5 WeCromCL stage 1: mim train mmocr_oclip $WECROMCL_CFG"
run wecromcl_train "$MIM" train mmocr_oclip "$WECROMCL_CFG" --work-dir "$WORK/wecromcl"
wecromcl_ckpt=$(cat "$WORK/wecromcl/last_checkpoint")
score_against_random_init wecromcl "$WECROMCL_CFG" "$wecromcl_ckpt"
# anchor points as MMOCR text-spotting JSON + heat maps; the oCLIP checkpoint of step 2
# on the same held-out images and metric (through its decoder's character attention)
run wecromcl_anchor_points "$PY" tools/wecromcl_anchor_points.py "$WECROMCL_CFG" \
  "$wecromcl_ckpt" "$WDATA/textspotting_test.json" "$WORK/wecromcl_anchor_points_test.json" \
  --heatmaps "$WORK/wecromcl_heatmaps" --max-heatmaps 8
run oclip_anchor_points "$PY" tools/wecromcl_anchor_points.py "$PRETRAIN_CFG" "$ckpt_oclip" \
  "$WDATA/textspotting_test.json" "$WORK/oclip_anchor_points_test.json" --eval \
  --scale 192 192

step "summary (whole logs: $LOGS)"
"$PY" -m projects.demo.demo_summary "$WORK" | tee "$WORK/summary.txt"
echo "[demo] done in $((SECONDS - demo_start)) s"
