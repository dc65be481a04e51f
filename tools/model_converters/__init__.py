"""What the importers of the authors' checkpoints need (used by
``tools/convert_official_oclip.py``, ``tools/convert_official_wecromcl.py`` and
their tests only)."""
