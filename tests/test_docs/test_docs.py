"""The documentation as a user follows it (README.md and every page under docs/,
configs/ and projects/): its links open, the repository paths it names exist, and
the tools' command lines it shows use only flags the tools accept. Each test lists
all its offenders as ``file:line: ...``; the checks themselves are tested in
``test_docs_checkers.py``."""
import pytest

from helpers import REPO
from helpers.docs import (check_command_flags, check_links, check_repository_paths,
                          documents, read_page)


@pytest.fixture(scope='module')
def pages():
    return documents(REPO)


def test_the_documentation_is_read(pages):
    """The checks below read the README and the docs' pages (not an empty set)."""
    assert 'README.md' in pages
    assert any(page.startswith('docs/en/') for page in pages)
    assert not [page for page in pages if '/_build/' in page or '/_generated/' in page]
    assert sum(len(read_page(page).code_blocks) for page in pages) > 10


def test_relative_links_resolve(pages):
    offenders = check_links(REPO, pages)
    assert not offenders, (f'{len(offenders)} relative link(s) or image(s) that do '
                           'not open:\n' + '\n'.join(offenders))


def test_repository_paths_in_code_exist(pages):
    offenders = check_repository_paths(REPO, pages)
    assert not offenders, (f'{len(offenders)} path(s) named in code that the '
                           'repository does not have:\n' + '\n'.join(offenders))


def test_tool_command_lines_use_accepted_flags(pages):
    offenders = check_command_flags(REPO, pages)
    assert not offenders, (f'{len(offenders)} command line(s) that their tool does '
                           'not accept:\n' + '\n'.join(offenders))
