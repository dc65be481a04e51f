"""Sphinx configuration of the English documentation: ``make docs`` builds it with
warnings as errors (``sphinx-build -W --keep-going -b html docs/en
docs/en/_build/html``).

The pages are Markdown, read by myst-parser as in MMOCR's documentation. Three
things are done here beyond plain settings:

1. **Model zoo pages from outside the source folder.** The per-algorithm pages live
   beside their configs (``configs/pretrain/README.md``,
   ``configs/textdet/*/README.md``), where GitHub and ``model-index.yml`` expect
   them; a toctree can only list documents inside ``docs/en``. So, as MMOCR's
   ``docs/en/conf.py`` runs its ``stats.py`` to write its model-zoo pages, every
   build copies them into ``docs/en/_generated/`` (git-ignored, written afresh on
   each build), with their relative links rewritten to point from the copy's place
   to the same files.
2. **Sections that are still empty.** ``index.md`` lists each section with a
   ``:glob:`` toctree, so a new page is picked up by putting it in its folder; a glob
   that matches nothing is a warning (an error here), so the toctree entries that
   match no page are dropped from ``index.md`` as it is read, and a section with no
   page at all is left out.
3. **Links to repository files outside ``docs/en``** (``../../../tools/train.py``,
   ``../../../configs/textdet/psenet/``) are normal in these pages, which are also
   read on GitHub. Sphinx turns a link to an existing file into a download link; a
   link to a folder, to a file that does not exist, or to another Markdown page
   (``../../../projects/transfer_study/README.md``: "Unknown source document") is a
   ``myst.xref_missing`` warning. Only that warning, and only for targets outside
   ``docs/en``, is dropped (``_OutsideLinkFilter``): those links are checked by
   ``tests/test_docs``, which reads the pages as GitHub does. A broken link between
   two pages of ``docs/en`` still fails the build.
"""
import glob
import logging
import os
import os.path as osp
import re
import shutil

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))
# what the build writes into the source folder (git-ignored; see 1. above)
GENERATED = '_generated'

# (glob of pages relative to the repository, section folder under _generated,
# name of the copy, or None for the page's file name)
EXTERNAL_PAGES = [
    ('configs/pretrain/README.md', 'model_zoo', 'pretrain.md'),
    # configs/textdet/psenet/README.md -> model_zoo/textdet_psenet.md
    ('configs/textdet/*/README.md', 'model_zoo', None),
]


def _read_version():
    namespace = {}
    with open(osp.join(REPO, 'mmocr_oclip', 'version.py'), encoding='utf-8') as f:
        exec(f.read(), namespace)
    return namespace['__version__']


# -- Project information ---------------------------------------------------------

project = 'mmocr_oclip'
copyright = '2026, mmocr_oclip contributors'
author = 'mmocr_oclip contributors'
version = release = _read_version()

# -- General configuration -------------------------------------------------------

extensions = ['myst_parser']
source_suffix = {'.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build', 'Thumbs.db', '.DS_Store']
# `[text](page.md#a-heading)` links resolve to headings of every level, with the
# anchors GitHub gives them
myst_heading_anchors = 6
# ::: fences for directives; no $...$ math: prose names shell variables ($VENV)
myst_enable_extensions = ['colon_fence']

# -- HTML output ------------------------------------------------------------------

html_theme = 'sphinx_rtd_theme'
html_title = f'mmocr_oclip {release}'
html_show_sourcelink = False

# -- 1. pages copied from outside the source folder -------------------------------

_FENCE = re.compile(r'^ {0,3}(`{3,}|~{3,})')
_CODE_SPAN = re.compile(r'(`+)(?:.|\n)*?(?<!`)\1(?!`)')
# inline links and images: [text](target "title"), ![alt](<target>)
_INLINE_LINK = re.compile(r'(\]\(\s*)(<[^>\n]*>|[^)\s]+)')
# reference definitions: [label]: target
_REF_DEF = re.compile(r'^( {0,3}\[[^\]\n]+\]:\s*)(<[^>\n]*>|\S+)', re.M)
# HTML images and links: <img src="...">, <a href="...">
_HTML_LINK = re.compile(r'(\b(?:src|href)=")([^"]+)')
_URL = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:|^//')


def _map_target(target, origin_dir, new_dir, copies):
    """``target`` as written in a page in ``origin_dir``, rewritten for the same
    page in ``new_dir`` (absolute folders); a target that is itself a copied page
    points to its copy."""
    bare = target[1:-1] if target.startswith('<') else target
    if not bare or bare.startswith('#') or _URL.match(bare):
        return target
    path, sep, anchor = bare.partition('#')
    if path.startswith('/'):  # GitHub reads /x as the repository's x
        absolute = osp.normpath(osp.join(REPO, path.lstrip('/')))
    else:
        absolute = osp.normpath(osp.join(origin_dir, path))
    absolute = copies.get(absolute, absolute)
    new = osp.relpath(absolute, new_dir).replace(os.sep, '/')
    if path.endswith('/') and not new.endswith('/'):
        new += '/'
    new = new + sep + anchor
    if new == bare:
        return target
    return f'<{new}>' if target.startswith('<') or ' ' in new else new


def rewrite_links(text, origin_dir, new_dir, copies):
    """The Markdown ``text`` of a page in ``origin_dir`` with its relative links
    rewritten for ``new_dir`` (and to the copies of copied pages); code is left
    alone."""

    def fix(match):
        return match.group(1) + _map_target(match.group(2), origin_dir, new_dir, copies)

    def fix_prose(prose):
        parts = []
        last = 0
        for span in _CODE_SPAN.finditer(prose):
            parts.append(_fix_links(prose[last:span.start()]))
            parts.append(span.group(0))
            last = span.end()
        parts.append(_fix_links(prose[last:]))
        return ''.join(parts)

    def _fix_links(chunk):
        for pattern in (_INLINE_LINK, _REF_DEF, _HTML_LINK):
            chunk = pattern.sub(fix, chunk)
        return chunk

    out, prose, fence = [], [], None
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            out.append(fix_prose(''.join(prose)))
            prose = []
            fence = match.group(1)
            out.append(line)
        elif fence is not None:
            out.append(line)
            closing = line.strip()
            if match and set(closing) == {fence[0]} and len(closing) >= len(fence):
                fence = None
        else:
            prose.append(line)
    out.append(fix_prose(''.join(prose)))
    return ''.join(out)


def external_pages():
    """{absolute path of a page outside docs/en: absolute path of its copy}."""
    copies = {}
    for pattern, section, name in EXTERNAL_PAGES:
        for page in sorted(glob.glob(osp.join(REPO, pattern))):
            rel = osp.relpath(page, REPO)
            if name is None and rel.startswith('configs' + os.sep):
                # configs/textdet/psenet/README.md -> textdet_psenet.md
                copy_name = '_'.join(osp.dirname(rel).split(os.sep)[1:]) + '.md'
            else:
                copy_name = name or osp.basename(rel)
            if osp.exists(osp.join(HERE, section, copy_name)):
                continue  # the page is in docs/en already
            copies[osp.normpath(page)] = osp.join(HERE, GENERATED, section, copy_name)
    return copies


def copy_external_pages(app=None, config=None):
    """Write docs/en/_generated/ afresh: the pages of ``EXTERNAL_PAGES``, their
    links rewritten."""
    copies = external_pages()
    target_root = osp.join(HERE, GENERATED)
    shutil.rmtree(target_root, ignore_errors=True)
    for page, copy in copies.items():
        with open(page, encoding='utf-8') as f:
            text = f.read()
        os.makedirs(osp.dirname(copy), exist_ok=True)
        with open(copy, 'w', encoding='utf-8') as f:
            f.write(rewrite_links(text, osp.dirname(page), osp.dirname(copy), copies))
    if app is not None:
        app.env_copies = copies  # the source-read hook points links to the copies


def point_links_to_copies(app, docname, source):
    """A page of docs/en that links a copied page (``../../configs/.../README.md``)
    links its copy instead, so that the link stays inside the HTML."""
    copies = getattr(app, 'env_copies', None)
    if not copies or docname.startswith(GENERATED + '/'):
        return
    folder = osp.dirname(osp.join(HERE, docname))
    source[0] = rewrite_links(source[0], folder, folder, copies)


# -- 2. toctree entries that match no page ------------------------------------------

_TOCTREE = re.compile(r'^(```+)\{toctree\}[^\n]*\n(.*?)^\1[ \t]*$\n?', re.M | re.S)


def drop_empty_toctree_entries(app, docname, source):
    """In ``index``: drop each ``:glob:`` toctree entry that matches no document, and
    a toctree left with no entry (a section that has no page yet)."""
    if docname != app.config.root_doc:
        return
    from sphinx.util import docname_join
    from sphinx.util.matching import patfilter
    others = sorted(app.env.found_docs - {docname})

    def prune(match):
        fence, body = match.group(1), match.group(2)
        lines = body.splitlines()
        options = [line for line in lines if line.startswith(':')]
        entries = [line for line in lines if line.strip() and not line.startswith(':')]
        globbing = any(line.strip() == ':glob:' for line in options)
        kept = [
            entry for entry in entries if not (globbing and re.search(r'[*?\[]', entry))
            or patfilter(others, docname_join(docname, entry.strip()))
        ]
        if not kept:
            return ''
        return f'{fence}{{toctree}}\n' + '\n'.join(options + [''] +
                                                   kept) + f'\n{fence}\n'

    source[0] = _TOCTREE.sub(prune, source[0])


# -- 3. links to files outside docs/en ------------------------------------------------

_MISSING_TARGET = re.compile(r"(?:target not found: |Unknown source document )'(.*)'$")


class _OutsideLinkFilter(logging.Filter):
    """Drops ``myst.xref_missing`` warnings whose target is outside docs/en (see 3.
    above); every other warning passes."""

    def filter(self, record):
        if (getattr(record, 'type', None), getattr(record, 'subtype',
                                                   None)) != ('myst', 'xref_missing'):
            return True
        match = _MISSING_TARGET.search(str(record.msg))
        location = getattr(record, 'location', None)
        if isinstance(location, tuple):
            docname = location[0]
        else:
            docname = getattr(location, 'get', lambda key: None)('refdoc')
        if not match or not docname:
            return True
        path = match.group(1).partition('#')[0]
        if not path or _URL.match(path):
            return True
        absolute = osp.normpath(osp.join(HERE, osp.dirname(docname), path))
        return absolute == HERE or absolute.startswith(HERE + os.sep)


def setup(app):
    app.connect('config-inited', copy_external_pages)
    app.connect('source-read', drop_empty_toctree_entries)
    app.connect('source-read', point_links_to_copies)
    # before Sphinx's own filters, which count (and with -W raise on) a warning
    for handler in logging.getLogger('sphinx').handlers:
        handler.filters.insert(0, _OutsideLinkFilter())
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
