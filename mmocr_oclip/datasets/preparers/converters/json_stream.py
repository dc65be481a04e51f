"""Write MMOCR 1.x annotation JSON entry by entry (no whole file in memory)."""
import json
import os

TEXTSPOTTING_METAINFO = dict(dataset_type='TextSpottingDataset',
                             task_name='textspotting',
                             category=[dict(id=0, name='text')])


def dump_ocr_json(out_file, entries, metainfo=TEXTSPOTTING_METAINFO):
    """Stream ``entries`` into an MMOCR JSON file ``{"metainfo", "data_list"}``.

    The file is written under a temporary name and renamed when complete, so that
    an error while ``entries`` is consumed leaves no partial output.

    Args:
        out_file (str): output path.
        entries (Iterable[dict]): data_list entries, each with ``instances``.
        metainfo (dict): the metainfo. Defaults to text spotting's.

    Returns:
        dict: ``images`` and ``instances`` written.
    """
    counts = dict(images=0, instances=0)
    tmp_file = f'{out_file}.part'
    try:
        with open(tmp_file, 'w', encoding='utf-8') as f:
            f.write('{"metainfo": ' + json.dumps(metainfo) + ',\n"data_list": [')
            for entry in entries:
                f.write(',\n' if counts['images'] else '\n')
                f.write(json.dumps(entry, ensure_ascii=False))
                counts['images'] += 1
                counts['instances'] += len(entry['instances'])
            f.write('\n]}\n')
        os.replace(tmp_file, out_file)
    finally:
        if os.path.exists(tmp_file):
            os.remove(tmp_file)
    return counts
