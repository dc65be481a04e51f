"""CharacterTextEncoder: padding and causality."""
import torch

from mmocr_oclip.models import CharacterTextEncoder


def test_text_encoder_padding_and_causality():
    torch.manual_seed(0)
    enc = CharacterTextEncoder(vocab_size=10,
                               max_len=8,
                               width=16,
                               num_layers=2,
                               num_heads=2,
                               embed_dim=12)
    enc.init_weights()
    enc.eval()
    tokens = torch.tensor([[1, 2, 3, 9, 0, 0, 0, 0]])
    out = enc(tokens, torch.tensor([3]))
    assert out.shape == (1, 12)
    # trailing padding columns do not change the embedding
    assert torch.allclose(enc(tokens[:, :4], torch.tensor([3])), out, atol=1e-6)
    # nor do tokens after the end (causal) ...
    other = tokens.clone()
    other[0, 5] = 7
    assert torch.allclose(enc(other, torch.tensor([3])), out, atol=1e-6)
    # ... and without the causal mask they are masked out as padding (with
    # mask_padding, not the authors' default)
    enc.causal = False
    enc.mask_padding = True
    assert torch.allclose(enc(other, torch.tensor([3])),
                          enc(tokens, torch.tensor([3])),
                          atol=1e-6)
