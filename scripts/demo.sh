#!/usr/bin/env bash
# `make demo`: the main job on a CPU in about ten minutes.
#   1. render a small synthetic scene-text set (train + held-out test);
#   2. oCLIP pre-training of a narrow CLIP ResNet-50 (`mim train`), logging the
#      losses, the masked-character accuracy and validation retrieval;
#   3. attention pictures of the pre-trained model on a held-out image;
#   4. fine-tune a small PSENet from the pre-trained `backbone.*` (`mim train`),
#      then evaluate it (`mim test`) and print its hmean;
#   5. WeCromCL stage 1 on the same images (`mim train`), its anchor-point H on the
#      held-out images against the same model at random initialisation (`mim test`),
#      and its anchor points as MMOCR text-spotting JSON with heat-map pictures.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
MIM=$VENV/bin/mim
DATA=data/synthetic_text
WDATA=data/wecromcl_text
WORK=${DEMO_WORK_DIR:-work_dirs/demo}
PRETRAIN_CFG=configs/pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py
WECROMCL_CFG=configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py
DET_CFG=configs/textdet/psenet_resnet50-oclip-w16_fpnc_4e_synthetic.py

step() { printf '\n==== %s\n' "$*"; }

step "1/5 rendering synthetic scene text into $DATA"
render() {  # split, images, seed
  if [ ! -f "$DATA/textspotting_$1.json" ]; then
    "$PY" tools/render_synthetic_text.py "$DATA" --split "$1" --num-images "$2" \
      --seed "$3" --img-size 256 256 --words-per-image 2 6 --font-size 14 48 \
      --pseudo-words 300 --workers 2
  else
    echo "$DATA/textspotting_$1.json exists, keeping it"
  fi
}
render train 640 0
render test 64 1

step "2/5 oCLIP pre-training: mim train mmocr_oclip $PRETRAIN_CFG"
"$MIM" train mmocr_oclip "$PRETRAIN_CFG" --work-dir "$WORK/oclip"
ckpt=$(cat "$WORK/oclip/last_checkpoint")
ckpt_oclip=$ckpt

step "3/5 attention pictures of $ckpt"
read -r image words < <("$PY" - "$DATA" <<'EOF'
import json, os.path as osp, sys
item = json.load(open(osp.join(sys.argv[1], 'textspotting_test.json')))['data_list'][0]
print(osp.join(sys.argv[1], item['img_path']), ' '.join(i['text'] for i in item['instances']))
EOF
)
# shellcheck disable=SC2086
"$PY" tools/visualize_attention.py "$PRETRAIN_CFG" "$ckpt" "$image" --words $words \
  --out "$WORK/attention_test_000000.png"

step "4/5 PSENet fine-tuned from backbone.* of $ckpt"
"$MIM" train mmocr_oclip "$DET_CFG" --work-dir "$WORK/psenet" \
  --cfg-options model.backbone.init_cfg.checkpoint="$ckpt"
det_ckpt=$(cat "$WORK/psenet/last_checkpoint")
"$MIM" test mmocr_oclip "$DET_CFG" --checkpoint "$det_ckpt" \
  --work-dir "$WORK/psenet_test" | tee "$WORK/psenet_test.log"

step "5/5 WeCromCL stage 1: mim train mmocr_oclip $WECROMCL_CFG"
# its own rendered set: 20 made-up words, 2-3 per image, 192x192 (learnable in a few
# hundred CPU iterations); negatives are the rendered training words (the paper draws
# them from an English vocabulary: rendered pseudo-words would make that a shortcut)
for split in "train 640 0" "test 64 1"; do
  set -- $split
  if [ ! -f "$WDATA/textspotting_$1.json" ]; then
    "$PY" tools/render_synthetic_text.py "$WDATA" --split "$1" --num-images "$2" \
      --seed "$3" --img-size 192 192 --words-per-image 2 3 --font-size 18 36 \
      --pseudo-words 20 --workers 2
  fi
done
"$PY" tools/build_vocabulary.py --ann-files "$WDATA/textspotting_train.json" \
  --out "$WDATA/vocab.txt" --lowercase --dict-file lowercase_68.txt --min-len 1
"$MIM" train mmocr_oclip "$WECROMCL_CFG" --work-dir "$WORK/wecromcl"
wecromcl_ckpt=$(cat "$WORK/wecromcl/last_checkpoint")
# the same model at random initialisation (seed 0): the baseline of the metric
"$PY" - "$WECROMCL_CFG" "$WORK/wecromcl/random_init.pth" <<'EOF'
import sys
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import set_random_seed
import mmocr_oclip  # noqa: F401
from mmocr.registry import MODELS
init_default_scope('mmocr')
set_random_seed(0)
model = MODELS.build(Config.fromfile(sys.argv[1]).model)
model.init_weights()
torch.save(dict(state_dict=model.state_dict(), meta=dict()), sys.argv[2])
EOF
for which in random_init trained; do
  ckpt=$WORK/wecromcl/random_init.pth
  [ "$which" = trained ] && ckpt=$wecromcl_ckpt
  "$MIM" test mmocr_oclip "$WECROMCL_CFG" --checkpoint "$ckpt" \
    --work-dir "$WORK/wecromcl_test_$which" | tee "$WORK/wecromcl_test_$which.log"
done
# anchor points as MMOCR text-spotting JSON + heat maps; the oCLIP checkpoint of step 2
# on the same held-out images and metric (through its decoder's character attention)
"$PY" tools/wecromcl_anchor_points.py "$WECROMCL_CFG" "$wecromcl_ckpt" \
  "$WDATA/textspotting_test.json" "$WORK/wecromcl_anchor_points_test.json" \
  --heatmaps "$WORK/wecromcl_heatmaps" --max-heatmaps 8
"$PY" tools/wecromcl_anchor_points.py "$PRETRAIN_CFG" "$ckpt_oclip" \
  "$WDATA/textspotting_test.json" "$WORK/oclip_anchor_points_test.json" --eval \
  --scale 192 192 | tee "$WORK/oclip_anchor_points_test.log"

step "summary"
"$PY" - "$WORK" <<'EOF'
import glob, json, os.path as osp, sys
work = sys.argv[1]
scalars = sorted(glob.glob(osp.join(work, 'oclip', '*', 'vis_data', 'scalars.json')))[-1]
rows = [json.loads(line) for line in open(scalars)]
train = [r for r in rows if 'acc_mask' in r]
val = [r for r in rows if 'oclip/mask_char_acc' in r]
first, last = train[0], train[-1]
print(f"oCLIP masked-character accuracy (train, window mean): {first['acc_mask']:.3f} "
      f"at iter {first['iter']} -> {last['acc_mask']:.3f} at iter {last['iter']} "
      f"(chance 1/94 = 0.011)")
for r in val:
    print(f"oCLIP validation (held-out rendered images): mask_char_acc "
          f"{r['oclip/mask_char_acc']:.3f}, i2t R@1 {r['oclip/i2t_recall@1']:.3f}, "
          f"t2i R@1 {r['oclip/t2i_recall@1']:.3f}")
test = sorted(glob.glob(osp.join(work, 'psenet_test', '*', '*.json')))[-1]
metrics = json.load(open(test))
print('PSENet test: ' + ', '.join(f'{k} {v:.4f}' for k, v in metrics.items()))
print(f"pre-training checkpoint: {open(osp.join(work, 'oclip', 'last_checkpoint')).read()}")
print(f"detector checkpoint: {open(osp.join(work, 'psenet', 'last_checkpoint')).read()}")
for which in ('random_init', 'trained'):
    result = sorted(glob.glob(osp.join(work, f'wecromcl_test_{which}', '*', '*.json')))[-1]
    metrics = json.load(open(result))
    print(f'WeCromCL stage-1 anchor points, held-out images, {which}: ' +
          ', '.join(f'{k} {v:.3f}' for k, v in metrics.items()))
oclip = [line for line in open(osp.join(work, 'oclip_anchor_points_test.log'))
         if line.startswith('anchor/')]
print('oCLIP (step 2) on the same images and metric: ' + (oclip[-1].strip() if oclip else '?'))
print(f"WeCromCL anchor points: {osp.join(work, 'wecromcl_anchor_points_test.json')}, "
      f"heat maps: {osp.join(work, 'wecromcl_heatmaps')}")
print(f"attention pictures: {osp.join(work, 'attention_test_000000.png')} and "
      f"{osp.join(work, 'oclip', '<timestamp>', 'vis_data', 'vis_image')}")
EOF
