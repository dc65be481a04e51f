"""Convert the official Total-Text ground truth to MMOCR 1.x JSON.

Usage::

    python tools/dataset_converters/totaltext.py IMG_DIR GT_DIR OUT_DIR
        --split train|test [--task textdet|textspotting|both]
        [--img-prefix PREFIX] [--skip-missing]

GT_DIR holds legacy ``poly_gt_img11.txt`` or comma-format ``img11.txt`` files
(format detected per file); ``#`` / ``###`` words become ignored instances.
"""
import sys

from mmocr_oclip.datasets.preparers.converters.gt_formats import main

if __name__ == '__main__':
    sys.exit(main('totaltext'))
