"""Files shipped inside the package."""
import os
import os.path as osp

RESOURCES = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'resources')


def packaged_dict_file(name='english_94.txt'):
    """Path of a dictionary file shipped in ``mmocr_oclip/resources``.

    Args:
        name (str): file name. Defaults to the 94 printable ASCII characters.

    Returns:
        str: absolute path of the file.
    """
    return osp.join(RESOURCES, name)


def resolve_resource_file(path, default='english_94.txt'):
    """A user-given file, or one shipped in ``mmocr_oclip/resources``.

    Configs name packaged files by their bare name (``'lowercase_68.txt'``), which
    works wherever the package is installed; any other value is a path.

    Args:
        path (str, optional): a path, a bare name of a packaged file, or None.
        default (str): packaged file used when ``path`` is None.

    Returns:
        str: the path of an existing file.

    Raises:
        FileNotFoundError: neither a file at ``path`` nor a packaged file of
            that name exists.
    """
    if path is None:
        path = default
    if osp.isfile(path):
        return path
    if osp.basename(path) == path and osp.isfile(packaged_dict_file(path)):
        return packaged_dict_file(path)
    packaged = ', '.join(sorted(os.listdir(RESOURCES)))
    raise FileNotFoundError(f'file not found: {path} (neither a path nor one of the '
                            f'packaged files: {packaged})')
