"""The command-line options each tool accepts, for the docs checks
(:mod:`helpers.docs`); run as a program, in a process of its own:

    python -m helpers.tool_options OUT.json TOOL [TOOL ...]

TOOL is a Python script's path, ``-m`` and a module (``-m projects.x.run_study``
as one argument), a shell script's path, or ``mim train`` / ``mim test``. Writes
``{TOOL: {"options": [...], "error": null or text}}`` to OUT.json.

A Python tool runs as ``__main__`` with ``--help`` until it builds its argparse
parser and parses: ``ArgumentParser.parse_args`` (and ``parse_known_args``) is
replaced by a function that stops the tool there and keeps the parser, whose option
strings are the answer (subcommands' options included). A tool that stops before
parsing is read from its ``--help`` text instead. A shell script answers with
the options its ``--help`` prints, if it has a ``--help``; else it takes none. For
``mim train/test``: the options of mim's own command (its click parameters).
"""
import argparse
import json
import os
import os.path as osp
import re
import runpy
import subprocess
import sys

_FLAG = re.compile(r'(?<![\w-])(--?[A-Za-z][\w-]*)')


class _Parsed(Exception):

    def __init__(self, parser):
        super().__init__('parsed')
        self.parser = parser


def _stop(parser, *args, **kwargs):
    raise _Parsed(parser)


def parser_options(parser):
    """All option strings of an argparse parser and its subcommands."""
    options = set()
    for action in parser._actions:
        options.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                options |= parser_options(sub)
    return options


def help_text_options(args):
    """The flags named in the ``--help`` output of the command ``args``."""
    proc = subprocess.run(list(args) + ['--help'],
                          capture_output=True,
                          text=True,
                          timeout=300,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(args)} --help exited {proc.returncode}: '
                           f'{(proc.stdout + proc.stderr)[-500:]}')
    return set(_FLAG.findall(proc.stdout + proc.stderr)) | {'-h', '--help'}


def python_tool_options(tool):
    """Options of ``tool``: a script's path or ``-m module``."""
    module = tool[3:].strip() if tool.startswith('-m ') else None
    saved = (argparse.ArgumentParser.parse_args,
             argparse.ArgumentParser.parse_known_args, sys.argv[:], sys.path[:])
    argparse.ArgumentParser.parse_args = _stop
    argparse.ArgumentParser.parse_known_args = _stop
    try:
        if module:
            sys.argv = [module, '--help']
            sys.path.insert(0, os.getcwd())
            runpy.run_module(module, run_name='__main__', alter_sys=True)
        else:
            sys.argv = [tool, '--help']
            sys.path.insert(0, osp.dirname(osp.abspath(tool)))
            runpy.run_path(tool, run_name='__main__')
    except _Parsed as parsed:
        return parser_options(parsed.parser)
    except SystemExit:
        pass  # stopped before parsing: read its --help below
    finally:
        (argparse.ArgumentParser.parse_args, argparse.ArgumentParser.parse_known_args,
         sys.argv[:], sys.path[:]) = saved
    command = [sys.executable] + (['-m', module] if module else [tool])
    return help_text_options(command)


def mim_options(command):
    """The options of ``mim train`` or ``mim test`` themselves."""
    import importlib

    import click
    cli = importlib.import_module(f'mim.commands.{command}').cli
    options = {'-h', '--help'}  # mim's group gives every command both
    for param in cli.params:
        if isinstance(param, click.Option):
            options.update(param.opts)
            options.update(param.secondary_opts)
    return options


def shell_tool_options(tool):
    with open(tool, encoding='utf-8') as f:
        script = f.read()
    if not re.search(r'(^|[\s|(])--help\)', script):
        return set()  # no option parsing: the script takes none
    return help_text_options(['bash', tool])


def tool_options(tool):
    if tool.startswith('mim '):
        return mim_options(tool.split()[1])
    if tool.endswith('.sh'):
        return shell_tool_options(tool)
    return python_tool_options(tool)


def main():
    out, tools = sys.argv[1], sys.argv[2:]
    result = {}
    for tool in tools:
        try:
            result[tool] = {'options': sorted(tool_options(tool)), 'error': None}
        except BaseException as error:  # a tool's failure is an answer, not a crash
            result[tool] = {'options': [], 'error': f'{type(error).__name__}: {error}'}
    with open(out, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=1)


if __name__ == '__main__':
    main()
