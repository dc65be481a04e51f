"""Read annotation files (UTF-8 text, JSON) with errors that locate the problem.

Errors name the file and the line and column (or byte of the line) at fault. Used
by the datasets at training time, by the preparers' converters and by tools/.
"""
import json

from mmengine import fileio


class AnnotationFileError(ValueError):
    """An annotation file that is not UTF-8 JSON; the message locates the error.

    Args:
        message (str): the error, with the file and the place in it.
        decode_error (UnicodeDecodeError | json.JSONDecodeError, optional): the
            error of decoding or parsing the whole file, for a caller that words
            its own message.
    """

    def __init__(self, message, decode_error=None):
        super().__init__(message)
        self.decode_error = decode_error


def describe_decode_error(path, data, error):
    """``'<path>, line L, column C: <reason>'`` for an error decoding ``data``.

    Args:
        path (str): the file, for the message.
        data (bytes): the whole file.
        error (UnicodeDecodeError | json.JSONDecodeError): raised by
            ``data.decode('utf-8')``, or by parsing the decoded text as JSON.

    Returns:
        str: the message (columns count characters, bytes for UTF-8 errors).
    """
    if isinstance(error, json.JSONDecodeError):
        return (f'{path}, line {error.lineno}, column {error.colno}: invalid JSON: '
                f'{error.msg}')
    start = error.start
    line = data.count(b'\n', 0, start) + 1
    column = start - data.rfind(b'\n', 0, start)
    return (f'{path}, line {line}, byte {column} of the line: not UTF-8 text '
            f'(byte 0x{data[start]:02x}: {error.reason})')


def locate_utf8_error(path, backend_args=None, chunk_bytes=1 << 22):
    """The first invalid UTF-8 byte of a file, read a chunk at a time.

    Args:
        path (str): the file (any MMEngine file backend).
        backend_args (dict, optional): MMEngine file backend arguments.
        chunk_bytes (int): bytes read at a time.

    Returns:
        str | None: ``'<path>, line L, byte B of the line: not UTF-8 text
        (byte 0x.., reason)'``, or None if the file is valid UTF-8.
    """
    lines, line_start, offset, tail = 0, 0, 0, b''
    with fileio.get_local_path(path, backend_args=backend_args) as local, \
            open(local, 'rb') as f:
        while True:
            chunk = f.read(chunk_bytes)
            data = tail + chunk
            tail = b''
            try:
                data.decode('utf-8')
            except UnicodeDecodeError as e:
                if not chunk or e.end < len(data) or e.reason != 'unexpected end ' \
                        'of data':
                    line = lines + data.count(b'\n', 0, e.start) + 1
                    newline = data.rfind(b'\n', 0, e.start)
                    start = line_start if newline < 0 else offset + newline + 1
                    return (f'{path}, line {line}, byte {offset + e.start - start + 1} '
                            f'of the line: not UTF-8 text (byte '
                            f'0x{data[e.start]:02x}: {e.reason})')
                # a character cut by the chunk's end: decoded with the next chunk
                data, tail = data[:e.start], data[e.start:]
            if not chunk:
                return None
            newline = data.rfind(b'\n')
            if newline >= 0:
                line_start = offset + newline + 1
            lines += data.count(b'\n')
            offset += len(data)


def read_utf8_text(path):
    """A UTF-8 text file's content (a leading BOM dropped), naming the file,
    line and byte of the line if it is not UTF-8.

    Raises:
        AnnotationFileError: the file is not UTF-8.
    """
    with open(path, 'rb') as f:
        data = f.read()
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        raise AnnotationFileError(describe_decode_error(path, data, e), e) from None
    return text[1:] if text.startswith('\ufeff') else text


def load_json_file(path, backend_args=None):
    """Parse a UTF-8 JSON file, naming the file, line and column on errors.

    Args:
        path (str): the file (any MMEngine file backend).
        backend_args (dict, optional): MMEngine file backend arguments.

    Returns:
        The parsed JSON value.

    Raises:
        AnnotationFileError: the file is not UTF-8 or not valid JSON.
    """
    data = fileio.get(path, backend_args=backend_args)
    try:
        return json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise AnnotationFileError(describe_decode_error(path, data, e), e) from None
