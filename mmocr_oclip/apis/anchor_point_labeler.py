"""Anchor-point pseudo labels of images labelled only with their words."""
import os.path as osp

import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmocr.registry import MODELS

from mmocr_oclip.datasets.transforms import use_checked_loading
from mmocr_oclip.datasets.transforms.load_checked_image_from_file import BadImageError
from mmocr_oclip.evaluation.metrics.anchor_point_metric import IGNORED_TEXT
from mmocr_oclip.models.utils.model_type_check import load_typed_checkpoint


def _step_is(step, name):
    return str(step.get('type', '')).split('.')[-1] == name


def _loader_pipeline(cfg, loader):
    """The pipeline of ``cfg[loader]``'s dataset; [] if it has none."""
    dataset = (cfg.get(loader) or {}).get('dataset') or {}
    return dataset.get('pipeline') or []


def build_labeling_pipeline(cfg, scale=None):
    """The transforms from an image file to the model's packed input.

    The config's ``test_dataloader`` pipeline when it ends with
    ``PackOCLIPInputs`` (less its ``LoadOCRAnnotations``: the labeler sets the
    words itself, so no polygon is needed); otherwise, or with ``scale``,
    ``LoadCheckedImageFromFile -> Resize(scale, keep_ratio) -> PackOCLIPInputs``
    with ``scale`` or the config's test/val ``Resize`` scale (no resize if
    neither). Images are always loaded by ``LoadCheckedImageFromFile``.

    Args:
        cfg (Config): the model's config.
        scale (tuple[int, int], optional): (W, H) the image is resized to fit,
            keeping its aspect ratio.

    Returns:
        list[dict]: transform configs.
    """
    pipeline = _loader_pipeline(cfg, 'test_dataloader')
    if scale is None and pipeline and _step_is(pipeline[-1], 'PackOCLIPInputs'):
        return [
            step for step in use_checked_loading(pipeline)
            if not _step_is(step, 'LoadOCRAnnotations')
        ]
    if scale is None:
        for loader in ('test_dataloader', 'val_dataloader'):
            steps = _loader_pipeline(cfg, loader)
            scales = [
                tuple(s['scale']) for s in steps
                if _step_is(s, 'Resize') and s.get('scale')
            ]
            if scales:
                scale = scales[0]
                break
    resize = [dict(type='Resize', scale=tuple(scale), keep_ratio=True)] if scale else []
    return [
        dict(type='LoadCheckedImageFromFile', color_type='color_ignore_orientation'),
        *resize,
        dict(type='PackOCLIPInputs'),
    ]


class AnchorPointLabeler:
    """One anchor point per occurrence of each word of an image.

    The model (WeCromCL or OCLIP: anything with ``localize_words``) queries each
    image with its words; a word occurring k times gets the k highest peaks of
    its activation map (see ``localize_words``), in the original image's pixel
    coordinates.

    Words are taken as the model reads them: lower case. A word holding a
    character outside the model's dictionary is skipped and reported (the word
    and the character), never queried with the character removed; a word longer
    than the model's text length is queried by its first characters (reported).
    Instances with ``ignore: true`` or the text ``###`` are not queried. An
    image that cannot be read, or left without a word to query, is skipped
    with the reason.

    Args:
        model (nn.Module): the model, in eval mode.
        pipeline (list[dict]): :func:`build_labeling_pipeline`.
        nms_kernel (int): odd max-pool NMS window of the peaks. Defaults to 5.
    """

    def __init__(self, model, pipeline, nms_kernel=5):
        if not callable(getattr(model, 'localize_words', None)):
            raise ValueError(f'{type(model).__name__} has no localize_words; use a '
                             'WeCromCL or OCLIP model')
        self.model = model
        self.pipeline = pipeline
        self.transform = Compose(pipeline)
        self.nms_kernel = nms_kernel
        tokenizer = model.tokenizer
        self.chars = set(tokenizer.dictionary.dict)
        self.max_chars = tokenizer.max_chars

    @classmethod
    def from_config(cls,
                    config,
                    checkpoint,
                    scale=None,
                    nms_kernel=5,
                    cfg_options=None,
                    device='cpu'):
        """Build the model of ``config`` with the weights of ``checkpoint``.

        Args:
            config (str | Config): a WeCromCL or OCLIP config.
            checkpoint (str): its checkpoint (type-checked, loaded strictly).
            scale (tuple[int, int], optional): see :func:`build_labeling_pipeline`.
            nms_kernel (int): see the class.
            cfg_options (dict, optional): overrides merged into the config.
            device (str): where the model runs. Defaults to ``'cpu'``.
        """
        cfg = Config.fromfile(config) if isinstance(config, str) else config
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        init_default_scope(cfg.get('default_scope', 'mmocr'))
        model = MODELS.build(cfg.model)
        if not callable(getattr(model, 'localize_words', None)):
            raise ValueError(f'{type(model).__name__} (model of the config) has no '
                             'localize_words; use a WeCromCL or OCLIP config')
        load_typed_checkpoint(model, checkpoint, strict=True)
        return cls(
            model.to(device).eval(), build_labeling_pipeline(cfg, scale), nms_kernel)

    def query_texts(self, entry):
        """The words of ``entry`` the model is queried with, and why others are not.

        Args:
            entry (dict): ``img_path`` and ``instances`` (dicts with ``text``,
                optional ``ignore``).

        Returns:
            tuple[list[str], list[str]]: the words (lower case, one per
            occurrence) and the notes on the words skipped or shortened.
        """
        texts, notes = [], []
        for inst in entry['instances']:
            text = inst['text']
            if inst.get('ignore', False) or text == IGNORED_TEXT:
                continue
            word = text.lower()
            unknown = sorted({c for c in word if c not in self.chars})
            if not word:
                notes.append('an empty word: skipped')
            elif unknown:
                chars = ', '.join(repr(c) for c in unknown)
                notes.append(f'word {text!r}: character {chars} outside the model\'s '
                             'dictionary: skipped')
            else:
                if len(word) > self.max_chars:
                    notes.append(f'word {text!r}: longer than the model\'s '
                                 f'{self.max_chars} characters: queried by its first '
                                 f'{self.max_chars}')
                texts.append(word)
        return texts, notes

    def _prepare(self, entry, texts, data_root, result):
        """The packed input of ``entry`` queried with ``texts``, or None with
        ``skipped`` (the reason) and ``unreadable`` set on ``result``."""
        if not texts:
            words = len(entry['instances'])
            result.update(skipped='no word to query' if not words else
                          f'none of its {words} word(s) can be queried',
                          unreadable=False)
            return None
        img_path = osp.join(data_root, entry['img_path'])
        try:
            return self.transform(dict(img_path=img_path, gt_texts=texts))
        except (BadImageError, FileNotFoundError) as e:
            result.update(skipped=str(e), unreadable=True)
            return None

    @torch.no_grad()
    def label(self, entries, data_root='', return_maps=False):
        """Anchor points of a batch of images.

        Args:
            entries (list[dict]): ``img_path`` (relative to ``data_root``) and
                ``instances`` (dicts with ``text``), as
                :func:`load_word_annotations` gives.
            data_root (str): the folder image paths are relative to.
            return_maps (bool): also return the packed inputs and the data
                samples with their word maps (for pictures).

        Returns:
            list[dict]: per entry, ``img_path``, ``notes`` (list[str], see
            :meth:`query_texts`), ``skipped_words`` (how many words could not
            be queried) and either ``skipped`` (the reason) with
            ``unreadable`` (the image file, not its words, is at fault) or
            ``height``, ``width`` (the original image's) and ``points``
            (list of ``[x, y]``), ``scores``, ``texts`` of every peak, by word
            then decreasing score; with ``return_maps`` also ``packed`` and
            ``sample``.
        """
        results, packed = [], []
        for entry in entries:
            texts, notes = self.query_texts(entry)
            queryable = sum(
                not (inst.get('ignore', False) or inst['text'] == IGNORED_TEXT)
                for inst in entry['instances'])
            result = dict(img_path=entry['img_path'],
                          notes=notes,
                          skipped_words=queryable - len(texts))
            pack = self._prepare(entry, texts, data_root, result)
            if pack is not None:
                packed.append(pack)
            results.append(result)
        if not packed:
            return results
        data = self.model.data_preprocessor(pseudo_collate(packed), False)
        samples = iter(
            self.model.localize_words(data['inputs'],
                                      data['data_samples'],
                                      nms_kernel=self.nms_kernel,
                                      return_maps=return_maps))
        inputs = iter(packed)
        for result in results:
            if 'skipped' in result:
                continue
            sample, pack = next(samples), next(inputs)
            pred = sample.pred_instances
            height, width = sample.metainfo['ori_shape'][:2]
            result.update(height=int(height),
                          width=int(width),
                          points=pred.points.tolist(),
                          scores=pred.scores.tolist(),
                          texts=list(pred.texts))
            if return_maps:
                stride = round(data['inputs'].size(2) / sample.word_maps.size(-2))
                result.update(packed=pack, sample=sample, stride=stride)
        return results


def point_instances(result, score_thr=0.):
    """MMOCR text-spotting instances of a :meth:`AnchorPointLabeler.label`
    result's points scoring at least ``score_thr``: per point, ``text``,
    ``score``, ``polygon`` ``[x, y]`` (one vertex), ``bbox`` ``[x, y, x, y]``,
    ``bbox_label`` 0 and ``ignore`` false."""
    return [
        dict(text=text,
             score=score,
             polygon=[x, y],
             bbox=[x, y, x, y],
             bbox_label=0,
             ignore=False)
        for (x,
             y), score, text in zip(result['points'], result['scores'], result['texts'])
        if score >= score_thr
    ]
