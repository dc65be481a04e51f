# ICDAR2015 (incidental scene text) as text-spotting JSON, polygons and words:
# textspotting_{train,test}.json from tools/dataset_converters/icdar2015.py. Where
# the splits are; _base_/wecromcl_finetune.py adds the dataset classes, how words
# are read and the pipelines.
data_root = 'data/icdar2015'
icdar2015_train = dict(data_root=data_root,
                       ann_file='textspotting_train.json',
                       data_prefix=dict(img_path=''))
icdar2015_test = dict(data_root=data_root,
                      ann_file='textspotting_test.json',
                      data_prefix=dict(img_path=''),
                      test_mode=True)
