"""Image-words dataset of oCLIP pre-training (weak labels: transcriptions only)."""
import json
import logging

from mmengine.logging import print_log
from mmengine.structures import BaseDataElement
from mmocr.datasets import OCRDataset
from mmocr.models.common.dictionary import Dictionary
from mmocr.registry import DATASETS

from mmocr_oclip.utils.resources import resolve_resource_file
from .annotation_file import AnnotationFileError, locate_utf8_error
from .lean_annotation_loader import LeanAnnotationLoaderMixin

FILTER_STAT_KEYS = ('images', 'images_kept', 'images_without_words', 'instances',
                    'instances_ignored', 'words_with_unknown_chars',
                    'unknown_chars_removed', 'words_too_short', 'words_truncated',
                    'words_kept')
BAD_SAMPLE_MODES = ('skip', 'raise')


class BadSampleError(RuntimeError):
    """A sample whose loading or transforming failed; names the image file."""


def entry_problem(entry):
    """Why a ``data_list`` entry cannot be used, or None (the rule of
    :class:`OCLIPPretrainDataset` and the tools reading the same files).

    An entry is a dict with a string ``img_path`` and a list ``instances``
    (``[]`` for an image without words); see :func:`instance_problem` for the
    instances.

    Args:
        entry: one element of the annotation file's ``data_list``.

    Returns:
        str | None: the reason, to follow ``'<ann_file>: data_list[<i>]: '``.
    """
    if not isinstance(entry, dict):
        return f'expected a dict, got {type(entry).__name__}'
    if not isinstance(entry.get('img_path'), str):
        return 'missing or non-string "img_path"'
    if 'instances' not in entry:
        return ('no "instances" (the list of the image\'s words; write '
                '"instances": [] for an image without words)')
    instances = entry['instances']
    if not isinstance(instances, list):
        return f'"instances" must be a list, got {type(instances).__name__}'
    return None


def instance_problem(index, instance):
    """Why ``instances[index]`` of an entry cannot be used, or None: it must be
    a dict with a string ``text``."""
    if not isinstance(instance, dict):
        return f'instances[{index}] must be a dict, got {type(instance).__name__}'
    text = instance.get('text')
    if not isinstance(text, str):
        return (f'instances[{index}]: "text" must be a string, got '
                f'{type(text).__name__}')
    return None


def _qualified_name(cls):
    """``ValueError``, ``cv2.error``: the class with its module unless builtin."""
    module = cls.__module__
    return cls.__name__ if module == 'builtins' else f'{module}.{cls.__name__}'


@DATASETS.register_module()
class OCLIPPretrainDataset(LeanAnnotationLoaderMixin, OCRDataset):
    """Images and their words, filtered to what oCLIP's text encoder can take.

    Reads MMOCR 1.x text detection / spotting JSON whose instances may carry only
    ``text``. At load time, per instance: ``ignore: true`` and ``ignore_texts``
    instances are skipped; characters outside the dictionary are removed; words
    shorter than ``min_word_len`` afterwards are dropped; words are truncated to
    ``max_text_len - 1`` characters (room for the end token). Images left without
    words are dropped. Each kept instance is ``{'text', 'ignore': False,
    'bbox_label': 0}`` (geometry is dropped), which ``LoadOCRAnnotations(
    with_text=True)`` loads into ``results['gt_texts']``. The counts are logged
    once and kept in :attr:`filter_stats`. An annotation file that is not UTF-8
    or not valid JSON raises an error naming the file, line and column.

    Bad samples: when the pipeline raises for a sample (a missing, corrupt or
    truncated image under ``LoadCheckedImageFromFile``...), ``bad_sample='skip'``
    (training) logs a warning, returns None so that MMEngine's
    :meth:`~mmengine.dataset.BaseDataset.__getitem__` fetches another random
    index, and attaches the record ``(img_path, kind, detail)`` to the metainfo
    ``skipped_samples`` (a list) of the next sample returned by this process
    (a data loader worker); :class:`BadSampleLoggerHook` counts them per epoch
    over workers and ranks. ``max_refetch + 1`` failures in a row raise (the
    pipeline, not the data, is probably wrong). ``bad_sample='raise'``, and
    ``test_mode`` always, raise an error naming the file.

    Args:
        dict_file (str, optional): MMOCR dictionary file (one character a line).
            A path or the name of a packaged one (``'lowercase_68.txt'``);
            defaults to the 94 printable ASCII characters.
        max_text_len (int): tokens per word including the end token. Defaults to 25.
        min_word_len (int): shortest word kept, in characters. Defaults to 1.
        ignore_texts (Sequence[str]): transcriptions that mark don't-care
            instances. Defaults to ``('###', )``.
        lowercase (bool): lower-case words before filtering (for a dictionary
            without upper case). Defaults to False.
        bad_sample (str): ``'skip'`` or ``'raise'``, see above. Defaults to
            ``'skip'``.
        **kwargs: arguments of :class:`mmocr.datasets.OCRDataset`.
    """

    def __init__(self,
                 dict_file=None,
                 max_text_len=25,
                 min_word_len=1,
                 ignore_texts=('###', ),
                 lowercase=False,
                 bad_sample='skip',
                 **kwargs):
        if bad_sample not in BAD_SAMPLE_MODES:
            raise ValueError(f'bad_sample must be one of {BAD_SAMPLE_MODES}, got '
                             f'{bad_sample!r}')
        if max_text_len < 2:
            raise ValueError(f'max_text_len must be >= 2 (a character and the end '
                             f'token), got {max_text_len}')
        if min_word_len < 1:
            raise ValueError(f'min_word_len must be >= 1, got {min_word_len}')
        self.dict_file = resolve_resource_file(dict_file)
        self.charset = frozenset(Dictionary(self.dict_file).dict)
        self.max_text_len = max_text_len
        self.min_word_len = min_word_len
        self.ignore_texts = frozenset(ignore_texts)
        self.lowercase = lowercase
        self.filter_stats = dict.fromkeys(FILTER_STAT_KEYS, 0)
        self.bad_sample = bad_sample
        self._skipped = []
        self._failures_in_a_row = 0
        super().__init__(**kwargs)

    def load_data_list(self):
        """Load, filter and count the annotations, then log the counts."""
        self.filter_stats = dict.fromkeys(FILTER_STAT_KEYS, 0)
        try:
            data_list = super().load_data_list()
        except UnicodeDecodeError as e:
            # the error's position is within a chunk: locate it in the file
            reason = locate_utf8_error(self.ann_file,
                                       getattr(self, 'backend_args', None))
            raise AnnotationFileError(reason or f'{self.ann_file}: {e}') from None
        except json.JSONDecodeError as e:
            if self.ann_file in str(e):
                raise  # already located
            raise AnnotationFileError(f'{self.ann_file}, line {e.lineno}, column '
                                      f'{e.colno}: invalid JSON: {e.msg}') from None
        counts = ', '.join(f'{k}={v}' for k, v in self.filter_stats.items())
        print_log(f'{type(self).__name__} {self.ann_file}: {counts}', logger='current')
        return data_list

    def prepare_data(self, idx):
        """The pipeline's output for sample ``idx``; None for a skipped sample.

        Args:
            idx (int): index in the data list.

        Returns:
            dict | None: the pipeline's output, with the records of the samples
            skipped before it in ``data_samples.metainfo['skipped_samples']``.
        """
        data_info = self.get_data_info(idx)
        img_path = data_info.get('img_path', f'data_list[{idx}]')
        try:
            data = self.pipeline(data_info)
        except Exception as e:
            kind = getattr(e, 'kind', None) or _qualified_name(type(e))
            detail = getattr(e, 'detail', str(e))
            if self.bad_sample == 'raise' or self.test_mode:
                if img_path in str(e):
                    raise
                raise BadSampleError(f'{img_path}: {kind}: {detail}') from e
            self._failures_in_a_row += 1
            if self._failures_in_a_row > self.max_refetch:
                raise BadSampleError(
                    f'{self._failures_in_a_row} samples in a row failed, check '
                    f'the data paths and the pipeline; the last: {img_path}: '
                    f'{kind}: {detail}') from e
            self._skipped.append((img_path, kind, detail))
            print_log(f'skipped sample {img_path}: {kind}: {detail}',
                      logger='current',
                      level=logging.WARNING)
            return None
        self._failures_in_a_row = 0
        if self._skipped and isinstance(data, dict) and isinstance(
                data.get('data_samples'), BaseDataElement):
            data['data_samples'].set_metainfo(dict(skipped_samples=self._skipped))
            self._skipped = []
        return data

    def _malformed(self, index, reason):
        """The error for a malformed data_list entry."""
        return ValueError(f'{self.ann_file}: data_list[{index}]: {reason}')

    def parse_data_info(self, raw_data_info):
        """Keep the usable words of one image.

        Args:
            raw_data_info (dict): one entry of the annotation file's data_list.

        Returns:
            dict | list: the image's data info, or ``[]`` when no word is left.
        """
        stats = self.filter_stats
        index = stats['images']
        stats['images'] += 1
        problem = entry_problem(raw_data_info)
        if problem:
            raise self._malformed(index, problem)
        instances = raw_data_info['instances']
        charset = self.charset
        max_chars = self.max_text_len - 1
        kept = []
        for i, instance in enumerate(instances):
            problem = instance_problem(i, instance)
            if problem:
                raise self._malformed(index, problem)
            text = instance['text']
            if instance.get('ignore', False) or text in self.ignore_texts:
                stats['instances_ignored'] += 1
                continue
            word = text.lower() if self.lowercase else text
            if not charset.issuperset(word):
                unknown = set(word).difference(charset)
                cleaned = word.translate(dict.fromkeys(map(ord, unknown)))
                stats['words_with_unknown_chars'] += 1
                stats['unknown_chars_removed'] += len(word) - len(cleaned)
                word = cleaned
            if len(word) < self.min_word_len:
                stats['words_too_short'] += 1
                continue
            if len(word) > max_chars:
                stats['words_truncated'] += 1
                word = word[:max_chars]
            # reuse the instance dict: its geometry is released as we go
            instance.clear()
            instance.update(text=word, ignore=False, bbox_label=0)
            kept.append(instance)
        stats['instances'] += len(instances)
        if not kept:
            stats['images_without_words'] += 1
            return []
        stats['images_kept'] += 1
        stats['words_kept'] += len(kept)
        raw_data_info['instances'] = kept
        return super().parse_data_info(raw_data_info)
