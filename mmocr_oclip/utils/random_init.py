"""A model config without its pre-trained weights: the random initialisation."""


def drop_pretrained_init(cfg):
    """Set every ``init_cfg`` of type ``Pretrained`` in ``cfg`` (nested dicts
    and lists, e.g. a model config) to None, in place.

    Returns:
        list[str]: the dotted keys set, e.g. ``['backbone.init_cfg']``.
    """
    dropped = []

    def visit(node, prefix):
        if isinstance(node, dict):
            init = node.get('init_cfg')
            if isinstance(init, dict) and init.get('type') == 'Pretrained':
                node['init_cfg'] = None
                dropped.append(f'{prefix}init_cfg')
            for key, value in node.items():
                visit(value, f'{prefix}{key}.')
        elif isinstance(node, (list, tuple)):
            for i, value in enumerate(node):
                visit(value, f'{prefix}{i}.')

    visit(cfg, '')
    return dropped
