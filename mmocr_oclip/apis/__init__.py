"""Python APIs behind the tools: anchor-point labelling of word-labelled images."""
from .anchor_point_labeler import (AnchorPointLabeler, build_labeling_pipeline,
                                   point_instances)
from .anchor_point_results import (PartialResults, ResumeError, anchor_point_metrics,
                                   points_dataset)
from .word_annotations import first_without_polygon, load_word_annotations

__all__ = [
    'AnchorPointLabeler', 'build_labeling_pipeline', 'point_instances',
    'PartialResults', 'ResumeError', 'anchor_point_metrics', 'points_dataset',
    'first_without_polygon', 'load_word_annotations'
]
