"""Checks of the Markdown documentation (``tests/test_docs``), read as GitHub
renders it: relative links, repository paths named in code, and the flags of the
tools' command lines.

Each ``check_*`` function takes the repository root and the pages, and returns its
offenders as ``'file:line: what (why)'`` lines; an empty list is a pass.
"""
import difflib
import glob
import importlib.util
import json
import os
import os.path as osp
import re
import shlex
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote

from helpers import REPO

# folders never read: environments, outputs, data, the docs' build and its copies
SKIP_DIRS = {
    '.git', '.venv', 'venv', 'work_dirs', 'data', '_build', '_generated',
    'node_modules', '__pycache__', '.mim', '.pytest_cache'
}
DOC_FOLDERS = ('docs', 'configs', 'projects')


def documents(root=REPO):
    """The documentation: README.md and every ``*.md`` under docs/, configs/ and
    projects/ (relative paths, sorted)."""
    found = ['README.md'] if osp.isfile(osp.join(root, 'README.md')) else []
    for folder in DOC_FOLDERS:
        for dirpath, dirnames, filenames in os.walk(osp.join(root, folder)):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            found += [
                osp.relpath(osp.join(dirpath, name), root) for name in sorted(filenames)
                if name.endswith('.md')
            ]
    return found


# -- reading Markdown ------------------------------------------------------------------


@dataclass
class Page:
    """A Markdown page split as GitHub reads it. Line numbers count from 1."""
    path: str  # relative to the repository
    # (line, text) of prose, with code spans and HTML comments blanked out
    prose: list = field(default_factory=list)
    # (first line, info string, [lines]) of each fenced code block
    code_blocks: list = field(default_factory=list)
    # (line, text) of each inline code span
    code_spans: list = field(default_factory=list)
    # (line, text) of prose as written (comments blanked): headings, anchors
    raw_prose: list = field(default_factory=list)


_FENCE = re.compile(r'^ {0,3}(`{3,}|~{3,})(.*)$')
_CODE_SPAN = re.compile(r'(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)', re.S)
_COMMENT = re.compile(r'<!--.*?-->', re.S)


def _blank(match):
    """The match's text with everything but newlines replaced by spaces (keeps
    offsets and line numbers)."""
    return re.sub(r'[^\n]', ' ', match.group(0))


def read_page(path, root=REPO, text=None):
    """:class:`Page` of the file ``path`` (relative to ``root``), or of ``text``."""
    if text is None:
        with open(osp.join(root, path), encoding='utf-8') as f:
            text = f.read()
    page = Page(path)
    lines = text.split('\n')
    paragraph, fence, block = [], None, None

    def flush():
        # a paragraph's code spans and comments may span lines: read it whole
        if not paragraph:
            return
        first = paragraph[0][0]
        joined = '\n'.join(line for _, line in paragraph)
        joined = _COMMENT.sub(_blank, joined)
        page.raw_prose.extend(
            (first + i, line) for i, line in enumerate(joined.split('\n')))
        for span in _CODE_SPAN.finditer(joined):
            line = first + joined.count('\n', 0, span.start(2))
            page.code_spans.append((line, ' '.join(span.group(2).split('\n'))))
        joined = _CODE_SPAN.sub(_blank, joined)
        page.prose.extend(
            (first + i, line) for i, line in enumerate(joined.split('\n')))
        paragraph.clear()

    for number, line in enumerate(lines, 1):
        match = _FENCE.match(line)
        if fence is None:
            if match and not (match.group(1)[0] == '`' and '`' in match.group(2)):
                flush()
                fence = match.group(1)
                block = (number + 1, match.group(2).strip(), [])
            elif not line.strip():
                flush()
            else:
                paragraph.append((number, line))
        else:
            closing = line.strip()
            if match and set(closing) == {fence[0]} and len(closing) >= len(fence):
                page.code_blocks.append(block)
                fence = None
            else:
                block[2].append(line)
    flush()
    if fence is not None:  # unclosed: GitHub shows it as code to the end
        page.code_blocks.append(block)
    return page


# -- a. relative links -----------------------------------------------------------------

# [text](target "title"), ![alt](target), [text](<target with spaces>)
_INLINE_LINK = re.compile(r'!?\[(?:[^\[\]\n]|\[[^\]\n]*\])*\]\(\s*(<[^>\n]*>|[^)\s]+)')
# [label]: target
_REF_DEF = re.compile(r'^ {0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)')
# <img src="..."> <a href="...">
_HTML_LINK = re.compile(r'\b(?:src|href)\s*=\s*["\']([^"\']+)["\']')
_URL = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:|^//')


def links(page):
    """(line, target) of every link and image in the page's prose."""
    found = []
    for line, text in page.prose:
        for pattern in (_INLINE_LINK, _REF_DEF, _HTML_LINK):
            for match in pattern.finditer(text):
                target = match.group(1)
                if target.startswith('<') and target.endswith('>'):
                    target = target[1:-1]
                found.append((line, target))
    return sorted(found)


def github_slug(heading):
    """The anchor GitHub (and myst's ``myst_heading_anchors``) give a heading."""
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # links: their text
    text = re.sub(r'<[^>]+>', '', text)  # HTML tags
    text = text.strip().lower()
    text = ''.join(ch for ch in text
                   if ch in ' -_' or unicodedata.category(ch)[0] in 'LNM')
    return text.replace(' ', '-')


_HEADING = re.compile(r'^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$')
_EXPLICIT_ANCHORS = (
    re.compile(r'<a\s+[^>]*(?:name|id)\s*=\s*["\']([^"\']+)["\']'),  # <a name="x">
    re.compile(r'^\(([^)\s]+)\)=\s*$'),  # myst target: (label)=
    re.compile(r'\{#([\w-]+)\}'),  # heading attribute {#id}
)


def anchors(page):
    """The anchors a page defines: its headings' slugs (repeated ones numbered as
    GitHub does) and explicit anchors."""
    found, seen = set(), {}
    for _, text in page.raw_prose:
        heading = _HEADING.match(text)
        if heading:
            slug = github_slug(heading.group(2))
            found.add(slug if slug not in seen else f'{slug}-{seen[slug]}')
            seen[slug] = seen.get(slug, 0) + 1
        for pattern in _EXPLICIT_ANCHORS:
            found.update(pattern.findall(text))
    return found


def check_links(root, paths):
    """Offenders of check a: a relative link or image whose file or folder does not
    exist, or whose ``#anchor`` names no heading of the Markdown page it opens."""
    offenders, pages = [], {}

    def page_of(rel):
        if rel not in pages:
            pages[rel] = read_page(rel, root)
        return pages[rel]

    root = osp.abspath(root)
    for rel in paths:
        for line, target in links(page_of(rel)):
            if not target or _URL.match(target):
                continue
            path, _, anchor = target.partition('#')
            path = unquote(path.split('?')[0])
            if path.startswith('/'):  # GitHub: from the repository root
                absolute = osp.normpath(osp.join(root, path.lstrip('/')))
            elif path:
                absolute = osp.normpath(osp.join(root, osp.dirname(rel), path))
            else:
                absolute = osp.join(root, rel)  # #anchor in the same page
            where = f'{rel}:{line}: {target}'
            if absolute != root and not absolute.startswith(root + os.sep):
                offenders.append(f'{where} (outside the repository)')
            elif not osp.exists(absolute):
                offenders.append(f'{where} (no such file or folder: '
                                 f'{osp.relpath(absolute, root)})')
            elif anchor and absolute.endswith('.md') and osp.isfile(absolute):
                defined = anchors(page_of(osp.relpath(absolute, root)))
                if unquote(anchor) not in defined:
                    close = difflib.get_close_matches(unquote(anchor), defined, 1)
                    hint = f'; did you mean #{close[0]}?' if close else ''
                    offenders.append(f'{where} (no heading with the anchor '
                                     f'#{anchor} in {osp.relpath(absolute, root)}'
                                     f'{hint})')
    return offenders


# -- b. repository paths in code -------------------------------------------------------

# a path from the repository root: not part of a longer path (work_dirs/x/configs/...,
# mmocr/configs/..., a URL)
_REPO_PATH = re.compile(r'(?<![\w./~$@:-])(?:\./)?((?:configs|tools|scripts|projects)'
                        r'(?:/[\w.*<>{}$@+-]*)+)')
_PLACEHOLDER = re.compile(r'[<>{}$]|\.\.\.|…')
# real file names in capitals (a missing README.md is an error, not a placeholder)
_CAPITAL_NAMES = {'README', 'LICENSE', 'CHANGELOG', 'CONTRIBUTING', 'MANIFEST'}


def _is_placeholder(path):
    """``configs/<algo>/x.py``, ``tools/X.py``, ``configs/textdet/ALGO/`` ...: a
    component written in capitals or with <>, {}, $, ..."""
    if _PLACEHOLDER.search(path):
        return True
    for part in path.split('/'):
        stem = part.split('.')[0]
        if re.fullmatch(r'[A-Z][A-Z0-9_]*', stem) and stem not in _CAPITAL_NAMES:
            return True
    return False


def code_texts(page):
    """(line, text) of every line of the page's code: blocks and spans."""
    found = list(page.code_spans)
    for first, _, lines in page.code_blocks:
        found += [(first + i, line) for i, line in enumerate(lines)]
    return sorted(found)


def repository_paths(text):
    """The repository paths (configs/, tools/, scripts/, projects/) named in a line
    of code."""
    found = []
    for match in _REPO_PATH.finditer(text):
        found.append(match.group(1).rstrip('.,:;'))
    return found


def check_repository_paths(root, paths):
    """Offenders of check b: a path from the repository root named in code that does
    not exist (placeholders aside; a glob must match something)."""
    offenders = []
    for rel in paths:
        for line, text in code_texts(read_page(rel, root)):
            for path in repository_paths(text):
                absolute = osp.join(root, path)
                if '*' in path or '?' in path:
                    if glob.glob(absolute):
                        continue
                elif osp.exists(absolute):
                    continue
                if _is_placeholder(path):
                    continue
                offenders.append(f'{rel}:{line}: {path} (no such file or folder)')
    return offenders


# -- c. the tools' command lines -------------------------------------------------------


def command_lines(page):
    """(line, text) of the page's commands: each line of a fenced block with its
    ``\\`` continuations joined (also inside comments: ``# = python ... \\`` then
    ``#   --flag``), and each inline code span."""
    found = list(page.code_spans)
    for first, _, lines in page.code_blocks:
        i = 0
        while i < len(lines):
            start, text = first + i, lines[i]
            while text.rstrip().endswith('\\') and i + 1 < len(lines):
                i += 1
                nxt = lines[i]
                if split_comment(text)[1] and nxt.lstrip().startswith('#'):
                    nxt = nxt.lstrip()[1:]
                text = text.rstrip()[:-1].rstrip() + ' ' + nxt.strip()
            found.append((start, text))
            i += 1
    return sorted(found)


def split_comment(text):
    """(code, comment) of a shell line: the comment starts at an unquoted ``#`` at
    the start of a word."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in '"\'':
            quote = ch
        elif ch == '#' and (i == 0 or text[i - 1].isspace()):
            return text[:i], text[i + 1:]
    return text, ''


def tokens(text):
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote: words are enough here
        return text.split()


_PYTHON = re.compile(r'python(\d+(\.\d+)*)?$')
_ENDS = {'|', '||', '&&', ';', '&', '(', ')'}
_SHELL_WRAPPERS = {'bash', 'sh'}
_TRAIN_SCRIPTS = {'tools/dist_train.sh', 'tools/slurm_train.sh'}


@dataclass
class Invocation:
    """One run of a tool in a command line."""
    label: str  # as written: `python tools/train.py`, `mim train mmocr_oclip`
    tools: tuple  # the collector's keys (helpers.tool_options) whose options count
    args: list  # the words after the tool
    missing: str = None  # why the tool cannot be checked (no such file)


def _repo_relative(word):
    word = word[2:] if word.startswith('./') else word
    return word


def _mim_tool(root, package, command):
    """The script ``mim train/test PACKAGE`` runs: ours (tools/), or an installed
    OpenMMLab package's .mim/tools/."""
    script = 'train.py' if command == 'train' else 'test.py'
    if package == 'mmocr_oclip':
        return osp.join('tools', script)
    spec = importlib.util.find_spec(package)
    if spec and spec.submodule_search_locations:
        path = osp.join(
            list(spec.submodule_search_locations)[0], '.mim', 'tools', script)
        if osp.isfile(path):
            return path
    return None


def invocations(root, text):
    """The tool runs in a command line (code and comment): ``python tools/X.py``,
    ``python -m projects.X.run_study``, ``bash tools/X.sh`` / ``tools/X.sh``,
    ``mim train|test PACKAGE``. Other commands are not the project's tools."""
    found = []
    for part in split_comment(text):
        words = tokens(part)
        i = 0
        while i < len(words):
            word = words[i]
            base = osp.basename(word)
            run = None
            if _PYTHON.match(base):
                j = i + 1
                while j < len(words) and words[j] in ('-u', '-B', '-O', '-W'):
                    j += 1 + (words[j] == '-W')
                if j + 1 < len(words) and words[j] == '-m':
                    module = words[j + 1]
                    if module.split('.')[0] in ('projects', 'tools'):
                        path = module.replace('.', '/') + '.py'
                        run = (f'{base} -m {module}', path, f'-m {module}', j + 2)
                elif j < len(words) and words[j].endswith('.py'):
                    path = _repo_relative(words[j])
                    if re.match(r'(tools|projects|scripts|configs)/', path):
                        run = (f'{base} {path}', path, path, j + 1)
            elif base in _SHELL_WRAPPERS and i + 1 < len(words) and words[
                    i + 1].endswith('.sh'):
                path = _repo_relative(words[i + 1])
                if re.match(r'(tools|projects|scripts)/', path):
                    run = (f'{base} {path}', path, path, i + 2)
            elif word.endswith('.sh') and re.match(r'(\./)?(tools|projects|scripts)/',
                                                   word):
                path = _repo_relative(word)
                run = (path, path, path, i + 1)
            elif base == 'mim' and i + 2 < len(words) and words[i + 1] in ('train',
                                                                           'test'):
                command, package = words[i + 1], words[i + 2]
                if not re.fullmatch(r'[a-z_][a-z0-9_]*', package):
                    package = 'mmocr_oclip'  # `mim train ... --gpus 8`: ours
                script = _mim_tool(root, package, command)
                label = f'mim {command} {words[i + 2]}'
                end = _args_end(words, i + 3)
                if script is None:
                    found.append(
                        Invocation(label, (), words[i + 3:end],
                                   f'no package {package!r} with .mim/tools/'))
                else:
                    found.append(
                        Invocation(label, (f'mim {command}', script), words[i + 3:end]))
                i = end
                continue
            if run is None:
                i += 1
                continue
            label, path, key, start = run
            end = _args_end(words, start)
            args = words[start:end]
            if not osp.isfile(osp.join(root, path)):
                found.append(Invocation(label, (), args, 'no such file'))
            elif path in _TRAIN_SCRIPTS:
                found.append(Invocation(label, ('tools/train.py', ), args))
            else:
                found.append(Invocation(label, (key, ), args))
            i = end
    return found


def _args_end(words, start):
    end = start
    while end < len(words):
        word = words[end]
        if word in _ENDS or re.match(r'^(\d?>|&>|<)', word):
            break
        if word.endswith(';'):
            return end + 1
        end += 1
    return end


_OPTION = re.compile(r'^(--?[A-Za-z][\w-]*)(=.*)?$')
# options whose value is free text (may start with a dash)
_TEXT_VALUE_OPTIONS = {'--srun-args', '--wecromcl-options'}


def flags(args):
    """The flags in a tool's arguments: ``--foo``, ``--foo=x``, ``-x``; a value
    after ``--cfg-options`` and the like is no flag, nor are bracketed usage marks
    (``[--out DIR]`` is ``--out``) or anything after ``--``."""
    found, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == '--':
            break
        if ' ' in arg:
            continue  # a quoted value
        match = _OPTION.match(arg.strip('[](),|'))
        if match:
            found.append(match.group(1))
            skip = match.group(1) in _TEXT_VALUE_OPTIONS and not match.group(2)
    return found


_OPTION_CACHE = {}


def tool_options(root, keys):
    """{key: {'options': [...], 'error': ...}} for the tools of :mod:`helpers.
    tool_options`, read once per tool and repository in one process of their own."""
    missing = [key for key in keys if (root, key) not in _OPTION_CACHE]
    if missing:
        with tempfile.TemporaryDirectory() as tmp:
            out = osp.join(tmp, 'options.json')
            env = dict(os.environ)
            env['PYTHONPATH'] = os.pathsep.join(
                [osp.dirname(osp.dirname(osp.abspath(__file__))), root] +
                [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
            proc = subprocess.run([sys.executable, '-m', 'helpers.tool_options', out] +
                                  sorted(missing),
                                  cwd=root,
                                  env=env,
                                  capture_output=True,
                                  text=True,
                                  timeout=600,
                                  stdin=subprocess.DEVNULL)
            assert proc.returncode == 0 and osp.isfile(out), (
                'helpers.tool_options failed:\n' + (proc.stdout + proc.stderr)[-3000:])
            with open(out, encoding='utf-8') as f:
                for key, value in json.load(f).items():
                    _OPTION_CACHE[(root, key)] = value
    return {key: _OPTION_CACHE[(root, key)] for key in keys}


def check_command_flags(root, paths):
    """Offenders of check c: a flag that the tool run in a documented command line
    does not accept (also an abbreviation argparse would take: spell it out)."""
    runs = []
    for rel in paths:
        for line, text in command_lines(read_page(rel, root)):
            runs += [(rel, line, run) for run in invocations(root, text)]
    options = tool_options(root, sorted({key for *_, run in runs for key in run.tools}))
    offenders = []
    for rel, line, run in runs:
        where = f'{rel}:{line}: {run.label}'
        if run.missing:
            offenders.append(f'{where} ({run.missing})')
            continue
        errors = [
            f'{key}: {options[key]["error"]}' for key in run.tools
            if options[key]['error']
        ]
        if errors:
            offenders.append(f'{where} (cannot read its options: {"; ".join(errors)})')
            continue
        accepted = set().union(*(options[key]['options'] for key in run.tools))
        for flag in flags(run.args):
            if flag not in accepted:
                close = difflib.get_close_matches(flag, sorted(accepted), 1)
                hint = f'; did you mean {close[0]}?' if close else ''
                offenders.append(f'{where}: {flag} (not an option of '
                                 f'{" / ".join(run.tools)}{hint})')
    return offenders
