# Total-Text as text-spotting JSON, polygons and words: textspotting_{train,test}.json
# from tools/dataset_converters/totaltext.py. Where the splits are;
# _base_/wecromcl_finetune.py adds the dataset classes, how words are read and the
# pipelines.
data_root = 'data/totaltext'
totaltext_train = dict(data_root=data_root,
                       ann_file='textspotting_train.json',
                       data_prefix=dict(img_path=''))
totaltext_test = dict(data_root=data_root,
                      ann_file='textspotting_test.json',
                      data_prefix=dict(img_path=''),
                      test_mode=True)
