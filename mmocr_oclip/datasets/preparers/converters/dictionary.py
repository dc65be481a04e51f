"""Build an MMOCR dictionary file from the words of annotation files."""
from collections import Counter

from mmocr_oclip.datasets.annotation_file import load_json_file

PRINTABLE_ASCII = [chr(c) for c in range(33, 127)]


def count_words(ann_files, ignore_texts=('###', )):
    """Count the words of MMOCR 1.x annotation files.

    Instances with ``ignore: true`` or a text in ``ignore_texts`` are skipped.

    Args:
        ann_files (Sequence[str]): JSON files with ``data_list`` entries holding
            ``instances`` with ``text``.
        ignore_texts (Sequence[str]): don't-care transcriptions.

    Returns:
        Counter: occurrences of every word.

    Raises:
        AnnotationFileError: a file is not UTF-8 JSON (file, line and column).
        ValueError: a file has no ``data_list`` list, or an entry no
            ``instances`` list of instances with a string ``text`` (file and
            entry named).
    """
    words = Counter()
    for ann_file in ann_files:
        annotations = load_json_file(ann_file)
        data_list = (annotations.get('data_list')
                     if isinstance(annotations, dict) else None)
        if not isinstance(data_list, list):
            raise ValueError(f'{ann_file}: not an MMOCR annotation file (no '
                             '"data_list" list)')
        for index, entry in enumerate(data_list):
            instances = entry.get('instances') if isinstance(entry, dict) else None
            if not isinstance(instances, list):
                raise ValueError(f'{ann_file}: data_list[{index}]: "instances" '
                                 'must be a list')
            for i, instance in enumerate(instances):
                text = instance.get('text') if isinstance(instance, dict) else None
                if not isinstance(text, str):
                    raise ValueError(f'{ann_file}: data_list[{index}]: '
                                     f'instances[{i}]: "text" must be a string')
                if not instance.get('ignore', False) and text not in ignore_texts:
                    words[text] += 1
    return words


def count_characters(words):
    """Occurrences of every character in a word counter."""
    chars = Counter()
    for word, count in words.items():
        for char, n in Counter(word).items():
            chars[char] += n * count
    return chars


def select_characters(chars, max_chars=None, min_count=1, include_ascii=False):
    """Dictionary characters: by decreasing frequency, ties by code point.

    Whitespace characters are never selected (an MMOCR dictionary line cannot
    hold one reliably).

    Args:
        chars (Counter): character occurrences.
        max_chars (int, optional): keep at most this many data characters.
        min_count (int): keep characters seen at least this often.
        include_ascii (bool): append the printable ASCII characters (33-126)
            not selected otherwise.

    Returns:
        list[str]: the dictionary, in order.
    """
    ranked = sorted((c for c, n in chars.items() if n >= min_count and not c.isspace()),
                    key=lambda c: (-chars[c], ord(c)))
    selected = ranked[:max_chars] if max_chars is not None else ranked
    if include_ascii:
        chosen = set(selected)
        selected += [c for c in PRINTABLE_ASCII if c not in chosen]
    return selected


def coverage_report(dictionary, chars, words, num_dropped=10):
    """How much of the data a dictionary covers.

    Args:
        dictionary (Sequence[str]): the dictionary characters.
        chars (Counter): character occurrences.
        words (Counter): word occurrences.
        num_dropped (int): most frequent dropped characters to list.

    Returns:
        dict: ``distinct_chars``, ``kept_chars``, ``char_coverage`` (fraction of
        character occurrences in the dictionary), ``word_coverage`` (fraction of
        word occurrences made only of dictionary characters) and
        ``top_dropped`` (list of ``(char, count)``).
    """
    kept = frozenset(dictionary)
    total_chars = sum(chars.values())
    total_words = sum(words.values())
    covered_chars = sum(n for c, n in chars.items() if c in kept)
    covered_words = sum(n for w, n in words.items() if kept.issuperset(w))
    dropped = sorted((c for c in chars if c not in kept),
                     key=lambda c: (-chars[c], ord(c)))
    return dict(distinct_chars=len(chars),
                kept_chars=len(dictionary),
                char_coverage=covered_chars / total_chars if total_chars else 1.0,
                word_coverage=covered_words / total_words if total_words else 1.0,
                top_dropped=[(c, chars[c]) for c in dropped[:num_dropped]])


def write_dictionary(dictionary, out_file):
    """Write one character a line (MMOCR's dictionary file format)."""
    with open(out_file, 'w', encoding='utf-8') as f:
        f.write(''.join(f'{c}\n' for c in dictionary))
