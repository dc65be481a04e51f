"""Build an MMOCR dictionary file from the words of annotation files.

``python tools/dataset_converters/build_dictionary.py ANN_JSON [ANN_JSON ...]
--out DICT_TXT [--max-chars N] [--min-count K] [--include-ascii]`` orders the
characters by frequency (ties by code point) and prints how much of the data the
dictionary covers. Whitespace characters are left out with a warning.
"""
import argparse
import sys

from mmocr_oclip.datasets.preparers.converters import (count_characters, count_words,
                                                       coverage_report,
                                                       select_characters,
                                                       write_dictionary)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('ann_files', nargs='+', help='MMOCR 1.x annotation files')
    parser.add_argument('--out', required=True, help='dictionary file to write')
    parser.add_argument('--max-chars',
                        type=int,
                        help='keep at most N (most frequent) characters')
    parser.add_argument('--min-count',
                        type=int,
                        default=1,
                        help='keep characters seen >= K times')
    parser.add_argument('--include-ascii',
                        action='store_true',
                        help='also add the 94 printable ASCII characters')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        words = count_words(args.ann_files)
    except (OSError, ValueError) as e:
        sys.exit(f'error: {e}')
    chars = count_characters(words)
    spaces = {c: n for c, n in chars.items() if c.isspace()}
    if spaces:
        print(f'warning: whitespace left out of the dictionary: {spaces}',
              file=sys.stderr)
    dictionary = select_characters(chars, args.max_chars, args.min_count,
                                   args.include_ascii)
    write_dictionary(dictionary, args.out)
    report = coverage_report(dictionary, chars, words)
    print(f'{args.out}: {report["kept_chars"]} characters kept of '
          f'{report["distinct_chars"]} distinct; they cover '
          f'{report["char_coverage"]:.4%} of character occurrences and '
          f'{report["word_coverage"]:.4%} of words')
    dropped = ', '.join(f'{c!r} ({n})' for c, n in report['top_dropped'])
    print(f'most frequent dropped characters: {dropped or "none"}')


if __name__ == '__main__':
    main()
