from mmocr_oclip.datasets import pseudo_words


def test_pseudo_words_seeded_distinct_and_ascii():
    words = pseudo_words(300, seed=0)
    assert words == pseudo_words(300, seed=0)
    assert words != pseudo_words(300, seed=1)
    assert len({w.lower() for w in words}) == 300
    assert all(w.isascii() and w.isalpha() and len(w) >= 2 for w in words)
    forms = [w.isupper() for w in words], [w.istitle() for w in words]
    assert 40 < sum(forms[0]) < 110 and 40 < sum(forms[1]) < 110
    assert all(w.islower() for w in pseudo_words(50, seed=2, case_mix=False))
