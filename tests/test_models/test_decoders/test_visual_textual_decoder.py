"""VisualTextualDecoder over AttentionPoolNeck's tokens: padding changes nothing."""
import torch

from mmocr_oclip.models import AttentionPoolNeck, VisualTextualDecoder


def test_neck_and_decoder_ignore_padding():
    torch.manual_seed(0)
    neck = AttentionPoolNeck(in_channels=16, embed_dim=8, num_heads=2, spatial_size=4)
    decoder = VisualTextualDecoder(num_classes=5,
                                   embed_dim=8,
                                   num_layers=2,
                                   num_heads=2,
                                   spatial_size=4)
    neck.eval()
    decoder.eval()
    feat = torch.randn(1, 16, 2, 3)
    glob, tokens = neck(feat)
    queries = torch.randn(1, 2, 8)
    logits, attn = decoder(queries, tokens, torch.ones(1, 2, 3, dtype=torch.bool))
    assert glob.shape == (1, 8) and tokens.shape == (1, 6, 8)
    assert logits.shape == (1, 2, 5) and attn.shape == (1, 2, 6)

    # the same image inside a larger padded canvas, batched with another image,
    # with extra (padded) query slots
    canvas = torch.randn(2, 16, 3, 4)
    canvas[0, :, :2, :3] = feat[0]
    valid = torch.zeros(2, 3, 4, dtype=torch.bool)
    valid[0, :2, :3] = True
    valid[1] = True
    glob2, tokens2 = neck(canvas, valid)
    assert torch.allclose(glob2[0], glob[0], atol=1e-5)
    grid_tokens = tokens2[0].reshape(3, 4, 8)[:2, :3].reshape(6, 8)
    assert torch.allclose(grid_tokens, tokens[0], atol=1e-5)
    padded_queries = torch.randn(2, 5, 8)
    padded_queries[0, :2] = queries[0]
    logits2, attn2 = decoder(padded_queries, tokens2, valid)
    assert torch.allclose(logits2[0, :2], logits[0], atol=1e-5)
    attn_grid = attn2[0, :2].reshape(2, 3, 4)
    assert torch.allclose(attn_grid[:, :2, :3].reshape(2, 6), attn[0], atol=1e-6)
    assert attn_grid[:, 2:].abs().sum() == 0 and attn_grid[:, :, 3:].abs().sum() == 0
    with torch.no_grad():
        _, _, pool_attn = neck(canvas, valid, need_weights=True)
    assert pool_attn.shape == (2, 12)
    # the rest of the global token's attention goes to itself
    assert (pool_attn.sum(1) < 1).all() and (pool_attn.sum(1) > 0.5).all()
    assert pool_attn[0].reshape(3, 4)[~valid[0]].abs().sum() == 0
