# The rendered scene text of the CPU-sized oCLIP (`make demo`, projects/demo/demo.sh):
# tools/render_synthetic_text.py, 256x256 images of 2-6 of 300 made-up pronounceable
# words, 640 training and 64 test images as text-spotting JSON. Where the splits
# are; oclip_rn50-w16_1xb16-8e_synthetic.py adds how they are read.
data_root = 'data/synthetic_text'
synthetic_text_train = dict(data_root=data_root,
                            ann_file='textspotting_train.json',
                            data_prefix=dict(img_path=''))
synthetic_text_test = dict(data_root=data_root,
                           ann_file='textspotting_test.json',
                           data_prefix=dict(img_path=''),
                           test_mode=True)
