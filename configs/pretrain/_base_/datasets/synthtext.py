# SynthText (Gupta et al., CVPR 2016) as text-spotting JSON: one entry per image with
# its words (the pre-training reads the transcriptions only); no test split.
#   python tools/dataset_converters/synthtext.py data/synthtext/gt.mat \
#       data/synthtext/textspotting_train.json --img-prefix imgs
# Like every file here: where the splits are; the config that uses them adds the
# dataset class, how words are read (dictionary, case, lengths) and the pipeline.
# oCLIP (oclip_rn50_synthtext.py) and WeCromCL (wecromcl_r50_1xb16-200k_synthtext.py)
# read the same files.
data_root = 'data/synthtext'
synthtext_train = dict(data_root=data_root,
                       ann_file='textspotting_train.json',
                       data_prefix=dict(img_path=''))
