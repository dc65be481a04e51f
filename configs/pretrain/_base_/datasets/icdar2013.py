# ICDAR2013 (focused scene text) as text-spotting JSON, polygons and words:
# textspotting_{train,test}.json from MMOCR's dataset preparer with --task
# textspotting. Where the splits are; _base_/wecromcl_finetune.py adds the dataset
# classes, how words are read and the pipelines.
data_root = 'data/icdar2013'
icdar2013_train = dict(data_root=data_root,
                       ann_file='textspotting_train.json',
                       data_prefix=dict(img_path=''))
icdar2013_test = dict(data_root=data_root,
                      ann_file='textspotting_test.json',
                      data_prefix=dict(img_path=''),
                      test_mode=True)
