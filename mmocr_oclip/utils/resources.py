"""Files shipped inside the package."""
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
