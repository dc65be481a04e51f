# The rendered scene text of the CPU-sized WeCromCL (`make demo`,
# projects/demo/demo.sh):
# tools/render_synthetic_text.py, 192x192 images of 2-3 of 20 made-up words, 640
# training and 64 test images as text-spotting JSON, and vocab.txt, the rendered
# training words (tools/build_vocabulary.py), from which the negatives are drawn.
# Where the splits are; wecromcl_r50-w16_1xb16-400i_synthetic.py adds how they are
# read. Every path below is under data_root: a child config with another data_root
# sets each of them, unless loaded by tools/train.py / tools/test.py, which move them
# (mmocr_oclip.utils.load_config).
data_root = 'data/wecromcl_text'
wecromcl_text_train = dict(data_root=data_root,
                           ann_file='textspotting_train.json',
                           data_prefix=dict(img_path=''))
wecromcl_text_test = dict(data_root=data_root,
                          ann_file='textspotting_test.json',
                          data_prefix=dict(img_path=''),
                          test_mode=True)
wecromcl_text_vocab_file = data_root + '/vocab.txt'
