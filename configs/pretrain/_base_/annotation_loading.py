# How the pre-training pipelines read an MMOCR annotation: training needs only the
# words (an instance may carry only `text`); the anchor-point test pipelines also
# read the polygons that score the points.
load_texts = dict(type='LoadOCRAnnotations',
                  with_text=True,
                  with_bbox=False,
                  with_polygon=False,
                  with_label=False)
load_texts_and_polygons = dict(type='LoadOCRAnnotations',
                               with_text=True,
                               with_bbox=True,
                               with_polygon=True,
                               with_label=True)
