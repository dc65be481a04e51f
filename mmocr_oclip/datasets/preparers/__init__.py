"""Offline data preparation (MMOCR's name: preparers), run by tools/ and tests.

- :mod:`.converters`: public datasets' annotations (SynthText, LSVT, Total-Text,
  ICDAR2015, CTW1500) to MMOCR 1.x JSON, and dictionaries from annotations.
- :mod:`.rendering`: the synthetic scene-text renderer and dataset writer.

Nothing here is imported by ``import mmocr_oclip`` or registered: training and
testing read the files these write through :mod:`mmocr_oclip.datasets`.
"""
