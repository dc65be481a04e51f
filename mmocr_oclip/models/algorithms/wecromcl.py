"""WeCromCL stage 1: where is each word of an image, learned from words only."""
import math

import torch
from mmocr.registry import MODELS
from torch.nn.utils.rnn import pad_sequence

from mmocr_oclip.models.utils.gather import all_gather_with_grad
from mmocr_oclip.models.utils.valid_grid_mask import valid_grid_mask
from .base_image_text_pretrainer import BaseImageTextPretrainer


@MODELS.register_module()
class WeCromCL(BaseImageTextPretrainer):
    """WeCromCL (Wu et al., ECCV 2024), stage 1, in MMEngine.

    Image side: ``backbone`` (C2..C5) -> ``neck`` (a config or a list of
    configs applied in order, e.g. BiFPN then MultiScaleConcatNeck, giving a
    stride-4 and a stride-8 map) -> ``encoder`` (deformable encoder) -> the
    image feature map F_I (B, C, h, w) at stride 8. Text side:
    ``text_encoder`` embeds single words. ``head``: each word queries F_I
    (text-as-query attention); its attention over F_I is the word's
    activation map, ``scale * cosine(pooled, word)`` its score.

    Training (atomistic contrastive learning): every image has one positive
    word (``positive_text``) and N negatives (``negative_texts``); each image
    is scored against the positives of the global batch (gathered across ranks
    with gradient) and its own negatives; with ``mask_false_negatives``, false
    negatives are masked through ``word_hashes`` / ``positive_hash`` (set by
    ``wecromcl_collate``).
    Inference: :meth:`localize_words` gives, per ground-truth word, the peaks
    of its activation map as anchor points.

    The backbone is ``self.backbone``: its checkpoint keys are ``backbone.*``
    and MMOCR detectors load them with ``init_cfg=dict(type='Pretrained',
    checkpoint=..., prefix='backbone.')``. The tokenizer's dictionary is
    saved with the weights (buffer ``dictionary_codes``); loading a checkpoint
    of another dictionary raises (see :func:`register_dictionary_check`).

    By default the model computes the authors' function (their code, Wu et
    al., ECCV 2024). Three options fix documented defects of theirs and are
    off by default: ``mask_padding`` (padded cells are masked in the
    deformable encoder and the head), ``mask_false_negatives`` and
    ``max_logit_scale`` (clamp of the temperature); the text encoder's
    ``pooling='mean'`` / ``mask_padding`` (mean over the real characters,
    padding keys masked) are a fourth.

    Args:
        backbone (dict): Image backbone config (4 outputs, strides 4..32).
        neck (dict | list[dict]): Neck config(s), output (stride-4 map,
            stride-8 map).
        encoder (dict): Encoder config: ``(feats, valid_masks) -> F_I``.
        text_encoder (dict): Text encoder config; ``vocab_size`` and
            ``max_len`` default to the tokenizer's.
        head (dict): Text-as-query attention head config.
        tokenizer (dict): :class:`CharacterTokenizer` config. Defaults to the
            authors' alphabet (packaged ``wecromcl_69.txt``, 0-9, a-z, space,
            punctuation), 25 characters, no end token.
        loss (dict): Atomistic contrastive loss config.
        in_image_loss (dict, optional): A second loss over the words of each
            image, e.g. ``dict(type='InImageWordContrastiveLoss')``: each
            image is also queried with its words ``in_image_texts`` (set by
            ``wecromcl_collate(in_image_words=K)``) and every word's pooled
            feature must match its own word better than the image's other
            words. Not in the paper (a departure, off by default): the
            paper's loss is minimised by one map covering all the text of an
            image; this one asks each word's map to pick its own word.
        init_logit_scale (float): Initial log temperature. Defaults to
            ``ln(1 / 0.07)``.
        max_logit_scale (float, optional): Clamp of the log temperature, e.g.
            ``ln(100)`` as CLIP. Defaults to None, no clamp (the authors').
        mask_padding (bool): Mask the cells of the batch padding in the
            deformable encoder (values, positions, reference points, norm
            statistics) and in the head's attention, so that an image's
            output does not depend on its batch. Defaults to False (the
            authors' treat the padded batch as the image). Anchor points are
            always taken inside the unpadded image.
        mask_false_negatives (bool): Mask the other images' positives that
            are also words of this image (see :meth:`false_negatives`).
            Defaults to False (the authors').
        channels_last, compile_backbone, data_preprocessor, init_cfg: as
            :class:`BaseImageTextPretrainer` (the speed options default to
            False).
    """

    def __init__(self,
                 backbone,
                 neck,
                 encoder,
                 text_encoder,
                 head,
                 tokenizer=dict(type='CharacterTokenizer',
                                dict_file='wecromcl_69.txt',
                                max_len=25,
                                end_token=False),
                 loss=dict(type='AtomisticContrastiveLoss'),
                 in_image_loss=None,
                 init_logit_scale=math.log(1 / 0.07),
                 max_logit_scale=None,
                 mask_padding=False,
                 mask_false_negatives=False,
                 channels_last=False,
                 compile_backbone=False,
                 data_preprocessor=None,
                 init_cfg=None):
        image_modules = dict(neck=neck, encoder=encoder)
        heads = dict(head=head, loss_contrastive=loss, loss_in_image=in_image_loss)
        super().__init__(backbone, text_encoder, tokenizer, image_modules, heads,
                         init_logit_scale, max_logit_scale, channels_last,
                         compile_backbone, data_preprocessor, init_cfg)
        if (getattr(self.text_encoder, 'pooling', None) == 'end'
                and not getattr(self.tokenizer, 'end_token', True)):
            raise ValueError('WeCromCL: text_encoder pooling="end" needs a '
                             'tokenizer with end_token=True')
        self.mask_padding = mask_padding
        self.mask_false_negatives = mask_false_negatives

    def extract_feat(self, inputs, data_samples=None):
        """The image feature map.

        Args:
            inputs (Tensor): (B, 3, H, W) normalised, padded images.
            data_samples (list, optional): with ``img_shape`` metainfo; without
                them every position counts as valid.

        Returns:
            dict: ``image_feats`` (B, C, h, w) F_I, ``valid`` (B, h, w) bool,
            the cells that overlap the unpadded image, and ``attend`` (B, h, w)
            bool, the cells the head attends to (``valid`` with
            ``mask_padding``, else all).
        """
        feats = self.neck(self.run_backbone(inputs))
        masks = data_samples if self.mask_padding else None
        valid_masks = [valid_grid_mask(inputs, f.shape[-2:], masks) for f in feats]
        image_feats = self.encoder(feats, valid_masks)
        size = image_feats.shape[-2:]
        return dict(image_feats=image_feats,
                    valid=valid_grid_mask(inputs, size, data_samples),
                    attend=valid_grid_mask(inputs, size, masks))

    def attend(self, queries, feats):
        """Words query the image: ``(pooled (B, Q, E), attn (B, Q, h * w))``."""
        tokens = feats['image_feats'].flatten(2).transpose(1, 2)
        return self.head(queries, tokens, feats['attend'].flatten(1))

    @staticmethod
    def _require(data_samples, fields):
        for sample in data_samples:
            missing = [f for f in fields if f not in sample]
            if missing:
                raise KeyError(
                    f'WeCromCL.loss: data sample of '
                    f'{sample.metainfo.get("img_path", "?")} lacks {missing}; '
                    'build training batches with collate_fn=dict(type='
                    '"wecromcl_collate"' +
                    (', in_image_words=K)' if 'in_image_texts' in missing else ')'))

    def false_negatives(self, data_samples):
        """(B, G) bool: the false negatives of the global batch, from the
        samples' ``positive_hash`` / ``word_hashes`` (see
        :meth:`AtomisticContrastiveLoss.false_negatives`)."""
        device = self.logit_scale.device
        own_hash = torch.tensor([int(s.positive_hash) for s in data_samples],
                                dtype=torch.long,
                                device=device)
        hashes = pad_sequence(
            [torch.as_tensor(s.word_hashes, dtype=torch.long) for s in data_samples],
            batch_first=True,
            padding_value=-1).to(device)
        return self.loss_contrastive.false_negatives(own_hash, hashes)

    def loss(self, inputs, data_samples):
        """Atomistic contrastive loss of a batch (and the in-image word loss).

        Returns:
            dict: ``loss``, ``loss_in_image`` (with ``in_image_loss``) and
            ``logit_scale`` (logged).
        """
        fields = ('positive_text', 'negative_texts', 'word_hashes', 'positive_hash')
        if self.loss_in_image is not None:
            fields += ('in_image_texts', )
        self._require(data_samples, fields)
        num_negatives = {len(s.negative_texts) for s in data_samples}
        if len(num_negatives) != 1:
            raise ValueError('WeCromCL.loss: every image needs the same number '
                             f'of negative words, got {sorted(num_negatives)}')
        num = len(data_samples)
        words = ([s.positive_text for s in data_samples] +
                 [w for s in data_samples for w in s.negative_texts])
        if self.loss_in_image is not None:
            in_image = [s.in_image_texts for s in data_samples]
            words += [w for texts in in_image for w in texts]
        embeds = self.encode_words(words)
        positives = all_gather_with_grad(embeds[:num])  # (G, E)
        num_neg = num_negatives.pop()
        negatives = embeds[num:num * (1 + num_neg)].unflatten(0, (num, -1))  # (B, N, E)
        queries = [positives.expand(num, -1, -1), negatives]
        if self.loss_in_image is not None:
            own_words, own_valid = self._pad_words(embeds[num * (1 + num_neg):],
                                                   [len(t) for t in in_image])
            queries.append(own_words)  # (B, K, E)
        queries = torch.cat(queries, dim=1)
        pooled, _ = self.attend(queries, self.extract_feat(inputs, data_samples))
        num_global = positives.size(0)
        num_cand = num_global + num_neg
        logits = self.similarity(pooled[:, :num_cand], queries[:, :num_cand])
        if self.mask_false_negatives:
            excluded = self.false_negatives(data_samples)
        else:
            excluded = torch.zeros_like(logits[:, :num_global], dtype=torch.bool)
        losses = dict(loss=self.loss_contrastive(logits[:, :num_global],
                                                 logits[:, num_global:], excluded))
        if self.loss_in_image is not None:
            # (B, K, K): word i's pooled feature against word j's embedding
            own_logits = self.similarity(pooled[:, num_cand:, None], own_words[:, None])
            losses['loss_in_image'] = self.loss_in_image(own_logits, own_valid)
        losses['logit_scale'] = self.scale().detach()
        return losses

    @staticmethod
    def _pad_words(embeds, counts):
        """(B, K, E) rows of ``embeds`` grouped by image, K = max(counts).

        Returns:
            tuple[Tensor, Tensor]: the padded embeddings (zeros on padding)
            and (B, K) bool, True on real words.
        """
        counts = torch.as_tensor(counts, device=embeds.device)
        slots = torch.arange(int(counts.max()), device=embeds.device)
        valid = slots[None] < counts[:, None]
        starts = counts.cumsum(0) - counts
        index = (starts[:, None] + slots[None]).clamp(max=max(len(embeds) - 1, 0))
        return embeds[index] * valid[..., None], valid

    def word_maps(self, queries, feats):
        """Words query F_I through the head: (B, Q, h * w) attention maps."""
        return self.attend(queries, feats)[1]

    def predict(self, inputs, data_samples):
        """Validation outputs, per image: the anchor points of its ground-truth
        words (the input of :class:`AnchorPointMetric`).

        Args:
            inputs (Tensor): (B, 3, H, W) normalised, padded images.
            data_samples (list): with ``gt_instances.texts`` (the words to
                find) and ``img_shape`` / ``scale_factor`` metainfo.

        Returns:
            list: ``data_samples``, each with ``pred_instances``: ``points``
            (P, 2) in original image coordinates, ``scores`` (P,), ``texts``
            (P words; a word occurring k times gets k points), see
            :meth:`BaseImageTextPretrainer.localize_words`.
        """
        return self.localize_words(inputs, data_samples)
