"""Streaming ``load_data_list`` for big OpenMMLab 2.0 annotation files."""
import gc
import json
import pickle
import re

import numpy as np
from mmengine.fileio import get_local_path

CHUNK_CHARS = 1 << 22
REQUIRED_KEYS = frozenset(('metainfo', 'data_list'))
_SPACES = re.compile(r'[ \t\n\r]*')
_NUMBER_CHARS = re.compile(r'[0-9.eE+-]*')


class AnnotationJSONError(json.JSONDecodeError):
    """Invalid JSON in a file read in chunks, located in the whole file.

    Args:
        name (str): the file.
        msg (str): the reason.
        pos (int): character offset in the file.
        lineno (int): line, from 1.
        colno (int): column (character of the line), from 1.
    """

    def __init__(self, name, msg, pos, lineno, colno):
        ValueError.__init__(
            self, f'{name}, line {lineno}, column {colno}: invalid JSON: {msg}')
        self.name, self.msg, self.doc = name, msg, ''
        self.pos, self.lineno, self.colno = pos, lineno, colno

    def __reduce__(self):
        return type(self), (self.name, self.msg, self.pos, self.lineno, self.colno)


class _JSONChunkReader:
    """JSON values read from a text file a chunk at a time.

    Args:
        f (TextIO): the open file.
        name (str): the file name, for errors.
        chunk_chars (int): characters read at a time.
    """

    def __init__(self, f, name, chunk_chars):
        self.f, self.name, self.chunk_chars = f, name, chunk_chars
        self.buf, self.pos, self.eof = '', 0, False
        # characters, lines and start of the last line before the buffer
        self.consumed, self.lines, self.line_start = 0, 0, 0
        self.decoder = json.JSONDecoder()

    def error(self, reason, pos=None):
        """An :class:`AnnotationJSONError` at ``pos`` of the buffer (default: the
        current position)."""
        pos = self.pos if pos is None else pos
        last_newline = self.buf.rfind('\n', 0, pos)
        line_start = (self.line_start if last_newline < 0 else self.consumed +
                      last_newline + 1)
        offset = self.consumed + pos
        return AnnotationJSONError(self.name, reason, offset,
                                   self.lines + self.buf.count('\n', 0, pos) + 1,
                                   offset - line_start + 1)

    def fill(self):
        """Append the next chunk to the unread part; False at the end of the file.

        At least as many characters as are still unread are read, so that a value
        longer than a chunk costs linear time.
        """
        chunk = self.f.read(max(self.chunk_chars, len(self.buf) - self.pos))
        if not chunk:
            self.eof = True
            return False
        newlines = self.buf.count('\n', 0, self.pos)
        if newlines:
            self.lines += newlines
            self.line_start = self.consumed + self.buf.rfind('\n', 0, self.pos) + 1
        self.consumed += self.pos
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self):
        """The next non-space character (not consumed), ``''`` at the end."""
        while True:
            self.pos = _SPACES.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ''

    def expect(self, chars):
        """Consume and return the next non-space character, one of ``chars``."""
        char = self.peek()
        if not char or char not in chars:
            found = repr(char) if char else 'the end of the file'
            raise self.error(f'expected {" or ".join(map(repr, chars))}, found '
                             f'{found}')
        self.pos += 1
        return char

    def value(self):
        """Decode the next JSON value."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                if self.fill():
                    continue
                raise self.error(e.msg, e.pos) from None
            # a number cut by the end of the buffer ('2.' of '2.5') goes on in
            # the next chunk: accept once something else follows it
            if (_NUMBER_CHARS.match(self.buf, end).end() < len(self.buf)
                    or not self.fill()):
                self.pos = end
                return value


def iter_annotation_file(f, name='<annotations>', chunk_chars=CHUNK_CHARS):
    """The top-level items of an annotation file, ``data_list`` one entry at a time.

    Any valid JSON layout is read; the memory held is one chunk and one entry.
    ``data_list`` must be an array; ``metainfo`` and ``data_list`` must be present.

    Args:
        f (TextIO): the open annotation file, a JSON object.
        name (str): the file name, for errors.
        chunk_chars (int): characters read at a time. Defaults to 4 Mi.

    Yields:
        tuple[str, object]: ``('data_list', entry)`` for every entry of a
        ``data_list`` array, ``(key, value)`` for every other top-level item.

    Raises:
        AnnotationJSONError: invalid JSON (names the file, line and column).
        ValueError: not an object, a missing key or ``data_list`` not an array.
    """
    reader = _JSONChunkReader(f, name, chunk_chars)
    keys = set()
    if reader.peek() != '{':
        raise ValueError(f'{name}: not a JSON object')
    reader.pos += 1
    if reader.peek() == '}':
        reader.pos += 1
    else:
        while True:
            if reader.peek() != '"':
                raise reader.error('expected a key string')
            key = reader.value()
            keys.add(key)
            reader.expect(':')
            if key != 'data_list':
                yield key, reader.value()
            elif reader.peek() != '[':
                raise ValueError(f'{name}: data_list must be an array')
            elif reader.expect('[') and reader.peek() == ']':
                reader.pos += 1
            else:
                while True:
                    yield key, reader.value()
                    if reader.expect(',]') == ']':
                        break
            if reader.expect(',}') == '}':
                break
    if reader.peek():
        raise reader.error('extra data after the top-level object')
    missing = REQUIRED_KEYS.difference(keys)
    if missing:
        raise ValueError(f'{name}: missing top-level key(s) '
                         f'{", ".join(sorted(missing))}')


class LeanAnnotationLoaderMixin:
    """A streaming ``load_data_list`` for subclasses of MMEngine's ``BaseDataset``.

    Same result as ``BaseDataset.load_data_list``, but each ``data_list`` entry is
    handed to ``parse_data_info`` as soon as it is decoded, instead of after
    ``json.load`` of the whole file: the memory peak is the parsed list (plus one
    chunk), not the decoded file (about 8x the file's size for SynthText-like
    JSON with polygons). Python's cyclic garbage collector is paused while
    loading (the millions of new containers otherwise trigger collections that
    make loading several times slower). ``metainfo`` is merged when it is
    reached (``parse_data_info`` of MMOCR datasets does not read it).
    ``_serialize_data`` makes MMEngine's buffer (the pickled data infos in one
    numpy array, shared copy-on-write by forked data loader workers) releasing
    each data info once pickled, instead of holding the list, the pickles and
    their concatenation at once. Put the mixin first:
    ``class D(LeanAnnotationLoaderMixin, OCRDataset)``.
    """

    def load_data_list(self):
        """Load the annotations of ``self.ann_file``, parsing them as they come.

        Returns:
            list[dict]: the parsed data infos.
        """
        data_list = []
        gc_enabled = gc.isenabled()
        gc.disable()
        try:
            backend_args = getattr(self, 'backend_args', None)
            with get_local_path(self.ann_file, backend_args) as path, \
                    open(path, encoding='utf-8') as f:
                for key, value in iter_annotation_file(f, self.ann_file):
                    if key == 'data_list':
                        self._append_parsed(data_list, value)
                    elif key == 'metainfo':
                        if not isinstance(value, dict):
                            raise TypeError(f'{self.ann_file}: metainfo must be a '
                                            f'dict, got {type(value).__name__}')
                        for k, v in value.items():
                            self._metainfo.setdefault(k, v)
        finally:
            if gc_enabled:
                gc.enable()
        return data_list

    def _append_parsed(self, data_list, raw_data_info):
        """Append the data info(s) ``parse_data_info`` makes of one entry."""
        data_info = self.parse_data_info(raw_data_info)
        if isinstance(data_info, dict):
            data_list.append(data_info)
        elif isinstance(data_info, list) and all(
                isinstance(item, dict) for item in data_info):
            data_list.extend(data_info)
        else:
            raise TypeError(f'{self.ann_file}: parse_data_info must return a dict '
                            f'or a list of dicts, got {type(data_info).__name__}')

    def _serialize_data(self):
        """Pickle ``self.data_list`` into one buffer, emptying the list.

        Returns:
            tuple[np.ndarray, np.ndarray]: the uint8 buffer and the cumulative
            end offset of each data info, as MMEngine's ``_serialize_data``.
        """
        data_list = self.data_list
        ends = np.empty(len(data_list), dtype=np.int64)
        buffer = bytearray()
        for i, data_info in enumerate(data_list):
            buffer += pickle.dumps(data_info, protocol=4)
            ends[i] = len(buffer)
            data_list[i] = None
        data_list.clear()
        gc.collect()
        return np.frombuffer(buffer, dtype=np.uint8), ends
