"""Annotation converters for oCLIP pre-training data (used by tools/)."""
from .dictionary import (count_characters, count_words, coverage_report,
                         select_characters, write_dictionary)
from .gt_formats import (GTFormatError, convert_dataset, parse_ctw1500_txt,
                         parse_ctw1500_xml, parse_icdar2015, parse_totaltext)
from .json_stream import TEXTSPOTTING_METAINFO, dump_ocr_json
from .lsvt import convert_lsvt_weak, iter_lsvt_weak
from .synthtext import convert_synthtext, iter_synthtext, load_synthtext_gt

__all__ = [
    'count_characters', 'count_words', 'coverage_report', 'select_characters',
    'write_dictionary', 'TEXTSPOTTING_METAINFO', 'dump_ocr_json', 'convert_lsvt_weak',
    'iter_lsvt_weak', 'convert_synthtext', 'iter_synthtext', 'load_synthtext_gt'
]
__all__ += [
    'GTFormatError', 'convert_dataset', 'parse_ctw1500_txt', 'parse_ctw1500_xml',
    'parse_icdar2015', 'parse_totaltext'
]
