"""The shared base of the image-text pre-training algorithms (oCLIP, WeCromCL)."""
import copy
import math

import torch
from mmengine.model import BaseModel
from mmocr.registry import MODELS, TASK_UTILS
from torch import nn

from mmocr_oclip.models.postprocessors.anchor_points import (query_slots, query_words,
                                                             set_anchor_points)
from mmocr_oclip.models.utils.batch_norm_recompute import \
    keep_running_stats_in_recomputation
from mmocr_oclip.models.utils.dictionary_check import register_dictionary_check
from mmocr_oclip.models.utils.similarity import cosine_logits
from mmocr_oclip.models.utils.speed_options import compiled_call


class BaseImageTextPretrainer(BaseModel):
    """An image side and a character-wise text side trained against each other.

    ``__init__`` is the template of both algorithms: it builds, in this order
    (the order fixes the random initialisation and the checkpoint's key
    order), the tokenizer, ``self.backbone`` (so that MMOCR detectors load
    ``backbone.*``), the algorithm's ``image_modules`` in the order given,
    ``self.text_encoder`` (sized by the tokenizer, its dictionary saved with
    the weights), the algorithm's ``heads`` (heads and losses) in the order
    given, the learnable temperature and the speed options. A subclass passes
    its parts to it and completes configs that depend on the tokenizer in
    :meth:`complete_head_cfg`.

    The contract of a subclass: :meth:`extract_feat` (a dict of image features
    with ``valid``, the feature cells inside the unpadded image), :meth:`loss`
    (a dict of losses and logged values), :meth:`predict` (the data samples
    with the algorithm's outputs) and :meth:`word_maps` (each word's map over
    the image, from which :meth:`localize_words` takes anchor points). Every
    contrastive logit is :meth:`similarity` (scale times cosine); this class
    gives the ``forward`` dispatch, the word encoding and the temperature.

    Args:
        backbone (dict): Image backbone config.
        text_encoder (dict): Text encoder config; ``vocab_size`` and
            ``max_len`` default to the tokenizer's.
        tokenizer (dict): :class:`CharacterTokenizer` config.
        image_modules (dict): name -> config (a list of configs: an
            ``nn.Sequential``), the modules between the backbone and the
            image features, built in this order after the backbone.
        heads (dict): name -> config or None (not built, the attribute is
            None), built in this order after the text encoder.
        init_logit_scale (float): Initial log temperature.
        max_logit_scale (float, optional): Clamp of the log temperature;
            None: no clamp.
        channels_last (bool): In training steps, give the backbone its
            images in channels-last layout, so that its convolutions run (and
            return) channels-last, faster with oneDNN and cuDNN.
        compile_backbone (bool | dict): In training steps, run the backbone
            through ``torch.compile`` (a dict: compile's keyword arguments,
            e.g. ``dict(dynamic=False)``); the first step of each input size
            compiles. With torch < 2.2 a warning says it runs uncompiled.

    The two speed options apply to training mode only (see
    :meth:`run_backbone`): the same function as without them up to fp32
    rounding (other convolution kernels sum in another order), no new
    parameter or state-dict key. An eval-mode forward (pictures, anchor
    points, the checks against the authors' code) runs the backbone as built,
    uncompiled, in the layout of its input.
        data_preprocessor (dict, optional): Data preprocessor config.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 backbone,
                 text_encoder,
                 tokenizer,
                 image_modules,
                 heads,
                 init_logit_scale=math.log(1 / 0.07),
                 max_logit_scale=None,
                 channels_last=False,
                 compile_backbone=False,
                 data_preprocessor=None,
                 init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.tokenizer = TASK_UTILS.build(tokenizer)
        self.backbone = MODELS.build(backbone)
        if getattr(self.backbone, 'with_cp', False):
            # checkpointed blocks run their batch norms again in the backward
            # pass: one update of the running statistics per step, not two
            keep_running_stats_in_recomputation(self.backbone)
        for name, cfg in image_modules.items():
            setattr(self, name, self._build_modules(cfg))
        text_encoder = copy.deepcopy(text_encoder)
        text_encoder.setdefault('vocab_size', self.tokenizer.vocab_size)
        text_encoder.setdefault('max_len', self.tokenizer.max_len)
        self.text_encoder = MODELS.build(text_encoder)
        register_dictionary_check(self, self.tokenizer)
        for name, cfg in heads.items():
            cfg = None if cfg is None else self.complete_head_cfg(
                name, copy.deepcopy(cfg))
            setattr(self, name, None if cfg is None else MODELS.build(cfg))
        self.logit_scale = nn.Parameter(torch.tensor(float(init_logit_scale)))
        self.max_logit_scale = max_logit_scale
        self.channels_last = channels_last
        # a function, not a module: no state-dict key
        self._compiled_backbone = compiled_call(self.backbone, compile_backbone)

    @staticmethod
    def _build_modules(cfg):
        """A module of a config, or an ``nn.Sequential`` of a list of configs."""
        if isinstance(cfg, (list, tuple)):
            return nn.Sequential(*[MODELS.build(c) for c in cfg])
        return MODELS.build(cfg)

    def complete_head_cfg(self, name, cfg):
        """The config of head ``name`` with what the tokenizer fixes (a copy:
        change it in place). Defaults to the config unchanged."""
        return cfg

    def forward(self, inputs, data_samples=None, mode='tensor'):
        """MMEngine's entry: ``loss``, ``predict`` or ``tensor`` (features)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs, data_samples)
        raise RuntimeError(f'invalid mode "{mode}": use loss, predict or tensor')

    def run_backbone(self, inputs):
        """``self.backbone(inputs)``, with the speed options in training mode.

        Args:
            inputs (Tensor): (B, 3, H, W) normalised, padded images.

        Returns:
            The backbone's output (its feature maps); channels-last tensors in
            a training step with ``channels_last``.
        """
        if not self.training:
            return self.backbone(inputs)
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        return (self._compiled_backbone or self.backbone)(inputs)

    def extract_feat(self, inputs, data_samples=None):
        """Image features of (B, 3, H, W) normalised, padded images.

        Returns:
            dict: the algorithm's features and ``valid`` (B, h, w) bool, the
            cells of its feature grid that overlap the unpadded image.
        """
        raise NotImplementedError

    def loss(self, inputs, data_samples):
        """A dict of the batch's losses (keys starting with ``loss``) and
        logged values, e.g. ``logit_scale``."""
        raise NotImplementedError

    def predict(self, inputs, data_samples):
        """The data samples with the algorithm's outputs set on them (the
        inputs of its metric)."""
        raise NotImplementedError

    def scale(self):
        """The exponentiated temperature, clamped unless ``max_logit_scale`` is
        None."""
        if self.max_logit_scale is None:
            return self.logit_scale.exp()
        return self.logit_scale.clamp(max=self.max_logit_scale).exp()

    def similarity(self, visual, text):
        """Contrastive logits: :meth:`scale` times the cosine of ``visual``
        (..., E) and ``text`` (..., E), broadcast, in fp32 (see
        :func:`cosine_logits`)."""
        return cosine_logits(visual, text, self.scale())

    def encode_tokens(self, tokens, lengths):
        """(M, E) embeddings of M tokenised words, one text-encoder call.

        Tokens are cut after the longest word (and its end token, if any),
        unless the text encoder's output depends on the padding (the authors'
        mean over all ``max_len`` positions, or unmasked padding keys: see
        ``CharacterTextEncoder.depends_on_padding``).

        Args:
            tokens (Tensor): (M, max_len) token ids.
            lengths (Tensor): (M,) characters per word.
        """
        depends = getattr(self.text_encoder, 'depends_on_padding', None)
        if depends is None or not depends():
            end = 1 if getattr(self.tokenizer, 'end_token', True) else 0
            tokens = tokens[:, :int(lengths.max()) + end]
        device = self.logit_scale.device
        return self.text_encoder(tokens.to(device), lengths.to(device))

    def encode_words(self, words):
        """(M, E) embeddings of M words (strings), see :meth:`encode_tokens`."""
        return self.encode_tokens(*self.tokenizer.encode(words))

    def word_maps(self, queries, feats):
        """The activation map of each query word over its image.

        Args:
            queries (Tensor): (B, Q, E) word embeddings, Q slots per image.
            feats (dict): :meth:`extract_feat` of the images.

        Returns:
            Tensor: (B, Q, h * w) maps over ``feats['valid']``'s grid.
        """
        raise NotImplementedError

    @torch.no_grad()
    def localize_words(self, inputs, data_samples, nms_kernel=5, return_maps=False):
        """Anchor points of each image's ground-truth words.

        Each image is queried with its distinct words (see
        :func:`query_words`); a word occurring k times gets the top k peaks
        (``nms_kernel`` max-pool NMS) of its activation map (:meth:`word_maps`)
        over the valid cells, mapped to original image coordinates (see
        :func:`set_anchor_points`).

        Returns:
            list: ``data_samples`` with ``pred_instances`` (``points`` (P, 2),
            ``scores`` (P,), ``texts``) and, with ``return_maps``,
            ``word_maps`` (M_b, h, w) and ``word_texts``.
        """
        queries = query_words(data_samples, self.tokenizer)
        feats = self.extract_feat(inputs, data_samples)
        valid = feats['valid']
        index = (queries['image_index'].to(valid.device),
                 queries['slot'].to(valid.device))
        if queries['words']:
            slots = query_slots(self.encode_words(queries['words']), queries,
                                len(data_samples))
            maps = self.word_maps(slots, feats)[index].unflatten(-1, valid.shape[-2:])
        else:
            maps = inputs.new_zeros(0, *valid.shape[-2:])
        stride = (inputs.size(2) / valid.size(1), inputs.size(3) / valid.size(2))
        return set_anchor_points(data_samples, queries, maps, valid[index[0]], stride,
                                 nms_kernel, return_maps)
