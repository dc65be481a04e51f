"""The shared base of the image-text pre-training algorithms (oCLIP, WeCromCL)."""
import copy
import math

import torch
from mmengine.model import BaseModel
from mmocr.registry import MODELS, TASK_UTILS
from torch import nn

from mmocr_oclip.models.postprocessors.anchor_points import (query_slots, query_words,
                                                             set_anchor_points)
from mmocr_oclip.models.utils.dictionary_check import register_dictionary_check
from mmocr_oclip.models.utils.speed_options import apply_speed_options


class BaseImageTextPretrainer(BaseModel):
    """An image side and a character-wise text side trained against each other.

    Subclasses build their parts in their ``__init__`` in this order (the order
    fixes the random initialisation): :meth:`__init__` of this class (the
    tokenizer), their image modules (``self.backbone`` first, so that MMOCR
    detectors load ``backbone.*``), :meth:`build_text_encoder`, their heads and
    losses, then :meth:`finish_build` (the temperature and the speed options).
    They implement ``extract_feat``, ``loss``, ``predict`` and
    :meth:`word_maps`; this class gives the ``forward`` dispatch, the word
    encoding, the temperature and :meth:`localize_words`.

    Args:
        tokenizer (dict): :class:`CharacterTokenizer` config.
        data_preprocessor (dict, optional): Data preprocessor config.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self, tokenizer, data_preprocessor=None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.tokenizer = TASK_UTILS.build(tokenizer)

    @staticmethod
    def build_modules(cfg):
        """A module of a config, or an ``nn.Sequential`` of a list of configs."""
        if isinstance(cfg, (list, tuple)):
            return nn.Sequential(*[MODELS.build(c) for c in cfg])
        return MODELS.build(cfg)

    def build_text_encoder(self, cfg):
        """``self.text_encoder``; ``vocab_size`` and ``max_len`` default to the
        tokenizer's. The tokenizer's dictionary is saved with the weights
        (buffer ``dictionary_codes``): a checkpoint of another dictionary is
        refused (see :func:`register_dictionary_check`)."""
        cfg = copy.deepcopy(cfg)
        cfg.setdefault('vocab_size', self.tokenizer.vocab_size)
        cfg.setdefault('max_len', self.tokenizer.max_len)
        self.text_encoder = MODELS.build(cfg)
        register_dictionary_check(self, self.tokenizer)

    def finish_build(self,
                     init_logit_scale=math.log(1 / 0.07),
                     max_logit_scale=None,
                     channels_last=False,
                     compile_backbone=False):
        """The learnable log temperature, then the speed options.

        Args:
            init_logit_scale (float): Initial log temperature.
            max_logit_scale (float, optional): Clamp of the log temperature;
                None: no clamp.
            channels_last (bool): Convolutions in channels-last layout (same
                function, same keys).
            compile_backbone (bool | dict): ``torch.compile`` the backbone in
                place (a dict: compile's keyword arguments).
        """
        self.logit_scale = nn.Parameter(torch.tensor(float(init_logit_scale)))
        self.max_logit_scale = max_logit_scale
        apply_speed_options(self, channels_last, compile_backbone)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        """MMEngine's entry: ``loss``, ``predict`` or ``tensor`` (features)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs, data_samples)
        raise RuntimeError(f'invalid mode "{mode}": use loss, predict or tensor')

    def scale(self):
        """The exponentiated temperature, clamped unless ``max_logit_scale`` is
        None."""
        if self.max_logit_scale is None:
            return self.logit_scale.exp()
        return self.logit_scale.clamp(max=self.max_logit_scale).exp()

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
