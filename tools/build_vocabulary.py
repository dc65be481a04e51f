"""Build a vocabulary of negative words (one word a line, most frequent first).

Sources, any mix: MMOCR 1.x detection / spotting annotation JSON
(``--ann-files``: the ``text`` of every instance, ``ignore: true`` and ``###``
skipped), plain UTF-8 text (``--text-files``) and ``--python-stdlib [DIR]`` (the
docstrings and comments of the ``.py`` files of the Python standard library of
this machine, or of DIR; ``site-packages``, ``dist-packages``, ``encodings``
(character tables) and files that do not parse are skipped). Text is split at
white space and surrounding punctuation is stripped from every token;
annotation words are taken as they are. Then, in this order:
``--lowercase`` merges the counts case-insensitively, ``--alphabetic`` keeps
words of letters only, ``--dict-file`` keeps words whose characters are all in
an MMOCR dictionary, ``--min-len``/``--max-len``/``--min-count`` filter, and
the ``--max-words`` most frequent words (ties alphabetically) are written.

The packaged ``mmocr_oclip/resources/english_vocab.txt`` (WeCromCL's negatives)
was built on Python 3.11.7 with::

    python tools/build_vocabulary.py --python-stdlib --lowercase --alphabetic \
        --dict-file mmocr_oclip/resources/lowercase_68.txt --min-len 3 \
        --max-len 12 --min-count 3 --max-words 10000 \
        --out mmocr_oclip/resources/english_vocab.txt
"""
import argparse
import ast
import os
import os.path as osp
import string
import sys
import sysconfig
import tokenize
from collections import Counter

from mmocr_oclip.datasets.annotation_file import AnnotationFileError, read_utf8_text
from mmocr_oclip.datasets.preparers.converters import count_words
from mmocr_oclip.utils.resources import resolve_resource_file

STRIP_CHARS = string.punctuation + '\u2018\u2019\u201c\u201d\u00ab\u00bb'
STDLIB_SKIP_DIRS = frozenset(
    ('site-packages', 'dist-packages', 'encodings', '__pycache__'))


def tool_error(path, error):
    """This tool's wording of the shared readers' errors, as a ValueError.

    Args:
        path (str): the file read.
        error (OSError | AnnotationFileError): raised by
            :func:`read_utf8_text` or :func:`count_words`.

    Returns:
        ValueError: ``'<path>: cannot read: <reason>'``, ``'<path>: not UTF-8
        text (byte 0x.. at offset N)'`` or ``'<path>: invalid JSON at line L
        column C: <reason>'``.
    """
    cause = getattr(error, 'decode_error', None)
    if isinstance(cause, UnicodeDecodeError):
        return ValueError(f'{path}: not UTF-8 text (byte '
                          f'0x{cause.object[cause.start]:02x} at offset {cause.start})')
    if cause is not None:
        return ValueError(f'{path}: invalid JSON at line {cause.lineno} column '
                          f'{cause.colno}: {cause.msg}')
    return ValueError(f'{path}: cannot read: {error.strerror}')


def read_text(path):
    """The content of a UTF-8 text file (a leading BOM dropped); errors name the
    file and the reason."""
    try:
        return read_utf8_text(path)
    except (OSError, AnnotationFileError) as e:
        raise tool_error(path, e) from e


def count_text_words(text, counts):
    """Add the white-space tokens of ``text``, punctuation stripped, to ``counts``."""
    for token in text.split():
        word = token.strip(STRIP_CHARS)
        if word:
            counts[word] += 1


def count_annotation_words(path, counts, ignore_texts=('###', )):
    """Add the instance texts of an MMOCR 1.x annotation file to ``counts``, as
    the preparers' :func:`count_words` counts them (``ignore: true`` and
    ``ignore_texts`` skipped)."""
    try:
        counts.update(count_words([path], ignore_texts))
    except (OSError, AnnotationFileError) as e:
        raise tool_error(path, e) from e


def python_sources(root):
    """The ``.py`` files under ``root``, sorted, test and site-packages skipped."""
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in STDLIB_SKIP_DIRS)
        files += [osp.join(dirpath, f) for f in sorted(filenames) if f.endswith('.py')]
    return files


def count_python_words(path, counts):
    """Add the words of the docstrings and comments of a Python file to ``counts``.

    Returns:
        bool: False if the file cannot be tokenised or parsed (then nothing is
        added).
    """
    try:
        with tokenize.open(path) as f:
            source = f.read()
        comments = [
            tok.string[1:]
            for tok in tokenize.generate_tokens(iter(source.splitlines(True)).__next__)
            if tok.type == tokenize.COMMENT
        ]
        tree = ast.parse(source)
    except (OSError, SyntaxError, UnicodeDecodeError, tokenize.TokenError):
        return False
    docstring_nodes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = [
        ast.get_docstring(node, clean=False) or '' for node in ast.walk(tree)
        if isinstance(node, docstring_nodes)
    ]
    for text in comments + docstrings:
        count_text_words(text, counts)
    return True


def load_charset(dict_file):
    """The characters of an MMOCR dictionary file (one a line): a path or the
    name of a packaged one (``lowercase_68.txt``)."""
    try:
        dict_file = resolve_resource_file(dict_file)
    except FileNotFoundError as e:
        raise ValueError(str(e)) from None
    return frozenset(
        line.rstrip('\r\n') for line in read_text(dict_file).splitlines()
        if line.rstrip('\r\n'))


def select_words(counts,
                 lowercase=False,
                 alphabetic=False,
                 charset=None,
                 min_len=1,
                 max_len=None,
                 min_count=1,
                 max_words=None):
    """Filter and rank words (see the module docstring for the order).

    Args:
        counts (Counter): word occurrences.
        lowercase (bool): merge counts case-insensitively, lower-case words.
        alphabetic (bool): keep words of letters only (``str.isalpha``).
        charset (frozenset, optional): keep words made of these characters.
        min_len (int): shortest word kept.
        max_len (int, optional): longest word kept.
        min_count (int): keep words seen at least this often.
        max_words (int, optional): keep at most this many (most frequent) words.

    Returns:
        list[str]: words by decreasing count, ties alphabetically.
    """
    if lowercase:
        merged = Counter()
        for word, n in counts.items():
            merged[word.lower()] += n
        counts = merged
    kept = [
        w for w, n in counts.items() if n >= min_count and min_len <= len(w) and
        (max_len is None or len(w) <= max_len) and (not alphabetic or w.isalpha()) and (
            charset is None or charset.issuperset(w))
    ]
    kept.sort(key=lambda w: (-counts[w], w))
    return kept[:max_words] if max_words is not None else kept


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--ann-files',
                        nargs='+',
                        default=[],
                        help='MMOCR 1.x annotation JSON files')
    parser.add_argument('--text-files',
                        nargs='+',
                        default=[],
                        help='plain UTF-8 text files')
    parser.add_argument('--python-stdlib',
                        nargs='?',
                        const=sysconfig.get_paths()['stdlib'],
                        metavar='DIR',
                        help='docstrings and comments of the Python standard '
                        'library (of this interpreter, or under DIR)')
    parser.add_argument('--out', required=True, help='vocabulary file to write')
    parser.add_argument('--dict-file',
                        help='keep words whose characters are all in this MMOCR '
                        'dictionary (checked after --lowercase)')
    parser.add_argument('--lowercase',
                        action='store_true',
                        help='lower-case words (counts merged)')
    parser.add_argument('--alphabetic',
                        action='store_true',
                        help='keep words made of letters only')
    parser.add_argument('--min-len', type=int, default=1, help='shortest word kept')
    parser.add_argument('--max-len', type=int, help='longest word kept')
    parser.add_argument('--min-count',
                        type=int,
                        default=1,
                        help='keep words seen >= K times')
    parser.add_argument('--max-words',
                        type=int,
                        help='keep at most N (most frequent) words')
    args = parser.parse_args(argv)
    if not (args.ann_files or args.text_files or args.python_stdlib):
        parser.error('give at least one of --ann-files, --text-files, --python-stdlib')
    return args


def main(argv=None):
    args = parse_args(argv)
    counts = Counter()
    try:
        charset = load_charset(args.dict_file) if args.dict_file else None
        for path in args.ann_files:
            count_annotation_words(path, counts)
        for path in args.text_files:
            count_text_words(read_text(path), counts)
        if args.python_stdlib:
            if not osp.isdir(args.python_stdlib):
                raise ValueError(f'{args.python_stdlib}: not a directory')
            sources = python_sources(args.python_stdlib)
            skipped = [p for p in sources if not count_python_words(p, counts)]
            print(f'{args.python_stdlib}: {len(sources) - len(skipped)} Python files '
                  f'read, {len(skipped)} skipped (not parsable)')
    except ValueError as e:
        sys.exit(f'error: {e}')
    words = select_words(counts, args.lowercase, args.alphabetic, charset, args.min_len,
                         args.max_len, args.min_count, args.max_words)
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write(''.join(f'{w}\n' for w in words))
    print(f'{args.out}: {len(words)} words written, of {len(counts)} distinct tokens '
          f'({sum(counts.values())} occurrences)')


if __name__ == '__main__':
    main()
