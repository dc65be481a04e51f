"""Convert the official SCUT-CTW1500 ground truth to MMOCR 1.x JSON.

Usage::

    python tools/dataset_converters/ctw1500.py IMG_DIR GT_DIR OUT_DIR
        --split train|test [--task textdet|textspotting|both]
        [--img-prefix PREFIX] [--skip-missing]

GT_DIR holds the train XML files (``0001.xml``) or the test txt files with
transcriptions (``0001001.txt`` for ``1001.jpg``); ``###`` words become ignored
instances.
"""
import sys

from mmocr_oclip.datasets.preparers.converters.gt_formats import main

if __name__ == '__main__':
    sys.exit(main('ctw1500'))
