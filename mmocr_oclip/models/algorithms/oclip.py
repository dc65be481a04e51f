"""oCLIP: weakly supervised image-text pre-training for scene text."""
import math

import torch
from mmengine.structures import InstanceData
from mmocr.registry import MODELS

from mmocr_oclip.models.utils.similarity import (global_pairwise_cosine_logits,
                                                 pairwise_cosine_logits)
from mmocr_oclip.models.utils.valid_grid_mask import valid_grid_mask
from .base_image_text_pretrainer import BaseImageTextPretrainer


@MODELS.register_module()
class OCLIP(BaseImageTextPretrainer):
    """oCLIP (Xue et al., ECCV 2022) in MMEngine.

    An image encoder (``backbone`` + attention-pooling ``neck``) and a
    character-aware ``text_encoder`` are trained with an image-text contrastive
    loss; a visual-textual ``decoder`` predicts, for every word, a character that
    was replaced by the mask token. ``decoder=None`` trains the contrastive loss
    alone (the paper's first stage). The image backbone is ``self.backbone``, so
    its checkpoint keys are ``backbone.*`` and MMOCR detectors load them with
    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.

    Inputs are padded image batches (B, 3, H, W), H and W multiples of 32; every
    data sample carries ``gt_instances.texts`` (the words of its image) and its
    ``img_shape`` (the unpadded size), so padded positions are masked out.
    Only the real words of the batch (M in all) are tokenised and encoded.
    The tokenizer's dictionary is saved with the weights (buffer
    ``dictionary_codes``); loading a checkpoint of another dictionary raises
    (see :func:`register_dictionary_check`).

    Args:
        backbone (dict): Image backbone config (C5 is its last output).
        neck (dict): Attention-pooling neck config.
        text_encoder (dict): Text encoder config; ``vocab_size`` and
            ``max_len`` default to the tokenizer's.
        decoder (dict, optional): Visual-textual decoder config;
            ``num_classes`` defaults to the tokenizer's ``vocab_size``.
        tokenizer (dict): :class:`CharacterTokenizer` config.
        loss_contrastive (dict): Contrastive loss config; it takes the
            logits of :meth:`contrastive_logits`.
        loss_mask (dict): Masked-character classification loss config.
        mask_prob (float): Probability that a word gets a masked character.
            Defaults to 1.0 (every word, as the paper).
        init_logit_scale (float): Initial log temperature. Defaults to
            ``ln(1 / 0.07)``.
        max_logit_scale (float, optional): Clamp of the log temperature, e.g.
            ``ln(100)`` as CLIP. Defaults to None: no clamp, as the authors
            train oCLIP (their clamp is commented out).
        text_slots (int, optional): The authors' text embedding of an image:
            the mean over ``text_slots`` word slots, those an image leaves
            empty holding the embedding of an empty word (all-padding tokens,
            pooled at position 0), as their loader pads every image to 32
            words. None: the mean over the image's real words only. Defaults
            to None; the configs set the authors' 32 (the pipeline's
            ``max_instances``).
        gather_with_grad (bool): How the contrastive logits reach the
            global batch in distributed training (see
            :func:`global_pairwise_cosine_logits`): False, the authors' way,
            every rank computes the whole global batch's loss with gradient
            to its own features only, so the contrastive loss weighs 1/W
            against the per-rank masked-character loss after DDP's
            averaging; True, every rank its own images' and texts' rows
            against the global batch with gradient to all, so that training
            equals training on the global batch in one process. Defaults to
            False.
        channels_last, compile_backbone: speed options (same function, same
            keys), see :class:`BaseImageTextPretrainer`. Default to False.
        data_preprocessor, init_cfg: MMEngine's.
    """

    def __init__(self,
                 backbone,
                 neck,
                 text_encoder,
                 decoder=None,
                 tokenizer=dict(type='CharacterTokenizer'),
                 loss_contrastive=dict(type='ImageTextContrastiveLoss'),
                 loss_mask=dict(type='mmdet.CrossEntropyLoss', loss_weight=1.0),
                 mask_prob=1.0,
                 init_logit_scale=math.log(1 / 0.07),
                 max_logit_scale=None,
                 text_slots=None,
                 gather_with_grad=False,
                 channels_last=False,
                 compile_backbone=False,
                 data_preprocessor=None,
                 init_cfg=None):
        if text_slots is not None and text_slots < 1:
            raise ValueError(f'text_slots must be >= 1 or None, got {text_slots}')
        heads = dict(decoder=decoder,
                     loss_mask=None if decoder is None else loss_mask,
                     loss_contrastive=loss_contrastive)
        super().__init__(backbone, text_encoder, tokenizer, dict(neck=neck), heads,
                         init_logit_scale, max_logit_scale, channels_last,
                         compile_backbone, data_preprocessor, init_cfg)
        self.mask_prob = mask_prob
        self.text_slots = text_slots
        self.gather_with_grad = gather_with_grad

    def complete_head_cfg(self, name, cfg):
        """The decoder's ``num_classes`` defaults to the tokenizer's
        ``vocab_size``."""
        if name == 'decoder':
            cfg.setdefault('num_classes', self.tokenizer.vocab_size)
        return cfg

    def extract_feat(self, inputs, data_samples=None, need_weights=False):
        """Image features.

        Args:
            inputs (Tensor): (B, 3, H, W) normalised, padded images.
            data_samples (list, optional): with ``img_shape`` metainfo; without
                them every position counts as valid.
            need_weights (bool): also return the global token's attention.

        Returns:
            dict: ``image_embeds`` (B, E) global embeddings, ``image_tokens``
            (B, h * w, E), ``valid`` (B, h, w) the stride-32 cells that overlap
            the unpadded image and, with ``need_weights``, ``pool_attn``
            (B, h * w) the global token's attention.
        """
        c5 = self.run_backbone(inputs)[-1]
        valid = valid_grid_mask(inputs, c5.shape[-2:], data_samples)
        outs = self.neck(c5, valid, need_weights=need_weights)
        feats = dict(image_embeds=outs[0], image_tokens=outs[1], valid=valid)
        if need_weights:
            feats['pool_attn'] = outs[2]
        return feats

    def encode_texts(self, data_samples, generator=None):
        """Tokenise, mask and encode the real words of the batch.

        Returns:
            dict: ``embeds`` (M, E); ``image_index`` and ``slot`` (M,), the image
            of each word and its position among that image's words; ``counts``
            (B,) words per image; ``targets`` (M,) the masked characters' ids
            (-1 where a word was not masked); ``positions`` (M,).
        """
        texts = [sample.gt_instances.texts for sample in data_samples]
        counts = torch.tensor([len(t) for t in texts])
        if (counts == 0).any():
            empty = data_samples[int((counts == 0).nonzero()[0])]
            raise ValueError('an image without words reached OCLIP: '
                             f'{empty.metainfo.get("img_path", "?")}')
        tokens, lengths = self.tokenizer.encode([w for t in texts for w in t])
        tokens, positions, targets = self.tokenizer.mask(tokens,
                                                         lengths,
                                                         self.mask_prob,
                                                         generator=generator)
        embeds = self.encode_tokens(tokens, lengths)
        device = embeds.device
        image_index = torch.repeat_interleave(torch.arange(len(texts)), counts)
        slot = torch.arange(len(image_index)) - torch.repeat_interleave(
            counts.cumsum(0) - counts, counts)
        return dict(embeds=embeds,
                    image_index=image_index.to(device),
                    slot=slot.to(device),
                    counts=counts.to(device),
                    targets=targets.to(device),
                    positions=positions.to(device))

    def image_text_embeds(self, texts):
        """(B, E): each image's text embedding, the mean of its words'
        embeddings, over ``text_slots`` slots when set (see the class)."""
        embeds, index, counts = texts['embeds'], texts['image_index'], texts['counts']
        sums = embeds.new_zeros(len(counts),
                                embeds.size(1)).index_add_(0, index, embeds)
        if self.text_slots is None:
            return sums / counts.unsqueeze(1).to(embeds.dtype)
        if int(counts.max()) > self.text_slots:
            raise ValueError(f'an image has {int(counts.max())} words, more than '
                             f'text_slots={self.text_slots} (set the pipeline\'s '
                             'SampleTextInstances max_instances to text_slots)')
        empty = self.encode_tokens(
            torch.zeros(1, self.tokenizer.max_len, dtype=torch.long),
            torch.zeros(1, dtype=torch.long))
        empty_slots = (self.text_slots - counts).unsqueeze(1).to(embeds.dtype)
        return (sums + empty_slots * empty) / self.text_slots

    def contrastive_logits(self, image_embeds, text_embeds, scale):
        """(B, G) or (G, G) logits of images against texts across ranks (see
        ``gather_with_grad``), ``scale`` times the cosine.

        Args:
            image_embeds (Tensor): (B, E) this rank's image embeddings.
            text_embeds (Tensor): (B, E) their texts' embeddings.
            scale (Tensor): scalar, :meth:`scale`.
        """
        return global_pairwise_cosine_logits(image_embeds, text_embeds, scale,
                                             self.gather_with_grad)

    def decode(self, texts, image_tokens, valid):
        """Character logits (M, V) per word, and attention maps (M, h * w)."""
        num_images = valid.size(0)
        queries = texts['embeds'].new_zeros(num_images, int(texts['counts'].max()),
                                            texts['embeds'].size(1))
        queries = queries.index_put((texts['image_index'], texts['slot']),
                                    texts['embeds'])
        logits, attn = self.decoder(queries, image_tokens, valid)
        index = (texts['image_index'], texts['slot'])
        return logits[index], attn[index]

    def loss(self, inputs, data_samples):
        """Contrastive (+ masked-character) losses of a batch.

        Returns:
            dict: ``loss_contrastive``, and with a decoder ``loss_mask`` and
            ``acc_mask`` (masked-character accuracy, logged, not optimised);
            ``logit_scale`` (logged).
        """
        feats = self.extract_feat(inputs, data_samples)
        texts = self.encode_texts(data_samples)
        scale = self.scale()
        pair_logits = self.contrastive_logits(feats['image_embeds'],
                                              self.image_text_embeds(texts), scale)
        losses = dict(loss_contrastive=self.loss_contrastive(pair_logits),
                      logit_scale=scale.detach())
        if self.decoder is not None:
            logits, _ = self.decode(texts, feats['image_tokens'], feats['valid'])
            masked = texts['targets'] >= 0
            logits, targets = logits[masked], texts['targets'][masked]
            losses['loss_mask'] = self.loss_mask(logits, targets)
            losses['acc_mask'] = (logits.argmax(-1) == targets).float().mean().detach()
        return losses

    def word_maps(self, queries, feats):
        """Words query the image through the decoder: (B, Q, h * w), the
        head-averaged last-layer attention of each word over the stride-32
        grid (the words unmasked)."""
        _, attn = self.decoder(queries, feats['image_tokens'], feats['valid'])
        return attn

    def localize_words(self, inputs, data_samples, nms_kernel=5, return_maps=False):
        """Anchor points of each image's ground-truth words, as WeCromCL's,
        from the decoder's attention (see
        :meth:`BaseImageTextPretrainer.localize_words`)."""
        if self.decoder is None:
            raise RuntimeError('OCLIP.localize_words queries words through the '
                               'decoder; this model was built with decoder=None')
        return super().localize_words(inputs, data_samples, nms_kernel, return_maps)

    @torch.no_grad()
    def predict(self, inputs, data_samples, seed=0):
        """Validation outputs, per image.

        Masking is drawn from a generator seeded with ``seed``, so repeated
        evaluations mask the same characters. Sets on each data sample:
        ``i2t_correct`` / ``t2i_correct`` (its text, resp. image, is the top-1
        match within the batch) and ``pred_instances`` with, per word,
        ``masked_positions``, ``masked_targets``, ``pred_labels`` and
        ``pred_scores``, ``pred_chars``, ``target_chars`` (masked-character
        prediction) and ``attn_maps`` (h, w) of the decoder's last layer (the
        last five only with a decoder);
        ``pool_attn`` (h, w), the global token's attention.
        """
        generator = torch.Generator().manual_seed(seed)
        feats = self.extract_feat(inputs, data_samples, need_weights=True)
        valid = feats['valid']
        texts = self.encode_texts(data_samples, generator=generator)
        sims = pairwise_cosine_logits(feats['image_embeds'],
                                      self.image_text_embeds(texts), self.scale())
        arange = torch.arange(len(data_samples), device=sims.device)
        i2t = (sims.argmax(1) == arange).tolist()
        t2i = (sims.argmax(0) == arange).tolist()
        if self.decoder is not None:
            logits, attn = self.decode(texts, feats['image_tokens'], valid)
            scores, labels = logits.softmax(-1).max(-1)
            attn = attn.unflatten(-1, valid.shape[-2:])
        for i, sample in enumerate(data_samples):
            words = texts['image_index'] == i
            pred = InstanceData(masked_positions=texts['positions'][words].cpu(),
                                masked_targets=texts['targets'][words].cpu())
            if self.decoder is not None:
                pred.pred_labels = labels[words].cpu()
                pred.pred_scores = scores[words].cpu()
                pred.attn_maps = attn[words].cpu()
                pred.pred_chars = [self.tokenizer.decode([i]) for i in pred.pred_labels]
                pred.target_chars = [
                    self.tokenizer.decode([i]) for i in pred.masked_targets
                ]
            sample.pred_instances = pred
            sample.pool_attn = feats['pool_attn'][i].unflatten(0,
                                                               valid.shape[-2:]).cpu()
            sample.i2t_correct = i2t[i]
            sample.t2i_correct = t2i[i]
        return data_samples
