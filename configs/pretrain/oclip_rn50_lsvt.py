# oCLIP pre-training of the CLIP ResNet-50 on ICDAR2019-LSVT's weak annotations
# (transcriptions only, Chinese). The authors' Chinese model used a 5251-character
# dictionary and a text encoder of width 384. Prepare the data with:
#   python tools/dataset_converters/lsvt.py data/lsvt/train_weak_labels.json \
#       data/lsvt/textspotting_train.json --img-prefix train_weak_images
#   python tools/dataset_converters/build_dictionary.py \
#       data/lsvt/textspotting_train.json --out data/lsvt/dict_lsvt.txt \
#       --max-chars 5251 --include-ascii
_base_ = ['oclip_rn50_synthtext.py']

data_root = 'data/lsvt'
dict_file = 'data/lsvt/dict_lsvt.txt'

model = dict(tokenizer=dict(dict_file=dict_file),
             text_encoder=dict(width=384, num_heads=8))
train_dataloader = dict(dataset=dict(data_root=data_root,
                                     ann_file='textspotting_train.json',
                                     dict_file=dict_file,
                                     min_word_len=2))
