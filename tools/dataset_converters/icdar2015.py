"""Convert the official ICDAR2015 ground truth to MMOCR 1.x JSON.

Usage::

    python tools/dataset_converters/icdar2015.py IMG_DIR GT_DIR OUT_DIR
        --split train|test [--task textdet|textspotting|both]
        [--img-prefix PREFIX] [--skip-missing]

GT_DIR holds ``gt_img_N.txt`` files for ``img_N.jpg``; ``###`` words become
ignored instances.
"""
import sys

from mmocr_oclip.datasets.preparers.converters.gt_formats import main

if __name__ == '__main__':
    sys.exit(main('icdar2015'))
